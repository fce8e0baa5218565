import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {createMessaging, type LocalMessaging} from '../../../src/local/messaging/index.js'
import {passesFilter} from '../../../src/local/messaging/filter-policy.js'
import {md5OfAttributes} from '../../../src/local/messaging/sqs-model.js'
import {registerMessagingProviders} from '../../../src/local/cloudformation/providers/messaging.js'
import type {ResourceProvider} from '../../../src/local/cloudformation/provider.js'

const sqsCall = (m: LocalMessaging, op: string, input: Record<string, unknown>) => m.json[0]!.handle(op, input, {} as any) as Promise<any>
const snsCall = (m: LocalMessaging, op: string, params: Record<string, string>) => m.query[0]!.handle(op, params, {} as any) as Promise<any>

describe('filter policies', () => {
  const attrs = {event: {DataType: 'String', StringValue: 'order_placed'}, amount: {DataType: 'Number', StringValue: '120'}}
  it.each([
    [{event: ['order_placed']}, true],
    [{event: ['order_cancelled']}, false],
    [{event: [{prefix: 'order_'}]}, true],
    [{amount: [{numeric: ['>', 100, '<=', 200]}]}, true],
    [{amount: [{numeric: ['<', 100]}]}, false],
    [{event: [{'anything-but': ['order_cancelled']}]}, true],
    [{missing: [{exists: false}]}, true],
    [{missing: [{exists: true}]}, false],
    [{$or: [{event: ['x']}, {amount: [{numeric: ['=', 120]}]}]}, true],
  ])('%j passes: %s', (policy, want) => expect(passesFilter(policy, 'MessageAttributes', attrs, '{}')).toBe(want))
  it('matches the message body when the scope says so', () => {
    expect(passesFilter({order: {status: ['paid']}}, 'MessageBody', {}, JSON.stringify({order: {status: 'paid'}}))).toBe(true)
    expect(passesFilter({order: {status: ['paid']}}, 'MessageBody', {}, 'not json')).toBe(false)
  })
  it('computes SQS attribute digests as SQS does', () => {
    // Vector computed independently from SQS's documented encoding (length-prefixed name, type, 0x01, value).
    expect(md5OfAttributes({a: {DataType: 'String', StringValue: 'b'}})).toBe('bef8bf215374a0a228d67533b1a488be')
    expect(md5OfAttributes({})).toBeUndefined()
  })
})

