// The local DynamoDB API (JSON 1.0, target `DynamoDB_20120810`): tables (with global and local secondary
// indexes), items with condition and update expressions, Query, Scan and the batch operations, in the
// shapes and error wording the AWS SDKs expect.

import {randomUUID} from 'node:crypto'
import {ServiceError, type JsonService} from '../frontend/types.js'
import {applyUpdate, evaluate, project} from './evaluate.js'
import {parseRequest, type Placeholders} from './expressions.js'
import {queryOrScan} from './reads.js'
import {transactGet, transactWrite} from './transactions.js'
import {TableStore, type IndexDef, type Table, type TableDef} from './store.js'
import {itemSize, validation, type Item} from './values.js'

const notFound = (what = 'Requested resource not found') => new ServiceError('ResourceNotFoundException', what)
const conditionFailed = (item: Item | undefined, returnOld: boolean) =>
  Object.assign(new ServiceError('ConditionalCheckFailedException', 'The conditional request failed'), returnOld && item ? {fields: {Item: item}} : {})

type Input = Record<string, any>

/** Parameters older SDK code uses instead of expressions: refused rather than ignored. */
const LEGACY = ['KeyConditions', 'QueryFilter', 'ScanFilter', 'AttributeUpdates', 'Expected', 'AttributesToGet', 'ConditionalOperator']

function placeholders(input: Input): Placeholders {
  return {names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues}
}

function keyDef(schema: {AttributeName: string; KeyType: string}[] | undefined): {hash: string; range?: string} {
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName
  if (!hash) throw validation('1 validation error detected: Value null at \'keySchema\' failed to satisfy constraint: Member must not be null')
  const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName
  return {hash, ...(range ? {range} : {})}
}

const schemaOf = (k: {hash: string; range?: string | undefined}) =>
  [{AttributeName: k.hash, KeyType: 'HASH'}, ...(k.range ? [{AttributeName: k.range, KeyType: 'RANGE'}] : [])]

export class DynamoDbService implements JsonService {
  readonly targetPrefix = 'DynamoDB_20120810'
  readonly signingName = 'dynamodb'
  readonly store: TableStore

  constructor(stateDir: string, private readonly identity: {region: string; accountId: string}) {
    this.store = new TableStore(stateDir)
  }

  async handle(operation: string, input: Input): Promise<unknown> {
    const fn = (this as unknown as Record<string, unknown>)[`op${operation}`]
    if (typeof fn !== 'function') throw new ServiceError('UnknownOperationException', `The operation ${operation} is not served by the local DynamoDB.`)
    const legacy = LEGACY.find((p) => input?.[p] !== undefined)
    if (legacy) throw validation(`The legacy parameter ${legacy} is not supported by the local DynamoDB: use the expression parameters instead`)
    return (fn as (i: Input) => Promise<unknown>).call(this, input ?? {})
  }

  private table(name: unknown): Table {
    const t = typeof name === 'string' ? this.store.get(name.split('/').pop()!) : undefined
    if (!t) throw notFound()
    return t
  }

  describe(t: Table) {
    const d = t.def
    const count = t.items.size
    const bytes = [...t.items.values()].reduce((n, i) => n + itemSize(i), 0)
    const throughput = {ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0, ...(d.throughput ?? {})}
    const index = (i: IndexDef, kind: 'global' | 'local') => ({
      IndexName: i.name, KeySchema: schemaOf(i), Projection: i.projection, IndexArn: `${d.arn}/index/${i.name}`, ItemCount: count, IndexSizeBytes: bytes,
      ...(kind === 'global' ? {IndexStatus: 'ACTIVE', ProvisionedThroughput: {ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0, ...(i.throughput ?? {})}} : {}),
    })
    return {
      TableName: d.name, TableArn: d.arn, TableId: d.id, TableStatus: 'ACTIVE', CreationDateTime: d.createdAt,
      KeySchema: schemaOf(d.key), AttributeDefinitions: d.attributes, ItemCount: count, TableSizeBytes: bytes,
      BillingModeSummary: {BillingMode: d.billingMode}, ProvisionedThroughput: throughput,
      ...(d.gsis.length > 0 ? {GlobalSecondaryIndexes: d.gsis.map((i) => index(i, 'global'))} : {}),
      ...(d.lsis.length > 0 ? {LocalSecondaryIndexes: d.lsis.map((i) => index(i, 'local'))} : {}),
      ...(d.stream?.StreamEnabled ? {StreamSpecification: d.stream, LatestStreamLabel: new Date(d.createdAt * 1000).toISOString(),
        LatestStreamArn: `${d.arn}/stream/${new Date(d.createdAt * 1000).toISOString()}`} : {}),
      ...(d.sse ? {SSEDescription: {Status: 'ENABLED', SSEType: 'KMS'}} : {}),
      DeletionProtectionEnabled: d.deletionProtection === true,
    }
  }

  // ---- tables ----

