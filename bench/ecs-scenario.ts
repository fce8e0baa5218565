// The ECS bench's workload, run in its own process (bench/ecs.bench.mjs bundles and spawns it) so the
// resident memory is the control plane's alone. Prints one JSON object.
//
// Part 1, real: the control plane's frontend on loopback, the process driver, the AWS SDK's ECS client.
// RunTask (HTTP, SigV4) until the agent reports the process RUNNING; DescribeTasks round trips.
// Part 2, scale: 500 tasks across 50 services in process, with an in-memory driver that reports
// RUNNING on the next turn of the event loop (500 real processes would measure this shared machine,
// not the control plane); API p99 and resident memory.

import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AgentListener, TaskDriver, TaskSpec} from '../src/local/agent/types.js'
import {DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand} from '@aws-sdk/client-ecs'
import {ProcessDriver} from '../src/local/agent/process-driver.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../src/local/contracts.js'
import {createControlPlane} from '../src/local/control-plane.js'
import {createAgentRelay, createEcs} from '../src/local/ecs/index.js'
import {installEcs} from '../src/local/ecs/install.js'

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const p = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))]!
  return {p50: p(50), p99: p(99), n: s.length}
}
const taskDefinition = {
  family: 'job',
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  containerDefinitions: [{name: 'app', image: 'busybox', command: ['sleep', '1000'], environment: [{name: 'A', value: '1'}], portMappings: [{containerPort: 8080}]}],
}

