// The local S3 with a client Pier did not write: Debian's AWS CLI (`aws s3` and `aws s3api`) against a
// daemon started by `pier local start`; then CloudFormation creating a stack from a template over the
// inline limit, read from the local S3 by TemplateURL.
import {CloudFormationClient, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {stopLocal} from '../../src/local/launcher.js'
import {pier, requireBuild} from './cli.js'
import {AWS, requireAwsCli, skipAwsCli} from './aws-cli.js'


let dir: string
let env: NodeJS.ProcessEnv
let endpoint: string

function aws(...args: string[]): Promise<{code: number; stdout: string; stderr: string; out: any}> {
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', endpoint, '--output', 'json', ...args], {env, maxBuffer: 1 << 24}, (err, stdout, stderr) => {
      let out: unknown
      try {
        out = stdout.trim() ? JSON.parse(stdout) : undefined
      } catch {
        out = undefined
      }
      resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr, out})
    })
  })
}

/** A valid template over 51,200 bytes: SSM parameters with long values. */
function bigTemplate(): string {
  const Resources: Record<string, unknown> = {}
  for (let i = 0; i < 60; i++) Resources[`Param${i}`] = {Type: 'AWS::SSM::Parameter', Properties: {Name: `/big/p${i}`, Type: 'String', Value: `v${i}-${'x'.repeat(1000)}`}}
  return JSON.stringify({Description: 'A template too big to pass inline', Resources, Outputs: {Last: {Value: {'Fn::GetAtt': ['Param59', 'Value']}}}})
}

// Each AWS CLI call costs a Python start (1-5 s on a busy machine): few calls, generous timeouts.
describe.skipIf(skipAwsCli)('local S3 with the AWS CLI', {timeout: 120_000}, () => {
  beforeAll(async () => {
    requireAwsCli()
    requireBuild()
    dir = mkdtempSync(join(tmpdir(), 'pier-s3cli-'))
    const start = await pier(['local', 'start', '--port', '0', '--state-dir', join(dir, 'state')])
    expect(start.code, start.stderr).toBe(0)
    endpoint = JSON.parse((await pier(['local', 'status', '--json', '--state-dir', join(dir, 'state')])).stdout).endpoint
    env = {PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1',
      AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION: LOCAL_REGION}
  })
  afterAll(async () => {
    await stopLocal(join(dir, 'state'), {timeoutMs: 5000})
    rmSync(dir, {recursive: true, force: true})
  })

  it('makes a bucket, copies 200 KB up and down byte for byte, lists, heads, presigns, removes recursively and removes the bucket', async () => {
    const data = randomBytes(200 * 1024)
    mkdirSync(join(dir, 'up'))
    writeFileSync(join(dir, 'up', 'up.bin'), data)
    writeFileSync(join(dir, 'up', 'with space+plus.bin'), data)
    expect((await aws('s3', 'mb', 's3://cli-bucket')).stdout).toContain('make_bucket: cli-bucket')
    const up = await aws('s3', 'cp', join(dir, 'up'), 's3://cli-bucket/dir', '--recursive')
    expect(up.code, up.stderr).toBe(0)
    const down = await aws('s3', 'cp', 's3://cli-bucket/dir/up.bin', join(dir, 'down.bin'))
    expect(down.code, down.stderr).toBe(0)
    expect(readFileSync(join(dir, 'down.bin')).equals(data)).toBe(true)

    const top = await aws('s3', 'ls', 's3://cli-bucket')
    expect(top.stdout).toMatch(/PRE dir\//)
    const all = await aws('s3', 'ls', 's3://cli-bucket', '--recursive')
    expect(all.stdout).toMatch(/204800 dir\/up\.bin/)
    expect(all.stdout).toMatch(/204800 dir\/with space\+plus\.bin/)
    const head = await aws('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'dir/up.bin')
    expect(head.out).toMatchObject({ContentLength: 204800, ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/)})

    const presigned = await aws('s3', 'presign', 's3://cli-bucket/dir/up.bin', '--expires-in', '60')
    const fetched = await fetch(presigned.stdout.trim())
    expect(fetched.status).toBe(200)
    expect(Buffer.from(await fetched.arrayBuffer()).equals(data)).toBe(true)

    const notEmpty = await aws('s3', 'rb', 's3://cli-bucket')
    expect(notEmpty.code).not.toBe(0)
    expect(notEmpty.stderr).toContain('BucketNotEmpty')
    const rm = await aws('s3', 'rm', 's3://cli-bucket', '--recursive')
    expect(rm.stdout).toContain('delete: s3://cli-bucket/dir/up.bin')
    expect(rm.stdout).toContain('delete: s3://cli-bucket/dir/with space+plus.bin')
    expect((await aws('s3', 'rb', 's3://cli-bucket')).stdout).toContain('remove_bucket: cli-bucket')
  })

  it('copies a 9 MB file in parts (multipart up, ranged GETs down)', async () => {
    const data = randomBytes(9 * 1024 * 1024)
    writeFileSync(join(dir, 'big.bin'), data)
    expect((await aws('s3', 'mb', 's3://cli-big')).code).toBe(0)
    const up = await aws('s3', 'cp', join(dir, 'big.bin'), 's3://cli-big/big.bin')
    expect(up.code, up.stderr).toBe(0)
    const head = await aws('s3api', 'head-object', '--bucket', 'cli-big', '--key', 'big.bin')
    expect(head.out).toMatchObject({ContentLength: data.length, ETag: expect.stringMatching(/^"[0-9a-f]{32}-2"$/)})
    const down = await aws('s3', 'cp', 's3://cli-big/big.bin', join(dir, 'big.out'))
    expect(down.code, down.stderr).toBe(0)
    expect(readFileSync(join(dir, 'big.out')).equals(data)).toBe(true)
  })

  it('creates a stack from a template over 51,200 bytes read by TemplateURL', async () => {
    const body = bigTemplate()
    expect(Buffer.byteLength(body)).toBeGreaterThan(51_200)
    writeFileSync(join(dir, 'big.json'), body)
    expect((await aws('s3', 'mb', 's3://templates')).code).toBe(0)
    expect((await aws('s3', 'cp', join(dir, 'big.json'), 's3://templates/big/1.json')).code).toBe(0)
    const missing = await aws('cloudformation', 'create-stack', '--stack-name', 'missing', '--template-url', 'https://templates.s3.us-east-1.amazonaws.com/big/none.json')
    expect(missing.stderr).toMatch(/ValidationError.*https:\/\/templates\.s3\.us-east-1\.amazonaws\.com\/big\/none\.json.*S3 error/)
    const created = await aws('cloudformation', 'create-stack', '--stack-name', 'big', '--template-url', 'https://templates.s3.us-east-1.amazonaws.com/big/1.json')
    expect(created.code, created.stderr).toBe(0)

    const cfn = new CloudFormationClient({endpoint, region: LOCAL_REGION, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
    let status = ''
    let outputs: {OutputKey?: string; OutputValue?: string}[] = []
    for (let i = 0; i < 200 && !status.endsWith('_COMPLETE') && !status.endsWith('_FAILED'); i++) {
      await new Promise((r) => setTimeout(r, 50))
      const stack = (await cfn.send(new DescribeStacksCommand({StackName: 'big'}))).Stacks?.[0]
      status = stack?.StackStatus ?? ''
      outputs = stack?.Outputs ?? []
    }
    cfn.destroy()
    expect(status).toBe('CREATE_COMPLETE')
    expect(outputs).toEqual([expect.objectContaining({OutputKey: 'Last', OutputValue: `v59-${'x'.repeat(1000)}`})])
  })
})