  async opCreateTable(input: Input) {
    const name = String(input.TableName ?? '')
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) throw validation(`TableName must be at least 3 characters long and at most 255 characters long, and contain only a-z, A-Z, 0-9, '_', '-' and '.': ${name}`)
    if (this.store.get(name)) throw new ServiceError('ResourceInUseException', `Table already exists: ${name}`)
    const key = keyDef(input.KeySchema)
    const attributes = (input.AttributeDefinitions ?? []) as TableDef['attributes']
    const index = (i: Input): IndexDef => ({name: String(i.IndexName), ...keyDef(i.KeySchema), projection: i.Projection ?? {ProjectionType: 'ALL'},
      ...(i.ProvisionedThroughput ? {throughput: i.ProvisionedThroughput} : {})})
    const gsis = ((input.GlobalSecondaryIndexes ?? []) as Input[]).map(index)
    const lsis = ((input.LocalSecondaryIndexes ?? []) as Input[]).map(index)
    for (const k of [key, ...gsis, ...lsis].flatMap((k) => [k.hash, k.range]).filter(Boolean)) {
      if (!attributes.some((a) => a.AttributeName === k)) {
        throw validation('One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. ' +
          `Keys: [${k}], AttributeDefinitions: [${attributes.map((a) => a.AttributeName).join(', ')}]`)
      }
    }
    const billingMode = String(input.BillingMode ?? 'PROVISIONED')
    if (billingMode === 'PROVISIONED' && !input.ProvisionedThroughput) {
      throw validation('One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED')
    }
    const t = this.store.create({
      name, arn: `arn:aws:dynamodb:${this.identity.region}:${this.identity.accountId}:table/${name}`, id: randomUUID(),
      createdAt: Math.floor(Date.now() / 1000), key, attributes, gsis, lsis, billingMode,
      ...(input.ProvisionedThroughput ? {throughput: input.ProvisionedThroughput} : {}),
      ...(input.StreamSpecification ? {stream: input.StreamSpecification} : {}),
      ...(input.SSESpecification?.Enabled ? {sse: input.SSESpecification} : {}),
      tags: input.Tags ?? [], deletionProtection: input.DeletionProtectionEnabled === true,
    })
    return {TableDescription: this.describe(t)}
  }

  async opDescribeTable(input: Input) {
    const t = this.store.get(String(input.TableName))
    if (!t) throw notFound(`Requested resource not found: Table: ${input.TableName} not found`)
    return {Table: this.describe(t)}
  }

  async opListTables(input: Input) {
    const names = this.store.names().filter((n) => !input.ExclusiveStartTableName || n > input.ExclusiveStartTableName)
    const limit = Number(input.Limit ?? 100)
    const page = names.slice(0, limit)
    return {TableNames: page, ...(names.length > limit ? {LastEvaluatedTableName: page[page.length - 1]} : {})}
  }

  async opDeleteTable(input: Input) {
    const t = this.table(input.TableName)
    if (t.def.deletionProtection) throw validation(`Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`)
    const description = {...this.describe(t), TableStatus: 'DELETING'}
    this.store.remove(t.def.name)
    return {TableDescription: description}
  }

  async opUpdateTable(input: Input) {
    const t = this.table(input.TableName)
    t.update((d) => {
      if (input.BillingMode) d.billingMode = input.BillingMode
      if (input.ProvisionedThroughput) d.throughput = input.ProvisionedThroughput
      if (input.StreamSpecification) d.stream = input.StreamSpecification
      if (input.DeletionProtectionEnabled !== undefined) d.deletionProtection = input.DeletionProtectionEnabled === true
      if (input.AttributeDefinitions) {
        for (const a of input.AttributeDefinitions as TableDef['attributes']) if (!d.attributes.some((x) => x.AttributeName === a.AttributeName)) d.attributes.push(a)
      }
      for (const u of (input.GlobalSecondaryIndexUpdates ?? []) as Input[]) {
        if (u.Create) d.gsis.push({name: String(u.Create.IndexName), ...keyDef(u.Create.KeySchema), projection: u.Create.Projection ?? {ProjectionType: 'ALL'}})
        if (u.Delete) d.gsis = d.gsis.filter((i) => i.name !== u.Delete.IndexName)
        if (u.Update) d.gsis = d.gsis.map((i) => (i.name === u.Update.IndexName ? {...i, throughput: u.Update.ProvisionedThroughput} : i))
      }
    })
    return {TableDescription: this.describe(t)}
  }

  async opUpdateTimeToLive(input: Input) {
    const t = this.table(input.TableName)
    t.update((d) => (d.ttl = input.TimeToLiveSpecification))
    return {TimeToLiveSpecification: input.TimeToLiveSpecification}
  }

  async opDescribeTimeToLive(input: Input) {
    const ttl = this.table(input.TableName).def.ttl
    return {TimeToLiveDescription: ttl?.Enabled ? {TimeToLiveStatus: 'ENABLED', AttributeName: ttl.AttributeName} : {TimeToLiveStatus: 'DISABLED'}}
  }

  async opTagResource(input: Input) {
    const t = this.table(input.ResourceArn)
    t.update((d) => {
      for (const tag of input.Tags ?? []) d.tags = [...d.tags.filter((x) => x.Key !== tag.Key), tag]
    })
    return {}
  }

  async opUntagResource(input: Input) {
    this.table(input.ResourceArn).update((d) => (d.tags = d.tags.filter((x) => !(input.TagKeys ?? []).includes(x.Key))))
    return {}
  }

  async opListTagsOfResource(input: Input) {
    return {Tags: this.table(input.ResourceArn).def.tags}
  }

  // ---- items ----

  private checkItem(t: Table, item: Item): void {
    t.key(item)
    if (itemSize(item) > 400 * 1024) throw validation('Item size has exceeded the maximum allowed size')
  }

  async opPutItem(input: Input) {
    const t = this.table(input.TableName)
    const item = input.Item as Item
    if (!item || typeof item !== 'object') throw validation('1 validation error detected: Value null at \'item\' failed to satisfy constraint: Member must not be null')
    this.checkItem(t, item)
    const {condition} = parseRequest(placeholders(input), {condition: input.ConditionExpression})
    const old = t.get(item)
    if (condition && !evaluate(condition, old ?? {})) throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD')
    t.put(item)
    return input.ReturnValues === 'ALL_OLD' && old ? {Attributes: old} : {}
  }

  async opGetItem(input: Input) {
    const t = this.table(input.TableName)
    const {projection} = parseRequest(placeholders(input), {projection: input.ProjectionExpression})
    const item = t.get(input.Key as Item)
    return item ? {Item: project(item, projection)} : {}
  }

  async opDeleteItem(input: Input) {
    const t = this.table(input.TableName)
    const key = t.key(input.Key as Item)
    const {condition} = parseRequest(placeholders(input), {condition: input.ConditionExpression})
    const old = t.get(key)
    if (condition && !evaluate(condition, old ?? {})) throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD')
    if (old) t.delete(key)
    return input.ReturnValues === 'ALL_OLD' && old ? {Attributes: old} : {}
  }

  async opUpdateItem(input: Input) {
    const t = this.table(input.TableName)
    const key = t.key(input.Key as Item)
    const {condition, update} = parseRequest(placeholders(input), {condition: input.ConditionExpression, update: input.UpdateExpression})
    const old = t.get(key)
    if (condition && !evaluate(condition, old ?? {})) throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD')
    const base: Item = old ?? structuredClone(key)
    const {item, touched} = update ? applyUpdate(base, update) : {item: base, touched: new Set<string>()}
    for (const k of Object.keys(key)) if (touched.has(k)) throw validation(`One or more parameter values were invalid: Cannot update attribute ${k}. This attribute is part of the key`)
    this.checkItem(t, item)
    t.put(item)
    const pick = (from: Item | undefined) => {
      const out: Item = {}
      for (const k of touched) if (from && Object.hasOwn(from, k)) out[k] = from[k]!
      return out
    }
    switch (input.ReturnValues) {
      case 'ALL_NEW':
        return {Attributes: item}
      case 'ALL_OLD':
        return old ? {Attributes: old} : {}
      case 'UPDATED_NEW':
        return {Attributes: pick(item)}
      case 'UPDATED_OLD':
        return old ? {Attributes: pick(old)} : {}
      default:
        return {}
    }
  }

  async opQuery(input: Input) {
    if (!input.KeyConditionExpression) throw validation('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.')
    return queryOrScan(this.table(input.TableName), input, true)
  }

  async opScan(input: Input) {
    return queryOrScan(this.table(input.TableName), input, false)
  }

  async opBatchGetItem(input: Input) {
    const requests = Object.entries((input.RequestItems ?? {}) as Record<string, Input>)
    if (requests.reduce((n, [, r]) => n + (r.Keys?.length ?? 0), 0) > 100) throw validation('Too many items requested for the BatchGetItem call')
    const responses: Record<string, Item[]> = Object.create(null)
    for (const [name, r] of requests) {
      const t = this.table(name)
      const {projection} = parseRequest(placeholders(r), {projection: r.ProjectionExpression})
      responses[name] = (r.Keys as Item[]).map((k) => t.get(k)).filter((i): i is Item => i !== undefined).map((i) => project(i, projection))
    }
    return {Responses: responses, UnprocessedKeys: {}}
  }

  async opBatchWriteItem(input: Input) {
    const requests = Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>)
    if (requests.reduce((n, [, r]) => n + r.length, 0) > 25) {
      throw validation('1 validation error detected: Value at \'requestItems\' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25')
    }
    const plans = requests.map(([name, writes]) => {
      const t = this.table(name)
      return {t, writes: writes.map((w) => {
        if (w.PutRequest) {
          this.checkItem(t, w.PutRequest.Item)
          return {put: w.PutRequest.Item as Item}
        }
        return {delete: t.key(w.DeleteRequest?.Key as Item)}
      })}
    })
    for (const p of plans) p.t.batch(p.writes)
    return {UnprocessedItems: {}}
  }

  async opTransactWriteItems(input: Input) {
    return transactWrite((name) => this.table(name), input)
  }

  async opTransactGetItems(input: Input) {
    return transactGet((name) => this.table(name), input)
  }
}
