import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import {AwsError, isAwsError, mapAwsError} from '../../src/aws/errors.js'
import {UserError} from '../../src/errors.js'
import {stopLocal} from '../../src/local/launcher.js'

let server: Server
let endpoint: string
const seen: {target: string; auth: string}[] = []
let reply: (target: string) => {status: number; body: unknown}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '')
      seen.push({target, auth: String(req.headers.authorization ?? '')})
      const r = reply(target)
      res.writeHead(r.status, {'content-type': 'application/x-amz-json-1.1'})
      res.end(JSON.stringify(r.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const saved = {...process.env}
afterEach(() => {
  process.env = {...saved}
  seen.length = 0
})

function useStaticCredentials() {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST'
  process.env.AWS_SECRET_ACCESS_KEY = 'secret'
  delete process.env.AWS_PROFILE
}

describe('createAwsClients', () => {
  it('sends calls to --endpoint-url, signed for the region, and counts them', async () => {
    useStaticCredentials()
    reply = () => ({status: 200, body: {Parameter: {Name: '/copilot/applications/demo', Value: '{}'}}})
    const aws = await createAwsClients({region: 'eu-west-3', endpoint})
    const out = await aws.parameters.getParameter({Name: '/copilot/applications/demo'})
    expect(out.Parameter?.Value).toBe('{}')
    expect(seen[0]?.target).toBe('AmazonSSM.GetParameter')
    expect(seen[0]?.auth).toContain('/eu-west-3/ssm/')
    expect(seen[0]?.auth).toContain('Credential=AKIDTEST/')
    expect(aws.callCount()).toBe(1)
    expect(aws.poll).toEqual({minDelayMs: 1000, maxDelayMs: 4000})
  })

  it('honours AWS_ENDPOINT_URL and the poll tuning variables', async () => {
    useStaticCredentials()
    process.env.AWS_ENDPOINT_URL = endpoint
    process.env.PIER_POLL_MIN_MS = '20'
    process.env.PIER_POLL_MAX_MS = '80'
    reply = () => ({status: 200, body: {Account: '123'}})
    const aws = await createAwsClients({region: 'us-west-2'})
    await aws.ecs.describeClusters({clusters: ['x']})
    expect(seen[0]?.target).toBe('AmazonEC2ContainerServiceV20141113.DescribeClusters')
    expect(aws.poll).toEqual({minDelayMs: 20, maxDelayMs: 80})
  })

  it('keeps the AWS error code for callers while giving the user a sentence', async () => {
    useStaticCredentials()
    reply = () => ({status: 400, body: {__type: 'ParameterNotFound', message: 'Parameter /x not found.'}})
    const aws = await createAwsClients({region: 'us-east-1', endpoint})
    const error = await aws.parameters.getParameter({Name: '/x'}).catch((e: unknown) => e)
    expect(isAwsError(error, 'ParameterNotFound')).toBe(true)
    expect((error as AwsError).message).toBe('ssm:GetParameter failed: Parameter /x not found.')
  })

  it('maps access denied to a hint about the caller identity', async () => {
    useStaticCredentials()
    reply = () => ({status: 400, body: {__type: 'AccessDeniedException', message: 'not allowed'}})
    const aws = await createAwsClients({region: 'us-east-1', endpoint, profile: undefined})
    const error = (await aws.logs.getLogEvents({logGroupName: 'g', logStreamName: 's'}).catch((e: unknown) => e)) as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe('Access denied for logs:GetLogEvents: not allowed')
    expect(error.hint).toContain('sts get-caller-identity')
  })

  it('fails with the flag to pass when no region can be found', async () => {
    useStaticCredentials()
    delete process.env.AWS_REGION
    delete process.env.AWS_DEFAULT_REGION
    process.env.AWS_CONFIG_FILE = '/nonexistent/config'
    const error = (await createAwsClients({}).catch((e: unknown) => e)) as UserError
    expect(error.message).toMatch(/No AWS region is set/)
    expect(error.hint).toContain('--region')
  })

  it('tells how to start the local control plane when --local finds none', async () => {
    // A path no one can create, even root: --local must fail rather than start a daemon on port 4566.
    process.env.PIER_STATE_DIR = '/dev/null/pier-state'
    const error = (await createAwsClients({local: true}).catch((e: unknown) => e)) as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toMatch(/local control plane/)
  })

  it('with --local, starts the local control plane and signs with its identity', {timeout: 60_000}, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pier-clients-local-'))
    process.env.PIER_STATE_DIR = dir
    process.env.PIER_LOCAL_PORT = '0'
    delete process.env.PIER_POLL_MIN_MS
    delete process.env.PIER_POLL_MAX_MS
    try {
      const aws = await createAwsClients({local: true, region: 'eu-west-3'})
      const who = await aws.identity.getCallerIdentity({})
      expect(who.Account).toBe('000000000000')
      expect(aws.region).toBe('us-east-1')
      expect(aws.poll.maxDelayMs).toBeLessThan(1000)
    } finally {
      await stopLocal(dir)
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('mapAwsError', () => {
  it.each([
    ['ExpiredTokenException', /have expired/, /aws sso login --profile dev/],
    ['ThrottlingException', /throttling/, /Wait a minute/],
    ['UnrecognizedClientException', /rejected the credentials/, /clock/],
    ['CredentialsProviderError', /No AWS credentials/, /--profile/],
  ])('%s', (name, message, hint) => {
    const e = Object.assign(new Error('boom'), {name})
    const mapped = mapAwsError(e, 'ecs:ListTasks', {profile: 'dev'})
    expect(mapped.message).toMatch(message)
    expect(mapped.hint).toMatch(hint)
  })

  it('explains an unreachable endpoint', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {code: 'ECONNREFUSED'})
    const mapped = mapAwsError(e, 'sts:GetCallerIdentity', {endpoint: 'http://127.0.0.1:1'})
    expect(mapped.message).toMatch(/Could not reach the AWS endpoint http:\/\/127.0.0.1:1/)
  })
})
