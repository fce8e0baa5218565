// STS AssumeRole on the local control plane: a role a stack created, whose trust policy lets the
// account in (as Copilot's environment manager role does), gives temporary keys that sign requests to
// every service and say who they are; roles that do not trust the caller, unknown roles and forged or
// expired session tokens are refused as AWS refuses them.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CloudFormationClient, CreateChangeSetCommand, CreateStackCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {AssumeRoleCommand, GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLocalControlPlane, type LocalControlPlane} from '../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {SessionKeys} from '../../src/local/sts/sessions.js'
import {trusts} from '../../src/local/sts/index.js'

const trustAccount = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {AWS: {'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}}, Action: 'sts:AssumeRole'}]}
const trustCloudFormation = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'cloudformation.amazonaws.com'}, Action: 'sts:AssumeRole'}]}
const trustTasks = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]}

describe('STS AssumeRole', () => {
  let cp: LocalControlPlane
  let root: {endpoint: string; region: string; credentials: {accessKeyId: string; secretAccessKey: string}}
  const dir = mkdtempSync(join(tmpdir(), 'pier-sts-'))
  let managerArn = ''
  let taskArn = ''
  let cfnArn = ''

  beforeAll(async () => {
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    root = {endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}}
    const cfn = new CloudFormationClient(root)
    const template = {
      Resources: {
        Manager: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'demo-prod-EnvManagerRole', AssumeRolePolicyDocument: trustAccount}},
        Task: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'demo-prod-TaskRole', AssumeRolePolicyDocument: trustTasks}},
        Cfn: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'demo-prod-CFNExecutionRole', AssumeRolePolicyDocument: trustCloudFormation}},
      },
      Outputs: {Manager: {Value: {'Fn::GetAtt': ['Manager', 'Arn']}}, Task: {Value: {'Fn::GetAtt': ['Task', 'Arn']}}, Cfn: {Value: {'Fn::GetAtt': ['Cfn', 'Arn']}}},
    }
    await cfn.send(new CreateStackCommand({StackName: 'roles', TemplateBody: JSON.stringify(template), Capabilities: ['CAPABILITY_NAMED_IAM']}))
    for (;;) {
      const s = (await cfn.send(new DescribeStacksCommand({StackName: 'roles'}))).Stacks![0]!
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) {
        expect(s.StackStatus).toBe('CREATE_COMPLETE')
        const out = Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]))
        managerArn = out.Manager!
        taskArn = out.Task!
        cfnArn = out.Cfn!
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  afterAll(async () => {
    await cp.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('issues temporary keys for a role that trusts the account, which sign requests and say who they are', async () => {
    const out = await new STSClient(root).send(new AssumeRoleCommand({RoleArn: managerArn, RoleSessionName: 'pier-deploy'}))
    const c = out.Credentials!
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(c.Expiration!.getTime()).toBeGreaterThan(Date.now() + 3500_000)
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/demo-prod-EnvManagerRole/pier-deploy')
    const assumed = {...root, credentials: {accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!}}
    const who = await new STSClient(assumed).send(new GetCallerIdentityCommand({}))
    expect(who.Arn).toBe('arn:aws:sts::000000000000:assumed-role/demo-prod-EnvManagerRole/pier-deploy')
    expect(who.UserId).toMatch(/^AROA[A-Z2-7]+:pier-deploy$/)
    const stacks = await new CloudFormationClient(assumed).send(new DescribeStacksCommand({StackName: 'roles'}))
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE')
  })

  it('refuses a role whose trust policy does not name the account, and a role that does not exist', async () => {
    const sts = new STSClient(root)
    await expect(sts.send(new AssumeRoleCommand({RoleArn: taskArn, RoleSessionName: 'x1'}))).rejects.toMatchObject({name: 'AccessDenied', message: `User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: ${taskArn}`})
    const other = 'arn:aws:iam::111111111111:role/demo-prod-EnvManagerRole'
    await expect(sts.send(new AssumeRoleCommand({RoleArn: other, RoleSessionName: 'x1'}))).rejects.toMatchObject({name: 'AccessDenied'})
    await expect(sts.send(new AssumeRoleCommand({RoleArn: managerArn, RoleSessionName: 'x1', DurationSeconds: 7200}))).rejects.toMatchObject({name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'})
    await expect(sts.send(new AssumeRoleCommand({RoleArn: managerArn, RoleSessionName: 'has space'}))).rejects.toMatchObject({name: 'ValidationError'})
  })

  it('deploys a stack through a RoleARN that lets CloudFormation in, keeps it, and refuses any other role', async () => {
    const cfn = new CloudFormationClient(root)
    const body = JSON.stringify({Resources: {Topic: {Type: 'AWS::SNS::Topic'}}})
    await cfn.send(new CreateStackCommand({StackName: 'through-role', TemplateBody: body, RoleARN: cfnArn}))
    for (;;) {
      const s = (await cfn.send(new DescribeStacksCommand({StackName: 'through-role'}))).Stacks![0]!
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) {
        expect(s.StackStatus).toBe('CREATE_COMPLETE')
        expect(s.RoleARN).toBe(cfnArn)
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    for (const arn of [managerArn, 'arn:aws:iam::000000000000:role/none', 'not-an-arn']) {
      await expect(cfn.send(new CreateStackCommand({StackName: 'refused', TemplateBody: body, RoleARN: arn}))).rejects.toMatchObject({name: 'ValidationError', message: `Role ${arn} is invalid or cannot be assumed`})
      await expect(cfn.send(new CreateChangeSetCommand({StackName: 'through-role', ChangeSetName: 'c1', TemplateBody: body, RoleARN: arn}))).rejects.toMatchObject({name: 'ValidationError'})
    }
    await expect(cfn.send(new DescribeStacksCommand({StackName: 'refused'}))).rejects.toMatchObject({name: 'ValidationError'})
  })

  it('refuses a temporary key whose session token was altered, or that came without one', async () => {
    const c = (await new STSClient(root).send(new AssumeRoleCommand({RoleArn: managerArn, RoleSessionName: 'pier'}))).Credentials!
    const [payload, mac] = c.SessionToken!.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))
    const forged = `${Buffer.from(JSON.stringify({...claims, e: claims.e + 86_400_000})).toString('base64url')}.${mac}`
    for (const credentials of [
      {accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: forged},
      {accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!},
    ]) {
      await expect(new STSClient({...root, credentials}).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({name: 'InvalidClientTokenId'})
    }
  })
})

describe('session keys', () => {
  it('expire', () => {
    let now = 1_000_000
    const keys = new SessionKeys('secret', () => now)
    const s = keys.issue({roleArn: 'arn:aws:iam::000000000000:role/r', roleId: 'AROAX', sessionName: 's', durationSeconds: 900, accountId: '000000000000'})
    expect(keys.lookup(s.accessKeyId, s.sessionToken)?.secretAccessKey).toBe(s.secretAccessKey)
    now += 899_999
    expect(keys.lookup(s.accessKeyId, s.sessionToken)).toBeDefined()
    now += 1
    expect(keys.lookup(s.accessKeyId, s.sessionToken)).toBeUndefined()
    expect(new SessionKeys('other', () => 0).lookup(s.accessKeyId, s.sessionToken)).toBeUndefined()
  })

  it('trust: an explicit Deny wins, and only sts:AssumeRole counts', () => {
    const allow = {Effect: 'Allow', Principal: {AWS: '000000000000'}, Action: 'sts:AssumeRole'}
    expect(trusts({Statement: [allow]}, 'arn:aws:iam::000000000000:root', '000000000000')).toBe(true)
    expect(trusts(JSON.stringify({Statement: allow}), 'arn:aws:iam::000000000000:root', '000000000000')).toBe(true)
    expect(trusts({Statement: [allow, {...allow, Effect: 'Deny'}]}, 'arn:aws:iam::000000000000:root', '000000000000')).toBe(false)
    expect(trusts({Statement: [{...allow, Action: 'sts:TagSession'}]}, 'arn:aws:iam::000000000000:root', '000000000000')).toBe(false)
    expect(trusts({Statement: [{...allow, Principal: {AWS: 'arn:aws:iam::000000000000:role/ci'}}]}, 'arn:aws:iam::000000000000:root', '000000000000')).toBe(false)
  })
})
