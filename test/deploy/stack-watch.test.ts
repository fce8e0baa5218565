// Watching a stack around its main path: what a cancel says (and a cancel that fails), a deleted stack
// whose events go with it, and a service named only by DescribeStackResources still watched for fail-fast.
import {describe, expect, it} from 'vitest'

import {AwsError} from '../../src/aws/errors.js'
import {DeployError} from '../../src/errors.js'
import {recorder} from '../../src/deploy/events.js'
import {manualInterrupts} from '../../src/deploy/interrupts.js'
import {deleteStack} from '../../src/deploy/stack-delete.js'
import {deployStack} from '../../src/deploy/stack-deploy.js'
import {fakeAws, instantTiming} from './fake-aws.js'

const template = {Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup'}, Service: {Type: 'AWS::ECS::Service'}}}
const crash = {exitCode: 1, reason: 'Essential container in task exited', logs: []}
const PRESS = 'interrupted (Ctrl-C); press Ctrl-C again to stop watching'

describe('watchStack', () => {
  it('says it deletes a stack that was being created when Ctrl-C is pressed', async () => {
    const {aws} = fakeAws({crashes: Array(50).fill(crash)})
    const interrupts = manualInterrupts()
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => void (++sleeps === 2 && interrupts.interrupt())}
    const {emit, events} = recorder()
    await deployStack({aws, emit, timing, interrupts}, {stackName: 's', template, maxTaskFailures: 0}).catch((e) => e)
    const cancel = events.find((e) => e.code === 'stack.cancel')!
    expect(cancel.message).toBe(`Deleting s, which was being created: ${PRESS}`)
    expect(cancel.data).toEqual({stack: 's', action: 'delete', reason: PRESS})
    expect(cancel.level).toBe('warn')
  })

  it('says it cancels an update, and goes on watching when the cancel itself fails', async () => {
    const {aws, calls} = fakeAws({crashes: Array(50).fill(crash)})
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    aws.stacks.cancelUpdateStack = async () => {
      calls.push('cancelUpdateStack')
      throw new AwsError('ValidationError', 'cloudformation:CancelUpdateStack', 'CancelUpdateStack cannot be called from current stack status')
    }
    const interrupts = manualInterrupts()
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => void ((++sleeps === 2 || sleeps === 6) && interrupts.interrupt())}
    const {emit, events} = recorder()
    const result = await deployStack({aws, emit, timing, interrupts}, {stackName: 's', template, maxTaskFailures: 0})
    expect(result.status).toBe('detached')
    expect(events.find((e) => e.code === 'stack.cancel')!.message).toBe(`Cancelling the update of s: ${PRESS}`)
    const failed = events.find((e) => e.code === 'step')!
    expect(failed.message).toMatch(/^Could not stop the operation on s: .*CancelUpdateStack cannot be called from current stack status/)
    expect(failed.data).toMatchObject({name: 'cancel', status: 'failed'})
    expect(failed.level).toBe('warn')
    expect(calls.filter((c) => c === 'cancelUpdateStack')).toHaveLength(1)
  })

  it('finishes a delete when the stack disappears with its events', async () => {
    const {aws, stacks} = fakeAws()
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    aws.stacks.deleteStack = async () => {
      stacks.delete('s')
      return {$metadata: {}}
    }
    const {emit, events} = recorder()
    expect(await deleteStack({aws, emit, timing: instantTiming}, {stackName: 's'})).toEqual({stackName: 's', status: 'deleted'})
    const done = events.find((e) => e.code === 'stack.done')!
    expect(done.message).toBe('s: DELETE_COMPLETE')
    expect(done.data).toEqual({stack: 's', status: 'DELETE_COMPLETE', ok: true, outputs: {}})
  })

  it('does not take a vanished stack for a finished one outside a delete', async () => {
    const {aws, stacks} = fakeAws()
    const execute = aws.stacks.executeChangeSet
    aws.stacks.executeChangeSet = async (input: any) => {
      const out = await execute(input)
      stacks.delete('s')
      return out
    }
    const error = await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template}).catch((e) => e)
    expect(error).toBeInstanceOf(AwsError)
    expect((error as Error).message).toMatch(/does not exist/)
  })

  it('watches a service whose event names no ARN, found through the stack’s resources', async () => {
    const arn = 'arn:aws:ecs:us-east-1:000000000000:service/demo-Cluster/demo-web'
    const {aws} = fakeAws({crashes: [crash, crash, crash], serviceArn: 'demo-web', maxPolls: 200})
    aws.stacks.describeStackResources = async () => ({StackResources: [{LogicalResourceId: 'Service', ResourceType: 'AWS::ECS::Service', PhysicalResourceId: arn, ResourceStatus: 'CREATE_IN_PROGRESS', Timestamp: new Date(0)}], $metadata: {}})
    const error = (await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template}).catch((e) => e)) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toContain('3 tasks of the new deployment stopped and none became healthy')
  })
})
