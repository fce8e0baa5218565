// deployStack around its main path: a stack that failed to be created is deleted and created again, a
// busy stack is waited out (said once), a stack at rest with the same template, parameters and tags is
// left alone after one GetTemplate, and a failed deploy says how it ended.
import {describe, expect, it} from 'vitest'

import {DeployError} from '../../src/errors.js'
import {recorder} from '../../src/deploy/events.js'
import {deployStack} from '../../src/deploy/stack-deploy.js'
import {fakeAws, instantTiming} from './fake-aws.js'

const template = {Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup'}, Bucket: {Type: 'AWS::S3::Bucket'}}, Outputs: {Name: {Value: 'x'}}}
const count = (calls: string[], name: string) => calls.filter((c) => c === name).length

describe('deployStack edges', () => {
  it('deletes a stack that failed to be created, then creates it again', async () => {
    const {aws, stacks, calls} = fakeAws()
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template})
    stacks.get('s')!.status = 'ROLLBACK_COMPLETE'
    const {emit, events} = recorder()
    const result = await deployStack({aws, emit, timing: instantTiming}, {stackName: 's', template})
    expect(result).toMatchObject({status: 'deployed', stackStatus: 'CREATE_COMPLETE', outputs: {Name: 'x'}})
    const step = events.find((e) => e.code === 'step')!
    expect(step.message).toBe('s failed to be created before (ROLLBACK_COMPLETE): deleting it to create it again.')
    expect(step.data).toEqual({name: 'recreate', status: 'start', detail: 'ROLLBACK_COMPLETE'})
    expect(step.level).toBe('warn')
    expect(count(calls, 'deleteStack')).toBe(1)
    expect(calls.lastIndexOf('deleteStack')).toBeLessThan(calls.lastIndexOf('createChangeSet'))
  })

  it('waits for a stack that is busy, saying so once, then updates it', async () => {
    const {aws, stacks, calls} = fakeAws()
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template})
    stacks.get('s')!.status = 'UPDATE_ROLLBACK_IN_PROGRESS'
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => {
      if (++sleeps === 3) stacks.get('s')!.status = 'UPDATE_ROLLBACK_COMPLETE'
    }}
    const before = count(calls, 'createChangeSet')
    const {emit, events} = recorder()
    const result = await deployStack({aws, emit, timing}, {stackName: 's', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    expect(result.status).toBe('deployed')
    const waiting = events.filter((e) => e.code === 'stack.waiting')
    expect(waiting).toHaveLength(1)
    expect(waiting[0]!.message).toBe('s is busy (UPDATE_ROLLBACK_IN_PROGRESS): waiting for it to finish.')
    expect(waiting[0]!.data).toEqual({stack: 's', status: 'UPDATE_ROLLBACK_IN_PROGRESS'})
    expect(count(calls, 'createChangeSet')).toBe(before + 1)
  })

  it('does not wait for a stack under review: it failed to be created, and is made again', async () => {
    const {aws, stacks, calls} = fakeAws()
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template})
    stacks.get('s')!.status = 'REVIEW_IN_PROGRESS'
    const {emit, events} = recorder()
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => {
      if (++sleeps > 100) throw new Error('still waiting after 100 polls')
    }}
    await deployStack({aws, emit, timing}, {stackName: 's', template})
    expect(events.some((e) => e.code === 'stack.waiting')).toBe(false)
    expect(count(calls, 'deleteStack')).toBe(1)
  })

  it('leaves a stack at rest alone when its template, parameters and tags are these, whatever the key order', async () => {
    const {aws, calls} = fakeAws()
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template, parameters: {Env: 'test'}, tags: {team: 'a'}})
    const reordered = {Outputs: template.Outputs, Resources: {Bucket: template.Resources.Bucket, LogGroup: template.Resources.LogGroup}}
    const {emit, events} = recorder()
    const again = await deployStack({...ctx, emit}, {stackName: 's', template: reordered, parameters: {Env: 'test'}, tags: {team: 'a'}})
    expect(again).toEqual({stackName: 's', status: 'no-changes', stackStatus: 'CREATE_COMPLETE', outputs: {Name: 'x'}})
    expect(events.map((e) => e.message)).toContain('s: no changes to deploy.')
    expect(count(calls, 'createChangeSet')).toBe(1)
    expect(count(calls, 'getTemplate')).toBe(1)
  })

  it.each([
    ['another parameter value', {parameters: {Env: 'prod'}, tags: {team: 'a'}}],
    ['one parameter fewer', {parameters: {}, tags: {team: 'a'}}],
    ['another tag', {parameters: {Env: 'test'}, tags: {team: 'b'}}],
    ['one tag more', {parameters: {Env: 'test'}, tags: {team: 'a', cost: 'x'}}],
    ['another template', {parameters: {Env: 'test'}, tags: {team: 'a'}, template: {Resources: {LogGroup: template.Resources.LogGroup}}}],
  ])('makes a change set for %s', async (_name, change) => {
    const {aws, calls} = fakeAws()
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template, parameters: {Env: 'test'}, tags: {team: 'a'}})
    await deployStack(ctx, {stackName: 's', template, ...change})
    expect(count(calls, 'getTemplate') + count(calls, 'createChangeSet')).toBeGreaterThan(1)
    expect(count(calls, 'createChangeSet')).toBe(2)
  })

  it('makes a change set when the deployed template cannot be read', async () => {
    const {aws, calls} = fakeAws()
    const ctx = {aws, emit: () => {}, timing: instantTiming}
    await deployStack(ctx, {stackName: 's', template})
    aws.stacks.getTemplate = async () => ({TemplateBody: 'Resources: {}', $metadata: {}})
    const result = await deployStack(ctx, {stackName: 's', template})
    expect(result.status).toBe('no-changes') // the change set itself finds nothing to change
    expect(count(calls, 'createChangeSet')).toBe(2)
  })

  it('says how a failed deploy ended when no resource names a cause, with the hint for --no-rollback', async () => {
    // A cancelled resource is collateral: no failure names the cause, so the stack's end is the message.
    const {aws} = fakeAws({failing: {Bucket: 'Resource creation cancelled'}})
    const error = (await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 's', template, noRollback: true}).catch((e) => e)) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toBe('The deploy of s failed (ROLLBACK_COMPLETE): the stack ended in ROLLBACK_COMPLETE')
    expect(error.hint).toBe('The failed resources were kept (--no-rollback) so you can inspect them.')
    expect(error.failures).toEqual([])
  })
})
