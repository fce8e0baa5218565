// Deleting a stack: waiting out an operation in progress, not deleting twice, a stack already gone,
// a failed delete named with its cause, and a second Ctrl-C that leaves CloudFormation to finish.
import {describe, expect, it} from 'vitest'

import {DeployError} from '../../src/errors.js'
import {recorder} from '../../src/deploy/events.js'
import {manualInterrupts} from '../../src/deploy/interrupts.js'
import {deleteStack} from '../../src/deploy/stack-delete.js'
import {deployStack} from '../../src/deploy/stack-deploy.js'
import {fakeAws, instantTiming} from './fake-aws.js'

const template = {Resources: {Bucket: {Type: 'AWS::S3::Bucket'}}}

async function deployed() {
  const fake = fakeAws()
  await deployStack({aws: fake.aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template})
  return fake
}

const count = (calls: string[], name: string) => calls.filter((c) => c === name).length

describe('deleteStack', () => {
  it('deletes once, says so, and follows the stack until it is gone', async () => {
    const {aws, calls} = await deployed()
    const {emit, events} = recorder()
    expect(await deleteStack({aws, emit, timing: instantTiming}, {stackName: 's'})).toEqual({stackName: 's', status: 'deleted'})
    expect(count(calls, 'deleteStack')).toBe(1)
    const start = events.find((e) => e.code === 'stack.start')!
    expect(start.message).toBe('Deleting s.')
    expect(start.data).toEqual({stack: 's', operation: 'delete', resources: []})
    expect(start.level).toBe('info')
    expect(events.at(-1)?.code).toBe('stack.done')
  })

  it('waits for an operation in progress to end before deleting', async () => {
    const {aws, stacks, calls} = await deployed()
    stacks.get('s')!.status = 'UPDATE_IN_PROGRESS'
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => {
      if (++sleeps === 3) stacks.get('s')!.status = 'UPDATE_COMPLETE'
      else if (sleeps < 3) expect(count(calls, 'deleteStack')).toBe(0)
    }}
    expect(await deleteStack({aws, emit: () => {}, timing}, {stackName: 's'})).toEqual({stackName: 's', status: 'deleted'})
    expect(sleeps).toBeGreaterThanOrEqual(3)
    expect(count(calls, 'deleteStack')).toBe(1)
  })

  it('follows a delete already in progress without asking again', async () => {
    const {aws, calls} = await deployed()
    await aws.stacks.deleteStack({StackName: 's'})
    expect(await deleteStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's'})).toEqual({stackName: 's', status: 'deleted'})
    expect(count(calls, 'deleteStack')).toBe(1)
  })

  it('answers absent for a stack that is gone or was never there', async () => {
    const {aws, calls} = fakeAws()
    expect(await deleteStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'nope'})).toEqual({stackName: 'nope', status: 'absent'})
    aws.stacks.describeStacks = async () => ({Stacks: [{StackName: 'old', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date(0)}], $metadata: {}})
    expect(await deleteStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'old'})).toEqual({stackName: 'old', status: 'absent'})
    expect(count(calls, 'deleteStack')).toBe(0)
  })

  it('fails with the resource that could not be deleted, and a hint', async () => {
    const {aws, stacks} = await deployed()
    const s = stacks.get('s')!
    const at = new Date(Date.parse('2026-11-30T07:00:00Z'))
    aws.stacks.deleteStack = async () => {
      s.status = 'DELETE_FAILED'
      s.events.unshift({EventId: 'f1', StackName: 's', LogicalResourceId: 'Bucket', ResourceType: 'AWS::S3::Bucket', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'The bucket you tried to delete is not empty', Timestamp: at})
      s.events.unshift({EventId: 'f2', StackName: 's', LogicalResourceId: 's', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'DELETE_FAILED', Timestamp: at})
      return {$metadata: {}}
    }
    const error = (await deleteStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's'}).catch((e) => e)) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toBe('Could not delete s (DELETE_FAILED): The bucket you tried to delete is not empty')
    expect(error.hint).toBe('Remove what keeps the resources in use, then delete again.')
    expect(error.failures).toEqual([{logicalId: 'Bucket', type: 'AWS::S3::Bucket', reason: 'The bucket you tried to delete is not empty'}])
  })

  it('points at the events when a failed delete names no resource', async () => {
    const {aws, stacks} = await deployed()
    const s = stacks.get('s')!
    aws.stacks.deleteStack = async () => {
      s.status = 'DELETE_FAILED'
      s.events.unshift({EventId: 'g1', StackName: 's', LogicalResourceId: 's', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'DELETE_FAILED', Timestamp: new Date(Date.parse('2026-11-30T07:00:00Z'))})
      return {$metadata: {}}
    }
    const error = (await deleteStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's'}).catch((e) => e)) as DeployError
    expect(error.message).toBe('Could not delete s (DELETE_FAILED): see the events above')
  })

  it('detaches on a second Ctrl-C, leaving the delete to CloudFormation', async () => {
    const {aws, calls} = await deployed()
    const interrupts = manualInterrupts()
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => void (++sleeps === 1 && (interrupts.interrupt(), interrupts.interrupt()))}
    expect(await deleteStack({aws, emit: () => {}, timing, interrupts}, {stackName: 's'})).toEqual({stackName: 's', status: 'detached'})
    expect(count(calls, 'deleteStack')).toBe(1)
    expect(calls).not.toContain('cancelUpdateStack')
  })
})
