import {describe, expect, it} from 'vitest'

import {DeployError, UserError} from '../../src/errors.js'
import {recorder, type DeployEvent} from '../../src/deploy/events.js'
import {manualInterrupts} from '../../src/deploy/interrupts.js'
import {deleteStack} from '../../src/deploy/stack-delete.js'
import {deployStack} from '../../src/deploy/stack-deploy.js'
import {fakeAws, instantTiming} from './fake-aws.js'

const template = {
  Resources: {
    LogGroup: {Type: 'AWS::Logs::LogGroup', Metadata: {'aws:copilot:description': 'A CloudWatch log group to hold your service logs'}},
    Service: {Type: 'AWS::ECS::Service', Metadata: {'aws:copilot:description': 'An ECS service to run and maintain your tasks in the environment cluster'}},
  },
  Outputs: {URL: {Value: 'http://demo'}},
}

const codes = (events: DeployEvent[]) => events.map((e) => e.code)

describe('deployStack', () => {
  it('creates a stack through a change set and reports every resource with its description', async () => {
    const {aws, calls} = fakeAws()
    const {emit, events} = recorder()
    const result = await deployStack({aws, emit, timing: instantTiming}, {stackName: 'demo-test-web', template, tags: {'copilot-application': 'demo'}})
    expect(result).toMatchObject({status: 'deployed', stackStatus: 'CREATE_COMPLETE', outputs: {URL: 'http://demo'}})
    expect(codes(events)[0]).toBe('stack.changeset')
    expect(codes(events)[1]).toBe('stack.start')
    expect(codes(events).at(-1)).toBe('stack.done')
    const resourceEvents = events.filter((e) => e.code === 'stack.resource').map((e) => e.data as any)
    expect(resourceEvents.find((d) => d.logicalId === 'LogGroup')?.description).toBe('A CloudWatch log group to hold your service logs')
    expect(resourceEvents.map((d) => `${d.logicalId} ${d.status}`)).toContain('Service CREATE_COMPLETE')
    expect(calls.filter((c) => c === 'createChangeSet')).toHaveLength(1)
  })

  it('ends with "no changes" and no error when the change set is empty', async () => {
    const {aws, calls} = fakeAws()
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template})
    const {emit, events} = recorder()
    // A tag the stack does not have yet: only a change set can tell, and it is empty.
    const again = await deployStack({...ctx, emit}, {stackName: 's', template, tags: {team: 'a'}})
    expect(again.status).toBe('no-changes')
    expect(again.outputs).toEqual({URL: 'http://demo'})
    expect(codes(events)).toEqual(['stack.no-changes'])
    expect(calls).toContain('deleteChangeSet')
    expect(calls.filter((c) => c === 'executeChangeSet')).toHaveLength(1)
  })

  it('knows without a change set when the deployed template, parameters and tags are these', async () => {
    const {aws, calls} = fakeAws()
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template, parameters: {Count: '1'}, tags: {team: 'a'}})
    const before = calls.length
    // The same template with its keys in another order is the same template.
    const reordered = {Outputs: template.Outputs, Resources: {Service: template.Resources.Service, LogGroup: template.Resources.LogGroup}}
    const again = await deployStack(ctx, {stackName: 's', template: reordered, parameters: {Count: '1'}, tags: {team: 'a'}})
    expect(again).toMatchObject({status: 'no-changes', outputs: {URL: 'http://demo'}})
    expect(calls.slice(before)).toEqual(['describeStacks', 'getTemplate'])
    // Another parameter value is a change again.
    const changed = await deployStack(ctx, {stackName: 's', template, parameters: {Count: '2'}, tags: {team: 'a'}})
    expect(changed.status).toBe('deployed')
  })

  it('fails with the failed resource and its reason, leaving out collateral cancellations', async () => {
    const {aws} = fakeAws({failing: {Service: 'Invalid request provided: CreateService error: subnets can not be empty.'}})
    const error = (await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template}).catch((e) => e)) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toBe('The deploy of s failed (ROLLBACK_COMPLETE): Invalid request provided: CreateService error: subnets can not be empty.')
    expect(error.failures).toEqual([{logicalId: 'Service', type: 'AWS::ECS::Service', reason: 'Invalid request provided: CreateService error: subnets can not be empty.'}])
  })

  it('shows each stopped task at once with its exit code and log, then fails fast and cancels the update', async () => {
    const crash = {exitCode: 3, reason: 'Essential container in task exited', logs: ['listening on :8080', 'Error: DATABASE_URL is not set']}
    const {aws, calls} = fakeAws({crashes: [crash, crash, crash, crash]})
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    const {emit, events} = recorder()
    const error = (await deployStack({...ctx, emit}, {stackName: 's', template}).catch((e) => e)) as DeployError
    const stopped = events.filter((e) => e.code === 'rollout.task-stopped')
    expect(stopped).toHaveLength(3)
    expect(stopped[0]!.data).toMatchObject({taskId: 't1', exitCode: 3, stoppedReason: 'Essential container in task exited', container: 'web', logLines: crash.logs, failures: 1})
    expect(stopped[0]!.message).toBe('demo-test-web: task t1 stopped: Essential container in task exited, exit code 3')
    expect(calls).toContain('getLogEvents copilot/web/t1')
    expect(events.some((e) => e.code === 'rollout.progress')).toBe(true)
    expect(calls).toContain('cancelUpdateStack')
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toContain('3 tasks of the new deployment stopped and none became healthy')
    expect(error.message).toContain('exit code 3 (last log line: Error: DATABASE_URL is not set)')
  })

  it('deletes a stack still being created when fail-fast triggers on a create', async () => {
    const crash = {exitCode: 1, reason: 'Essential container in task exited', logs: []}
    const {aws, calls} = fakeAws({crashes: [crash]})
    const error = await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template, maxTaskFailures: 1}).catch((e) => e)
    expect(error).toBeInstanceOf(DeployError)
    expect(calls).toContain('deleteStack')
    expect(calls).not.toContain('cancelUpdateStack')
  })

  it('fails fast when the stopped tasks reach the limit exactly, not one later', async () => {
    const crash = {exitCode: 2, reason: 'Essential container in task exited', logs: []}
    // Two crashes and no more: a watcher that waits for a third never ends, and the fake's poll bound fails it.
    const {aws, calls} = fakeAws({crashes: [crash, crash], maxPolls: 200})
    const {emit, events} = recorder()
    const error = (await deployStack({aws, emit, timing: instantTiming}, {stackName: 's', template, maxTaskFailures: 2}).catch((e) => e)) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toContain('2 tasks of the new deployment stopped and none became healthy')
    expect(events.filter((e) => e.code === 'rollout.task-stopped')).toHaveLength(2)
    expect(calls).toContain('deleteStack')
  })

  it('cancels an update on the first Ctrl-C and follows the rollback', async () => {
    const {aws, calls} = fakeAws({crashes: Array(50).fill({exitCode: 1, reason: 'r', logs: []})})
    const base = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(base, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    const interrupts = manualInterrupts()
    const {emit, events} = recorder()
    let polls = 0
    const timing = {...instantTiming, sleep: async () => void (++polls === 2 && interrupts.interrupt())}
    const error = (await deployStack({aws, emit, timing, interrupts}, {stackName: 's', template, maxTaskFailures: 0}).catch((e) => e)) as UserError
    expect(calls).toContain('cancelUpdateStack')
    expect(events.find((e) => e.code === 'stack.cancel')?.data).toMatchObject({action: 'cancel-update'})
    expect(error.message).toBe('The deploy of s was cancelled: the stack is now UPDATE_ROLLBACK_COMPLETE.')
  })

  it('detaches on the second Ctrl-C, leaving CloudFormation to finish', async () => {
    const {aws, calls} = fakeAws({crashes: Array(50).fill({exitCode: 1, reason: 'r', logs: []})})
    const interrupts = manualInterrupts()
    const {emit, events} = recorder()
    let polls = 0
    const timing = {...instantTiming, sleep: async () => void (++polls >= 2 && polls <= 3 && interrupts.interrupt())}
    const result = await deployStack({aws, emit, timing, interrupts}, {stackName: 's', template, maxTaskFailures: 0})
    expect(result.status).toBe('detached')
    expect(calls).toContain('deleteStack') // the first Ctrl-C on a create deletes the stack
    expect(codes(events).at(-1)).toBe('stack.detached')
  })

  it('keeps a Ctrl-C pressed while the change set is made: nothing executes, and the new stack is removed', async () => {
    const {aws, calls} = fakeAws()
    const interrupts = manualInterrupts()
    const describeChangeSet = aws.stacks.describeChangeSet
    aws.stacks.describeChangeSet = async (input) => (interrupts.interrupt(), describeChangeSet(input))
    const error = (await deployStack({aws, emit: () => {}, timing: instantTiming, interrupts}, {stackName: 's', template}).catch((e) => e)) as UserError
    expect(error.message).toBe('The deploy of s was cancelled (Ctrl-C) before it changed anything.')
    expect(calls).not.toContain('executeChangeSet')
    expect(calls).toContain('deleteChangeSet')
    expect(calls).toContain('deleteStack')
  })

  it('replays a Ctrl-C pressed between executing the change set and watching it', async () => {
    const {aws, calls} = fakeAws({crashes: Array(50).fill({exitCode: 1, reason: 'r', logs: []})})
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    const interrupts = manualInterrupts()
    const execute = aws.stacks.executeChangeSet
    aws.stacks.executeChangeSet = async (input) => {
      const out = await execute(input)
      interrupts.interrupt()
      return out
    }
    const error = (await deployStack({aws, emit: () => {}, timing: instantTiming, interrupts}, {stackName: 's', template, maxTaskFailures: 0}).catch((e) => e)) as UserError
    expect(calls).toContain('cancelUpdateStack')
    expect(error.message).toBe('The deploy of s was cancelled: the stack is now UPDATE_ROLLBACK_COMPLETE.')
  })

  it('cancels before detaching when both presses come between two polls', async () => {
    const {aws, calls} = fakeAws({crashes: Array(50).fill({exitCode: 1, reason: 'r', logs: []})})
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    const interrupts = manualInterrupts()
    let polls = 0
    const timing = {...instantTiming, sleep: async () => void (++polls === 2 && (interrupts.interrupt(), interrupts.interrupt()))}
    const result = await deployStack({aws, emit: () => {}, timing, interrupts}, {stackName: 's', template, maxTaskFailures: 0})
    expect(result.status).toBe('detached')
    expect(calls).toContain('cancelUpdateStack')
  })

  it('returns right after executing with --detach', async () => {
    const {aws, calls} = fakeAws()
    const {emit, events} = recorder()
    const result = await deployStack({aws, emit, timing: instantTiming}, {stackName: 's', template, detach: true})
    expect(result.status).toBe('detached')
    expect(calls).not.toContain('describeStackEvents')
    expect(codes(events).at(-1)).toBe('stack.detached')
  })

  it('sends templates over the inline limit through the uploader', async () => {
    const {aws, changeSets} = fakeAws()
    const big = {Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup', Metadata: {pad: 'x'.repeat(60_000)}}}}
    const uploads: string[] = []
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'big', template: big, uploadTemplate: async (name) => (uploads.push(name), 'https://bucket/big.json')}).catch(() => undefined)
    expect(uploads).toEqual(['big'])
    expect([...changeSets.values()][0]?.url).toBe('https://bucket/big.json')
    const without = await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'big2', template: big}).catch((e) => e)
    expect(without).toBeInstanceOf(UserError)
    expect((without as UserError).message).toMatch(/at most 51200 bytes inline/)
  })

  it('asks for approval with the changes and cancels when refused', async () => {
    const {aws, calls} = fakeAws()
    const seen: string[] = []
    const error = await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template, confirm: async ({changes}) => (seen.push(...changes.map((c) => `${c.action} ${c.logicalId}`)), false)}).catch((e) => e)
    expect(seen).toEqual(['Add LogGroup', 'Add Service'])
    expect((error as UserError).message).toMatch(/not approved/)
    expect(calls).not.toContain('executeChangeSet')
  })
})

describe('deleteStack', () => {
  it('deletes and waits until the stack is gone; a missing stack is already deleted', async () => {
    const {aws} = fakeAws()
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template})
    expect(await deleteStack(ctx, {stackName: 's'})).toEqual({stackName: 's', status: 'deleted'})
    expect(await deleteStack(ctx, {stackName: 's'})).toEqual({stackName: 's', status: 'absent'})
  })
})
