// Query and Scan: items in key order (a query's by its sort key, ScanIndexForward choosing the
// direction), from ExclusiveStartKey, Limit counting items read before the filter, and
// LastEvaluatedKey naming where to go on, with the index's keys for an index.

import {ServiceError} from '../frontend/types.js'
import {evaluate, project} from './evaluate.js'
import {parseRequest, type Condition} from './expressions.js'
import type {IndexDef, KeyDef, Table} from './store.js'
import {compare, keyString, validation, type Item} from './values.js'

type Input = Record<string, any>

function indexOf(t: Table, name: unknown): (KeyDef & {name?: string}) | undefined {
  if (name === undefined) return undefined
  const idx: IndexDef | undefined = [...t.def.gsis, ...t.def.lsis].find((i) => i.name === name)
  if (!idx) throw validation(`The table does not have the specified index: ${String(name)}`)
  return idx
}

/** Whether a key condition has the partition key's equality among its AND-ed terms, as Query requires. */
function namesHashKey(c: Condition, hash: string): boolean {
  if (c.op === 'and') return namesHashKey(c.a, hash) || namesHashKey(c.b, hash)
  return c.op === 'cmp' && c.cmp === '=' && [c.a, c.b].some((o) => o.op === 'path' && o.path.length === 1 && o.path[0] === hash)
}

export function queryOrScan(t: Table, input: Input, isQuery: boolean) {
  const index = indexOf(t, input.IndexName)
  const keys: KeyDef = index ?? t.def.key
  const {key, filter, projection} = parseRequest({names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues},
    {key: isQuery ? input.KeyConditionExpression : undefined, filter: input.FilterExpression, projection: input.ProjectionExpression})
  if (key && !namesHashKey(key, keys.hash)) throw validation(`Query condition missed key schema element: ${keys.hash}`)
  if (input.Select === 'COUNT' && projection) throw validation('Cannot specify the ProjectionExpression when choosing to get only the Count')

  const tableOrder = (a: Item, b: Item) => {
    const x = t.keyOf(a)
    const y = t.keyOf(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  const order = (a: Item, b: Item): number => {
    if (index || isQuery) {
      const byHash = index ? keyString(a[keys.hash]).localeCompare(keyString(b[keys.hash])) : 0
      if (byHash !== 0) return byHash
      if (keys.range) {
        const r = compare(a[keys.range]!, b[keys.range]!) ?? 0
        if (r !== 0) return r
      }
    }
    return tableOrder(a, b)
  }

  // A secondary index holds only the items that have its key attributes.
  let items = [...t.items.values()].filter((i) => !index || (i[keys.hash] !== undefined && (!keys.range || i[keys.range] !== undefined)))
  if (key) items = items.filter((i) => evaluate(key, i))
  items.sort(order)
  const forward = !isQuery || input.ScanIndexForward !== false
  if (!forward) items.reverse()

  if (input.TotalSegments !== undefined) {
    const total = Number(input.TotalSegments)
    const segment = Number(input.Segment)
    items = items.filter((_, i) => i % total === segment)
  }

  if (input.ExclusiveStartKey) {
    const start = input.ExclusiveStartKey as Item
    const at = items.findIndex((i) => {
      const c = order(i, start)
      return forward ? c > 0 : c < 0
    })
    items = at < 0 ? [] : items.slice(at)
  }

  const limit = input.Limit !== undefined ? Number(input.Limit) : undefined
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new ServiceError('ValidationException', `1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`)
  }
  const read = limit !== undefined ? items.slice(0, limit) : items
  const matched = filter ? read.filter((i) => evaluate(filter, i)) : read
  const last = limit !== undefined && items.length > limit ? read[read.length - 1] : undefined
  const lastKey = last ? Object.fromEntries([t.def.key.hash, t.def.key.range, keys.hash, keys.range]
    .filter((k): k is string => !!k).map((k) => [k, last[k]])) : undefined
  return {
    ...(input.Select === 'COUNT' ? {} : {Items: matched.map((i) => project(i, projection))}),
    Count: matched.length,
    ScannedCount: read.length,
    ...(lastKey ? {LastEvaluatedKey: lastKey} : {}),
  }
}
