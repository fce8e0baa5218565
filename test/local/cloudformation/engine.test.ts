import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {harness, tpl, type Harness} from './helpers.js'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.close()
})

function statuses(events: any[], logicalId: string): string[] {
  return events.filter((e) => e.LogicalResourceId === logicalId).map((e) => e.ResourceStatus)
}

describe('create', () => {
  it('provisions in dependency order, concurrently where independent, and publishes outputs', async () => {
    const body = tpl({
      A: {Type: 'Test::Thing', Properties: {Value: 'a', DelayMs: 30}},
      B: {Type: 'Test::Thing', Properties: {Value: 'b', DelayMs: 30}},
      C: {Type: 'Test::Thing', Properties: {Value: {'Fn::Sub': '${A}+${B.Upper}'}}},
      D: {Type: 'Test::Thing', DependsOn: 'C', Properties: {Value: 'd'}},
    }, {Outputs: {CValue: {Value: {'Fn::GetAtt': ['C', 'Value']}, Export: {Name: {'Fn::Sub': '${AWS::StackName}-C'}}}}})
    const {StackId} = await h.call('CreateStack', {StackName: 'demo', TemplateBody: body})
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/demo\/[0-9a-f-]{36}$/)
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('CREATE_COMPLETE')
    expect(h.world.maxInFlight).toBe(2)
    const order = h.world.log.map((l) => l.split(' ')[1])
    expect(order.indexOf('C')).toBeGreaterThan(Math.max(order.indexOf('A'), order.indexOf('B')))
    expect(order.indexOf('D')).toBeGreaterThan(order.indexOf('C'))
    expect(stack.Outputs).toEqual([{OutputKey: 'CValue', OutputValue: expect.stringMatching(/^thing-A-\d\+B$/), ExportName: 'demo-C'}])
    const events = await h.events('demo')
    expect(events[0]).toMatchObject({LogicalResourceId: 'demo', ResourceStatus: 'CREATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated'})
    expect(events.at(-1)).toMatchObject({LogicalResourceId: 'demo', ResourceStatus: 'CREATE_COMPLETE'})
    expect(statuses(events, 'C')).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'])
    const exports = await h.call('ListExports')
    expect(exports.Exports).toEqual([{ExportingStackId: StackId, Name: 'demo-C', Value: stack.Outputs[0].OutputValue}])
  })

  it('rolls back what it created when a resource fails, and the stack can then only be deleted', async () => {
    const body = tpl({
      Good: {Type: 'Test::Thing', Properties: {Value: 'ok'}},
      Slow: {Type: 'Test::Thing', Properties: {Value: 'slow', DelayMs: 5000}},
      Bad: {Type: 'Test::Thing', DependsOn: 'Good', Properties: {FailCreate: true}},
      Never: {Type: 'Test::Thing', DependsOn: 'Bad', Properties: {Value: 'n'}},
    })
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: body})
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(h.world.live.size).toBe(0)
    const events = await h.events('demo')
    expect(events.find((e) => e.LogicalResourceId === 'Bad' && e.ResourceStatus === 'CREATE_FAILED').ResourceStatusReason)
      .toBe('Thing Bad refused to be created')
    expect(events.find((e) => e.LogicalResourceId === 'Slow' && e.ResourceStatus === 'CREATE_FAILED').ResourceStatusReason)
      .toBe('Resource creation cancelled')
    expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('The following resource(s) failed to create: [Bad]. Rollback requested by user.')
    expect(statuses(events, 'Good')).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE'])
    expect(statuses(events, 'Never')).toEqual([])
    await expect(h.call('UpdateStack', {StackName: 'demo', TemplateBody: body}))
      .rejects.toThrow(`Stack:${stack.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`)
    await h.call('DeleteStack', {StackName: 'demo'})
    await h.cfn.idle()
    await expect(h.call('DescribeStacks', {StackName: 'demo'})).rejects.toThrow('Stack with id demo does not exist')
    expect((await h.call('DescribeStacks', {StackName: stack.StackId})).Stacks[0].StackStatus).toBe('DELETE_COMPLETE')
  })

  it('keeps failed resources when rollback is disabled', async () => {
    await h.call('CreateStack', {StackName: 'demo', DisableRollback: true,
      TemplateBody: tpl({Good: {Type: 'Test::Thing', Properties: {}}, Bad: {Type: 'Test::Thing', DependsOn: 'Good', Properties: {FailCreate: true}}})})
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('CREATE_FAILED')
    expect(stack.StackStatusReason).toBe('The following resource(s) failed to create: [Bad]. ')
    expect(h.world.live.size).toBe(1)
  })

  it('deletes everything on failure with OnFailure=DELETE, and times out with TimeoutInMinutes', async () => {
    await h.call('CreateStack', {StackName: 'gone', OnFailure: 'DELETE',
      TemplateBody: tpl({Good: {Type: 'Test::Thing', Properties: {}}, Bad: {Type: 'Test::Thing', DependsOn: 'Good', Properties: {FailCreate: true}}})})
    const gone = await h.settle((await h.call('ListStacks')).StackSummaries[0].StackId)
    expect(gone.StackStatus).toBe('DELETE_COMPLETE')
    expect(h.world.live.size).toBe(0)
    expect((await h.events(gone.StackId)).find((e) => e.ResourceStatus === 'DELETE_IN_PROGRESS' && e.LogicalResourceId === 'gone').ResourceStatusReason)
      .toBe('The following resource(s) failed to create: [Bad]. Delete requested by user.')

    // A minute lasts 50 ms in these tests.
    await h.call('CreateStack', {StackName: 'slow', TimeoutInMinutes: 1, TemplateBody: tpl({S: {Type: 'Test::Thing', Properties: {DelayMs: 10000}}})})
    const slow = await h.settle('slow')
    expect(slow.StackStatus).toBe('ROLLBACK_COMPLETE')
    const events = await h.events('slow')
    expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('Stack creation time exceeded the specified timeout. Rollback requested by user.')
    expect(events.find((e) => e.ResourceStatus === 'CREATE_FAILED').ResourceStatusReason).toBe('Resource creation cancelled')
    await expect(h.call('CreateStack', {StackName: 'x', OnFailure: 'DELETE', DisableRollback: true, TemplateBody: tpl({A: {Type: 'Test::Thing'}})}))
      .rejects.toThrow('You can specify either DisableRollback or OnFailure, but not both.')
  })

  it('fails an unknown resource type clearly', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({X: {Type: 'AWS::Made::Up', Properties: {}}})})
    await h.settle('demo')
    const events = await h.events('demo')
    expect(events.find((e) => e.ResourceStatus === 'CREATE_FAILED').ResourceStatusReason)
      .toBe('Resource type AWS::Made::Up is not supported by the local control plane')
  })

  it('refuses a name already in use, bad templates and missing parameters before starting', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({A: {Type: 'Test::Thing'}})})
    await expect(h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({A: {Type: 'Test::Thing'}})}))
      .rejects.toMatchObject({code: 'AlreadyExistsException', message: 'Stack [demo] already exists'})
    await expect(h.call('CreateStack', {StackName: 'x', TemplateBody: tpl({A: {Type: 'Test::Thing', Properties: {V: {Ref: 'Nope'}}}})}))
      .rejects.toThrow('Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template')
    await expect(h.call('CreateStack', {StackName: 'x', TemplateBody: tpl({A: {Type: 'Test::Thing', DependsOn: 'B'}, B: {Type: 'Test::Thing', Properties: {V: {Ref: 'A'}}}})}))
      .rejects.toThrow('Template format error: Circular dependency between resources: [A, B]')
    await expect(h.call('CreateStack', {StackName: 'x', TemplateBody: tpl({A: {Type: 'Test::Thing'}}, {Parameters: {P: {Type: 'String'}}})}))
      .rejects.toThrow('Parameters: [P] must have values')
    await expect(h.call('CreateStack', {StackName: 'x', TemplateBody: tpl({A: {Type: 'Test::Thing'}}), Parameters: [{ParameterKey: 'Q', ParameterValue: '1'}]}))
      .rejects.toThrow('Parameters: [Q] do not exist in the template')
    await expect(h.call('CreateStack', {StackName: '1bad', TemplateBody: tpl({A: {Type: 'Test::Thing'}})}))
      .rejects.toThrow(/Member must satisfy regular expression pattern/)
    await expect(h.call('DescribeStacks', {StackName: 'nope'})).rejects.toMatchObject({code: 'ValidationError', message: 'Stack with id nope does not exist'})
  })
})

