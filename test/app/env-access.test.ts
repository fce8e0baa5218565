// Reaching an environment as Copilot does: its own region, and another account through the manager role
// its record names. The decision on fakes, then the whole path (SDK credential provider, STS
// AssumeRole, temporary keys signing every call) against the local control plane.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CloudFormationClient, CreateStackCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {appContext, type AppContext} from '../../src/app/context.js'
import {environmentContext, reachEnvironment} from '../../src/app/env-access.js'
import type {EnvRecord} from '../../src/app/store.js'
import {createAwsClients} from '../../src/aws/clients.js'
import type {AwsClients} from '../../src/aws/interfaces.js'
import {startLocalControlPlane, type LocalControlPlane} from '../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {fakeSsm} from './fake-ssm.js'

const timing = {now: () => 0, sleep: async () => undefined} as never

function fakeContext(account: string, region = 'eu-west-1') {
  const scopedCalls: {region: string; roleArn?: string}[] = []
  const make = (r: string, tag: string): AwsClients => ({
    region: r,
    identity: {getCallerIdentity: async () => ({Account: account})},
    parameters: fakeSsm(),
    registry: {tag} as never,
    scoped: (t: {region: string; roleArn?: string}) => {
      scopedCalls.push(t)
      return make(t.region, t.roleArn ? `role:${t.region}` : `app:${t.region}`)
    },
  }) as unknown as AwsClients
  const events: string[] = []
  const ctx = appContext({aws: make(region, 'app:home'), emit: (e) => void events.push(e.message), timing, cwd: '/'})
  return {ctx, scopedCalls, events}
}

const record = (over: Partial<EnvRecord>): EnvRecord => ({app: 'demo', name: 'prod', region: 'eu-west-1', accountID: '111111111111', ...over})

describe('environmentContext', () => {
  it('keeps the clients for an environment of the same account and region', async () => {
    const {ctx, scopedCalls} = fakeContext('111111111111')
    expect(await environmentContext(ctx, record({}))).toBe(ctx)
    expect(await environmentContext(ctx, record({accountID: undefined}))).toBe(ctx)
    expect(scopedCalls).toEqual([])
  })

  it('moves to the environment region, with the same credentials', async () => {
    const {ctx, scopedCalls} = fakeContext('111111111111')
    const out = await environmentContext(ctx, record({region: 'us-west-2'}))
    expect(out.aws.region).toBe('us-west-2')
    expect(scopedCalls).toEqual([{region: 'us-west-2'}])
    expect(out.store).toBe(ctx.store)
  })

  it('reaches another account through the manager role, and keeps images in the application account', async () => {
    const {ctx, scopedCalls, events} = fakeContext('999999999999')
    const out = await environmentContext(ctx, record({managerRoleARN: 'arn:aws:iam::111111111111:role/demo-prod-EnvManagerRole'}))
    expect(scopedCalls).toEqual([
      {region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/demo-prod-EnvManagerRole', sessionName: 'pier-demo-prod'},
      {region: 'eu-west-1'},
    ])
    expect((out.aws.registry as unknown as {tag: string}).tag).toBe('app:eu-west-1')
    expect(out.store).toBe(ctx.store)
    expect(events.join('\n')).toContain('Reaching environment prod in account 111111111111 through its manager role.')
  })

  it('says what to do when another account has no manager role in its record', async () => {
    const {ctx} = fakeContext('999999999999')
    await expect(environmentContext(ctx, record({}))).rejects.toMatchObject({
      message: 'Environment prod is in account 111111111111, and its record names no manager role to reach it with.',
    })
  })
})

describe('reaching an environment in another account, on the local control plane', () => {
  let cp: LocalControlPlane
  let ctx: AppContext
  let roleArn = ''
  const dir = mkdtempSync(join(tmpdir(), 'pier-env-access-'))
  const saved = {id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}

  beforeAll(async () => {
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    process.env.AWS_ACCESS_KEY_ID = LOCAL_ACCESS_KEY_ID
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_SECRET_ACCESS_KEY
    const aws = await createAwsClients({endpoint: cp.endpoint, region: 'us-east-1'})
    ctx = appContext({aws, emit: () => undefined, timing, cwd: dir})
    const cfn = new CloudFormationClient({endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
    const trust = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {AWS: {'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}}, Action: 'sts:AssumeRole'}]}
    await cfn.send(new CreateStackCommand({StackName: 'demo-prod', TemplateBody: JSON.stringify({Resources: {EnvironmentManagerRole: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'demo-prod-EnvManagerRole', AssumeRolePolicyDocument: trust}}}, Outputs: {Arn: {Value: {'Fn::GetAtt': ['EnvironmentManagerRole', 'Arn']}}}}), Capabilities: ['CAPABILITY_NAMED_IAM']}))
    for (;;) {
      const s = (await cfn.send(new DescribeStacksCommand({StackName: 'demo-prod'}))).Stacks![0]!
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) {
        roleArn = s.Outputs![0]!.OutputValue!
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  afterAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = saved.id
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY
    await cp.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('assumes the manager role from the record, and its keys sign the calls to the environment', async () => {
    await ctx.store.putEnv({app: 'demo', name: 'prod', region: 'us-east-1', accountID: '111111111111', managerRoleARN: roleArn})
    const env = await reachEnvironment(ctx, 'demo', 'prod')
    expect((await env.aws.identity.getCallerIdentity({})).Arn).toBe('arn:aws:sts::000000000000:assumed-role/demo-prod-EnvManagerRole/pier-demo-prod')
    expect((await env.aws.stacks.describeStacks({StackName: 'demo-prod'})).Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE')
    // The application's records stay with the application's clients.
    expect((await ctx.aws.identity.getCallerIdentity({})).Arn).toBe('arn:aws:iam::000000000000:root')
  })

  it('fails with the AccessDenied of STS when the role does not let the caller in', async () => {
    await ctx.store.putEnv({app: 'demo', name: 'other', region: 'us-east-1', accountID: '111111111111', managerRoleARN: 'arn:aws:iam::111111111111:role/missing'})
    const env = await reachEnvironment(ctx, 'demo', 'other')
    await expect(env.aws.stacks.describeStacks({StackName: 'demo-prod'})).rejects.toThrow(/not authorized to perform: sts:AssumeRole/)
  })
})
