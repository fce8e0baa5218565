// watchStack against a scripted stream of stack events: which events end the watch, what each one
// emits, which resources count as failures, how services are found and watched, when the stack is
// described, how the poll delay backs off, and what a cancel, a detach and a vanished stack return.
import type {StackEvent} from '@aws-sdk/client-cloudformation'
import {describe, expect, it} from 'vitest'

import {AwsError} from '../../src/aws/errors.js'
import {recorder} from '../../src/deploy/events.js'
import {manualInterrupts} from '../../src/deploy/interrupts.js'
import {describe as describeStack, watchStack, type WatchOptions} from '../../src/deploy/stack-watch.js'
import {fakeAws, instantTiming} from './fake-aws.js'

const crash = {exitCode: 1, reason: 'Essential container in task exited', logs: []}
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:000000000000:service/demo-Cluster/s-Web-abc'
const at = new Date('2026-11-30T06:00:00Z')
// Only the fields watchStack reads: the poller, not the watch, deals with ids and timestamps.
const ev = (logicalId: string, type: string, status: string, more: Partial<StackEvent> = {}) => ({LogicalResourceId: logicalId, ResourceType: type, ResourceStatus: status, Timestamp: at, ...more}) as StackEvent
const stackEv = (status: string) => ev('s', 'AWS::CloudFormation::Stack', status)

interface Script {
  /** Events per poll; polls past the end see none. */
  batches: StackEvent[][]
  /** The stack's status as DescribeStacks reports it, per describe call (the last one repeats). */
  statuses?: (string | undefined)[]
  outputs?: {OutputKey?: string; OutputValue?: string}[]
  crashes?: (typeof crash)[]
  resources?: {LogicalResourceId?: string; PhysicalResourceId?: string}[]
  serviceArns?: string[]
  pollError?: (poll: number) => Error | undefined
  describeError?: Error
}

function scripted(script: Script) {
  const calls: {op: string; input?: any}[] = []
  const base = fakeAws({crashes: script.crashes ?? []}).aws
  let polls = 0
  let describes = 0
  const sleeps: number[] = []
  const ecs = {
    ...base.ecs,
    async describeServices(input: any) {
      calls.push({op: 'describeServices', input})
      return base.ecs.describeServices(input)
    },
    async listServices(input: any) {
      calls.push({op: 'listServices', input})
      return {serviceArns: script.serviceArns ?? []}
    },
  }
  const stacks = {
    async describeStacks(input: any) {
      calls.push({op: 'describeStacks', input})
      if (script.describeError) throw script.describeError
      const statuses = script.statuses ?? []
      const status = statuses[Math.min(describes++, statuses.length - 1)]
      if (status === undefined) throw new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Stack with id s does not exist')
      return {Stacks: [{StackName: 's', StackStatus: status, Outputs: script.outputs}]}
    },
    async describeStackResources(input: any) {
      calls.push({op: 'describeStackResources', input})
      return {StackResources: script.resources}
    },
    async deleteStack(input: any) {
      calls.push({op: 'deleteStack', input})
      return {}
    },
    async cancelUpdateStack(input: any) {
      calls.push({op: 'cancelUpdateStack', input})
      return {}
    },
  }
  const poller = {
    async poll() {
      const n = polls++
      if (n > 300) throw new Error('scripted watch: polled 300 times and the watch has not ended')
      const error = script.pollError?.(n)
      if (error) throw error
      return script.batches[n] ?? []
    },
  }
  const {emit, events} = recorder()
  const interrupts = manualInterrupts()
  const timing = {...instantTiming, sleep: async (ms: number) => void sleeps.push(ms)}
  const aws = {...base, poll: {minDelayMs: 100, maxDelayMs: 1000}, stacks, ecs} as any
  const run = (opts: Partial<WatchOptions> = {}) =>
    watchStack({aws, emit, timing, interrupts}, {stackName: 's', operation: 'create', poller, descriptions: {}, maxTaskFailures: 0, ...opts})
  const count = (op: string) => calls.filter((c) => c.op === op).length
  return {run, calls, count, events, sleeps, interrupts, polls: () => polls}
}