describe('SNS to SQS', () => {
  let dir: string
  let m: LocalMessaging
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pier-msg-'))
    m = createMessaging({stateDir: dir, region: 'us-east-1', accountId: '000000000000', endpoint: () => 'http://127.0.0.1:4566'})
  })
  afterEach(() => {
    m.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('delivers a published message to a subscribed queue in the SNS envelope, filtered by policy', async () => {
    const {QueueUrl} = await sqsCall(m, 'CreateQueue', {QueueName: 'worker-events'})
    expect(QueueUrl).toBe('http://127.0.0.1:4566/000000000000/worker-events')
    const {TopicArn} = await snsCall(m, 'CreateTopic', {Name: 'orders'})
    const queueArn = m.sqs.queue(QueueUrl).arn
    await snsCall(m, 'Subscribe', {TopicArn, Protocol: 'sqs', Endpoint: queueArn, 'Attributes.entry.1.key': 'FilterPolicy', 'Attributes.entry.1.value': '{"event":["placed"]}'})
    await snsCall(m, 'Publish', {TopicArn, Message: 'skip me', 'MessageAttributes.entry.1.Name': 'event', 'MessageAttributes.entry.1.Value.DataType': 'String', 'MessageAttributes.entry.1.Value.StringValue': 'cancelled'})
    await snsCall(m, 'Publish', {TopicArn, Message: 'hello', 'MessageAttributes.entry.1.Name': 'event', 'MessageAttributes.entry.1.Value.DataType': 'String', 'MessageAttributes.entry.1.Value.StringValue': 'placed'})
    const {Messages} = await sqsCall(m, 'ReceiveMessage', {QueueUrl, MaxNumberOfMessages: 10})
    expect(Messages).toHaveLength(1)
    const envelope = JSON.parse(Messages[0].Body)
    expect(envelope).toMatchObject({Type: 'Notification', TopicArn, Message: 'hello', MessageAttributes: {event: {Type: 'String', Value: 'placed'}}})
    await sqsCall(m, 'DeleteMessage', {QueueUrl, ReceiptHandle: Messages[0].ReceiptHandle})
    expect((await sqsCall(m, 'GetQueueAttributes', {QueueUrl, AttributeNames: ['All']})).Attributes.ApproximateNumberOfMessages).toBe('0')
  })

  it('wakes a long poll when a message arrives, and redrives to the dead-letter queue after maxReceiveCount', async () => {
    const dlq = m.sqs.createQueue('dlq')
    const q = m.sqs.createQueue('jobs', {RedrivePolicy: JSON.stringify({deadLetterTargetArn: dlq.arn, maxReceiveCount: 2})})
    const started = Date.now()
    const poll = sqsCall(m, 'ReceiveMessage', {QueueUrl: q.url, WaitTimeSeconds: 5, VisibilityTimeout: 0})
    setTimeout(() => m.sqs.send(q.url, 'work'), 50)
    const first = await poll
    expect(first.Messages[0].Body).toBe('work')
    expect(Date.now() - started).toBeLessThan(2000)
    await sqsCall(m, 'ReceiveMessage', {QueueUrl: q.url, VisibilityTimeout: 0})
    expect((await sqsCall(m, 'ReceiveMessage', {QueueUrl: q.url})).Messages).toEqual([])
    expect((await sqsCall(m, 'ReceiveMessage', {QueueUrl: dlq.url})).Messages[0].Body).toBe('work')
  })

  it('keeps FIFO order within a group and drops duplicates', async () => {
    const q = m.sqs.createQueue('orders.fifo', {FifoQueue: 'true', ContentBasedDeduplication: 'true'})
    m.sqs.send(q.url, 'a', {groupId: 'g'})
    m.sqs.send(q.url, 'a', {groupId: 'g'})
    m.sqs.send(q.url, 'b', {groupId: 'g'})
    const first = await sqsCall(m, 'ReceiveMessage', {QueueUrl: q.url, MaxNumberOfMessages: 10})
    expect(first.Messages.map((x: any) => x.Body)).toEqual(['a']) // b waits while a is in flight
    await sqsCall(m, 'DeleteMessage', {QueueUrl: q.url, ReceiptHandle: first.Messages[0].ReceiptHandle})
    expect((await sqsCall(m, 'ReceiveMessage', {QueueUrl: q.url})).Messages.map((x: any) => x.Body)).toEqual(['b'])
    await expect(sqsCall(m, 'SendMessage', {QueueUrl: q.url, MessageBody: 'x'})).rejects.toMatchObject({code: 'MissingParameter'})
    await expect(sqsCall(m, 'GetQueueUrl', {QueueName: 'nope'})).rejects.toMatchObject({code: 'AWS.SimpleQueueService.NonExistentQueue'})
  })

  it('provisions a worker queue, topic and filtered subscription from template properties', async () => {
    const providers = new Map<string, ResourceProvider>()
    registerMessagingProviders({register: (t, p) => providers.set(t, p), get: (t) => providers.get(t)}, m)
    const ctx = {stackName: 'demo-test-worker', stackId: 's', logicalId: 'EventsQueue', region: 'us-east-1', accountId: '0', api: {} as any, tags: {}, signal: new AbortController().signal, progress() {}}
    const dlq = await providers.get('AWS::SQS::Queue')!.create({MessageRetentionPeriod: 1209600}, {...ctx, logicalId: 'DeadLetterQueue'})
    const q = await providers.get('AWS::SQS::Queue')!.create({RedrivePolicy: {deadLetterTargetArn: dlq.attributes.Arn, maxReceiveCount: 10}}, ctx)
    const t = await providers.get('AWS::SNS::Topic')!.create({}, {...ctx, logicalId: 'ordersSNSTopic'})
    await providers.get('AWS::SNS::Subscription')!.create({TopicArn: t.physicalId, Protocol: 'sqs', Endpoint: q.attributes.Arn, FilterPolicy: {store: ['example']}}, {...ctx, logicalId: 'Sub'})
    m.sns.publish(t.physicalId, 'ignored')
    m.sns.publish(t.physicalId, 'kept', {attributes: {store: {DataType: 'String', StringValue: 'example'}}})
    const got = await m.sqs.receive(q.physicalId, {max: 10})
    expect(got.map((x) => JSON.parse(x.body).Message)).toEqual(['kept'])
    await providers.get('AWS::SNS::Topic')!.delete(t.physicalId, {}, ctx)
    await providers.get('AWS::SQS::Queue')!.delete(q.physicalId, {}, ctx)
    expect(m.sns.store.subscriptions).toEqual([])
  })
})