describe('parameters and capabilities', () => {
  const body = tpl({
    Role: {Type: 'AWS::IAM::Role', Properties: {AssumeRolePolicyDocument: {Statement: []}}},
    A: {Type: 'Test::Thing', Condition: 'IsProd', Properties: {Value: {Ref: 'Env'}}},
    B: {Type: 'Test::Thing', Properties: {Value: {'Fn::Join': ['/', [{Ref: 'Secret'}, {Ref: 'FromSsm'}, {'Fn::Select': [1, {Ref: 'Zones'}]}]]}}},
  }, {
    Parameters: {
      Env: {Type: 'String', AllowedValues: ['test', 'prod'], Default: 'test'},
      Secret: {Type: 'String', NoEcho: true},
      FromSsm: {Type: 'AWS::SSM::Parameter::Value<String>', Default: '/demo/image'},
      Zones: {Type: 'CommaDelimitedList', Default: 'a,b'},
    },
    Conditions: {IsProd: {'Fn::Equals': [{Ref: 'Env'}, 'prod']}},
    Outputs: {B: {Value: {'Fn::GetAtt': ['B', 'Value']}}},
  })

  it('enforces CAPABILITY_IAM, resolves SSM parameters, masks NoEcho values and honours conditions', async () => {
    h.api.ssm.set('/demo/image', 'nginx:1')
    const params = [{ParameterKey: 'Secret', ParameterValue: 's3cret'}]
    await expect(h.call('CreateStack', {StackName: 'demo', TemplateBody: body, Parameters: params}))
      .rejects.toMatchObject({code: 'InsufficientCapabilitiesException', message: 'Requires capabilities : [CAPABILITY_IAM]'})
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: body, Parameters: params, Capabilities: ['CAPABILITY_IAM']})
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('CREATE_COMPLETE')
    expect(stack.Outputs[0].OutputValue).toBe('s3cret/nginx:1/b')
    expect(stack.Parameters).toEqual(expect.arrayContaining([
      {ParameterKey: 'Secret', ParameterValue: '****'},
      {ParameterKey: 'FromSsm', ParameterValue: '/demo/image', ResolvedValue: 'nginx:1'},
      {ParameterKey: 'Env', ParameterValue: 'test'},
    ]))
    const res = await h.call('ListStackResources', {StackName: 'demo'})
    expect(res.StackResourceSummaries.map((r: any) => r.LogicalResourceId).sort()).toEqual(['B', 'Role'])
    const role = (await h.call('DescribeStackResource', {StackName: 'demo', LogicalResourceId: 'Role'})).StackResourceDetail
    expect(role.PhysicalResourceId).toMatch(/^demo-Role-[A-Z0-9]{13}$/)
    const {Id} = await h.call('CreateChangeSet', {StackName: 'demo', ChangeSetName: 'rotate', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ParameterKey: 'Secret', ParameterValue: 'n3w'}]})
    expect((await h.call('DescribeChangeSet', {ChangeSetName: Id})).Parameters).toContainEqual({ParameterKey: 'Secret', ParameterValue: '****'})
  })

  it('accepts the AWS-specific parameter types and reads list values from SSM', async () => {
    h.api.ssm.set('/demo/subnets', 'subnet-1,subnet-2')
    const typed = tpl({A: {Type: 'Test::Thing', Properties: {Value: {'Fn::Join': ['+', [{'Fn::Join': ['|', {Ref: 'Subnets'}]}, {Ref: 'Key'}, {'Fn::Select': [1, {Ref: 'Groups'}]}]]}}}}, {
      Parameters: {
        Subnets: {Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/demo/subnets'},
        Key: {Type: 'AWS::EC2::KeyPair::KeyName', Default: 'k'},
        Groups: {Type: 'List<AWS::EC2::SecurityGroup::Id>', Default: 'sg-1, sg-2'},
        Vpc: {Type: 'AWS::EC2::VPC::Id', Default: 'vpc-1'},
      },
      Outputs: {V: {Value: {'Fn::GetAtt': ['A', 'Value']}}},
    })
    await h.call('CreateStack', {StackName: 'typed', TemplateBody: typed})
    expect((await h.settle('typed')).Outputs[0].OutputValue).toBe('subnet-1|subnet-2+k+sg-2')
    await expect(h.call('ValidateTemplate', {TemplateBody: tpl({A: {Type: 'Test::Thing'}}, {Parameters: {P: {Type: 'Strin'}}})}))
      .rejects.toThrow('Template format error: Unrecognized parameter type: Strin')
  })

  it('requires CAPABILITY_NAMED_IAM for named IAM resources', async () => {
    const named = tpl({Role: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'x', AssumeRolePolicyDocument: {Statement: []}}}})
    await expect(h.call('CreateStack', {StackName: 'demo', TemplateBody: named, Capabilities: ['CAPABILITY_IAM']}))
      .rejects.toThrow('Requires capabilities : [CAPABILITY_NAMED_IAM]')
  })

  it('checks AllowedValues and fails on a missing SSM parameter', async () => {
    await expect(h.call('CreateStack', {StackName: 'demo', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ParameterKey: 'Secret', ParameterValue: 'x'}, {ParameterKey: 'Env', ParameterValue: 'dev'}]}))
      .rejects.toThrow("Parameter 'Env' must be one of AllowedValues")
    await expect(h.call('CreateStack', {StackName: 'demo', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ParameterKey: 'Secret', ParameterValue: 'x'}]}))
      .rejects.toThrow('Unable to fetch parameters [/demo/image] from parameter store for this account.')
  })
})

