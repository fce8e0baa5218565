import {createServer, request, type Server} from 'node:http'
import {connect} from 'node:net'

import {afterAll, describe, expect, it} from 'vitest'

import {ProcessDriver} from '../../../src/local/agent/process-driver.js'
import {LocalDiscovery} from '../../../src/local/discovery/index.js'
import {RecordingListener, taskSpec, tempDir} from '../agent/helpers.js'

const isRoot = process.getuid?.() === 0

function serve(body: string): Promise<{server: Server; port: number}> {
  return new Promise((resolve) => {
    const server = createServer((_q, s) => s.end(body))
    server.listen(0, '127.0.0.1', () => resolve({server, port: (server.address() as {port: number}).port}))
  })
}

/** One request on a fresh connection (no keep-alive pool hiding the forwarder's choice). */
function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({host, port, path: '/', agent: false}, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host)
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', () => resolve(true))
  })
}

describe('LocalDiscovery', () => {
  const dir = tempDir('pier-discovery-')
  const registry = new LocalDiscovery({stateDir: dir.path})
  afterAll(async () => {
    await registry.close()
    dir.remove()
  })

  it('names services <service>.<namespace> on their own loopback address, and survives a restart', async () => {
    const ns = registry.createNamespace({name: 'test.demo.local'})
    expect(ns.arn).toBe(`arn:aws:servicediscovery:us-east-1:000000000000:namespace/${ns.id}`)
    const api = registry.createService({name: 'api', namespaceId: ns.id})
    const web = registry.createService({name: 'web', namespaceId: ns.id})
    const other = registry.createNamespace({name: 'prod.demo.local'})
    const prodApi = registry.createService({name: 'api', namespaceId: other.id})
    expect(api.fqdn).toBe('api.test.demo.local')
    expect(api.address).toMatch(/^127\.77\.\d+\.\d+$/)
    expect(new Set([api.address, web.address, prodApi.address]).size).toBe(3)
    expect(registry.hostsFor(['test.demo.local'])).toBe(`${api.address} api.test.demo.local api\n${web.address} web.test.demo.local web\n`)
    // Two services called api: the bare name would be ambiguous, so only the full names.
    expect(registry.hostsFor()).toContain(`${api.address} api.test.demo.local\n`)
    expect(() => registry.createNamespace({name: 'test.demo.local'})).toThrow(/already exists/)
    expect(() => registry.deleteNamespace(ns.id)).toThrow(/has associated services/)

    const reopened = new LocalDiscovery({stateDir: dir.path})
    expect(reopened.resolve('api.test.demo.local')).toBe(api.address)
    expect(reopened.getService(api.arn)?.id).toBe(api.id)
    await reopened.close()
    await registry.deleteService(prodApi.id)
    registry.deleteNamespace(other.id)
    expect(registry.listNamespaces().map((n) => n.name)).toEqual(['test.demo.local'])
  })

  it('forwards the service address and port round-robin to registered instances, until they leave', async () => {
    const ns = registry.listNamespaces()[0]!
    const svc = registry.createService({name: 'rr', namespaceId: ns.id})
    const a = await serve('a')
    const b = await serve('b')
    await registry.registerInstance(svc.arn, 'task-a', {ip: '127.0.0.1', port: a.port, containerPort: 8080})
    await registry.registerInstance(svc.arn, 'task-b', {ip: '127.0.0.1', port: b.port, containerPort: 8080})
    const address = registry.getService(svc.id)!.address
    const bodies = [await get(address, 8080), await get(address, 8080), await get(address, 8080), await get(address, 8080)]
    expect(bodies.sort()).toEqual(['a', 'a', 'b', 'b'])

    // An instance that stopped listening is skipped.
    a.server.close()
    expect([await get(address, 8080), await get(address, 8080)]).toEqual(['b', 'b'])

    await registry.deregisterInstance(svc.arn, 'task-a')
    await registry.deregisterInstance(svc.arn, 'task-b')
    expect(await refused(address, 8080)).toBe(true)
    b.server.close()
    await registry.deleteService(svc.id)
  })

  it('answers on the container ports when ECS registers a host port, or no port at all (A records)', async () => {
    const a = await serve('a')
    const b = await serve('b')
    const bindings: Record<string, {containerPort: number; hostPort: number}[]> = {
      'task-a': [{containerPort: 8080, hostPort: a.port}],
      'task-b': [{containerPort: 8080, hostPort: b.port}, {containerPort: 9090, hostPort: b.port}],
    }
    const dir2 = tempDir('pier-discovery-ports-')
    const withAgent = new LocalDiscovery({stateDir: dir2.path, portsOf: (id) => bindings[id] ?? []})
    const ns = withAgent.createNamespace({name: 'test.demo.local'})
    const svc = withAgent.createService({name: 'api', namespaceId: ns.id})
    await withAgent.registerInstance(svc.arn, 'task-a', {ip: '127.0.0.1', port: a.port})
    await withAgent.registerInstance(svc.arn, 'task-b', {ip: '127.0.0.1'})
    const address = withAgent.getService(svc.id)!.address
    expect(withAgent.listInstances(svc.id).map((i) => i.ports)).toEqual([
      [{listenPort: 8080, targetPort: a.port}],
      [{listenPort: 8080, targetPort: b.port}, {listenPort: 9090, targetPort: b.port}],
    ])
    expect([await get(address, 8080), await get(address, 8080)].sort()).toEqual(['a', 'b'])
    expect(await get(address, 9090)).toBe('b')
    await withAgent.deregisterInstance(svc.arn, 'task-b')
    expect(await refused(address, 9090)).toBe(true)
    expect(await get(address, 8080)).toBe('a')
    await withAgent.close()
    a.server.close()
    b.server.close()
    dir2.remove()
  })

  it('refuses an instance for an unknown service', async () => {
    await expect(registry.registerInstance('srv-nope', 'x', {ip: '127.0.0.1', port: 1})).rejects.toThrow(/Service srv-nope not found/)
  })
})

