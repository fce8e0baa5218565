// Topics a service publishes and the queues a Worker Service reads, as Copilot rendered them.
import {describe, expect, it} from 'vitest'

import type {BackendService, WorkerService} from '../../src/manifest/types.js'
import {api, worker} from './fixtures.js'
import {envVar, mainContainer, render, resourcesOfType} from './helpers.js'

const base = {...worker, count: 1, deployment: undefined} as WorkerService
const resources = (m: WorkerService | BackendService) => render(m).template.Resources

describe('published topics', () => {
  it('are named in logical ids by letters and digits only, and listed to the container as one JSON object', () => {
    const m = {...api, secrets: undefined, publish: {topics: [{name: 'order-events'}, {name: 'refunds', fifo: true}]}} as BackendService
    const r = render(m).template
    expect(Object.keys(r.Resources).filter((k) => k.endsWith('SNSTopic'))).toEqual(['ordereventsSNSTopic', 'refundsfifoSNSTopic'])
    expect(envVar(mainContainer(r), 'COPILOT_SNS_TOPIC_ARNS')).toEqual({'Fn::Sub': '{"order-events":"${ordereventsSNSTopic}","refunds":"${refundsfifoSNSTopic}"}'})
  })

  it('turn content-based deduplication on only when a FIFO topic asks for it', () => {
    const topic = (fifo: unknown) => {
      const m = {...api, secrets: undefined, publish: {topics: [{name: 'orders', fifo}]}} as BackendService
      return resources(m).ordersfifoSNSTopic.Properties
    }
    expect(topic({content_based_deduplication: true})).toMatchObject({TopicName: 'shop-test-api-orders.fifo', KmsMasterKeyId: 'alias/aws/sns', FifoTopic: true, ContentBasedDeduplication: true})
    expect(topic({content_based_deduplication: false}).ContentBasedDeduplication).toBeUndefined()
    expect(topic(true).ContentBasedDeduplication).toBeUndefined()
  })
})

describe('a Worker Service\'s queues', () => {
  it('takes the FIFO options of the default queue as written', () => {
    const m = {...base, subscribe: {topics: [{name: 'orders', service: 'web'}], queue: {fifo: {content_based_deduplication: false, deduplication_scope: 'messageGroup', throughput_limit: 'perMessageGroupId'}}}} as WorkerService
    const q = resources(m).EventsQueue.Properties
    expect(q).toMatchObject({FifoQueue: true, ContentBasedDeduplication: false, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId'})
    // `fifo: true` takes Copilot's default: content-based deduplication on.
    const plain = resources({...m, subscribe: {...m.subscribe, queue: {fifo: true}}} as WorkerService).EventsQueue.Properties
    expect(plain.ContentBasedDeduplication).toBe(true)
    expect(plain.DeduplicationScope).toBeUndefined()
  })

  it('names the field of a duration it cannot read', () => {
    for (const field of ['retention', 'delay', 'timeout']) {
      const m = {...base, subscribe: {queue: {[field]: 'soon'}}} as WorkerService
      expect(() => render(m), field).toThrow(`subscribe.queue.${field}`)
    }
  })

  it('has a key and a delivery policy only for what is subscribed', () => {
    // Only topics with their own queues: the key they are sealed with, no default queue.
    const own = resources({...base, subscribe: {topics: [{name: 'orders', service: 'web', queue: true}, {name: 'refunds', service: 'web', queue: true}]}} as WorkerService)
    expect(own.EventsKMSKey).toBeDefined()
    expect(own.EventsQueue).toBeUndefined()
    expect(Object.keys(own).filter((k) => k.endsWith('EventsQueue'))).toEqual(['webordersEventsQueue', 'webrefundsEventsQueue'])
    const r = render({...base, subscribe: {topics: [{name: 'orders', service: 'web', queue: true}, {name: 'refunds', service: 'web', queue: true}]}} as WorkerService).template
    expect(envVar(mainContainer(r), 'COPILOT_TOPIC_QUEUE_URIS')).toEqual({'Fn::Sub': '{"webOrdersEventsQueue":"${webordersEventsQueue}","webRefundsEventsQueue":"${webrefundsEventsQueue}"}'})
    expect(envVar(mainContainer(r), 'COPILOT_QUEUE_URI')).toBeUndefined()
    // A default queue with no topic: nothing may deliver to it, so no queue policy.
    const alone = resources({...base, subscribe: {queue: {}}} as WorkerService)
    expect(alone.EventsQueue).toBeDefined()
    expect(resourcesOfType({Resources: alone}, 'AWS::SQS::QueuePolicy')).toEqual([])
    // Nothing subscribed: no key, no queue.
    const none = resources({...base, subscribe: {}} as WorkerService)
    expect(resourcesOfType({Resources: none}, 'AWS::KMS::Key')).toEqual([])
    expect(resourcesOfType({Resources: none}, 'AWS::SQS::Queue')).toEqual([])
    expect(envVar(mainContainer(render({...base, subscribe: {}} as WorkerService).template), 'COPILOT_TOPIC_QUEUE_URIS')).toBeUndefined()
  })

  it('has the default queue for topics without their own, even with no subscribe.queue', () => {
    const r = resources({...base, subscribe: {topics: [{name: 'orders', service: 'web'}]}} as WorkerService)
    expect(r.EventsQueue).toBeDefined()
    expect(r.webordersSNSTopicSubscription.Properties.Endpoint).toEqual({'Fn::GetAtt': ['EventsQueue', 'Arn']})
  })

  it('grant no topic to a worker that only subscribes', () => {
    const statements = resources(base).TaskRole.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)
    expect(statements.map((s: any) => s.Sid).filter(Boolean)).not.toContain('PublishToTopics')
  })
})
