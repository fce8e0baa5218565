// End to end through the local ECS: a service with serviceRegistries (as Pier renders it: A records,
// no port) runs two tasks on the process driver; another task reaches them by their discovery name.
import {afterAll, describe, expect, it} from 'vitest'

import {ProcessDriver} from '../../../src/local/agent/process-driver.js'
import type {LogSink, SecretResolver} from '../../../src/local/contracts.js'
import {LocalDiscovery} from '../../../src/local/discovery/index.js'
import {createAgentRelay, createEcs} from '../../../src/local/ecs/index.js'
import {tempDir} from '../agent/helpers.js'

const isRoot = process.getuid?.() === 0
const ctx = {requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'}
const network = {awsvpcConfiguration: {subnets: ['subnet-1'], assignPublicIp: 'DISABLED'}}

const server = `require('http').createServer((q,s)=>s.end(process.env.PIER_TASK_ID)).listen(+process.env.PORT,'127.0.0.1')`
// Fresh connections (no keep-alive), so each request may go to another task.
const caller = `
  const http = require('http')
  const get = () => new Promise((ok, no) => http.get({host: 'api.test.demo.local', port: 8080, agent: false}, (r) => {
    let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b))
  }).on('error', no))
  ;(async () => {
    const seen = new Set()
    for (let i = 0; i < 6; i++) seen.add(await get())
    console.log([...seen].sort().join(','))
  })().catch((e) => { console.log('failed: ' + e.message); process.exit(1) })`

describe.skipIf(!isRoot)('Cloud Map through the local ECS (needs root for tasks’ private /etc/hosts)', () => {
  const dir = tempDir('pier-ecs-discovery-')
  const lines: string[] = []
  const logs: LogSink = {append: (_g, _s, events) => void lines.push(...events.map((e) => e.message))}
  const secrets: SecretResolver = {resolve: async (v) => v}
  const relay = createAgentRelay()
  const discovery: LocalDiscovery = new LocalDiscovery({stateDir: dir.path, portsOf: (id) => driver.portBindings(id)})
  const driver: ProcessDriver = new ProcessDriver({stateDir: dir.path, listener: relay, hostsFile: () => discovery.hostsFor(), defaultStopTimeout: 2})
  discovery.onChange(() => driver.refreshHosts())
  const ecs = createEcs({stateDir: dir.path, driver, secrets, logs, discovery, region: 'us-east-1', accountId: '000000000000',
    capacity: {cpu: 16 * 1024, memory: 64 * 1024}, tickMs: 50, stableAfterMs: 50, throttle: {baseMs: 0, maxMs: 0}})
  relay.attach(ecs.listener)
  const call = (op: string, input: Record<string, unknown>) => ecs.service.handle(op, input, ctx) as Promise<any>
  const until = async <T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms
    for (;;) {
      const v = await fn()
      if (v) return v
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const taskDef = (family: string, command: string[], ports: number[]) => ({
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    executionRoleArn: 'arn:aws:iam::000000000000:role/demo-test-exec',
    cpu: '256',
    memory: '512',
    containerDefinitions: [{
      name: 'app',
      image: 'local',
      command,
      portMappings: ports.map((containerPort) => ({containerPort})),
      logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': `/demo/${family}`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'copilot'}},
    }],
  })

  afterAll(async () => {
    await driver.shutdown()
    await ecs.close()
    await discovery.close()
    dir.remove()
  })

  it('lets a task reach both tasks of a service by api.test.demo.local', async () => {
    await call('CreateCluster', {clusterName: 'demo-test'})
    const ns = discovery.createNamespace({name: 'test.demo.local'})
    const registry = discovery.createService({name: 'api', namespaceId: ns.id})
    await call('RegisterTaskDefinition', taskDef('api', [process.execPath, '-e', server], [8080]))
    await call('CreateService', {
      cluster: 'demo-test', serviceName: 'api', taskDefinition: 'api', desiredCount: 2, launchType: 'FARGATE',
      networkConfiguration: network, serviceRegistries: [{registryArn: registry.arn}],
    })
    await until(() => discovery.listInstances(registry.id).length === 2, 'two registered tasks')
    const taskIds = discovery.listInstances(registry.id).map((i) => i.instanceId).sort()

    await call('RegisterTaskDefinition', taskDef('caller', [process.execPath, '-e', caller], []))
    const run = await call('RunTask', {cluster: 'demo-test', taskDefinition: 'caller', launchType: 'FARGATE', networkConfiguration: network})
    const arn = run.tasks[0].taskArn as string
    const stopped = await until(async () => {
      const t = (await call('DescribeTasks', {cluster: 'demo-test', tasks: [arn]})).tasks[0]
      return t.lastStatus === 'STOPPED' ? t : undefined
    }, 'the caller to finish')
    expect(lines).toContain(taskIds.join(','))
    expect(stopped.containers[0].exitCode).toBe(0)

    await call('UpdateService', {cluster: 'demo-test', service: 'api', desiredCount: 0})
    await until(() => discovery.listInstances(registry.id).length === 0, 'the tasks to deregister')
  })
})