describe('watchStack (scripted events)', () => {
  it('emits each resource event with its data, and counts only its own real failures', async () => {
    const w = scripted({
      batches: [
        [
          ev('Logs', 'AWS::Logs::LogGroup', 'CREATE_IN_PROGRESS', {PhysicalResourceId: 's-Logs'}),
          ev('Role', 'AWS::IAM::Role', 'CREATE_FAILED', {ResourceStatusReason: 'access denied'}),
          ev('Queue', 'AWS::SQS::Queue', 'CREATE_FAILED', {ResourceStatusReason: 'Resource creation cancelled'}),
          ev('Bucket', 'AWS::S3::Bucket', 'CREATE_FAILED'),
          ev('Nested', 'AWS::CloudFormation::Stack', 'CREATE_FAILED', {ResourceStatusReason: 'nested failed'}),
          stackEv('ROLLBACK_COMPLETE'),
        ],
      ],
      statuses: ['ROLLBACK_COMPLETE'],
    })
    const result = await w.run({descriptions: {Logs: 'The log group'}})
    const resources = w.events.filter((e) => e.code === 'stack.resource')
    expect(resources.map((e) => [e.message, e.level])).toEqual([
      ['Logs CREATE_IN_PROGRESS', 'info'],
      ['Role CREATE_FAILED: access denied', 'error'],
      ['Queue CREATE_FAILED: Resource creation cancelled', 'error'],
      ['Bucket CREATE_FAILED', 'error'],
      ['Nested CREATE_FAILED: nested failed', 'error'],
      ['s ROLLBACK_COMPLETE', 'info'],
    ])
    expect(resources[0]!.data).toEqual({stack: 's', logicalId: 'Logs', type: 'AWS::Logs::LogGroup', status: 'CREATE_IN_PROGRESS', reason: undefined, physicalId: 's-Logs', description: 'The log group'})
    expect(resources[1]!.data).toMatchObject({logicalId: 'Role', type: 'AWS::IAM::Role', reason: 'access denied', description: undefined})
    // A nested stack is a resource like another: only the stack's own event is its status.
    expect(result.failures).toEqual([
      {logicalId: 'Role', type: 'AWS::IAM::Role', reason: 'access denied'},
      {logicalId: 'Nested', type: 'AWS::CloudFormation::Stack', reason: 'nested failed'},
    ])
    expect(result).toMatchObject({outcome: 'finished', stackStatus: 'ROLLBACK_COMPLETE', cancelled: false})
  })

  it('names no type for an event without one, and an empty id and status for a bare event', async () => {
    const w = scripted({batches: [[{Timestamp: at} as StackEvent, ev('Web', undefined as any, 'CREATE_IN_PROGRESS')], [stackEv('CREATE_COMPLETE')]], statuses: ['CREATE_COMPLETE']})
    await w.run()
    const [bare, untyped] = w.events.filter((e) => e.code === 'stack.resource')
    expect(bare!.message).toBe(' ')
    expect(bare!.data).toMatchObject({logicalId: '', status: '', type: ''})
    expect(untyped!.data).toMatchObject({logicalId: 'Web', type: ''})
  })

  it('ends at the stack’s own terminal event, not at an in-progress one or a nested stack’s', async () => {
    const w = scripted({
      batches: [[stackEv('CREATE_IN_PROGRESS'), ev('Nested', 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')], [], [], [], [stackEv('CREATE_COMPLETE')]],
      statuses: ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'],
      outputs: [{OutputKey: 'Url', OutputValue: 'http://x'}, {OutputKey: 'Empty'}],
    })
    const result = await w.run()
    expect(w.polls()).toBe(5)
    // Without a stack event, the stack is described every third poll; its own terminal event at once.
    expect(w.count('describeStacks')).toBe(2)
    expect(w.calls.find((c) => c.op === 'describeStacks')!.input).toEqual({StackName: 's'})
    expect(result).toEqual({outcome: 'finished', stackStatus: 'CREATE_COMPLETE', outputs: {Url: 'http://x', Empty: ''}, failures: [], cancelled: false, taskFailure: undefined})
    const done = w.events.filter((e) => e.code === 'stack.done')
    expect(done).toHaveLength(1)
    expect(done[0]!.message).toBe('s: CREATE_COMPLETE')
    expect(done[0]!.level).toBe('info')
    expect(done[0]!.data).toEqual({stack: 's', status: 'CREATE_COMPLETE', ok: true, outputs: {Url: 'http://x', Empty: ''}})
  })

  it('finds the end by describing the stack when no stack-level event comes', async () => {
    const w = scripted({batches: [], statuses: ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']})
    const result = await w.run({operation: 'update'})
    expect(w.polls()).toBe(6)
    expect(result.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    expect(result.outputs).toEqual({})
    const done = w.events.find((e) => e.code === 'stack.done')!
    expect(done.level).toBe('error')
    expect(done.data).toMatchObject({ok: false, status: 'UPDATE_ROLLBACK_COMPLETE'})
  })

  it('counts a failed status as not ok', async () => {
    const w = scripted({batches: [[stackEv('UPDATE_FAILED')]], statuses: ['UPDATE_FAILED']})
    await w.run({operation: 'update'})
    expect(w.events.find((e) => e.code === 'stack.done')!.data).toMatchObject({ok: false})
    const ok = scripted({batches: [[stackEv('DELETE_COMPLETE')]], statuses: ['DELETE_COMPLETE']})
    await ok.run({operation: 'delete'})
    expect(ok.events.find((e) => e.code === 'stack.done')!.data).toMatchObject({ok: true})
  })

  it('takes a stack that is gone when described during a delete for deleted', async () => {
    const w = scripted({batches: [[stackEv('DELETE_COMPLETE')]], statuses: [undefined]})
    const result = await w.run({operation: 'delete'})
    expect(result).toMatchObject({outcome: 'finished', stackStatus: 'DELETE_COMPLETE', outputs: {}})
  })

  it('starts the poll delay again from the minimum after a poll with events', async () => {
    const w = scripted({batches: [[], [], [ev('Logs', 'AWS::Logs::LogGroup', 'CREATE_IN_PROGRESS')], [], [stackEv('CREATE_COMPLETE')]], statuses: ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']})
    await w.run()
    // random() is 0.5: three quarters of the current delay, which grows by half after each quiet poll.
    expect(w.sleeps).toEqual([75, 113, 75, 113])
  })

  it('watches a service named in its in-progress event, and only then', async () => {
    const service = (status: string, more: Partial<StackEvent> = {}) => ev('Web', 'AWS::ECS::Service', status, {PhysicalResourceId: SERVICE_ARN, ...more})
    const watched = scripted({batches: [[service('CREATE_IN_PROGRESS')], [], [stackEv('CREATE_COMPLETE')]], statuses: ['CREATE_COMPLETE']})
    await watched.run()
    expect(watched.calls.find((c) => c.op === 'describeServices')!.input).toEqual({cluster: 'demo-Cluster', services: [SERVICE_ARN]})
    expect(watched.count('describeServices')).toBe(2)
    expect(watched.events.some((e) => e.code === 'rollout.progress')).toBe(true)

    for (const [batch, operation] of [
      [[service('CREATE_COMPLETE')], 'create'],
      [[service('DELETE_IN_PROGRESS')], 'delete'],
      [[ev('Web', 'AWS::ECS::TaskDefinition', 'CREATE_IN_PROGRESS', {PhysicalResourceId: SERVICE_ARN})], 'create'],
    ] as const) {
      const w = scripted({batches: [[...batch], [stackEv(operation === 'delete' ? 'DELETE_COMPLETE' : 'CREATE_COMPLETE')]], statuses: [operation === 'delete' ? 'DELETE_COMPLETE' : 'CREATE_COMPLETE']})
      await w.run({operation})
      expect(w.count('describeServices')).toBe(0)
      expect(w.count('describeStackResources')).toBe(0)
    }
  })

  it('watches a service once, however many events name it', async () => {
    const w = scripted({
      batches: [[ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS', {PhysicalResourceId: SERVICE_ARN}), ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS', {PhysicalResourceId: 'arn:aws:ecs:us-east-1:0:service/other/x'})], [stackEv('CREATE_COMPLETE')]],
      statuses: ['CREATE_COMPLETE'],
    })
    await w.run()
    expect(w.calls.filter((c) => c.op === 'describeServices').map((c) => c.input.cluster)).toEqual(['demo-Cluster'])
  })

  it('finds a service its events do not name through the stack’s resources, then through the cluster’s services', async () => {
    const unnamed = [ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS'), ev('Worker', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS')]
    const workerArn = 'arn:aws:ecs:us-east-1:000000000000:service/s-Worker-9'
    const w = scripted({
      batches: [unnamed, [], [stackEv('CREATE_COMPLETE')]],
      statuses: ['CREATE_COMPLETE'],
      resources: [{LogicalResourceId: 'Web', PhysicalResourceId: SERVICE_ARN}, {LogicalResourceId: 'Worker'}, {PhysicalResourceId: 'x'}],
      serviceArns: ['arn:aws:ecs:us-east-1:000000000000:service/s-Web-1', 'arn:aws:ecs:us-east-1:000000000000:service/other-Worker-1', workerArn],
    })
    await w.run({serviceCluster: 'apps'})
    expect(w.calls.find((c) => c.op === 'describeStackResources')!.input).toEqual({StackName: 's'})
    expect(w.calls.find((c) => c.op === 'listServices')!.input).toEqual({cluster: 'apps', maxResults: 100})
    // Both are found on the first poll: neither is looked up again.
    expect(w.count('describeStackResources')).toBe(1)
    expect(w.count('listServices')).toBe(1)
    const watched = w.calls.filter((c) => c.op === 'describeServices').map((c) => c.input)
    expect(watched).toContainEqual({cluster: 'demo-Cluster', services: [SERVICE_ARN]})
    expect(watched).toContainEqual({cluster: 'apps', services: [workerArn]})
  })

  it('looks for an unnamed service on every poll until found, and not in a cluster it was not given', async () => {
    const w = scripted({batches: [[ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS')], [], [stackEv('CREATE_COMPLETE')]], statuses: ['CREATE_COMPLETE'], resources: [{LogicalResourceId: 'Web'}]})
    await w.run()
    expect(w.count('describeStackResources')).toBe(3)
    expect(w.count('listServices')).toBe(0)
    expect(w.count('describeServices')).toBe(0)
    const none = scripted({batches: [[ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS')], [stackEv('CREATE_COMPLETE')]], statuses: ['CREATE_COMPLETE']})
    await none.run({serviceCluster: 'apps'})
    expect(none.count('listServices')).toBe(2)
    expect(none.count('describeServices')).toBe(0)
  })

  it('never fails fast when asked not to, and reports the last task failure when the stack ends', async () => {
    const w = scripted({
      batches: [[ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS', {PhysicalResourceId: SERVICE_ARN})], [], [], [], [stackEv('CREATE_COMPLETE')]],
      statuses: ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'],
      crashes: [crash, crash, crash],
    })
    const result = await w.run({maxTaskFailures: 0})
    expect(result.outcome).toBe('finished')
    expect(result.taskFailure).toMatch(/Essential container in task exited/)
    expect(w.count('deleteStack')).toBe(0)
  })

  it('fails fast once the new deployment has stopped as many tasks as allowed, none healthy', async () => {
    const w = scripted({batches: [[ev('Web', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS', {PhysicalResourceId: SERVICE_ARN})]], statuses: ['CREATE_IN_PROGRESS'], crashes: [crash, crash, crash]})
    const result = await w.run({maxTaskFailures: 2})
    expect(result.outcome).toBe('failed-fast')
    expect(result.reason).toMatch(/^2 tasks of the new deployment stopped and none became healthy; the last one: /)
    expect(w.calls.find((c) => c.op === 'deleteStack')!.input).toEqual({StackName: 's'})
  })

  it('stops polling services once it asked CloudFormation to stop', async () => {
    const w = scripted({
      batches: [[], [ev('Web', 'AWS::ECS::Service', 'UPDATE_IN_PROGRESS', {PhysicalResourceId: SERVICE_ARN})], [], [stackEv('UPDATE_ROLLBACK_COMPLETE')]],
      statuses: ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE'],
      crashes: [crash, crash, crash],
    })
    const pressing = w.run({operation: 'update', maxTaskFailures: 1})
    w.interrupts.interrupt()
    const result = await pressing
    expect(w.calls.find((c) => c.op === 'cancelUpdateStack')!.input).toEqual({StackName: 's'})
    expect(result).toMatchObject({outcome: 'finished', stackStatus: 'UPDATE_ROLLBACK_COMPLETE', cancelled: true})
    expect(w.count('describeServices')).toBe(0)
    expect(w.count('describeStackResources')).toBe(0)
  })

  it('says what it stops watching on a second Ctrl-C, and returns the failures seen so far', async () => {
    const w = scripted({batches: [[ev('Role', 'AWS::IAM::Role', 'UPDATE_FAILED', {ResourceStatusReason: 'denied'})]], statuses: ['UPDATE_IN_PROGRESS']})
    const pressing = w.run({operation: 'update'})
    w.interrupts.interrupt()
    w.interrupts.interrupt()
    const result = await pressing
    expect(result).toEqual({outcome: 'detached', outputs: {}, failures: [{logicalId: 'Role', type: 'AWS::IAM::Role', reason: 'denied'}]})
    expect(w.calls.find((c) => c.op === 'cancelUpdateStack')!.input).toEqual({StackName: 's'})
    const detached = w.events.find((e) => e.code === 'stack.detached')!
    expect(detached.message).toBe('Stopped watching s; CloudFormation goes on without Pier.')
    expect(detached.data).toEqual({stack: 's'})
    expect(detached.level).toBe('warn')
  })

  it('takes a stack that vanishes with its events as deleted only in a delete or after a cancel', async () => {
    const gone = new AwsError('ValidationError', 'cloudformation:DescribeStackEvents', 'Stack [s] does not exist')
    const w = scripted({batches: [], pollError: () => gone})
    const result = await w.run({operation: 'delete'})
    expect(result).toEqual({outcome: 'finished', stackStatus: 'DELETE_COMPLETE', outputs: {}, failures: [], cancelled: false})
    const done = w.events.find((e) => e.code === 'stack.done')!
    expect(done.message).toBe('s: DELETE_COMPLETE')
    expect(done.data).toEqual({stack: 's', status: 'DELETE_COMPLETE', ok: true, outputs: {}})
    expect(done.level).toBe('info')

    // Another validation error, or a "does not exist" that is not one, is not a deleted stack.
    const other = new AwsError('ValidationError', 'cloudformation:DescribeStackEvents', 'Rate exceeded')
    await expect(scripted({batches: [], pollError: () => other}).run({operation: 'delete'})).rejects.toBe(other)
    const plain = new Error('Stack [s] does not exist')
    await expect(scripted({batches: [], pollError: () => plain}).run({operation: 'delete'})).rejects.toBe(plain)
  })

  it('describes a stack that does not exist as undefined, and passes other errors on', async () => {
    const gone = scripted({batches: [], statuses: [undefined]})
    const ctx = {aws: {stacks: {describeStacks: (input: any) => (gone.calls.push({op: 'describeStacks', input}), Promise.reject(new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Stack with id s does not exist')))}}} as any
    expect(await describeStack(ctx, 's')).toBeUndefined()
    const throttled = new AwsError('Throttling', 'cloudformation:DescribeStacks', 'Stack with id s does not exist')
    await expect(describeStack({aws: {stacks: {describeStacks: () => Promise.reject(throttled)}}} as any, 's')).rejects.toBe(throttled)
    const invalid = new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Template format error')
    await expect(describeStack({aws: {stacks: {describeStacks: () => Promise.reject(invalid)}}} as any, 's')).rejects.toBe(invalid)
    expect(await describeStack({aws: {stacks: {describeStacks: async () => ({})}}} as any, 's')).toBeUndefined()
  })
})
