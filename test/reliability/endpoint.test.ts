// The local endpoint under load and under attack: 100 concurrent RunTask calls, a sustained rate of
// API calls with no error (p99 reported), unsigned and wrongly signed requests refused, and nothing
// the control plane opens listening beyond loopback.
import {CreateClusterCommand, DescribeClustersCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand} from '@aws-sdk/client-ecs'
import {CreateListenerCommand, CreateLoadBalancerCommand, ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import {mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {stopLocal} from '../../src/local/launcher.js'
import {pier, requireBuild} from '../local/cli.js'
import {CI_PROFILE, profile, report} from './profile.js'

let dir: string
let status: {endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; pid: number}
let ecs: ECSClient

beforeAll(async () => {
  requireBuild()
  dir = mkdtempSync(join(tmpdir(), 'pier-endpoint-'))
  const r = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
  expect(r.code, r.stderr).toBe(0)
  status = JSON.parse((await pier(['local', 'status', '--json', '--state-dir', dir])).stdout)
  ecs = new ECSClient({endpoint: status.endpoint, region: status.region, credentials: status, maxAttempts: 1})
})

afterAll(async () => {
  await stopLocal(dir, {timeoutMs: 15_000})
  rmSync(dir, {recursive: true, force: true})
})

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

it(`${profile.concurrentRunTasks} concurrent RunTask calls are all acknowledged and all run`, {timeout: 900_000}, async () => {
  await ecs.send(new CreateClusterCommand({clusterName: 'load'}))
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'tick', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512',
    containerDefinitions: [{name: 'tick', image: 'busybox', essential: true, command: ['sh', '-c', 'sleep 2']}],
  }))
  const t0 = Date.now()
  const latencies: number[] = []
  const results = await Promise.all(
    Array.from({length: profile.concurrentRunTasks}, async () => {
      const t = Date.now()
      const out = await ecs.send(new RunTaskCommand({cluster: 'load', taskDefinition: 'tick', launchType: 'FARGATE', networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1']}}}))
      latencies.push(Date.now() - t)
      return out
    }),
  )
  const arns = results.flatMap((r) => r.tasks?.map((t) => t.taskArn!) ?? [])
  expect(results.flatMap((r) => r.failures ?? [])).toEqual([])
  expect(arns).toHaveLength(profile.concurrentRunTasks)
  const sorted = latencies.sort((a, b) => a - b)
  // Every acknowledged task reaches RUNNING or, having run, STOPPED. How fast depends on how busy the
  // machine is, so there is no deadline for all of them: the test fails when none has started for a
  // minute (a stall), not when a loaded machine starts them slowly.
  const seen = new Set<string>()
  const STALL_MS = 60_000
  let progressAt = Date.now()
  while (seen.size < arns.length && Date.now() - progressAt < STALL_MS) {
    const before = seen.size
    for (let i = 0; i < arns.length; i += 100) {
      const d = await ecs.send(new DescribeTasksCommand({cluster: 'load', tasks: arns.slice(i, i + 100)}))
      for (const t of d.tasks ?? []) if (t.lastStatus === 'RUNNING' || (t.lastStatus === 'STOPPED' && t.startedAt)) seen.add(t.taskArn!)
    }
    if (seen.size > before) progressAt = Date.now()
    await new Promise((r) => setTimeout(r, 200))
  }
  expect(seen.size, `no further task started for ${STALL_MS / 1000} s`).toBe(arns.length)
  report('concurrent-runtask', {calls: arns.length, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99), all_running_ms: Date.now() - t0})
})

// Sustained load measures the machine as much as Pier: it runs in the full suite, not in CI's subset.
it.skipIf(CI_PROFILE)(`sustains ${profile.loadRate} API calls per second for ${profile.loadSeconds} s with no error`, async () => {
  const client = new ECSClient({endpoint: status.endpoint, region: status.region, credentials: status, maxAttempts: 1})
  const latencies: number[] = []
  let errors = 0
  const total = profile.loadRate * profile.loadSeconds
  const started = Date.now()
  let sent = 0
  const inflight = new Set<Promise<void>>()
  while (sent < total) {
    // Paced: call number n leaves at started + n / rate, with at most 64 calls in flight, so a machine
    // that cannot keep the rate shows a lower achieved rate rather than an unbounded queue.
    const due = started + (sent * 1000) / profile.loadRate
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
    if (inflight.size >= 64) await Promise.race(inflight)
    const t = process.hrtime.bigint()
    const p: Promise<void> = client
      .send(new DescribeClustersCommand({clusters: ['load']}))
      .then(() => void latencies.push(Number(process.hrtime.bigint() - t) / 1e6))
      .catch(() => void errors++)
      .finally(() => inflight.delete(p))
    inflight.add(p)
    sent++
  }
  await Promise.all(inflight)
  const seconds = (Date.now() - started) / 1000
  const sorted = latencies.sort((a, b) => a - b)
  report('sustained-load', {calls: total, errors, achieved_rps: Math.round(total / seconds), p50_ms: percentile(sorted, 50).toFixed(2), p99_ms: percentile(sorted, 99).toFixed(2)})
  expect(errors).toBe(0)
})

it('refuses unsigned requests and requests signed with other credentials, in each protocol\'s error shape', async () => {
  const unsigned = await fetch(status.endpoint, {method: 'POST', headers: {'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters'}, body: '{}'})
  expect(unsigned.status).toBe(403)
  expect(JSON.parse(await unsigned.text()).__type).toMatch(/MissingAuthenticationToken|UnrecognizedClient|AccessDenied|InvalidSignature|IncompleteSignature/)
  const unsignedQuery = await fetch(status.endpoint, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'Action=GetCallerIdentity&Version=2011-06-15'})
  expect(unsignedQuery.status).toBe(403)
  expect(await unsignedQuery.text()).toMatch(/<ErrorResponse[\s\S]*<Code>/)
  const forged = new ECSClient({endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: 'not-the-secret'}, maxAttempts: 1})
  await expect(forged.send(new DescribeClustersCommand({}))).rejects.toMatchObject({name: expect.stringMatching(/InvalidSignatureException|UnrecognizedClientException/)})
  const stranger = new ECSClient({endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}, maxAttempts: 1})
  await expect(stranger.send(new DescribeClustersCommand({}))).rejects.toMatchObject({name: 'UnrecognizedClientException'})
})

/** Local addresses of the TCP sockets a process listens on. */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = []
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue
      out.push(decodeAddress(f[1]!))
    }
  }
  return out
}

function decodeAddress(hex: string): string {
  const [addr, port] = hex.split(':') as [string, string]
  if (addr.length === 8) return `${[0, 2, 4, 6].map((i) => parseInt(addr.slice(i, i + 2), 16)).reverse().join('.')}:${parseInt(port, 16)}`
  return `[${addr}]:${parseInt(port, 16)}`
}

it('listens on loopback only: the endpoint, every load balancer listener', async () => {
  const elb = new ElasticLoadBalancingV2Client({endpoint: status.endpoint, region: status.region, credentials: status, maxAttempts: 1})
  const lb = await elb.send(new CreateLoadBalancerCommand({Name: 'probe', Subnets: ['subnet-1', 'subnet-2']}))
  await elb.send(new CreateListenerCommand({LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '200'}}]}))
  const addresses = listeningAddresses(status.pid)
  expect(addresses.length).toBeGreaterThanOrEqual(2)
  for (const a of addresses) expect(a).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/)
  report('listening', {sockets: addresses.length})
})
