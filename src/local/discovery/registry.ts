// Local Cloud Map: private DNS namespaces (`test.demo.local`) and their services (`api`), each
// service with its own loopback address (127.77.x.y) that tasks see in their /etc/hosts, and a TCP
// forwarder there at the service's port, round-robin over the registered instances.

import {randomBytes, randomInt} from 'node:crypto'
import {join} from 'node:path'

import {LOCAL_ACCOUNT_ID, LOCAL_REGION, type DiscoveryRegistry} from '../contracts.js'
import {ServiceError} from '../frontend/types.js'
import {JsonDocument} from '../store/json-file.js'
import {TcpForwarder} from './forwarder.js'

export interface NamespaceRecord {
  id: string
  arn: string
  name: string
  description?: string
  createdAt: number
}

export interface DiscoveryServiceRecord {
  id: string
  arn: string
  name: string
  namespaceId: string
  /** `<name>.<namespace>`, the name tasks resolve. */
  fqdn: string
  /** Loopback address dedicated to this service. */
  address: string
  description?: string
  createdAt: number
}

export interface InstanceRecord {
  instanceId: string
  ip: string
  port?: number
  /** Ports clients dial on the service's address, and where each goes on the instance. */
  ports: {listenPort: number; targetPort: number}[]
}

/** An instance's published ports: container port (what clients dial) → host port (where it listens). */
export type PortsOf = (instanceId: string) => {containerPort: number; hostPort: number}[]

interface State {
  namespaces: Record<string, NamespaceRecord>
  services: Record<string, DiscoveryServiceRecord>
}

const id = (prefix: string): string => `${prefix}-${randomBytes(8).toString('hex')}`

export class LocalDiscovery implements DiscoveryRegistry {
  private readonly doc: JsonDocument<State>
  private readonly instances = new Map<string, Map<string, InstanceRecord>>()
  private readonly forwarders = new Map<string, TcpForwarder>()
  private readonly listeners: (() => void)[] = []
  private readonly region: string
  private readonly accountId: string

  private readonly portsOf?: PortsOf

  /**
   * `portsOf` gives a task's network bindings (the agent's `portBindings`). ECS registers a task with
   * its address and, at most, a host port; the name must answer on the container ports, as a task's
   * own IP does on AWS. With A records only (no port), every published port of the task is forwarded.
   */
  constructor(opts: {stateDir: string; region?: string; accountId?: string; portsOf?: PortsOf}) {
    this.portsOf = opts.portsOf
    this.doc = new JsonDocument<State>(join(opts.stateDir, 'discovery.json'), {namespaces: {}, services: {}})
    this.region = opts.region ?? LOCAL_REGION
    this.accountId = opts.accountId ?? LOCAL_ACCOUNT_ID
  }

  /** Called whenever the hosts lines change (a service added, removed or readdressed). */
  onChange(cb: () => void): void {
    this.listeners.push(cb)
  }

  private changed(): void {
    this.doc.save()
    for (const cb of this.listeners) cb()
  }

