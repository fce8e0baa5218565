// Names equal to JavaScript built-ins are ordinary names in every store (and survive a restart), and
// user regular expressions (SSM and CloudFormation AllowedPattern) are validated and bounded.
import {CloudFormationClient, CreateStackCommand} from '@aws-sdk/client-cloudformation'
import {ECSClient, RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {GetParameterCommand, PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createEcs} from '../../src/local/ecs/index.js'
import {startControlPlane, type Harness} from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'pier-names-'))
let h: Harness
beforeAll(async () => {
  h = await startControlPlane(dir)
})
afterAll(async () => {
  await h.cp.close()
  rmSync(dir, {recursive: true, force: true})
})

async function failure(p: Promise<unknown>): Promise<{name: string; message: string}> {
  try {
    await p
  } catch (err) {
    return {name: (err as Error).name, message: (err as Error).message}
  }
  throw new Error('expected the call to fail')
}

describe('built-in names are ordinary names', () => {
  it('keeps S3 objects named __proto__ and constructor across a restart, and a bucket named constructor', async () => {
    const s3 = new S3Client({...h.config, forcePathStyle: true})
    await s3.send(new CreateBucketCommand({Bucket: 'constructor'}))
    for (const Key of ['__proto__', 'constructor', 'toString', 'valueOf']) {
      await s3.send(new PutObjectCommand({Bucket: 'constructor', Key, Body: `body of ${Key}`}))
    }
    await h.cp.close()
    h = await startControlPlane(dir)
    const again = new S3Client({...h.config, forcePathStyle: true})
    const listed = await again.send(new ListObjectsV2Command({Bucket: 'constructor'}))
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(['__proto__', 'constructor', 'toString', 'valueOf'])
    const got = await again.send(new GetObjectCommand({Bucket: 'constructor', Key: '__proto__'}))
    expect(await got.Body!.transformToString()).toBe('body of __proto__')
  })

  it('deletes only the secret named __proto__, and SSM names like constructor are new parameters', async () => {
    const sm = new SecretsManagerClient(h.config)
    await sm.send(new CreateSecretCommand({Name: 'kept', SecretString: 'x'}))
    await sm.send(new DeleteSecretCommand({SecretId: '__proto__'})).catch(() => undefined)
    await sm.send(new CreateSecretCommand({Name: '__proto__', SecretString: 'y'}))
    await sm.send(new DeleteSecretCommand({SecretId: '__proto__'}))
    expect((await sm.send(new DescribeSecretCommand({SecretId: 'kept'}))).DeletedDate).toBeUndefined()
    const ssm = new SSMClient(h.config)
    for (const Name of ['constructor', 'toString', 'valueOf', '__proto__']) {
      const r = await failure(ssm.send(new PutParameterCommand({Name, Value: Name, Type: 'String'}))).catch(() => undefined)
      if (Name === '__proto__') continue // underscores are allowed: stored below
      expect(r).toBeUndefined()
    }
    expect((await ssm.send(new GetParameterCommand({Name: 'constructor'}))).Parameter?.Value).toBe('constructor')
  })

  it('gives an ECS family named constructor revision 1', async () => {
    const ecs = createEcs({stateDir: join(dir, 'ecs-only'), region: 'us-east-1', accountId: '000000000000',
      driver: {start: async () => undefined, stop: async () => undefined, shutdown: async () => undefined} as never,
      secrets: {resolve: async () => ''} as never, logs: {append: () => undefined} as never})
    try {
      const r = await ecs.service.handle('RegisterTaskDefinition', {family: 'constructor', containerDefinitions: [{name: 'c', image: 'busybox', memory: 128}]},
        {requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'}) as {taskDefinition: {revision: unknown}}
      expect(r.taskDefinition.revision).toBe(1)
    } finally {
      await ecs.close()
    }
  })
})

describe('user regular expressions', {timeout: 30_000}, () => {
  it('refuses an invalid SSM AllowedPattern with ValidationException, and bounds a backtracking one', async () => {
    const ssm = new SSMClient(h.config)
    expect(await failure(ssm.send(new PutParameterCommand({Name: '/re/bad', Value: 'x', Type: 'String', AllowedPattern: '('})))).toMatchObject({name: 'ValidationException'})
    const t = performance.now()
    // 28 a's and a "!" against ^(a+)+$ took 1.9 s on the event loop, doubling per character; 40 would take an hour.
    const bomb = await failure(ssm.send(new PutParameterCommand({Name: '/re/bomb', Value: 'a'.repeat(40) + '!', Type: 'String', AllowedPattern: '^(a+)+$'})))
    expect(bomb.name).toBe('ValidationException')
    expect(bomb.message).toContain('took longer than')
    expect(performance.now() - t).toBeLessThan(5000)
    // The control plane kept serving and still runs patterns.
    await ssm.send(new PutParameterCommand({Name: '/re/ok', Value: '123', Type: 'String', AllowedPattern: '^\\d+$'}))
    expect(await failure(ssm.send(new PutParameterCommand({Name: '/re/no', Value: 'abc', Type: 'String', AllowedPattern: '^\\d+$'})))).toMatchObject({name: 'ParameterPatternMismatchException'})
  })

  it('applies AWS value size limits: 4 KB standard, 8 KB advanced', async () => {
    const ssm = new SSMClient(h.config)
    await ssm.send(new PutParameterCommand({Name: '/size/std', Value: 'x'.repeat(4096), Type: 'String'}))
    expect(await failure(ssm.send(new PutParameterCommand({Name: '/size/big', Value: 'x'.repeat(4097), Type: 'String'})))).toMatchObject({
      name: 'ValidationException', message: expect.stringContaining('advanced-parameter tier')})
    const adv = await ssm.send(new PutParameterCommand({Name: '/size/adv', Value: 'x'.repeat(8192), Type: 'String', Tier: 'Advanced'}))
    expect(adv.Tier).toBe('Advanced')
    expect(await failure(ssm.send(new PutParameterCommand({Name: '/size/huge', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced'})))).toMatchObject({name: 'ValidationException'})
  })
})

describe('CloudFormation parameter patterns', {timeout: 30_000}, () => {
  it('bounds a template parameter AllowedPattern that backtracks', async () => {
    const {createCloudFormation} = await import('../../src/local/cloudformation/index.js')
    const cfn = createCloudFormation({stateDir: join(dir, 'cfn-only'), api: h.cp.api, region: 'us-east-1', accountId: '000000000000'})
    h.cp.register({query: [cfn.service]})
    const client = new CloudFormationClient(h.config)
    const template = {Parameters: {P: {Type: 'String', AllowedPattern: '(a+)+'}}, Resources: {T: {Type: 'AWS::SNS::Topic'}}}
    const t = performance.now()
    const r = await failure(client.send(new CreateStackCommand({StackName: 'pattern', TemplateBody: JSON.stringify(template),
      Parameters: [{ParameterKey: 'P', ParameterValue: 'a'.repeat(40) + '!'}]})))
    expect(r.name).toBe('ValidationError')
    expect(performance.now() - t).toBeLessThan(5000)
    await cfn.close()
  })
})

describe('CloudFormation template bombs', {timeout: 30_000}, () => {
  it('refuses a YAML alias bomb and a deeply nested template with ValidationError, quickly', async () => {
    const {parseTemplate} = await import('../../src/local/cloudformation/template.js')
    // 365 bytes that expand nine-fold per level: 9^7 values; it blocked the daemon 29 s and took 600 MB.
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i <= 7; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`)
    }
    const bomb = `Metadata:\n${levels.map((l) => `  ${l}`).join('\n')}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n`
    expect(bomb.length).toBeLessThan(600)
    const t = performance.now()
    expect(() => parseTemplate(bomb)).toThrow(/too many values through YAML aliases/)
    expect(performance.now() - t).toBeLessThan(2000)
    expect(() => parseTemplate('{"Resources": ' + '['.repeat(50_000) + ']'.repeat(50_000) + '}')).toThrow(/Template format error/)
    expect(() => parseTemplate('Resources:\n  T: ' + '['.repeat(20_000) + ']'.repeat(20_000))).toThrow(/Template format error/)
    // Aliases used as templates use them still work.
    const ok = parseTemplate('Resources:\n  A: &t\n    Type: AWS::SNS::Topic\n  B: *t\n')
    expect(Object.keys(ok.Resources)).toEqual(['A', 'B'])
  })
})