describe('update', () => {
  it('updates in place, replaces on an immutable change (new first, old deleted in cleanup) and removes dropped resources', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({
      Keep: {Type: 'Test::Thing', Properties: {Value: 'same'}},
      Change: {Type: 'Test::Thing', Properties: {Value: 'v1'}},
      Swap: {Type: 'Test::Thing', Properties: {Name: 'n1', Value: 'x'}},
      User: {Type: 'Test::Thing', Properties: {Value: {Ref: 'Swap'}}},
      Drop: {Type: 'Test::Thing', Properties: {}},
    })})
    const before = await h.settle('demo')
    const oldSwap = (await h.call('DescribeStackResource', {StackName: 'demo', LogicalResourceId: 'Swap'})).StackResourceDetail.PhysicalResourceId
    h.world.log.length = 0
    await h.call('UpdateStack', {StackName: 'demo', TemplateBody: tpl({
      Keep: {Type: 'Test::Thing', Properties: {Value: 'same'}},
      Change: {Type: 'Test::Thing', Properties: {Value: 'v2'}},
      Swap: {Type: 'Test::Thing', Properties: {Name: 'n2', Value: 'x'}},
      User: {Type: 'Test::Thing', Properties: {Value: {Ref: 'Swap'}}},
      Added: {Type: 'Test::Thing', Properties: {}},
    })})
    const after = await h.settle('demo')
    expect(after.StackStatus).toBe('UPDATE_COMPLETE')
    expect(after.LastUpdatedTime).toBeDefined()
    expect(before.StackId).toBe(after.StackId)
    const log = h.world.log
    expect(log.some((l) => l.startsWith('update Keep'))).toBe(false)
    expect(log.some((l) => l.startsWith('update Change'))).toBe(true)
    const newSwap = log.find((l) => l.startsWith('create Swap'))!.split(' ')[2]!
    expect(log.indexOf(`delete Swap ${oldSwap}`)).toBeGreaterThan(log.indexOf(`create Swap ${newSwap}`))
    expect(log.indexOf(`delete Swap ${oldSwap}`)).toBeGreaterThan(log.findIndex((l) => l.startsWith('update User')))
    expect(h.world.live.get(log.find((l) => l.startsWith('update User'))!.split(' ')[2]!)!.Value).toBe(newSwap)
    expect(log.some((l) => l.startsWith('delete Drop'))).toBe(true)
    const events = await h.events('demo')
    const stackStatuses = events.filter((e) => e.LogicalResourceId === 'demo').map((e) => e.ResourceStatus)
    expect(stackStatuses.slice(-3)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE'])
    expect(events.find((e) => e.LogicalResourceId === 'Swap' && e.ResourceStatus === 'UPDATE_IN_PROGRESS').ResourceStatusReason)
      .toBe('Requested update requires the creation of a new physical resource; hence creating one.')
    const resources = (await h.call('ListStackResources', {StackName: 'demo'})).StackResourceSummaries
    expect(resources.map((r: any) => r.LogicalResourceId).sort()).toEqual(['Added', 'Change', 'Keep', 'Swap', 'User'])
  })

  it('rolls back to the previous state when a resource fails', async () => {
    const v1 = tpl({
      A: {Type: 'Test::Thing', Properties: {Value: 'a1'}},
      Swap: {Type: 'Test::Thing', Properties: {Name: 'n1'}},
      B: {Type: 'Test::Thing', DependsOn: ['A', 'Swap'], Properties: {Value: 'b1'}},
    }, {Outputs: {A: {Value: {'Fn::GetAtt': ['A', 'Value']}}}})
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: v1})
    await h.settle('demo')
    const live = new Map(h.world.live)
    await h.call('UpdateStack', {StackName: 'demo', TemplateBody: tpl({
      A: {Type: 'Test::Thing', Properties: {Value: 'a2'}},
      Swap: {Type: 'Test::Thing', Properties: {Name: 'n2'}},
      New: {Type: 'Test::Thing', Properties: {}},
      B: {Type: 'Test::Thing', DependsOn: ['A', 'Swap', 'New'], Properties: {Value: 'b2', FailUpdate: true}},
    }, {Outputs: {A: {Value: {'Fn::GetAtt': ['A', 'Value']}}}})})
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    expect(stack.Outputs[0].OutputValue).toBe('a1')
    expect(h.world.live).toEqual(live)
    const events = await h.events('demo')
    expect(events.filter((e) => e.LogicalResourceId === 'demo').map((e) => e.ResourceStatus).slice(-4)).toEqual([
      'UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE'])
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('The following resource(s) failed to update: [B]. ')
    const template = (await h.call('GetTemplate', {StackName: 'demo'})).TemplateBody
    expect(template).toBe(v1)
    // The stack can be updated again after a rollback.
    await h.call('UpdateStack', {StackName: 'demo', TemplateBody: v1.replace('b1', 'b3')})
    expect((await h.settle('demo')).StackStatus).toBe('UPDATE_COMPLETE')
  })

  it('says when there is nothing to update, and keeps parameters with UsePreviousValue', async () => {
    const body = tpl({A: {Type: 'Test::Thing', Properties: {Value: {Ref: 'P'}}}}, {Parameters: {P: {Type: 'String'}}})
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: body, Parameters: [{ParameterKey: 'P', ParameterValue: 'one'}]})
    await h.settle('demo')
    await expect(h.call('UpdateStack', {StackName: 'demo', UsePreviousTemplate: true, Parameters: [{ParameterKey: 'P', UsePreviousValue: true}]}))
      .rejects.toThrow('No updates are to be performed.')
    await h.call('UpdateStack', {StackName: 'demo', UsePreviousTemplate: true, Parameters: [{ParameterKey: 'P', ParameterValue: 'two'}]})
    expect((await h.settle('demo')).Parameters).toEqual([{ParameterKey: 'P', ParameterValue: 'two'}])
  })

  it('cancels an update and rolls back', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({A: {Type: 'Test::Thing', Properties: {Value: '1'}}})})
    await h.settle('demo')
    await h.call('UpdateStack', {StackName: 'demo', TemplateBody: tpl({A: {Type: 'Test::Thing', Properties: {Value: '2', DelayMs: 10000}}})})
    await h.call('CancelUpdateStack', {StackName: 'demo'})
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const events = await h.events('demo')
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS').ResourceStatusReason).toBe('Stack update cancelled')
    await expect(h.call('CancelUpdateStack', {StackName: 'demo'})).rejects.toThrow('CancelUpdateStack cannot be called from current stack status')
  })
})

