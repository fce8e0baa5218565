// The local DynamoDB through the AWS SDK: tables, items with condition and update expressions, Query
// (with a global secondary index and pagination), Scan with filters, the batch operations, AWS's error
// names, and items that outlive a restart of the control plane.
import {
  BatchGetItemCommand, BatchWriteItemCommand, ConditionalCheckFailedException, CreateTableCommand, DeleteItemCommand, DeleteTableCommand,
  DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand, QueryCommand, ResourceInUseException,
  ResourceNotFoundException, ScanCommand, TransactGetItemsCommand, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createControlPlane} from '../../src/local/control-plane.js'
import {DynamoDbService} from '../../src/local/dynamodb/service.js'
import {startControlPlane, type Harness} from './helpers.js'

let h: Harness
let db: DynamoDBClient
beforeAll(async () => {
  h = await startControlPlane()
  h.cp.register({json: [new DynamoDbService(h.stateDir, {region: h.cp.region, accountId: h.cp.accountId})]})
  db = new DynamoDBClient(h.config)
  await db.send(new CreateTableCommand({
    TableName: 'orders', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{AttributeName: 'pk', AttributeType: 'S'}, {AttributeName: 'sk', AttributeType: 'N'}, {AttributeName: 'status', AttributeType: 'S'}],
    KeySchema: [{AttributeName: 'pk', KeyType: 'HASH'}, {AttributeName: 'sk', KeyType: 'RANGE'}],
    GlobalSecondaryIndexes: [{IndexName: 'byStatus', KeySchema: [{AttributeName: 'status', KeyType: 'HASH'}, {AttributeName: 'sk', KeyType: 'RANGE'}], Projection: {ProjectionType: 'ALL'}}],
  }))
})
afterAll(() => h.close())

const S = (s: string) => ({S: s})
const N = (n: number) => ({N: String(n)})

