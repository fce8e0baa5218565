// TransactWriteItems and TransactGetItems: every condition is checked before anything is written, and
// either all writes happen or none (TransactionCanceledException with one reason per action, in order).

import {ServiceError} from '../frontend/types.js'
import {applyUpdate, evaluate, project} from './evaluate.js'
import {parseRequest} from './expressions.js'
import type {Table} from './store.js'
import {itemSize, validation, type Item} from './values.js'

type Input = Record<string, any>

interface Planned {
  table: Table
  write?: {put?: Item; delete?: Item}
  failed?: {Code: string; Message: string; Item?: Item}
}

export function transactWrite(tableOf: (name: unknown) => Table, input: Input): Record<string, never> {
  const actions = (input.TransactItems ?? []) as Input[]
  if (actions.length === 0 || actions.length > 100) throw validation('1 validation error detected: Value at \'transactItems\' failed to satisfy constraint: Member must have length between 1 and 100')
  const seen = new Set<string>()
  const plans: Planned[] = actions.map((a) => {
    const [kind, spec] = Object.entries(a)[0] ?? []
    if (!kind || !spec) throw validation('TransactItems can only contain one of Check, Put, Update or Delete')
    const table = tableOf(spec.TableName)
    const key = table.key(kind === 'Put' ? spec.Item : spec.Key)
    const id = `${table.def.name}/${table.keyOf(key)}`
    if (seen.has(id)) throw validation('Transaction request cannot include multiple operations on one item')
    seen.add(id)
    const {condition, update} = parseRequest({names: spec.ExpressionAttributeNames, values: spec.ExpressionAttributeValues},
      {condition: spec.ConditionExpression, update: kind === 'Update' ? spec.UpdateExpression : undefined})
    const old = table.get(key)
    if (condition && !evaluate(condition, old ?? {})) {
      return {table, failed: {Code: 'ConditionalCheckFailed', Message: 'The conditional request failed',
        ...(spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? {Item: old} : {})}}
    }
    if (kind === 'ConditionCheck') return {table}
    if (kind === 'Delete') return {table, write: {delete: key}}
    const item = kind === 'Put' ? (spec.Item as Item) : applyUpdate(old ?? structuredClone(key), update ?? []).item
    if (itemSize(item) > 400 * 1024) throw validation('Item size has exceeded the maximum allowed size')
    return {table, write: {put: item}}
  })
  if (plans.some((p) => p.failed)) {
    const reasons = plans.map((p) => p.failed ?? {Code: 'None'})
    throw Object.assign(new ServiceError('TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`), {fields: {CancellationReasons: reasons}})
  }
  const byTable = new Map<Table, {put?: Item; delete?: Item}[]>()
  for (const p of plans) if (p.write) byTable.set(p.table, [...(byTable.get(p.table) ?? []), p.write])
  for (const [table, writes] of byTable) table.batch(writes)
  return {}
}

export function transactGet(tableOf: (name: unknown) => Table, input: Input) {
  const actions = (input.TransactItems ?? []) as Input[]
  if (actions.length === 0 || actions.length > 100) throw validation('1 validation error detected: Value at \'transactItems\' failed to satisfy constraint: Member must have length between 1 and 100')
  return {Responses: actions.map((a) => {
    const spec = a.Get ?? {}
    const table = tableOf(spec.TableName)
    const {projection} = parseRequest({names: spec.ExpressionAttributeNames}, {projection: spec.ProjectionExpression})
    const item = table.get(spec.Key as Item)
    return item ? {Item: project(item, projection)} : {}
  })}
}