describe('exports and imports', () => {
  const producer = (value: string) => tpl({A: {Type: 'Test::Thing', Properties: {Value: value}}},
    {Outputs: {Out: {Value: {'Fn::GetAtt': ['A', 'Value']}, Export: {Name: 'shared-value'}}}})
  const consumer = tpl({B: {Type: 'Test::Thing', Properties: {Value: {'Fn::ImportValue': 'shared-value'}}}})

  it('lists imports, and refuses to change or delete an export in use', async () => {
    await h.call('CreateStack', {StackName: 'producer', TemplateBody: producer('v1')})
    await h.settle('producer')
    await h.call('CreateStack', {StackName: 'consumer', TemplateBody: consumer})
    expect((await h.settle('consumer')).StackStatus).toBe('CREATE_COMPLETE')
    expect([...h.world.live.values()].some((p) => p.Value === 'v1' && !('Name' in p))).toBe(true)
    expect((await h.call('ListImports', {ExportName: 'shared-value'})).Imports).toEqual(['consumer'])

    await h.call('UpdateStack', {StackName: 'producer', TemplateBody: producer('v2')})
    const updated = await h.settle('producer')
    expect(updated.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const events = await h.events('producer')
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('Cannot update export shared-value as it is in use by consumer')

    await h.call('DeleteStack', {StackName: 'producer'})
    const deleted = await h.settle('producer')
    expect(deleted.StackStatus).toBe('DELETE_FAILED')
    expect(deleted.StackStatusReason).toBe('Export shared-value cannot be deleted as it is in use by consumer')

    await h.call('DeleteStack', {StackName: 'consumer'})
    await h.cfn.idle()
    await expect(h.call('ListImports', {ExportName: 'shared-value'})).rejects.toThrow("Export 'shared-value' is not imported by any stack.")
    await h.call('DeleteStack', {StackName: 'producer'})
    await h.cfn.idle()
    expect(h.world.live.size).toBe(0)
  })

  it('fails a stack importing an export that does not exist', async () => {
    await h.call('CreateStack', {StackName: 'consumer', TemplateBody: consumer})
    const stack = await h.settle('consumer')
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect((await h.events('consumer')).find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('No export named shared-value found. Rollback requested by user.')
  })
})

describe('delete', () => {
  it('deletes in reverse dependency order and keeps Retain resources', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({
      Base: {Type: 'Test::Thing', Properties: {}},
      Mid: {Type: 'Test::Thing', Properties: {Value: {Ref: 'Base'}}},
      Top: {Type: 'Test::Thing', Properties: {Value: {Ref: 'Mid'}}},
      Kept: {Type: 'Test::Thing', DeletionPolicy: 'Retain', Properties: {Value: {Ref: 'Base'}}},
    })})
    await h.settle('demo')
    h.world.log.length = 0
    await h.call('DeleteStack', {StackName: 'demo'})
    const stack = await h.settle(( await h.call('ListStacks')).StackSummaries[0].StackId)
    expect(stack.StackStatus).toBe('DELETE_COMPLETE')
    expect(h.world.log.map((l) => l.split(' ')[1])).toEqual(['Top', 'Mid', 'Base'])
    expect(h.world.live.size).toBe(1)
    const events = await h.events(stack.StackId)
    expect(statuses(events, 'Kept').at(-1)).toBe('DELETE_SKIPPED')
    // Deleting a stack that does not exist succeeds, as on AWS.
    await expect(h.call('DeleteStack', {StackName: 'demo'})).resolves.toEqual({})
  })

  it('deletes a stack while it is being created', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({
      Fast: {Type: 'Test::Thing', Properties: {}},
      Slow: {Type: 'Test::Thing', Properties: {DelayMs: 10000}},
      Later: {Type: 'Test::Thing', DependsOn: 'Slow', Properties: {}},
    })})
    while (!h.world.log.some((l) => l.startsWith('create Fast'))) await new Promise((r) => setTimeout(r, 2))
    await h.call('DeleteStack', {StackName: 'demo'})
    const stack = await h.settle((await h.call('ListStacks')).StackSummaries[0].StackId)
    expect(stack.StackStatus).toBe('DELETE_COMPLETE')
    expect(h.world.live.size).toBe(0)
    const events = await h.events(stack.StackId)
    expect(events.filter((e) => e.LogicalResourceId === 'demo').map((e) => e.ResourceStatus))
      .toEqual(['CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE'])
    expect(statuses(events, 'Slow')).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED', 'DELETE_COMPLETE'])
  })

  it('reports DELETE_FAILED and can retain the failing resource on retry', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({A: {Type: 'Test::Thing', Properties: {FailDelete: true}}})})
    await h.settle('demo')
    await h.call('DeleteStack', {StackName: 'demo'})
    const failed = await h.settle('demo')
    expect(failed.StackStatus).toBe('DELETE_FAILED')
    expect(failed.StackStatusReason).toBe('The following resource(s) failed to delete: [A]. ')
    await h.call('DeleteStack', {StackName: 'demo', RetainResources: ['A']})
    expect((await h.settle(failed.StackId)).StackStatus).toBe('DELETE_COMPLETE')
  })
})

