import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import {recorder} from '../../src/deploy/events.js'
import {deployStack} from '../../src/deploy/stack-deploy.js'
import {CREATE_ONLY_PROPERTIES} from '../../src/deploy/replacement.generated.js'
import {CAUSES, deployedByCopilot, describePlan, STATEFUL_TYPES, takeoverPlan} from '../../src/deploy/takeover.js'
import {UserError} from '../../src/errors.js'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {startLocalControlPlane, type LocalControlPlane} from '../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'

describe('takeoverPlan', () => {
  const existing = [
    {logicalId: 'VPC', type: 'AWS::EC2::VPC'},
    {logicalId: 'Queue', type: 'AWS::SQS::Queue'},
    {logicalId: 'Topic', type: 'AWS::SNS::Topic'},
    {logicalId: 'Policy', type: 'AWS::IAM::Policy'},
    {logicalId: 'Fn', type: 'AWS::Lambda::Function'},
  ]

  it('sorts changes into kept, modified, replaced, removed and added, and blocks only stateful losses', () => {
    const plan = takeoverPlan('demo-test-worker', [
      {logicalId: 'Queue', type: 'AWS::SQS::Queue', action: 'Modify', replacement: 'True', details: [{property: 'FifoQueue', recreation: 'Always'}, {property: 'VisibilityTimeout', recreation: 'Never'}]},
      {logicalId: 'Topic', type: 'AWS::SNS::Topic', action: 'Modify', replacement: 'False', details: [{property: 'DisplayName', recreation: 'Never'}]},
      {logicalId: 'Policy', type: 'AWS::IAM::Policy', action: 'Remove'},
      {logicalId: 'Fn', type: 'AWS::Lambda::Function', action: 'Modify', replacement: 'True'},
      {logicalId: 'Bucket', type: 'AWS::S3::Bucket', action: 'Add'},
    ], existing)
    const by = Object.fromEntries(plan.items.map((i) => [i.logicalId, i.action]))
    expect(by).toEqual({VPC: 'kept', Queue: 'replaced', Topic: 'modified', Policy: 'removed', Fn: 'replaced', Bucket: 'added'})
    // A replaced function or a removed policy holds no state; a replaced queue loses its messages.
    expect(plan.blocking.map((b) => b.logicalId)).toEqual(['Queue'])
    expect(plan.blocking[0]!.causes).toEqual([{property: 'FifoQueue', field: 'subscribe.queue.fifo'}])
  })

  it('blocks a stateful removal and a conditional replacement', () => {
    const plan = takeoverPlan('demo-test', [
      {logicalId: 'PublicLoadBalancer', type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', action: 'Remove'},
      {logicalId: 'VPC', type: 'AWS::EC2::VPC', action: 'Modify', replacement: 'Conditional', details: [{property: 'CidrBlock', recreation: 'Conditionally'}]},
    ])
    expect(plan.blocking.map((b) => `${b.logicalId}:${b.action}${b.conditional ? '?' : ''}`)).toEqual(['PublicLoadBalancer:removed', 'VPC:replaced?'])
    const text = describePlan(plan)
    expect(text[0]).toBe('Takeover of demo-test: 0 kept, 0 modified, 1 replaced, 1 removed, 0 added.')
    expect(text).toContain('  ✘ replaced (conditionally) VPC (AWS::EC2::VPC): CidrBlock (network.vpc.cidr in the environment manifest)')
    expect(text).toContain('  ✘ removed PublicLoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer)')
  })

  it('names no field where it knows none', () => {
    const plan = takeoverPlan('s', [{logicalId: 'Key', type: 'AWS::KMS::Key', action: 'Modify', replacement: 'True', details: [{property: 'KeySpec', recreation: 'Always'}]}])
    expect(plan.blocking[0]!.causes).toEqual([{property: 'KeySpec', field: 'no manifest field known to Pier'}])
  })

  it('does not block a stateful resource that leaves the stack but stays in the account (DeletionPolicy Retain)', () => {
    const plan = takeoverPlan('demo-test', [
      {logicalId: 'CloudformationExecutionRole', type: 'AWS::IAM::Role', action: 'Remove', policyAction: 'Retain'},
      {logicalId: 'EnvironmentManagerRole', type: 'AWS::IAM::Role', action: 'Remove', policyAction: 'Delete'},
    ])
    expect(plan.blocking.map((b) => b.logicalId)).toEqual(['EnvironmentManagerRole'])
    expect(describePlan(plan)).toContain('  • removed CloudformationExecutionRole (AWS::IAM::Role) (kept in the account: DeletionPolicy Retain)')
  })

  it('does not block the log group of a Lambda function removed with it, and blocks any other log group', () => {
    const plan = takeoverPlan('demo-test-worker', [
      {logicalId: 'BacklogPerTaskCalculatorFunction', type: 'AWS::Lambda::Function', action: 'Remove'},
      {logicalId: 'BacklogPerTaskCalculatorLogGroup', type: 'AWS::Logs::LogGroup', action: 'Remove'},
      {logicalId: 'EnvControllerLogGroup', type: 'AWS::Logs::LogGroup', action: 'Remove'},
      {logicalId: 'LogGroup', type: 'AWS::Logs::LogGroup', action: 'Remove'},
    ])
    expect(plan.blocking.map((b) => b.logicalId)).toEqual(['EnvControllerLogGroup', 'LogGroup'])
    expect(describePlan(plan)).toContain('  • removed BacklogPerTaskCalculatorLogGroup (AWS::Logs::LogGroup) (the logs of BacklogPerTaskCalculatorFunction, removed with it)')
    expect(describePlan(plan)).toContain('  ✘ removed LogGroup (AWS::Logs::LogGroup)')
  })

  it("counts the roles Copilot's machinery and tasks use as identity, and no other role", () => {
    const plan = takeoverPlan('demo-test', [
      {logicalId: 'EnvironmentManagerRole', type: 'AWS::IAM::Role', action: 'Remove'},
      {logicalId: 'TaskRole', type: 'AWS::IAM::Role', action: 'Modify', replacement: 'True', details: [{property: 'RoleName', recreation: 'Always'}]},
      {logicalId: 'EnvControllerRole', type: 'AWS::IAM::Role', action: 'Remove'},
    ])
    expect(plan.blocking.map((b) => b.logicalId)).toEqual(['EnvironmentManagerRole', 'TaskRole'])
  })
})

describe('deployStack with a CloudFormation role', () => {
  it("passes the environment's execution role to every change set it makes", async () => {
    const {fakeAws, instantTiming} = await import('./fake-aws.js')
    const {aws} = fakeAws()
    const roles: (string | undefined)[] = []
    const createChangeSet = aws.stacks.createChangeSet.bind(aws.stacks)
    aws.stacks.createChangeSet = (input: any) => {
      roles.push(input.RoleARN)
      return createChangeSet(input)
    }
    const role = 'arn:aws:iam::111122223333:role/demo-test-CFNExecutionRole'
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'demo-test', template: {Resources: {Cluster: {Type: 'AWS::ECS::Cluster'}}}, roleArn: role})
    await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'demo-other', template: {Resources: {Cluster: {Type: 'AWS::ECS::Cluster'}}}})
    expect(roles).toEqual([role, undefined])
  })
})