describe('service discovery for process-driver tasks', () => {
  const dir = tempDir('pier-discovery-tasks-')
  // Wired as the control plane does: the registry learns container ports from the driver.
  const registry: LocalDiscovery = new LocalDiscovery({stateDir: dir.path, portsOf: (id) => driver.portBindings(id)})
  const listener = new RecordingListener()
  const driver: ProcessDriver = new ProcessDriver({stateDir: dir.path, listener, hostsFile: () => registry.hostsFor()})
  registry.onChange(() => driver.refreshHosts())
  afterAll(async () => {
    await driver.shutdown()
    await registry.close()
    dir.remove()
  })

  it.skipIf(!isRoot)('lets a task fetch another by its discovery name, even one created after it started (needs root for a private /etc/hosts)', async () => {
    // Each attempt has a deadline: a fetch whose connection the forwarder closes while the target
    // starts can stay pending with nothing else keeping node alive (it would exit 0, silently).
    const client = `
      const alive = setInterval(() => {}, 1000);
      (async () => {
        for (let i = 0; i < 100; i++) {
          try {
            console.log(await (await fetch('http://api.test.demo.local:8080/', {signal: AbortSignal.timeout(2000)})).text())
            return clearInterval(alive)
          } catch { await new Promise((r) => setTimeout(r, 100)) }
        }
        console.log('gave up'); process.exit(1)
      })()`
    const caller = taskSpec([{name: 'caller', command: [process.execPath, '-e', client]}])
    await driver.start(caller)
    await listener.running(caller.taskId)

    const ns = registry.createNamespace({name: 'test.demo.local'})
    const svc = registry.createService({name: 'api', namespaceId: ns.id})
    const server = `require('http').createServer((q,s)=>s.end('hello from '+process.env.PIER_TASK_ID)).listen(+process.env.PORT,'127.0.0.1')`
    // Its health check runs in the task's mount namespace too, so it sees the discovery names.
    const healthCheck = {command: ['CMD-SHELL', 'getent hosts api.test.demo.local'], interval: 0.1, timeout: 2, retries: 3, startPeriod: 0}
    const api = taskSpec([{name: 'api', command: [process.execPath, '-e', server], portMappings: [{containerPort: 8080}], healthCheck}])
    await driver.start(api)
    const running = await listener.running(api.taskId)
    // Registered as ECS does for Pier's services (A records only): the task's address, no port.
    expect(running.containers[0]!.networkBindings).toHaveLength(1)
    await registry.registerInstance(svc.arn, api.taskId, {ip: '127.0.0.1'})

    const stopped = await listener.stopped(caller.taskId, 20_000)
    expect(listener.linesOf(caller.taskId), JSON.stringify(stopped)).toEqual([`hello from ${api.taskId}`])
    expect(stopped.containers[0]!.exitCode).toBe(0)
    await listener.until(() => listener.last(api.taskId)?.healthStatus === 'HEALTHY')
    // Exec sessions join the task's mount namespace, so the names resolve there too.
    const session = driver.exec(api.taskId, 'api', ['getent', 'hosts', 'api.test.demo.local'], {tty: false})
    let out = ''
    session.onStdout((d) => (out += d.toString()))
    expect(await new Promise((resolve) => session.onExit(resolve))).toBe(0)
    expect(out).toMatch(new RegExp(`^${svc.address.replace(/\./g, '\\.')}\\s+api\\.test\\.demo\\.local`))
    await driver.stop(api.taskId, 'UserInitiated', 'done')
    await registry.deregisterInstance(svc.arn, api.taskId)
  })

  it('tells tasks the discovery names through PIER_DISCOVERY_HOSTS when it cannot give them an /etc/hosts', async () => {
    const plain = new ProcessDriver({stateDir: dir.path, listener, hostsFile: () => registry.hostsFor(), mountNamespace: false})
    if (!registry.resolve('api.test.demo.local')) {
      const ns = registry.listNamespaces()[0] ?? registry.createNamespace({name: 'test.demo.local'})
      registry.createService({name: 'api', namespaceId: ns.id})
    }
    const spec = taskSpec([{command: ['sh', '-c', 'echo "$PIER_DISCOVERY_HOSTS"; grep -c api.test.demo.local /etc/hosts || true']}])
    await plain.start(spec)
    await listener.stopped(spec.taskId)
    const address = registry.resolve('api.test.demo.local')
    expect(listener.linesOf(spec.taskId)).toEqual([`api.test.demo.local=${address},api=${address}`, '0'])
  })
})