describe('change sets', () => {
  it('creates a stack through a CREATE change set', async () => {
    const body = tpl({A: {Type: 'Test::Thing', Properties: {Value: 'a'}}})
    const {Id, StackId} = await h.call('CreateChangeSet', {StackName: 'demo', ChangeSetName: 'cs1', ChangeSetType: 'CREATE', TemplateBody: body})
    expect(Id).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:changeSet\/cs1\//)
    expect((await h.settle('demo')).StackStatus).toBe('REVIEW_IN_PROGRESS')
    const cs = await h.call('DescribeChangeSet', {ChangeSetName: Id})
    expect(cs).toMatchObject({ChangeSetName: 'cs1', StackId, Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE',
      Changes: [{Type: 'Resource', ResourceChange: {Action: 'Add', LogicalResourceId: 'A', ResourceType: 'Test::Thing'}}]})
    await h.call('ExecuteChangeSet', {ChangeSetName: 'cs1', StackName: 'demo'})
    const stack = await h.settle('demo')
    expect(stack.StackStatus).toBe('CREATE_COMPLETE')
    expect(stack.ChangeSetId).toBe(Id)
    expect((await h.call('DescribeChangeSet', {ChangeSetName: Id})).ExecutionStatus).toBe('EXECUTE_COMPLETE')
  })

  it('describes modifications with replacement flags, and an empty change set fails with AWS reason', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({
      A: {Type: 'Test::Thing', Properties: {Value: 'a'}},
      R: {Type: 'Test::Thing', Properties: {Name: 'r1'}},
      Dep: {Type: 'Test::Thing', Properties: {Value: {Ref: 'R'}}},
      Gone: {Type: 'Test::Thing', DeletionPolicy: 'Retain', Properties: {}},
    })})
    await h.settle('demo')
    await h.call('CreateChangeSet', {StackName: 'demo', ChangeSetName: 'cs2', TemplateBody: tpl({
      A: {Type: 'Test::Thing', Properties: {Value: 'b'}},
      R: {Type: 'Test::Thing', Properties: {Name: 'r2'}},
      Dep: {Type: 'Test::Thing', Properties: {Value: {Ref: 'R'}}},
      New: {Type: 'Test::Thing', Properties: {}},
    })})
    const cs = await h.call('DescribeChangeSet', {ChangeSetName: 'cs2', StackName: 'demo'})
    const byId = Object.fromEntries(cs.Changes.map((c: any) => [c.ResourceChange.LogicalResourceId, c.ResourceChange]))
    expect(byId.A).toMatchObject({Action: 'Modify', Replacement: 'False', Scope: ['Properties'],
      Details: [{Target: {Attribute: 'Properties', Name: 'Value', RequiresRecreation: 'Never'}, Evaluation: 'Static', ChangeSource: 'DirectModification'}]})
    expect(byId.R).toMatchObject({Action: 'Modify', Replacement: 'True', PolicyAction: 'ReplaceAndDelete',
      Details: [{Target: {Name: 'Name', RequiresRecreation: 'Always'}}]})
    expect(byId.Dep).toMatchObject({Action: 'Modify', Replacement: 'False',
      Details: [{Target: {Name: 'Value', RequiresRecreation: 'Never'}, Evaluation: 'Dynamic', ChangeSource: 'ResourceReference'}]})
    expect(byId.New).toMatchObject({Action: 'Add'})
    expect(byId.Gone).toMatchObject({Action: 'Remove', PolicyAction: 'Retain'})
    expect((await h.call('ListChangeSets', {StackName: 'demo'})).Summaries).toHaveLength(1)

    const current = (await h.call('GetTemplate', {StackName: 'demo'})).TemplateBody
    const {Id} = await h.call('CreateChangeSet', {StackName: 'demo', ChangeSetName: 'nothing', TemplateBody: current})
    const empty = await h.call('DescribeChangeSet', {ChangeSetName: Id})
    expect(empty).toMatchObject({Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', Changes: [],
      StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set."})
    await expect(h.call('ExecuteChangeSet', {ChangeSetName: Id})).rejects.toMatchObject({code: 'InvalidChangeSetStatus'})
    await h.call('DeleteChangeSet', {ChangeSetName: Id})
    await expect(h.call('DescribeChangeSet', {ChangeSetName: 'nothing', StackName: 'demo'}))
      .rejects.toMatchObject({code: 'ChangeSetNotFound', message: 'ChangeSet [nothing] does not exist'})

    await h.call('ExecuteChangeSet', {ChangeSetName: 'cs2', StackName: 'demo'})
    expect((await h.settle('demo')).StackStatus).toBe('UPDATE_COMPLETE')
    expect((await h.call('ListChangeSets', {StackName: 'demo'})).Summaries).toEqual([expect.objectContaining({ExecutionStatus: 'EXECUTE_COMPLETE'})])
  })
})