describe('deployedByCopilot', () => {
  it("knows Copilot's workload and environment templates, and not Pier's own", () => {
    expect(deployedByCopilot({}, {Metadata: {Version: 'v1.29.0', Manifest: 'name: web'}, Description: 'x'})).toBe(true)
    expect(deployedByCopilot({Description: 'CloudFormation template that represents a worker service on Amazon ECS.'})).toBe(true)
    expect(deployedByCopilot({Description: 'CloudFormation environment template for infrastructure shared among Copilot workloads.'})).toBe(true)
    expect(deployedByCopilot({Description: 'Pier: the web service of demo in test'})).toBe(false)
    // A version alone, without Copilot's manifest beside it, is not Copilot's mark.
    expect(deployedByCopilot({}, {Metadata: {Version: 'v1.0'}})).toBe(false)
  })
})

describe('the first deploy over a stack Copilot deployed (local control plane)', () => {
  let cp: LocalControlPlane
  const dir = mkdtempSync(join(tmpdir(), 'pier-takeover-'))
  const saved = {id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}
  beforeAll(async () => {
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    process.env.AWS_ACCESS_KEY_ID = LOCAL_ACCESS_KEY_ID
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_SECRET_ACCESS_KEY
  })
  afterAll(async () => {
    await cp.close()
    rmSync(dir, {recursive: true, force: true})
    process.env.AWS_ACCESS_KEY_ID = saved.id
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY
  })

  const copilotTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'CloudFormation template that represents a worker service on Amazon ECS.',
    Metadata: {Version: 'v1.29.0', Manifest: 'name: worker\ntype: Worker Service\n'},
    Resources: {
      EventsQueue: {Type: 'AWS::SQS::Queue', Properties: {MessageRetentionPeriod: 345600}},
      LogGroup: {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: '/copilot/demo-test-worker', RetentionInDays: 30}},
    },
  }

  async function clients() {
    const aws = await createAwsClients({endpoint: cp.endpoint, region: 'us-east-1'})
    return {...aws, poll: {minDelayMs: 20, maxDelayMs: 100}}
  }

  it('refuses to replace a queue, keeps the stack as it was, and goes through with allowReplacement', async () => {
    const aws = await clients()
    const ctx = {aws, emit: () => {}, timing: {now: Date.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), random: Math.random}}
    await deployStack(ctx, {stackName: 'demo-test-worker', template: copilotTemplate})
    const before = await aws.stacks.describeStackResources({StackName: 'demo-test-worker'})
    const queueBefore = before.StackResources?.find((r) => r.LogicalResourceId === 'EventsQueue')?.PhysicalResourceId
    expect(queueBefore).toBeTruthy()

    // Pier's template for the same worker, with a FIFO queue: replacing the queue would lose its messages.
    const pier = {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: 'Pier: the worker service',
      Resources: {
        EventsQueue: {Type: 'AWS::SQS::Queue', Properties: {MessageRetentionPeriod: 345600, FifoQueue: true}},
        LogGroup: {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: '/copilot/demo-test-worker', RetentionInDays: 14}},
      },
    }
    const {emit, events} = recorder()
    const refused = await deployStack({...ctx, emit}, {stackName: 'demo-test-worker', template: pier}).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(UserError)
    expect((refused as UserError).message).toMatch(/EventsQueue \(AWS::SQS::Queue\) would be replaced by FifoQueue, set by subscribe\.queue\.fifo/)
    expect((refused as UserError).hint).toMatch(/--allow-replacement/)
    const plan = events.find((e) => e.code === 'stack.takeover')
    expect(plan?.message).toContain('Takeover of demo-test-worker: 0 kept, 1 modified, 1 replaced, 0 removed, 0 added.')
    // Nothing changed: same queue, same template, no change set left behind.
    const still = await aws.stacks.describeStackResources({StackName: 'demo-test-worker'})
    expect(still.StackResources?.find((r) => r.LogicalResourceId === 'EventsQueue')?.PhysicalResourceId).toBe(queueBefore)
    const deployed = await aws.stacks.getTemplate({StackName: 'demo-test-worker'})
    expect(JSON.parse(deployed.TemplateBody ?? '{}').Description).toBe(copilotTemplate.Description)

    const allowed = await deployStack(ctx, {stackName: 'demo-test-worker', template: pier, allowReplacement: true})
    expect(allowed.status).toBe('deployed')
    const after = await aws.stacks.describeStackResources({StackName: 'demo-test-worker'})
    expect(after.StackResources?.find((r) => r.LogicalResourceId === 'EventsQueue')?.PhysicalResourceId).not.toBe(queueBefore)

    // Once Pier's template is deployed the stack is Pier's: the guard is for the first deploy only.
    const again = await deployStack(ctx, {stackName: 'demo-test-worker', template: {...pier, Resources: {...pier.Resources, EventsQueue: {Type: 'AWS::SQS::Queue', Properties: {FifoQueue: false}}}}})
    expect(again.status).toBe('deployed')
  }, 60_000)

  it("removes Copilot's custom resources without running their handlers' Delete", async () => {
    const aws = await clients()
    const ctx = {aws, emit: () => {}, timing: {now: Date.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), random: Math.random}}
    // A handler whose Delete does real work, as Copilot's environment controller does.
    const handler = `
const https = require('https')
const {SSMClient, PutParameterCommand} = require('@aws-sdk/client-ssm')
exports.handler = async (event) => {
  await new SSMClient({}).send(new PutParameterCommand({Name: '/handler/' + event.RequestType, Value: 'ran', Type: 'String', Overwrite: true}))
  const u = new URL(event.ResponseURL)
  const body = JSON.stringify({Status: 'SUCCESS', PhysicalResourceId: 'controller', StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: {}})
  await new Promise((resolve, reject) => https.request({hostname: u.hostname, port: 443, path: u.pathname + u.search, method: 'PUT', headers: {'Content-Length': body.length}}).on('error', reject).on('response', (r) => { r.resume(); resolve() }).end(body))
}`
    // Copilot writes YAML with short-form tags.
    const copilot = `AWSTemplateFormatVersion: 2010-09-09
Description: CloudFormation template that represents a backend service on Amazon ECS.
Metadata:
  Version: v1.34.0
  Manifest: |
    name: api
Resources:
  EnvControllerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: [lambda.amazonaws.com]}, Action: ['sts:AssumeRole']}]}
  EnvControllerFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Timeout: 60
      Role: !GetAtt EnvControllerRole.Arn
      Code:
        ZipFile: ${JSON.stringify(handler)}
  EnvControllerAction:
    Type: Custom::EnvControllerFunction
    Properties:
      ServiceToken: !GetAtt EnvControllerFunction.Arn
      EnvStack: !Sub '\${AWS::StackName}-env'
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '/copilot/\${AWS::StackName}'
`
    const created = await aws.stacks.createChangeSet({StackName: 'demo-test-api', ChangeSetName: 'copilot', ChangeSetType: 'CREATE', TemplateBody: copilot, Capabilities: ['CAPABILITY_IAM']})
    expect(created.Id).toBeTruthy()
    for (;;) {
      const cs = await aws.stacks.describeChangeSet({StackName: 'demo-test-api', ChangeSetName: 'copilot'})
      if (cs.Status === 'CREATE_COMPLETE') break
      await new Promise((r) => setTimeout(r, 50))
    }
    await aws.stacks.executeChangeSet({StackName: 'demo-test-api', ChangeSetName: 'copilot'})
    await waitFor(async () => (await aws.stacks.describeStacks({StackName: 'demo-test-api'})).Stacks?.[0]?.StackStatus === 'CREATE_COMPLETE')
    expect(await parameter('/handler/Create')).toBe('ran')

    const pier = {Description: 'Pier: the api service', Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: '/copilot/demo-test-api'}}}}
    const {emit, events} = recorder()
    const result = await deployStack({...ctx, emit}, {stackName: 'demo-test-api', template: pier})
    expect(result.status).toBe('deployed')
    expect(events.filter((e) => e.code === 'step').map((e) => `${(e.data as {status: string}).status}: ${e.message}`)).toEqual([
      "start: demo-test-api: keeping Copilot's custom resources EnvControllerAction from running their handlers on removal.",
      "done: demo-test-api: Copilot's custom resources will be removed without running their handlers.",
    ])
    // The handler never heard of a Delete, and the stack holds Pier's resources only.
    expect(await parameter('/handler/Delete')).toBeUndefined()
    const left = (await aws.stacks.describeStackResources({StackName: 'demo-test-api'})).StackResources?.map((r) => r.LogicalResourceId)
    expect(left).toEqual(['LogGroup'])
  }, 90_000)

  it("refuses a takeover that would lose state before it retains Copilot's custom resources: the stack stays as it was", async () => {
    const aws = await clients()
    const ctx = {aws, emit: () => {}, timing: {now: Date.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), random: Math.random}}
    const handler = `
const https = require('https')
exports.handler = async (event) => {
  const u = new URL(event.ResponseURL)
  const body = JSON.stringify({Status: 'SUCCESS', PhysicalResourceId: 'controller', StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: {}})
  await new Promise((resolve, reject) => https.request({hostname: u.hostname, port: 443, path: u.pathname + u.search, method: 'PUT', headers: {'Content-Length': body.length}}).on('error', reject).on('response', (r) => { r.resume(); resolve() }).end(body))
}`
    const logGroup = {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: '/copilot/demo-test-refused', RetentionInDays: 30}}
    const copilot = {
      ...copilotTemplate,
      Resources: {
        ...copilotTemplate.Resources,
        LogGroup: logGroup,
        EnvControllerRole: {Type: 'AWS::IAM::Role', Properties: {AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: ['lambda.amazonaws.com']}, Action: ['sts:AssumeRole']}]}}},
        EnvControllerFunction: {Type: 'AWS::Lambda::Function', Properties: {Handler: 'index.handler', Runtime: 'nodejs20.x', Timeout: 60, Role: {'Fn::GetAtt': ['EnvControllerRole', 'Arn']}, Code: {ZipFile: handler}}},
        EnvControllerAction: {Type: 'Custom::EnvControllerFunction', Properties: {ServiceToken: {'Fn::GetAtt': ['EnvControllerFunction', 'Arn']}}},
      },
    }
    await deployStack(ctx, {stackName: 'demo-test-refused', template: copilot})
    const before = await aws.stacks.getTemplate({StackName: 'demo-test-refused'})
    const resourcesBefore = (await aws.stacks.describeStackResources({StackName: 'demo-test-refused'})).StackResources?.map((r) => `${r.LogicalResourceId}=${r.PhysicalResourceId}`)

    // Pier's template drops the custom resources and would replace the queue.
    const pier = {Description: 'Pier: the worker service', Resources: {EventsQueue: {Type: 'AWS::SQS::Queue', Properties: {MessageRetentionPeriod: 345600, FifoQueue: true}}, LogGroup: logGroup}}
    const {emit, events} = recorder()
    const refused = await deployStack({...ctx, emit}, {stackName: 'demo-test-refused', template: pier}).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(UserError)
    expect(events.filter((e) => e.code === 'step')).toEqual([])
    expect((await aws.stacks.getTemplate({StackName: 'demo-test-refused'})).TemplateBody).toBe(before.TemplateBody)
    expect((await aws.stacks.describeStackResources({StackName: 'demo-test-refused'})).StackResources?.map((r) => `${r.LogicalResourceId}=${r.PhysicalResourceId}`)).toEqual(resourcesBefore)

    // Allowed, it retains the custom resources first, then deploys Pier's template.
    const allowed = await deployStack(ctx, {stackName: 'demo-test-refused', template: pier, allowReplacement: true})
    expect(allowed.status).toBe('deployed')
    expect((await aws.stacks.describeStackResources({StackName: 'demo-test-refused'})).StackResources?.map((r) => r.LogicalResourceId).sort()).toEqual(['EventsQueue', 'LogGroup'])
  }, 90_000)

  async function parameter(name: string): Promise<string | undefined> {
    const {SSMClient, GetParameterCommand} = await import('@aws-sdk/client-ssm')
    const ssm = new SSMClient({endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
    return (await ssm.send(new GetParameterCommand({Name: name})).catch(() => undefined))?.Parameter?.Value
  }

  async function waitFor(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (await check()) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('timed out')
  }
})


describe('the manifest-field hints of replacements', () => {
  it('name only properties whose change replaces the resource, per the resource specification', () => {
    const wrong: string[] = []
    for (const [type, fields] of Object.entries(CAUSES)) {
      const createOnly = CREATE_ONLY_PROPERTIES[type]
      if (!createOnly) wrong.push(`${type}: not a guarded type`)
      for (const property of Object.keys(fields)) if (createOnly && !createOnly.includes(property)) wrong.push(`${type}.${property}`)
    }
    expect(wrong).toEqual([])
    // Every guarded type is known to the specification, with its create-only properties.
    for (const type of STATEFUL_TYPES) expect(CREATE_ONLY_PROPERTIES[type], type).toBeDefined()
    expect(CREATE_ONLY_PROPERTIES['AWS::EC2::VPC']).toContain('CidrBlock')
  })
})
