// Amazon SNS in the local control plane (query protocol): topics, SQS subscriptions with filter
// policies and raw delivery, and Publish delivering to subscribed queues as SNS does.

import {randomUUID} from 'node:crypto'
import {ServiceError, type QueryService} from '../frontend/types.js'
import {list} from '../query-params.js'
import {queryServiceFromTable} from '../service-table.js'
import {passesFilter} from './filter-policy.js'
import type {LocalSqs} from './sqs.js'
import type {MessageAttributeValue} from './sqs-model.js'

export interface TopicRecord {
  arn: string
  name: string
  attributes: Record<string, string>
  tags: Record<string, string>
}

export interface SubscriptionRecord {
  arn: string
  topicArn: string
  protocol: string
  endpoint: string
  attributes: Record<string, string>
}

export interface SnsStore {
  topics: TopicRecord[]
  subscriptions: SubscriptionRecord[]
}

const notFound = () => new ServiceError('NotFound', 'Topic does not exist', 404)

export class LocalSns {
  constructor(private readonly o: {region: string; accountId: string; store: SnsStore; sqs: LocalSqs; save(): void}) {}

  get store(): SnsStore {
    return this.o.store
  }

  topic(arn: string): TopicRecord {
    const t = this.store.topics.find((x) => x.arn === arn)
    if (!t) throw notFound()
    return t
  }

  createTopic(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): TopicRecord {
    const fifo = attributes.FifoTopic === 'true'
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name.replace(/\.fifo$/, '')) || fifo !== name.endsWith('.fifo')) {
      throw new ServiceError('InvalidParameter', 'Invalid parameter: Topic Name')
    }
    const arn = `arn:aws:sns:${this.o.region}:${this.o.accountId}:${name}`
    const existing = this.store.topics.find((t) => t.arn === arn)
    if (existing) return existing
    const t = {arn, name, attributes, tags}
    this.store.topics.push(t)
    this.o.save()
    return t
  }

  deleteTopic(arn: string): void {
    this.store.topics = this.store.topics.filter((t) => t.arn !== arn)
    this.store.subscriptions = this.store.subscriptions.filter((s) => s.topicArn !== arn)
    this.o.save()
  }

  subscribe(topicArn: string, protocol: string, endpoint: string, attributes: Record<string, string> = {}): SubscriptionRecord {
    this.topic(topicArn)
    if (protocol !== 'sqs') throw new ServiceError('InvalidParameter', `Invalid parameter: Protocol ${protocol} is not supported by the local control plane (sqs is)`)
    this.o.sqs.queue(endpoint)
    if (attributes.FilterPolicy) {
      try {
        JSON.parse(attributes.FilterPolicy)
      } catch {
        throw new ServiceError('InvalidParameter', 'Invalid parameter: FilterPolicy: failed to parse JSON.')
      }
    }
    const existing = this.store.subscriptions.find((s) => s.topicArn === topicArn && s.endpoint === endpoint)
    if (existing) return existing
    const s = {arn: `${topicArn}:${randomUUID()}`, topicArn, protocol, endpoint, attributes}
    this.store.subscriptions.push(s)
    this.o.save()
    return s
  }

  unsubscribe(arn: string): void {
    this.store.subscriptions = this.store.subscriptions.filter((s) => s.arn !== arn)
    this.o.save()
  }

  setSubscriptionAttribute(arn: string, name: string, value: string): void {
    const s = this.store.subscriptions.find((x) => x.arn === arn)
    if (!s) throw new ServiceError('NotFound', 'Subscription does not exist', 404)
    s.attributes[name] = value
    this.o.save()
  }

  publish(topicArn: string, message: string, opts: {subject?: string; attributes?: Record<string, MessageAttributeValue>; groupId?: string; dedupId?: string} = {}): string {
    const t = this.topic(topicArn)
    if (!message) throw new ServiceError('InvalidParameter', 'Invalid parameter: Empty message')
    if (t.attributes.FifoTopic === 'true' && !opts.groupId) throw new ServiceError('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics')
    const id = randomUUID()
    const attributes = opts.attributes ?? {}
    for (const s of this.store.subscriptions.filter((x) => x.topicArn === topicArn)) {
      const policy = s.attributes.FilterPolicy ? (JSON.parse(s.attributes.FilterPolicy) as Record<string, unknown>) : undefined
      const scope = s.attributes.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes'
      if (!passesFilter(policy, scope, attributes, message)) continue
      const raw = s.attributes.RawMessageDelivery === 'true'
      const body = raw
        ? message
        : JSON.stringify({
            Type: 'Notification',
            MessageId: id,
            TopicArn: topicArn,
            ...(opts.subject ? {Subject: opts.subject} : {}),
            Message: message,
            Timestamp: new Date().toISOString(),
            SignatureVersion: '1',
            Signature: 'local',
            SigningCertURL: 'https://sns.local/SimpleNotificationService.pem',
            UnsubscribeURL: `https://sns.local/?Action=Unsubscribe&SubscriptionArn=${s.arn}`,
            ...(Object.keys(attributes).length
              ? {MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, {Type: v.DataType, Value: v.StringValue ?? v.BinaryValue}]))}
              : {}),
          })
      try {
        this.o.sqs.send(s.endpoint, body, {attributes: raw ? attributes : undefined, groupId: opts.groupId, dedupId: opts.dedupId ?? (opts.groupId ? id : undefined)})
      } catch {
        // A queue that is gone or refuses the message does not fail the publish, as on AWS.
      }
    }
    return id
  }
}

const entries = (v: unknown): Record<string, string> =>
  Object.fromEntries(list<{key: string; value: string}>(v).map((e) => [e.key, e.value]))

function messageAttributes(v: unknown): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    list<{Name: string; Value: {DataType: string; StringValue?: string; BinaryValue?: string}}>(v).map((e) => [e.Name, e.Value]),
  )
}

export function createSnsService(sns: LocalSns): QueryService {
  const describeSub = (s: SubscriptionRecord) => ({SubscriptionArn: s.arn, Owner: '000000000000', Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn})
  const ops: Record<string, (i: any) => unknown> = {
    CreateTopic: (i) => ({TopicArn: sns.createTopic(i.Name, entries(i.Attributes), Object.fromEntries(list<any>(i.Tags).map((t) => [t.Key, t.Value]))).arn}),
    DeleteTopic: (i) => (sns.deleteTopic(i.TopicArn), {}),
    ListTopics: () => ({Topics: sns.store.topics.map((t) => ({TopicArn: t.arn}))}),
    Subscribe: (i) => ({SubscriptionArn: sns.subscribe(i.TopicArn, i.Protocol, i.Endpoint, entries(i.Attributes)).arn}),
    Unsubscribe: (i) => (sns.unsubscribe(i.SubscriptionArn), {}),
    SetSubscriptionAttributes: (i) => (sns.setSubscriptionAttribute(i.SubscriptionArn, i.AttributeName, i.AttributeValue), {}),
    ListSubscriptions: () => ({Subscriptions: sns.store.subscriptions.map(describeSub)}),
    ListSubscriptionsByTopic: (i) => {
      sns.topic(i.TopicArn)
      return {Subscriptions: sns.store.subscriptions.filter((s) => s.topicArn === i.TopicArn).map(describeSub)}
    },
    Publish: (i) => ({MessageId: sns.publish(i.TopicArn, i.Message, {subject: i.Subject, attributes: messageAttributes(i.MessageAttributes), groupId: i.MessageGroupId, dedupId: i.MessageDeduplicationId})}),
  }
  return queryServiceFromTable({signingName: 'sns', version: '2010-03-31', xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/'}, ops)
}