describe('comparing template values', () => {
  it('sees no change between a scalar and its text, as CloudFormation does, and a change between different values', async () => {
    await h.call('CreateStack', {StackName: 'scalars', TemplateBody: tpl({
      R: {Type: 'Test::Thing', Properties: {Name: 'r', Value: {Uid: 4225294584, Enabled: true, Ports: [80]}}},
    })})
    await h.settle('scalars')
    const same = await h.call('CreateChangeSet', {StackName: 'scalars', ChangeSetName: 'text', TemplateBody: tpl({
      R: {Type: 'Test::Thing', Properties: {Name: 'r', Value: {Uid: '4225294584', Enabled: 'true', Ports: ['80']}}},
    })})
    expect((await h.call('DescribeChangeSet', {ChangeSetName: same.Id})).Changes).toEqual([])
    const other = await h.call('CreateChangeSet', {StackName: 'scalars', ChangeSetName: 'other', TemplateBody: tpl({
      R: {Type: 'Test::Thing', Properties: {Name: 'r', Value: {Uid: '4225294585', Enabled: true, Ports: [80]}}},
    })})
    expect((await h.call('DescribeChangeSet', {ChangeSetName: other.Id})).Changes).toMatchObject([{ResourceChange: {Action: 'Modify', LogicalResourceId: 'R'}}])
  })
})

