// Publish/subscribe: SNS topics a workload publishes to (`publish.topics`), and for a Worker Service
// the SQS queue (+ dead-letter queue, FIFO) subscribed to other services' topics with filter policies.
// Logical IDs are Copilot's (topic and service names stripped to letters and digits), and the queues
// are encrypted with the worker's own key as in Copilot's stacks: taking a Copilot worker over keeps its
// topics, its queues with the messages in them, and the key those messages are sealed with.

import type {SqsQueue, TopicSubscription} from '../../manifest/types.js'
import {wholeSeconds} from '../duration.js'
import {compact, getAtt, type Json, pascal, ref, sub} from '../template.js'
import type {WorkloadContext} from './context.js'

export interface Messaging {
  env: Json[]
  queues: unknown[]
  topics: unknown[]
  /** The default queue's logical id, when there is one (for backlog scaling and alarms). */
  queueId?: string
}

/** Copilot's logical-ID form of a name: letters and digits only. */
const safe = (name: string) => name.replace(/[^A-Za-z0-9]/g, '')

function topicName(app: string, env: string, svc: string, topic: string, fifo: boolean): string {
  return `${app}-${env}-${svc}-${topic}${fifo ? '.fifo' : ''}`
}

export function renderPublish(ctx: WorkloadContext): {env: Json[]; topics: unknown[]} {
  const topics = ctx.manifest.publish?.topics ?? []
  if (!topics.length) return {env: [], topics: []}
  const arns: Record<string, string> = {}
  const refs: unknown[] = []
  for (const topic of topics) {
    const fifo = Boolean(topic.fifo)
    // A FIFO topic and a standard one may share a name (Copilot's IDs: <name>fifoSNSTopic and <name>SNSTopic).
    const id = `${safe(topic.name)}${fifo ? 'fifo' : ''}SNSTopic`
    ctx.t.resource(id, 'AWS::SNS::Topic', `SNS topic ${topic.name}`, compact({
      TopicName: topicName(ctx.app, ctx.env, ctx.name, topic.name, fifo),
      KmsMasterKeyId: 'alias/aws/sns',
      FifoTopic: fifo || undefined,
      ContentBasedDeduplication: typeof topic.fifo === 'object' && topic.fifo.content_based_deduplication ? true : undefined,
    }))
    ctx.t.resource(`${id}Policy`, 'AWS::SNS::TopicPolicy', `Who may subscribe to topic ${topic.name}`, {
      Topics: [ref(id)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: {AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root')},
          Action: ['sns:Subscribe'],
          Resource: ref(id),
          Condition: {StringEquals: {'sns:Protocol': 'sqs'}},
        }],
      },
    })
    arns[topic.name] = `\${${id}}`
    refs.push(ref(id))
    ctx.t.output(`${pascal(topic.name)}TopicArn`, ref(id), {description: `ARN of topic ${topic.name}`})
  }
  const json = '{' + Object.entries(arns).map(([k, v]) => `"${k}":"${v}"`).join(',') + '}'
  return {env: [{Name: 'COPILOT_SNS_TOPIC_ARNS', Value: sub(json)}], topics: refs}
}

// No QueueName: generated names stay within SQS's 80 characters (and end in .fifo for FIFO queues).
function queueProperties(q: SqsQueue | undefined): Json {
  const fifo = Boolean(q?.fifo)
  const fifoOpts = typeof q?.fifo === 'object' ? q.fifo : {}
  return compact({
    FifoQueue: fifo || undefined,
    ContentBasedDeduplication: fifo ? ((fifoOpts as Json).content_based_deduplication ?? true) : undefined,
    DeduplicationScope: (fifoOpts as Json).deduplication_scope,
    FifoThroughputLimit: (fifoOpts as Json).throughput_limit,
    KmsMasterKeyId: ref(QUEUE_KEY),
    MessageRetentionPeriod: q?.retention ? wholeSeconds(q.retention, 'subscribe.queue.retention') : undefined,
    DelaySeconds: q?.delay ? wholeSeconds(q.delay, 'subscribe.queue.delay') : undefined,
    VisibilityTimeout: q?.timeout ? wholeSeconds(q.timeout, 'subscribe.queue.timeout') : undefined,
  })
}

const QUEUE_KEY = 'EventsKMSKey'

/** The key the worker's queues are encrypted with; SNS delivers into them, and the task role's own
 * policy lets the task read them (Copilot's key policy named the task role, whose policy here names the
 * queues: that would be a dependency cycle). */
