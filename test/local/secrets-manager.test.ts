import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseSecretRef} from '../../src/local/secrets-manager/resolver.js'
import {startControlPlane, type Harness} from './helpers.js'

let h: Harness
let sm: SecretsManagerClient
beforeAll(async () => {
  h = await startControlPlane()
  sm = new SecretsManagerClient(h.config)
})
afterAll(() => h.close())

describe('Secrets Manager', () => {
  it('creates a secret with a suffixed ARN and finds it by name, ARN and partial ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({Name: 'app/test/db', SecretString: '{"username":"admin","password":"s3cret"}'}))
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/test\/db-[A-Za-z0-9]{6}$/)
    for (const SecretId of ['app/test/db', created.ARN!, created.ARN!.slice(0, -7)]) {
      expect((await sm.send(new GetSecretValueCommand({SecretId}))).SecretString).toContain('s3cret')
    }
    expect(readFileSync(join(h.stateDir, 'secretsmanager.json'), 'utf8')).not.toContain('s3cret')
    await expect(sm.send(new CreateSecretCommand({Name: 'app/test/db', SecretString: 'x'}))).rejects.toMatchObject({name: 'ResourceExistsException'})
    await expect(sm.send(new GetSecretValueCommand({SecretId: 'missing'}))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    })
  })

  it('moves AWSCURRENT and AWSPREVIOUS with each new value', async () => {
    const first = await sm.send(new GetSecretValueCommand({SecretId: 'app/test/db'}))
    const put = await sm.send(new PutSecretValueCommand({SecretId: 'app/test/db', SecretString: 'v2'}))
    expect(put.VersionStages).toEqual(['AWSCURRENT'])
    expect((await sm.send(new GetSecretValueCommand({SecretId: 'app/test/db'}))).SecretString).toBe('v2')
    const prev = await sm.send(new GetSecretValueCommand({SecretId: 'app/test/db', VersionStage: 'AWSPREVIOUS'}))
    expect(prev.VersionId).toBe(first.VersionId)
    const d = await sm.send(new DescribeSecretCommand({SecretId: 'app/test/db'}))
    expect(d.VersionIdsToStages).toEqual({[first.VersionId!]: ['AWSPREVIOUS'], [put.VersionId!]: ['AWSCURRENT']})
  })

  it('stores binary secrets', async () => {
    await sm.send(new CreateSecretCommand({Name: 'bin', SecretBinary: Buffer.from([0, 1, 2, 255])}))
    const v = await sm.send(new GetSecretValueCommand({SecretId: 'bin'}))
    expect(Buffer.from(v.SecretBinary!)).toEqual(Buffer.from([0, 1, 2, 255]))
  })

  it('schedules deletion with a recovery window, restores, and force-deletes', async () => {
    await sm.send(new CreateSecretCommand({Name: 'temp', SecretString: 'x', Tags: [{Key: 'a', Value: '1'}]}))
    await sm.send(new TagResourceCommand({SecretId: 'temp', Tags: [{Key: 'b', Value: '2'}]}))
    expect((await sm.send(new DescribeSecretCommand({SecretId: 'temp'}))).Tags).toEqual([
      {Key: 'a', Value: '1'},
      {Key: 'b', Value: '2'},
    ])
    const del = await sm.send(new DeleteSecretCommand({SecretId: 'temp', RecoveryWindowInDays: 7}))
    expect(del.DeletionDate!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000)
    await expect(sm.send(new GetSecretValueCommand({SecretId: 'temp'}))).rejects.toMatchObject({name: 'InvalidRequestException'})
    expect((await sm.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).not.toContain('temp')
    await sm.send(new RestoreSecretCommand({SecretId: 'temp'}))
    expect((await sm.send(new GetSecretValueCommand({SecretId: 'temp'}))).SecretString).toBe('x')
    await expect(sm.send(new DeleteSecretCommand({SecretId: 'temp', ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7}))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    })
    await sm.send(new DeleteSecretCommand({SecretId: 'temp', ForceDeleteWithoutRecovery: true}))
    await expect(sm.send(new DescribeSecretCommand({SecretId: 'temp'}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})
    await sm.send(new CreateSecretCommand({Name: 'temp', SecretString: 'again'}))
  })

  it('lists with filters and pagination', async () => {
    const page1 = await sm.send(new ListSecretsCommand({MaxResults: 2}))
    expect(page1.SecretList).toHaveLength(2)
    const page2 = await sm.send(new ListSecretsCommand({MaxResults: 2, NextToken: page1.NextToken}))
    expect(page2.NextToken).toBeUndefined()
    expect([...page1.SecretList!, ...page2.SecretList!].map((s) => s.Name).sort()).toEqual(['app/test/db', 'bin', 'temp'])
    const filtered = await sm.send(new ListSecretsCommand({Filters: [{Key: 'name', Values: ['app/']}]}))
    expect(filtered.SecretList?.map((s) => s.Name)).toEqual(['app/test/db'])
  })
})

describe('secret resolver', () => {
  it('resolves SSM names and ARNs, secret ARNs with a JSON key, and plain secret names', async () => {
    const ssm = new SSMClient(h.config)
    await ssm.send(new PutParameterCommand({Name: '/app/test/API_KEY', Value: 'k-123', Type: 'SecureString'}))
    await ssm.send(new PutParameterCommand({Name: 'FLAT', Value: 'flat', Type: 'String'}))
    const created = await sm.send(new CreateSecretCommand({Name: 'json', SecretString: '{"password":"pw","port":5432}'}))
    const r = h.cp.secrets
    expect(await r.resolve('/app/test/API_KEY')).toBe('k-123')
    expect(await r.resolve('arn:aws:ssm:us-east-1:000000000000:parameter/app/test/API_KEY')).toBe('k-123')
    expect(await r.resolve('arn:aws:ssm:us-east-1:000000000000:parameter/FLAT')).toBe('flat')
    expect(await r.resolve(created.ARN!)).toBe('{"password":"pw","port":5432}')
    expect(await r.resolve(`${created.ARN}:password::`)).toBe('pw')
    expect(await r.resolve(`${created.ARN!.slice(0, -7)}:port::`)).toBe('5432')
    expect(await r.resolve('json')).toContain('pw')
    await expect(r.resolve('/app/test/MISSING')).rejects.toMatchObject({code: 'ParameterNotFound'})
    await expect(r.resolve('arn:aws:secretsmanager:us-east-1:000000000000:secret:nope')).rejects.toMatchObject({code: 'ResourceNotFoundException'})
    await expect(r.resolve(`${created.ARN}:nokey::`)).rejects.toMatchObject({code: 'ResourceNotFoundException'})
  })

  it('splits a secret reference into ARN, JSON key, stage and version', () => {
    expect(parseSecretRef('arn:aws:secretsmanager:r:1:secret:db-AbCdEf:password:AWSPREVIOUS:')).toEqual({
      secretId: 'arn:aws:secretsmanager:r:1:secret:db-AbCdEf',
      jsonKey: 'password',
      versionStage: 'AWSPREVIOUS',
      versionId: undefined,
    })
  })
})