// ---- Part 1: real frontend, real process driver
const realDir = mkdtempSync(join(tmpdir(), 'pier-ecs-bench-real-'))
const cp = await createControlPlane({stateDir: realDir, port: 0, log: () => undefined})
const realRunning = new Map<string, number>()
const realWaiters = new Map<string, () => void>()
installEcs(cp, {
  driver: (l) =>
    new ProcessDriver({
      stateDir: realDir,
      listener: {
        onTaskChange(r) {
          if (r.lastStatus === 'RUNNING' && !realRunning.has(r.taskId)) {
            realRunning.set(r.taskId, performance.now())
            realWaiters.get(r.taskId)?.()
          }
          l.onTaskChange(r)
        },
        onLog: (...a) => l.onLog(...a),
      },
    }),
  capacity: {cpu: 64 * 1024, memory: 256 * 1024},
})
const sdk = new ECSClient({endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}, maxAttempts: 1})
await cp.api.json('AmazonEC2ContainerServiceV20141113', 'CreateCluster', {clusterName: 'bench'})
await cp.api.json('AmazonEC2ContainerServiceV20141113', 'RegisterTaskDefinition', taskDefinition)
const realRunToRunning: number[] = []
for (let i = 0; i < 60; i++) {
  const t0 = performance.now()
  const out = await sdk.send(new RunTaskCommand({cluster: 'bench', taskDefinition: 'job', networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1']}}}))
  const id = out.tasks![0]!.taskArn!.split('/').pop()!
  await new Promise<void>((resolve) => (realRunning.has(id) ? resolve() : realWaiters.set(id, resolve)))
  if (i >= 10) realRunToRunning.push(realRunning.get(id)! - t0)
  await sdk.send(new StopTaskCommand({cluster: 'bench', task: id}))
}
const lastArn = (await sdk.send(new RunTaskCommand({cluster: 'bench', taskDefinition: 'job', networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1']}}}))).tasks![0]!.taskArn!
const httpApi: number[] = []
for (let i = 0; i < 600; i++) {
  const t0 = performance.now()
  await sdk.send(new DescribeTasksCommand({cluster: 'bench', tasks: [lastArn]}))
  if (i >= 100) httpApi.push(performance.now() - t0)
}
await cp.close()
rmSync(realDir, {recursive: true, force: true})

// ---- Part 2: scale, in process
const stateDir = mkdtempSync(join(tmpdir(), 'pier-ecs-bench-'))
const relay = createAgentRelay()
let listener: AgentListener = relay
const runningAt = new Map<string, number>()
const waiters = new Map<string, () => void>()
const live = new Map<string, TaskSpec>()
const report = (spec: TaskSpec, lastStatus: 'RUNNING' | 'STOPPED') =>
  listener.onTaskChange({
    taskId: spec.taskId,
    lastStatus,
    privateIp: '127.0.0.1',
    ...(lastStatus === 'STOPPED' ? {stopCode: 'UserInitiated' as const, stoppedReason: 'stopped'} : {}),
    containers: spec.containers.map((c) => ({name: c.name, lastStatus, networkBindings: [], ...(lastStatus === 'STOPPED' ? {exitCode: 143} : {})})),
    at: Date.now(),
  })
const driver: TaskDriver = {
  name: 'process',
  async start(spec) {
    live.set(spec.taskId, spec)
    setImmediate(() => {
      report(spec, 'RUNNING')
      runningAt.set(spec.taskId, performance.now())
      waiters.get(spec.taskId)?.()
    })
  },
  async stop(taskId) {
    const spec = live.get(taskId)
    live.delete(taskId)
    if (spec) setImmediate(() => report(spec, 'STOPPED'))
  },
  exec() {
    throw new Error('not used')
  },
  async shutdown() {},
}

const ecs = createEcs({
  stateDir,
  driver,
  secrets: {resolve: async () => 'x'},
  logs: {append() {}},
  region: 'us-east-1',
  accountId: '000000000000',
  capacity: {cpu: 1024 * 1024, memory: 4 * 1024 * 1024},
  tickMs: 500,
  stableAfterMs: 0,
})
relay.attach(ecs.listener)
listener = ecs.listener
const ctx = {requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'}
const call = (op: string, input: Record<string, unknown>) => ecs.service.handle(op, input, ctx) as Promise<any>
const network = {awsvpcConfiguration: {subnets: ['subnet-1']}}

await call('CreateCluster', {clusterName: 'bench'})
await call('RegisterTaskDefinition', taskDefinition)

// 1. RunTask → RUNNING
const runToRunning: number[] = []
for (let i = 0; i < 200; i++) {
  const t0 = performance.now()
  const out = await call('RunTask', {cluster: 'bench', taskDefinition: 'job', networkConfiguration: network})
  const id = out.tasks[0].taskArn.split('/').pop()
  await new Promise<void>((resolve) => (runningAt.has(id) ? resolve() : waiters.set(id, resolve)))
  runToRunning.push(runningAt.get(id)! - t0)
  waiters.delete(id)
  await call('StopTask', {cluster: 'bench', task: id})
}

// 2. API round trip (in process, no HTTP): DescribeTasks of one task.
const one = (await call('RunTask', {cluster: 'bench', taskDefinition: 'job', networkConfiguration: network})).tasks[0].taskArn
const api: number[] = []
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now()
  await call('DescribeTasks', {cluster: 'bench', tasks: [one]})
  api.push(performance.now() - t0)
}

// 3. 500 tasks across 50 services.
for (let s = 0; s < 50; s++) {
  await call('CreateService', {cluster: 'bench', serviceName: `svc-${s}`, taskDefinition: 'job', desiredCount: 10, networkConfiguration: network})
}
const t0 = performance.now()
for (;;) {
  const arns = (await call('ListServices', {cluster: 'bench', maxResults: 100})).serviceArns as string[]
  let running = 0
  for (let i = 0; i < arns.length; i += 10) {
    for (const svc of (await call('DescribeServices', {cluster: 'bench', services: arns.slice(i, i + 10)})).services) running += svc.runningCount
  }
  if (running >= 500) break
  if (performance.now() - t0 > 60_000) throw new Error(`only ${running} of 500 service tasks running after 60 s`)
  await new Promise((r) => setTimeout(r, 20))
}
const scaleUpMs = performance.now() - t0
const mixed: number[] = []
const services = Array.from({length: 50}, (_, i) => `svc-${i}`)
for (let i = 0; i < 1000; i++) {
  const svc = services[i % 50]!
  const t = performance.now()
  switch (i % 5) {
    case 0:
      await call('DescribeServices', {cluster: 'bench', services: services.slice(i % 40, (i % 40) + 10)})
      break
    case 1: {
      const arns = (await call('ListTasks', {cluster: 'bench', serviceName: svc})).taskArns
      mixed.push(performance.now() - t)
      const t2 = performance.now()
      await call('DescribeTasks', {cluster: 'bench', tasks: arns})
      mixed.push(performance.now() - t2)
      continue
    }
    case 2:
      await call('ListTasks', {cluster: 'bench'})
      break
    case 3: {
      const out = await call('RunTask', {cluster: 'bench', taskDefinition: 'job', networkConfiguration: network})
      await call('StopTask', {cluster: 'bench', task: out.tasks[0].taskArn})
      break
    }
    case 4:
      await call('DescribeClusters', {clusters: ['bench']})
      break
  }
  mixed.push(performance.now() - t)
}
global.gc?.()
const rssMb = process.memoryUsage().rss / (1024 * 1024)
await ecs.close()
rmSync(stateDir, {recursive: true, force: true})
process.stdout.write(JSON.stringify({real: {runToRunning: stats(realRunToRunning), api: stats(httpApi)}, runToRunning: stats(runToRunning), api: stats(api), scale: {...stats(mixed), scaleUpMs, rssMb}}) + '\n')
process.exit(0)
