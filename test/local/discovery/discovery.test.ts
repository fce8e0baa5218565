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

  it('refuses an instance for an unknown service', async () => {
    await expect(registry.registerInstance('srv-nope', 'x', {ip: '127.0.0.1', port: 1})).rejects.toThrow(/Service srv-nope not found/)
  })
})

describe('service discovery for process-driver tasks', () => {
  const dir = tempDir('pier-discovery-tasks-')
  const registry = new LocalDiscovery({stateDir: dir.path})
  const listener = new RecordingListener()
  const driver = new ProcessDriver({stateDir: dir.path, listener, hostsFile: () => registry.hostsFor()})
  registry.onChange(() => driver.refreshHosts())
  afterAll(async () => {
    await driver.shutdown()
    await registry.close()
    dir.remove()
  })

  it.skipIf(!isRoot)('lets a task fetch another by its discovery name, even one created after it started (needs root for a private /etc/hosts)', async () => {
    const client = `
      (async () => {
        for (let i = 0; i < 100; i++) {
          try { console.log(await (await fetch('http://api.test.demo.local:8080/')).text()); return }
          catch { await new Promise((r) => setTimeout(r, 100)) }
        }
        console.log('gave up'); process.exit(1)
      })()`
    const caller = taskSpec([{name: 'caller', command: [process.execPath, '-e', client]}])
    await driver.start(caller)
    await listener.running(caller.taskId)

    const ns = registry.createNamespace({name: 'test.demo.local'})
    const svc = registry.createService({name: 'api', namespaceId: ns.id})
    const server = `require('http').createServer((q,s)=>s.end('hello from '+process.env.PIER_TASK_ID)).listen(+process.env.PORT,'127.0.0.1')`
    const api = taskSpec([{name: 'api', command: [process.execPath, '-e', server], portMappings: [{containerPort: 8080}]}])
    await driver.start(api)
    const running = await listener.running(api.taskId)
    await registry.registerInstance(svc.arn, api.taskId, {ip: '127.0.0.1', port: running.containers[0]!.networkBindings[0]!.hostPort, containerPort: 8080})

    const stopped = await listener.stopped(caller.taskId, 20_000)
    expect(listener.linesOf(caller.taskId)).toEqual([`hello from ${api.taskId}`])
    expect(stopped.containers[0]!.exitCode).toBe(0)
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