describe('the local DynamoDB', () => {
  it('creates, describes and lists tables, with AWS error names', async () => {
    const t = (await db.send(new DescribeTableCommand({TableName: 'orders'}))).Table!
    expect(t).toMatchObject({TableStatus: 'ACTIVE', TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders', BillingModeSummary: {BillingMode: 'PAY_PER_REQUEST'}})
    expect(t.GlobalSecondaryIndexes![0]!.IndexName).toBe('byStatus')
    expect(t.CreationDateTime).toBeInstanceOf(Date)
    expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual(['orders'])
    await expect(db.send(new CreateTableCommand({TableName: 'orders', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{AttributeName: 'pk', AttributeType: 'S'}],
      KeySchema: [{AttributeName: 'pk', KeyType: 'HASH'}]}))).rejects.toBeInstanceOf(ResourceInUseException)
    await expect(db.send(new GetItemCommand({TableName: 'nope', Key: {pk: S('a')}}))).rejects.toBeInstanceOf(ResourceNotFoundException)
  })

  it('puts, gets, updates and deletes items with conditions', async () => {
    await db.send(new PutItemCommand({TableName: 'orders', Item: {pk: S('u1'), sk: N(1), status: S('new'), total: N(10), tags: {SS: ['a']}}}))
    await expect(db.send(new PutItemCommand({TableName: 'orders', Item: {pk: S('u1'), sk: N(1)}, ConditionExpression: 'attribute_not_exists(pk)'})))
      .rejects.toBeInstanceOf(ConditionalCheckFailedException)
    const updated = await db.send(new UpdateItemCommand({
      TableName: 'orders', Key: {pk: S('u1'), sk: N(1)},
      UpdateExpression: 'SET #t = #t + :inc, notes = list_append(if_not_exists(notes, :empty), :note), address.city = :city ADD tags :tag REMOVE gone',
      ConditionExpression: '#s = :new AND total BETWEEN :lo AND :hi',
      ExpressionAttributeNames: {'#t': 'total', '#s': 'status'},
      ExpressionAttributeValues: {':inc': N(2.5), ':empty': {L: []}, ':note': {L: [S('first')]}, ':city': S('Lyon'), ':tag': {SS: ['b']}, ':new': S('new'), ':lo': N(0), ':hi': N(100)},
      ReturnValues: 'ALL_NEW',
    })).catch((e) => e)
    // A nested path into a map that does not exist is refused, as on AWS.
    expect(updated.name).toBe('ValidationException')
    const ok = await db.send(new UpdateItemCommand({
      TableName: 'orders', Key: {pk: S('u1'), sk: N(1)},
      UpdateExpression: 'SET #t = #t + :inc, notes = list_append(if_not_exists(notes, :empty), :note), address = :addr ADD tags :tag',
      ConditionExpression: '#s = :new AND total BETWEEN :lo AND :hi',
      ExpressionAttributeNames: {'#t': 'total', '#s': 'status'},
      ExpressionAttributeValues: {':inc': N(2.5), ':empty': {L: []}, ':note': {L: [S('first')]}, ':addr': {M: {city: S('Lyon')}}, ':tag': {SS: ['b']}, ':new': S('new'), ':lo': N(0), ':hi': N(100)},
      ReturnValues: 'ALL_NEW',
    }))
    expect(ok.Attributes).toMatchObject({total: N(12.5), notes: {L: [S('first')]}, address: {M: {city: S('Lyon')}}, tags: {SS: ['a', 'b']}})
    const got = await db.send(new GetItemCommand({TableName: 'orders', Key: {pk: S('u1'), sk: N(1)}, ProjectionExpression: 'total, address.city'}))
    expect(got.Item).toEqual({total: N(12.5), address: {M: {city: S('Lyon')}}})
    await expect(db.send(new DeleteItemCommand({TableName: 'orders', Key: {pk: S('u1'), sk: N(1)}, ConditionExpression: 'size(tags) > :n', ExpressionAttributeValues: {':n': N(5)}})))
      .rejects.toBeInstanceOf(ConditionalCheckFailedException)
    const deleted = await db.send(new DeleteItemCommand({TableName: 'orders', Key: {pk: S('u1'), sk: N(1)}, ReturnValues: 'ALL_OLD'}))
    expect(deleted.Attributes?.status).toEqual(S('new'))
    expect((await db.send(new GetItemCommand({TableName: 'orders', Key: {pk: S('u1'), sk: N(1)}}))).Item).toBeUndefined()
    await expect(db.send(new PutItemCommand({TableName: 'orders', Item: {pk: S('u1')}}))).rejects.toThrow(/Missing the key sk in the item/)
  })

  it('queries in sort key order, by index, with filters and pages; scans; batches', async () => {
    await db.send(new BatchWriteItemCommand({RequestItems: {orders: [3, 1, 10, 2].map((n) => ({PutRequest: {Item: {pk: S('u2'), sk: N(n), status: S(n % 2 ? 'open' : 'done'), total: N(n * 10)}}}))}}))
    const q = await db.send(new QueryCommand({TableName: 'orders', KeyConditionExpression: 'pk = :p AND sk >= :from', ExpressionAttributeValues: {':p': S('u2'), ':from': N(2)}}))
    expect(q.Items!.map((i) => i.sk!.N)).toEqual(['2', '3', '10'])
    const back = await db.send(new QueryCommand({TableName: 'orders', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: {':p': S('u2')}, ScanIndexForward: false, Limit: 2}))
    expect(back.Items!.map((i) => i.sk!.N)).toEqual(['10', '3'])
    const rest = await db.send(new QueryCommand({TableName: 'orders', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: {':p': S('u2')}, ScanIndexForward: false,
      ExclusiveStartKey: back.LastEvaluatedKey}))
    expect(rest.Items!.map((i) => i.sk!.N)).toEqual(['2', '1'])
    const open = await db.send(new QueryCommand({TableName: 'orders', IndexName: 'byStatus', KeyConditionExpression: '#s = :o', FilterExpression: 'total > :t',
      ExpressionAttributeNames: {'#s': 'status'}, ExpressionAttributeValues: {':o': S('open'), ':t': N(10)}}))
    expect(open.Items!.map((i) => i.sk!.N)).toEqual(['3'])
    expect(open.ScannedCount).toBe(2)
    const scan = await db.send(new ScanCommand({TableName: 'orders', FilterExpression: 'begins_with(#s, :d) OR sk IN (:a, :b)', ExpressionAttributeNames: {'#s': 'status'},
      ExpressionAttributeValues: {':d': S('do'), ':a': N(1), ':b': N(99)}, Select: 'COUNT'}))
    expect(scan.Count).toBe(3)
    const batch = await db.send(new BatchGetItemCommand({RequestItems: {orders: {Keys: [{pk: S('u2'), sk: N(1)}, {pk: S('u2'), sk: N(42)}]}}}))
    expect(batch.Responses!.orders!.map((i) => i.sk!.N)).toEqual(['1'])
    await expect(db.send(new QueryCommand({TableName: 'orders', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: {':p': S('u2'), ':unused': S('x')}})))
      .rejects.toThrow(/unused in expressions/)
    await expect(db.send(new QueryCommand({TableName: 'orders', KeyConditionExpression: 'sk = :s', ExpressionAttributeValues: {':s': N(1)}})))
      .rejects.toThrow(/Query condition missed key schema element: pk/)
    await expect(db.send(new ScanCommand({TableName: 'orders', ScanFilter: {sk: {ComparisonOperator: 'EQ', AttributeValueList: [N(1)]}}})))
      .rejects.toThrow(/legacy parameter ScanFilter/)
  })

  it('keeps items across a restart and deletes tables', async () => {
    await h.cp.close()
    const cp = await createControlPlane({stateDir: h.stateDir, port: 0, log: () => {}})
    h.cp = cp
    cp.register({json: [new DynamoDbService(h.stateDir, {region: cp.region, accountId: cp.accountId})]})
    const again = new DynamoDBClient({...h.config, endpoint: cp.endpoint})
    expect((await again.send(new GetItemCommand({TableName: 'orders', Key: {pk: S('u2'), sk: N(3)}}))).Item?.total).toEqual(N(30))
    await again.send(new DeleteTableCommand({TableName: 'orders'}))
    expect((await again.send(new ListTablesCommand({}))).TableNames).toEqual([])
  })
})

describe('transactions in the local DynamoDB', () => {
  it('writes all or nothing, with a reason per action', async () => {
    const h2 = await startControlPlane()
    try {
      h2.cp.register({json: [new DynamoDbService(h2.stateDir, {region: h2.cp.region, accountId: h2.cp.accountId})]})
      const d = new DynamoDBClient(h2.config)
      await d.send(new CreateTableCommand({TableName: 'acct', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{AttributeName: 'id', AttributeType: 'S'}],
        KeySchema: [{AttributeName: 'id', KeyType: 'HASH'}]}))
      await d.send(new PutItemCommand({TableName: 'acct', Item: {id: S('a'), balance: N(10)}}))
      const move = (amount: number) => new TransactWriteItemsCommand({TransactItems: [
        {Update: {TableName: 'acct', Key: {id: S('a')}, UpdateExpression: 'SET balance = balance - :n', ConditionExpression: 'balance >= :n', ExpressionAttributeValues: {':n': N(amount)}}},
        {Put: {TableName: 'acct', Item: {id: S('b'), balance: N(amount)}}},
      ]})
      const failed = await d.send(move(50)).catch((e) => e)
      expect(failed).toBeInstanceOf(TransactionCanceledException)
      expect(failed.CancellationReasons.map((r: {Code: string}) => r.Code)).toEqual(['ConditionalCheckFailed', 'None'])
      expect((await d.send(new GetItemCommand({TableName: 'acct', Key: {id: S('b')}}))).Item).toBeUndefined()
      await d.send(move(4))
      const got = await d.send(new TransactGetItemsCommand({TransactItems: [{Get: {TableName: 'acct', Key: {id: S('a')}}}, {Get: {TableName: 'acct', Key: {id: S('b')}}}]}))
      expect(got.Responses!.map((r) => r.Item?.balance)).toEqual([N(6), N(4)])
      const conditional = await d.send(new PutItemCommand({TableName: 'acct', Item: {id: S('a')}, ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD'})).catch((e) => e)
      expect(conditional.Item).toEqual({id: S('a'), balance: N(6)})

      // A local secondary index, as storage init's --lsi writes one.
      await d.send(new CreateTableCommand({TableName: 'posts', BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{AttributeName: 'author', AttributeType: 'S'}, {AttributeName: 'id', AttributeType: 'S'}, {AttributeName: 'likes', AttributeType: 'N'}],
        KeySchema: [{AttributeName: 'author', KeyType: 'HASH'}, {AttributeName: 'id', KeyType: 'RANGE'}],
        LocalSecondaryIndexes: [{IndexName: 'byLikes', KeySchema: [{AttributeName: 'author', KeyType: 'HASH'}, {AttributeName: 'likes', KeyType: 'RANGE'}], Projection: {ProjectionType: 'ALL'}}]}))
      await d.send(new BatchWriteItemCommand({RequestItems: {posts: [['p1', 5], ['p2', 50], ['p3', 1]].map(([id, likes]) => ({PutRequest: {Item: {author: S('ann'), id: S(String(id)), likes: N(Number(likes))}}}))}}))
      const top = await d.send(new QueryCommand({TableName: 'posts', IndexName: 'byLikes', KeyConditionExpression: 'author = :a AND likes > :n',
        ExpressionAttributeValues: {':a': S('ann'), ':n': N(2)}, ScanIndexForward: false}))
      expect(top.Items!.map((i) => i.id!.S)).toEqual(['p2', 'p1'])
    } finally {
      await h2.close()
    }
  })
})
