// CloudFormation providers for a Worker Service's messaging: SNS topics and subscriptions, SQS
// queues (with dead-letter redrive and FIFO), and their access policies.

import type {LocalMessaging} from '../../messaging/index.js'
import {ProviderError, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {generatedName} from './elbv2.js'

const QUEUE_ATTRIBUTES = ['DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout', 'FifoQueue', 'ContentBasedDeduplication', 'KmsMasterKeyId', 'DeduplicationScope', 'FifoThroughputLimit']

function queueAttributes(props: Record<string, any>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of QUEUE_ATTRIBUTES) if (props[k] !== undefined) out[k] = String(props[k])
  if (props.RedrivePolicy) out.RedrivePolicy = typeof props.RedrivePolicy === 'string' ? props.RedrivePolicy : JSON.stringify(props.RedrivePolicy)
  return out
}

function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new ProviderError((err as Error).message)
  }
}

const recorded = (prefix: string): ResourceProvider => ({
  async create(_props, ctx) {
    return {physicalId: `${prefix}-${ctx.stackName}-${ctx.logicalId}`, attributes: {}}
  },
  async update(physicalId) {
    return {physicalId, attributes: {}}
  },
  async delete() {},
})

export function registerMessagingProviders(registry: ProviderRegistry, m: LocalMessaging): void {
  const queue: ResourceProvider = {
    immutable: ['QueueName', 'FifoQueue'],
    async create(props, ctx) {
      const fifo = String(props.FifoQueue) === 'true'
      const name = props.QueueName ?? `${generatedName(ctx, 75)}${fifo ? '.fifo' : ''}`
      const q = guard(() => m.sqs.createQueue(name, queueAttributes(props), Object.fromEntries((props.Tags ?? []).map((t: any) => [t.Key, t.Value]))))
      return {physicalId: q.url, attributes: {Arn: q.arn, QueueName: q.name, QueueUrl: q.url}}
    },
    async update(physicalId, props) {
      guard(() => m.sqs.setAttributes(physicalId, queueAttributes(props)))
      const q = m.sqs.queue(physicalId)
      return {physicalId, attributes: {Arn: q.arn, QueueName: q.name, QueueUrl: q.url}}
    },
    async delete(physicalId) {
      if (m.sqs.queues.some((q) => q.url === physicalId)) m.sqs.deleteQueue(physicalId)
    },
  }

  const topic: ResourceProvider = {
    immutable: ['TopicName', 'FifoTopic'],
    async create(props, ctx) {
      const fifo = String(props.FifoTopic) === 'true'
      const name = props.TopicName ?? `${generatedName(ctx, 200)}${fifo ? '.fifo' : ''}`
      const attrs: Record<string, string> = {}
      if (fifo) attrs.FifoTopic = 'true'
      if (props.ContentBasedDeduplication !== undefined) attrs.ContentBasedDeduplication = String(props.ContentBasedDeduplication)
      const t = guard(() => m.sns.createTopic(name, attrs))
      for (const s of props.Subscription ?? []) guard(() => m.sns.subscribe(t.arn, s.Protocol, s.Endpoint))
      return {physicalId: t.arn, attributes: {TopicArn: t.arn, TopicName: t.name}}
    },
    async update(physicalId) {
      const t = m.sns.topic(physicalId)
      return {physicalId, attributes: {TopicArn: t.arn, TopicName: t.name}}
    },
    async delete(physicalId) {
      m.sns.deleteTopic(physicalId)
    },
  }

  const subscription: ResourceProvider = {
    immutable: ['TopicArn', 'Protocol', 'Endpoint'],
    required: ['TopicArn', 'Protocol'],
    async create(props) {
      const attrs: Record<string, string> = {}
      if (props.FilterPolicy) attrs.FilterPolicy = typeof props.FilterPolicy === 'string' ? props.FilterPolicy : JSON.stringify(props.FilterPolicy)
      if (props.FilterPolicyScope) attrs.FilterPolicyScope = props.FilterPolicyScope
      if (props.RawMessageDelivery !== undefined) attrs.RawMessageDelivery = String(props.RawMessageDelivery)
      const s = guard(() => m.sns.subscribe(props.TopicArn, props.Protocol, props.Endpoint, attrs))
      return {physicalId: s.arn, attributes: {Arn: s.arn}}
    },
    async update(physicalId, props) {
      const policy = props.FilterPolicy ? (typeof props.FilterPolicy === 'string' ? props.FilterPolicy : JSON.stringify(props.FilterPolicy)) : ''
      guard(() => m.sns.setSubscriptionAttribute(physicalId, 'FilterPolicy', policy))
      if (props.RawMessageDelivery !== undefined) guard(() => m.sns.setSubscriptionAttribute(physicalId, 'RawMessageDelivery', String(props.RawMessageDelivery)))
      return {physicalId, attributes: {Arn: physicalId}}
    },
    async delete(physicalId) {
      m.sns.unsubscribe(physicalId)
    },
  }

  registry.register('AWS::SQS::Queue', queue)
  registry.register('AWS::SNS::Topic', topic)
  registry.register('AWS::SNS::Subscription', subscription)
  // Access policies have nothing to enforce locally (every local caller has the one identity); they
  // are recorded so stacks that declare them deploy.
  registry.register('AWS::SQS::QueuePolicy', recorded('queuepolicy'))
  registry.register('AWS::SNS::TopicPolicy', recorded('topicpolicy'))
}