describe('template APIs', () => {
  const body = 'Description: demo\nParameters:\n  Env: {Type: String, Default: test, AllowedValues: [test, prod], Description: the env}\n' +
    'Resources:\n  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: []}}}\n'
  it('validates templates and summarizes them', async () => {
    expect(await h.call('ValidateTemplate', {TemplateBody: body})).toEqual({
      Parameters: [{ParameterKey: 'Env', DefaultValue: 'test', NoEcho: false, Description: 'the env'}],
      Description: 'demo', Capabilities: ['CAPABILITY_IAM'],
      CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]', DeclaredTransforms: [],
    })
    const summary = await h.call('GetTemplateSummary', {TemplateBody: body})
    expect(summary.ResourceTypes).toEqual(['AWS::IAM::Role'])
    expect(summary.Parameters[0]).toMatchObject({ParameterType: 'String', ParameterConstraints: {AllowedValues: ['test', 'prod']}})
    await expect(h.call('ValidateTemplate', {TemplateBody: 'Resources: {}'})).rejects.toThrow('Template format error: At least one Resources member must be defined.')
    await expect(h.call('ValidateTemplate', {})).rejects.toThrow('Either Template URL or Template Body must be specified.')
    await expect(h.call('ValidateTemplate', {TemplateURL: 'https://s3.amazonaws.com/b/t.yaml'})).rejects.toThrow('TemplateURL must be a supported URL.')
    await expect(h.call('NoSuchAction')).rejects.toMatchObject({code: 'InvalidAction'})
    const big = tpl({A: {Type: 'Test::Thing', Properties: {Value: 'x'.repeat(51_200)}}})
    await expect(h.call('ValidateTemplate', {TemplateBody: big}))
      .rejects.toThrow("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200")
  })
})

