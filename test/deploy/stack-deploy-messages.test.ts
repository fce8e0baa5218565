// deployStack's requests and what it says: the change set it asks for (name, capabilities, rollback,
// inline limit, pages of changes, a failed one), the events of each step with their data, and the
// errors and hints of a refused, interrupted, failed-fast or cancelled deploy.
import {describe, expect, it} from 'vitest'

import {AwsError} from '../../src/aws/errors.js'
import {DeployError, UserError} from '../../src/errors.js'
import {recorder} from '../../src/deploy/events.js'
import {manualInterrupts} from '../../src/deploy/interrupts.js'
import {deployStack, INLINE_TEMPLATE_LIMIT, isStackMissing, type StackDeployInput} from '../../src/deploy/stack-deploy.js'
import {fakeAws, instantTiming} from './fake-aws.js'

const template = {Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup', Metadata: {'aws:copilot:description': 'Logs'}}, Queue: {Type: 'AWS::SQS::Queue'}}}
const crash = {exitCode: 1, reason: 'Essential container in task exited', logs: []}
const NOW = instantTiming.now()

/** The fake AWS with every CloudFormation request recorded with its input. */
function spied(opts: Parameters<typeof fakeAws>[0] = {}) {
  const fake = fakeAws(opts)
  const requests: {op: string; input: any}[] = []
  const stacks = fake.aws.stacks as any
  for (const op of Object.keys(stacks)) {
    const real = stacks[op]
    stacks[op] = (input: any) => (requests.push({op, input}), real(input))
  }
  const {emit, events} = recorder()
  const inputs = (op: string) => requests.filter((r) => r.op === op).map((r) => r.input)
  const run = (input: Partial<StackDeployInput> = {}, more: Record<string, unknown> = {}) => deployStack({aws: fake.aws, emit, timing: instantTiming, ...more}, {stackName: 's', template, ...input})
  return {...fake, requests, inputs, events, run, find: (code: string) => events.filter((e) => e.code === code)}
}

describe('deployStack requests and messages', () => {
  it('asks for a named change set with every capability, rolling back by default, and says what it does', async () => {
    const s = spied()
    expect(await s.run()).toMatchObject({status: 'deployed', stackStatus: 'CREATE_COMPLETE'})
    const [create] = s.inputs('createChangeSet')
    expect(create).toMatchObject({StackName: 's', ChangeSetName: `pier-${NOW}`, ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [], Tags: []})
    expect(create.Capabilities).toEqual(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'])
    expect(create.TemplateURL).toBeUndefined()
    expect(s.inputs('executeChangeSet')).toEqual([{StackName: 's', ChangeSetName: `pier-${NOW}`, DisableRollback: false}])
    const [changeset] = s.find('stack.changeset')
    expect(changeset!.message).toBe('s: 2 resource change(s) to create.')
    expect(changeset!.data).toEqual({stack: 's', changeSet: `pier-${NOW}`, operation: 'create', changes: [
      {logicalId: 'LogGroup', type: 'AWS::Logs::LogGroup', action: 'Add', replacement: undefined, description: 'Logs'},
      {logicalId: 'Queue', type: 'AWS::SQS::Queue', action: 'Add', replacement: undefined, description: undefined},
    ]})
    const [start] = s.find('stack.start')
    expect(start!.message).toBe('Creating s.')
    expect(start!.data).toEqual({stack: 's', operation: 'create', resources: [{logicalId: 'LogGroup', type: 'AWS::Logs::LogGroup', description: 'Logs'}, {logicalId: 'Queue', type: 'AWS::SQS::Queue', description: undefined}]})

    await s.run({template: {Resources: {LogGroup: template.Resources.LogGroup}}, noRollback: true})
    expect(s.inputs('executeChangeSet')[1]).toMatchObject({DisableRollback: true})
    expect(s.find('stack.start')[1]!.message).toBe('Updating s.')
    expect(s.find('stack.changeset')[1]!.message).toBe('s: 1 resource change(s) to update.')
    expect(s.find('stack.start')[1]!.data).toMatchObject({operation: 'update'})
  })

  it('says "no changes" with the stack’s status and outputs, whether known at once or from an empty change set', async () => {
    const s = spied()
    await s.run()
    expect(await s.run()).toEqual({stackName: 's', status: 'no-changes', stackStatus: 'CREATE_COMPLETE', outputs: {}})
    // The fake's change set ignores tags: a new tag only is an empty change set.
    expect(await s.run({tags: {team: 'x'}})).toEqual({stackName: 's', status: 'no-changes', stackStatus: 'CREATE_COMPLETE', outputs: {}})
    expect(s.inputs('deleteChangeSet').at(-1)).toEqual({StackName: 's', ChangeSetName: `pier-${NOW}`})
    for (const e of s.find('stack.no-changes')) {
      expect(e.message).toBe('s: no changes to deploy.')
      expect(e.data).toEqual({stack: 's'})
    }
    expect(s.find('stack.no-changes')).toHaveLength(2)
  })

  it('keeps a template of exactly the inline limit inline', async () => {
    const pad = (n: number) => ({...template, Metadata: {pad: 'x'.repeat(n)}})
    const base = Buffer.byteLength(JSON.stringify(pad(0)))
    const exact = pad(INLINE_TEMPLATE_LIMIT - base)
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(INLINE_TEMPLATE_LIMIT)
    const s = spied()
    await s.run({template: exact})
    expect(s.inputs('createChangeSet')[0].TemplateBody).toBe(JSON.stringify(exact))
  })

  it('reads every page of the change set’s changes', async () => {
    const s = spied()
    const stacks = s.aws.stacks as any
    stacks.describeChangeSet = async (input: any) => {
      s.requests.push({op: 'describeChangeSet', input})
      return input.NextToken === 'p2'
        ? {Status: 'CREATE_COMPLETE', Changes: [{ResourceChange: {LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue', Action: 'Add'}}]}
        : {Status: 'CREATE_COMPLETE', CreationTime: new Date(NOW), NextToken: 'p2', Changes: [{ResourceChange: {LogicalResourceId: 'LogGroup', ResourceType: 'AWS::Logs::LogGroup', Action: 'Add'}}, {}]}
    }
    await s.run({detach: true})
    expect(s.inputs('describeChangeSet')[1]).toEqual({StackName: 's', ChangeSetName: `pier-${NOW}`, NextToken: 'p2'})
    expect((s.find('stack.changeset')[0]!.data as any).changes.map((c: any) => c.logicalId)).toEqual(['LogGroup', 'Queue'])
    const [detached] = s.find('stack.detached')
    expect(detached!.message).toBe('s: the change set is executing; Pier is not waiting for it.')
    expect(detached!.data).toEqual({stack: 's'})
  })

  it('fails on a failed change set with its reason, and takes "no updates" for no changes', async () => {
    const s = spied()
    ;(s.aws.stacks as any).describeChangeSet = async () => ({Status: 'FAILED', StatusReason: 'Template error: unresolved resource dependencies [X]'})
    const error = (await s.run().catch((e) => e)) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toBe('The change set for s failed: Template error: unresolved resource dependencies [X]')
    expect(error.hint).toBe('Fix the template or parameters it names, then deploy again.')
    expect(error.failures).toEqual([])
    ;(s.aws.stacks as any).describeChangeSet = async () => ({Status: 'FAILED', StatusReason: 'No updates are to be performed.'})
    expect(await s.run()).toMatchObject({status: 'no-changes'})
  })

  it('removes what a refused change set made: the change set, and a stack it was creating', async () => {
    const s = spied()
    const refused = (await s.run({confirm: async () => false}).catch((e) => e)) as UserError
    expect(refused).toBeInstanceOf(UserError)
    expect(refused.message).toBe('The deploy of s was cancelled: the changes were not approved.')
    expect(refused.hint).toBe('Run the command again and approve the changes, or pass --diff-yes.')
    expect(s.inputs('deleteChangeSet')).toEqual([{StackName: 's', ChangeSetName: `pier-${NOW}`}])
    expect(s.inputs('deleteStack')).toEqual([{StackName: 's'}])

    const u = spied()
    await u.run({template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    await u.run({confirm: async () => false}).catch((e) => e)
    expect(u.inputs('deleteChangeSet')).toHaveLength(1)
    expect(u.inputs('deleteStack')).toEqual([])
  })

  it('removes what a change set made when Ctrl-C came before it executed, and says nothing changed', async () => {
    for (const existing of [false, true]) {
      const s = spied()
      if (existing) await s.run({template: {Resources: {LogGroup: template.Resources.LogGroup}}})
      const interrupts = manualInterrupts()
      const error = (await s.run({confirm: async () => (interrupts.interrupt(), true)}, {interrupts}).catch((e) => e)) as UserError
      expect(error.message).toBe('The deploy of s was cancelled (Ctrl-C) before it changed anything.')
      expect(error.hint).toBe('Deploy again when ready.')
      expect(s.inputs('deleteChangeSet')).toEqual([{StackName: 's', ChangeSetName: `pier-${NOW}`}])
      expect(s.inputs('deleteStack')).toEqual(existing ? [] : [{StackName: 's'}])
      expect(s.inputs('executeChangeSet')).toHaveLength(existing ? 1 : 0)
    }
  })

  it('says a failed-fast create is being deleted and a failed-fast update rolled back', async () => {
    const create = spied({crashes: Array(5).fill(crash)})
    const created = (await create.run({template: {Resources: {...template.Resources, Service: {Type: 'AWS::ECS::Service'}}}}).catch((e) => e)) as DeployError
    expect(created.message).toMatch(/^The deploy of s failed: 3 tasks of the new deployment stopped/)
    expect(created.hint).toBe('The stack is being deleted. Fix the cause above, then deploy again.')

    const update = spied({crashes: Array(5).fill(crash)})
    const plain = {Resources: {LogGroup: template.Resources.LogGroup}}
    await update.run({template: plain})
    const updated = (await update.run({template: {Resources: {...plain.Resources, Service: {Type: 'AWS::ECS::Service'}}}}).catch((e) => e)) as DeployError
    expect(updated.hint).toBe('The update is being rolled back. Fix the cause above, then deploy again.')
  })

  it('says what a cancelled update left the stack in', async () => {
    const s = spied({crashes: Array(50).fill(crash)})
    await s.run({template: {Resources: {LogGroup: template.Resources.LogGroup}}})
    const interrupts = manualInterrupts()
    let sleeps = 0
    const timing = {...instantTiming, sleep: async () => void (++sleeps === 2 && interrupts.interrupt())}
    const error = (await s.run({template: {Resources: {LogGroup: template.Resources.LogGroup, Service: {Type: 'AWS::ECS::Service'}}}, maxTaskFailures: 0}, {interrupts, timing}).catch((e) => e)) as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe('The deploy of s was cancelled: the stack is now UPDATE_ROLLBACK_COMPLETE.')
    expect(error.hint).toBe('Deploy again when ready.')
  })

  it('tells a missing stack from other errors', () => {
    expect(isStackMissing(new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Stack with id s does not exist'))).toBe(true)
    expect(isStackMissing(new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Template format error'))).toBe(false)
    expect(isStackMissing(new AwsError('AccessDenied', 'cloudformation:DescribeStacks', 'Stack with id s does not exist'))).toBe(false)
    expect(isStackMissing(new Error('Stack with id s does not exist'))).toBe(false)
  })
})