  createNamespace(input: {name: string; description?: string}): NamespaceRecord {
    const name = input.name.toLowerCase().replace(/\.$/, '')
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
      throw new ServiceError('InvalidInput', `Namespace name ${input.name} is not a valid DNS name.`)
    }
    if (Object.values(this.doc.value.namespaces).some((n) => n.name === name)) {
      throw new ServiceError('NamespaceAlreadyExists', `Namespace ${name} already exists.`)
    }
    const nsId = id('ns')
    const record: NamespaceRecord = {
      id: nsId,
      arn: `arn:aws:servicediscovery:${this.region}:${this.accountId}:namespace/${nsId}`,
      name,
      ...(input.description ? {description: input.description} : {}),
      createdAt: Date.now(),
    }
    this.doc.value.namespaces[nsId] = record
    this.changed()
    return record
  }

  getNamespace(idOrArn: string): NamespaceRecord | undefined {
    return Object.values(this.doc.value.namespaces).find((n) => n.id === idOrArn || n.arn === idOrArn)
  }

  listNamespaces(): NamespaceRecord[] {
    return Object.values(this.doc.value.namespaces)
  }

  deleteNamespace(idOrArn: string): void {
    const ns = this.getNamespace(idOrArn)
    if (!ns) return
    if (Object.values(this.doc.value.services).some((s) => s.namespaceId === ns.id)) {
      throw new ServiceError('ResourceInUse', `Namespace ${ns.id} has associated services.`)
    }
    delete this.doc.value.namespaces[ns.id]
    this.changed()
  }

  createService(input: {name: string; namespaceId: string; description?: string}): DiscoveryServiceRecord {
    const ns = this.getNamespace(input.namespaceId)
    if (!ns) throw new ServiceError('NamespaceNotFound', `Namespace ${input.namespaceId} not found.`)
    const name = input.name.toLowerCase()
    if (Object.values(this.doc.value.services).some((s) => s.namespaceId === ns.id && s.name === name)) {
      throw new ServiceError('ServiceAlreadyExists', `Service ${name} already exists in namespace ${ns.name}.`)
    }
    const srvId = id('srv')
    const record: DiscoveryServiceRecord = {
      id: srvId,
      arn: `arn:aws:servicediscovery:${this.region}:${this.accountId}:service/${srvId}`,
      name,
      namespaceId: ns.id,
      fqdn: `${name}.${ns.name}`,
      address: this.freeAddress(),
      ...(input.description ? {description: input.description} : {}),
      createdAt: Date.now(),
    }
    this.doc.value.services[srvId] = record
    this.changed()
    return record
  }

  getService(idOrArn: string): DiscoveryServiceRecord | undefined {
    return Object.values(this.doc.value.services).find((s) => s.id === idOrArn || s.arn === idOrArn)
  }

  listServices(namespaceId?: string): DiscoveryServiceRecord[] {
    return Object.values(this.doc.value.services).filter((s) => !namespaceId || s.namespaceId === namespaceId)
  }

  async deleteService(idOrArn: string): Promise<void> {
    const svc = this.getService(idOrArn)
    if (!svc) return
    if ((this.instances.get(svc.id)?.size ?? 0) > 0) {
      throw new ServiceError('ResourceInUse', `Service ${svc.id} has registered instances.`)
    }
    await this.closeForwarders(svc.id)
    delete this.doc.value.services[svc.id]
    this.changed()
  }

  listInstances(idOrArn: string): InstanceRecord[] {
    const svc = this.getService(idOrArn)
    return svc ? [...(this.instances.get(svc.id)?.values() ?? [])] : []
  }

  /** The address a discovery name resolves to (what the tasks' hosts file says). */
  resolve(fqdn: string): string | undefined {
    return Object.values(this.doc.value.services).find((s) => s.fqdn === fqdn.toLowerCase())?.address
  }

  async registerInstance(serviceRegistryArn: string, instanceId: string, address: {ip: string; port?: number; containerPort?: number}): Promise<void> {
    const svc = this.getService(serviceRegistryArn)
    if (!svc) throw new ServiceError('ServiceNotFound', `Service ${serviceRegistryArn} not found.`)
    let ports: InstanceRecord['ports']
    if (address.port && address.containerPort) ports = [{listenPort: address.containerPort, targetPort: address.port}]
    else if (address.port) {
      const binding = this.portsOf?.(instanceId).find((b) => b.hostPort === address.port)
      ports = [{listenPort: binding?.containerPort ?? address.port, targetPort: address.port}]
    } else ports = (this.portsOf?.(instanceId) ?? []).map((b) => ({listenPort: b.containerPort, targetPort: b.hostPort}))
    const byId = this.instances.get(svc.id) ?? new Map<string, InstanceRecord>()
    this.instances.set(svc.id, byId)
    byId.set(instanceId, {instanceId, ip: address.ip, ...(address.port ? {port: address.port} : {}), ports})
    for (const p of ports) await this.ensureForwarder(svc, p.listenPort)
  }

  async deregisterInstance(serviceRegistryArn: string, instanceId: string): Promise<void> {
    const svc = this.getService(serviceRegistryArn)
    const byId = svc && this.instances.get(svc.id)
    const instance = byId?.get(instanceId)
    if (!svc || !byId || !instance) return
    byId.delete(instanceId)
    for (const {listenPort} of instance.ports) {
      if ([...byId.values()].some((i) => i.ports.some((p) => p.listenPort === listenPort))) continue
      const key = `${svc.id}:${listenPort}`
      const fwd = this.forwarders.get(key)
      this.forwarders.delete(key)
      await fwd?.close()
    }
  }

  hostsFor(namespaceNames?: string[]): string {
    const wanted = namespaceNames?.map((n) => n.toLowerCase())
    const services = Object.values(this.doc.value.services).filter((s) => {
      const ns = this.doc.value.namespaces[s.namespaceId]
      return ns && (!wanted || wanted.includes(ns.name))
    })
    // The bare service name too, as ECS Service Connect clients use it, when it is unambiguous.
    const counts = new Map<string, number>()
    for (const s of services) counts.set(s.name, (counts.get(s.name) ?? 0) + 1)
    return services.map((s) => `${s.address} ${s.fqdn}${counts.get(s.name) === 1 && !s.name.includes('.') ? ` ${s.name}` : ''}\n`).join('')
  }

  private async ensureForwarder(svc: DiscoveryServiceRecord, listenPort: number): Promise<void> {
    const key = `${svc.id}:${listenPort}`
    if (this.forwarders.has(key)) return
    const targets = () =>
      [...(this.instances.get(svc.id)?.values() ?? [])].flatMap((i) =>
        i.ports.filter((p) => p.listenPort === listenPort).map((p) => ({ip: i.ip, port: p.targetPort})),
      )
    for (let attempt = 0; ; attempt++) {
      const fwd = new TcpForwarder(svc.address, listenPort, targets)
      this.forwarders.set(key, fwd)
      try {
        await fwd.listen()
        return
      } catch (error) {
        this.forwarders.delete(key)
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error
        // Another control plane on this machine holds the address: move this service to a free one.
        await this.closeForwarders(svc.id)
        svc.address = this.freeAddress()
        this.changed()
        for (const port of new Set(this.listInstances(svc.id).flatMap((i) => i.ports.map((p) => p.listenPort)))) {
          if (port !== listenPort) await this.ensureForwarder(svc, port)
        }
      }
    }
  }

  private async closeForwarders(serviceId: string): Promise<void> {
    for (const [key, fwd] of [...this.forwarders]) {
      if (!key.startsWith(`${serviceId}:`)) continue
      this.forwarders.delete(key)
      await fwd.close()
    }
  }

  /** A random 127.77.x.y not used by another service here (random, so two control planes rarely meet). */
  private freeAddress(): string {
    const used = new Set(Object.values(this.doc.value.services).map((s) => s.address))
    for (;;) {
      const a = `127.77.${randomInt(0, 256)}.${randomInt(1, 255)}`
      if (!used.has(a)) return a
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.forwarders.values()].map((f) => f.close()))
    this.forwarders.clear()
    this.instances.clear()
    this.doc.flush()
  }
}