describe('persistence', () => {
  it('keeps stacks across a restart', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({A: {Type: 'Test::Thing', Properties: {Value: 'a'}}}),
      Tags: [{Key: 'app', Value: 'demo'}]})
    const before = await h.settle('demo')
    await h.restart()
    const after = (await h.call('DescribeStacks', {StackName: 'demo'})).Stacks[0]
    expect(after).toEqual(before)
    expect(after.Tags).toEqual([{Key: 'app', Value: 'demo'}])
  })

  it('rolls back a creation cut short by a crash', async () => {
    await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({
      A: {Type: 'Test::Thing', Properties: {}},
      B: {Type: 'Test::Thing', DependsOn: 'A', Properties: {Hang: true}},
    })})
    while (!h.world.log.some((l) => l.startsWith('create A'))) await new Promise((r) => setTimeout(r, 5))
    await new Promise((r) => setTimeout(r, 50))
    // A second control plane on the same state, as after a crash (the first one never finishes).
    const second = await harness({dir: h.dir, api: h.api})
    await new Promise((r) => setImmediate(r))
    const stack = await second.settle('demo')
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(stack.StackStatusReason).toBeUndefined()
    const events = await second.events('demo')
    expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('The local control plane stopped while this operation was in progress')
    expect(events.find((e) => e.LogicalResourceId === 'B' && e.ResourceStatus === 'CREATE_FAILED').ResourceStatusReason)
      .toBe('The local control plane stopped while this operation was in progress')
    expect(second.world.log.filter((l) => l.startsWith('delete'))).toEqual([expect.stringMatching(/^delete A thing-A-/)])
    await second.close()
  })
})