function renderQueueKey(ctx: WorkloadContext): void {
  const use = (Sid: string, Principal: Json, Action: string[]) => ({Sid, Effect: 'Allow', Principal, Action, Resource: '*'})
  ctx.t.resource(QUEUE_KEY, 'AWS::KMS::Key', `Key encrypting the messages in the queues of ${ctx.name}`, {
    KeyPolicy: {
      Version: '2012-10-17',
      Statement: [
        use('Allow key use', {AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root')}, [
          'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*',
          'kms:Delete*', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:Tag*', 'kms:UntagResource', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*',
        ]),
        use('Allow SNS encryption', {Service: 'sns.amazonaws.com'}, ['kms:Decrypt', 'kms:GenerateDataKey*']),
        use('Allow SQS encryption', {Service: 'sqs.amazonaws.com'}, ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']),
      ],
    },
  })
}

/** A queue (and its dead-letter queue) that the given topics deliver to; `prefix` names its companions
 * as Copilot did (`DeadLetterQueue`, `QueuePolicy` for the events queue, `<prefix>…` for a topic's). */
function renderQueue(ctx: WorkloadContext, id: string, prefix: string, label: string, q: SqsQueue | undefined, topics: TopicSubscription[], fifo: boolean): void {
  const props = queueProperties(q)
  if (q?.dead_letter?.tries) {
    ctx.t.resource(`${prefix}DeadLetterQueue`, 'AWS::SQS::Queue', `Dead-letter queue of ${label}`, compact({
      ...queueProperties(q),
      MessageRetentionPeriod: 1209600,
    }))
    props.RedrivePolicy = {deadLetterTargetArn: getAtt(`${prefix}DeadLetterQueue`, 'Arn'), maxReceiveCount: q.dead_letter.tries}
  }
  ctx.t.resource(id, 'AWS::SQS::Queue', label, props)
  const topicArn = (t: TopicSubscription) => sub(`arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:${topicName(ctx.app, ctx.env, t.service, t.name, fifo)}`)
  if (topics.length) {
    ctx.t.resource(`${prefix}QueuePolicy`, 'AWS::SQS::QueuePolicy', `Lets the subscribed topics deliver to ${label}`, {
      Queues: [ref(id)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: {Service: 'sns.amazonaws.com'},
          Action: 'sqs:SendMessage',
          Resource: getAtt(id, 'Arn'),
          Condition: {ArnEquals: {'aws:SourceArn': topics.map(topicArn)}},
        }],
      },
    })
  }
  for (const t of topics) {
    ctx.t.resource(`${safe(t.service)}${safe(t.name)}${fifo ? 'fifo' : ''}SNSTopicSubscription`, 'AWS::SNS::Subscription', `Subscription to topic ${t.name} of ${t.service}`, compact({
      TopicArn: topicArn(t),
      Protocol: 'sqs',
      Endpoint: getAtt(id, 'Arn'),
      RawMessageDelivery: false,
      FilterPolicy: t.filter_policy,
    }))
  }
}

export function renderSubscribe(ctx: WorkloadContext): Messaging {
  const m = ctx.manifest
  const out: Messaging = {env: [], queues: [], topics: []}
  if (m.type !== 'Worker Service' || !m.subscribe) return out
  const topics = m.subscribe.topics ?? []
  const shared = topics.filter((t) => !t.queue)
  const fifo = Boolean(m.subscribe.queue?.fifo)
  if (shared.length || m.subscribe.queue || topics.length) renderQueueKey(ctx)
  if (shared.length || m.subscribe.queue) {
    renderQueue(ctx, 'EventsQueue', '', `Events queue of ${ctx.name}`, m.subscribe.queue, shared, fifo)
    out.queueId = 'EventsQueue'
    out.queues.push(getAtt('EventsQueue', 'Arn'))
    out.env.push({Name: 'COPILOT_QUEUE_URI', Value: ref('EventsQueue')})
    ctx.t.output('EventsQueueURI', ref('EventsQueue'), {description: 'URL of the events queue'})
  }
  const own: Record<string, string> = {}
  for (const t of topics.filter((t) => t.queue)) {
    const q = typeof t.queue === 'object' ? t.queue : undefined
    const prefix = `${safe(t.service)}${safe(t.name)}${q?.fifo ? 'fifo' : ''}`
    const id = `${prefix}EventsQueue`
    renderQueue(ctx, id, prefix, `Queue for topic ${t.name} of ${t.service}`, q, [t], Boolean(q?.fifo))
    out.queues.push(getAtt(id, 'Arn'))
    own[`${t.service}${pascal(t.name)}EventsQueue`] = `\${${id}}`
  }
  if (Object.keys(own).length) {
    const json = '{' + Object.entries(own).map(([k, v]) => `"${k}":"${v}"`).join(',') + '}'
    out.env.push({Name: 'COPILOT_TOPIC_QUEUE_URIS', Value: sub(json)})
  }
  return out
}
