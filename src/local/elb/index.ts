// Elastic Load Balancing v2 in the local control plane: the records (API, records.ts), the data
// plane (one loopback HTTP server per listener) and target health, behind one object used by the query
// API, the CloudFormation providers and the ECS service scheduler (TargetRegistry).

import type http from 'node:http'
import type {TargetDescription, TargetHealthState, TargetRegistry} from '../contracts.js'
import type {QueryService} from '../frontend/types.js'
import {HealthChecker, type HealthTiming} from './health.js'
import type {ListenerRecord} from './model.js'
import {listen, portOf, type ProxyLookup} from './proxy.js'
import {ElbRecords} from './records.js'
import {createElbQueryService} from './service.js'

export {actionGroups} from './records.js'

export interface LoadBalancingOptions {
  stateDir: string
  region: string
  accountId: string
  /** Longest time a deregistered target drains, whatever the target group's delay (default 3 s). */
  drainCapMs?: number
  health?: Partial<HealthTiming>
}

export class LocalLoadBalancing extends ElbRecords implements TargetRegistry {
  readonly service: QueryService
  private readonly servers = new Map<string, http.Server>()
  private readonly checker: HealthChecker
  private readonly drainCapMs: number
  private readonly waiters = new Set<() => void>()
  private readonly healthListeners = new Set<() => void>()
  private drainTimer: NodeJS.Timeout

  constructor(opts: LoadBalancingOptions) {
    super(opts)
    this.drainCapMs = opts.drainCapMs ?? 3000
    this.checker = new HealthChecker(() => this.state.targetGroups, {maxIntervalMs: 1000, initialIntervalMs: 100, ...opts.health}, () => {
      this.changed()
      for (const listener of this.healthListeners) listener()
    })
    this.service = createElbQueryService(this)
    this.drainTimer = setInterval(() => this.finishDraining(), 100)
    this.drainTimer.unref()
  }

  /** Re-opens the listeners recorded in the state (after a restart) and starts health checks. */
  async start(): Promise<void> {
    for (const l of this.state.listeners) await this.serve(l)
    this.checker.start()
  }

  async close(): Promise<void> {
    this.checker.stop()
    clearInterval(this.drainTimer)
    await Promise.all([...this.servers.values()].map((s) => new Promise((r) => s.close(() => r(undefined)))))
    for (const s of this.servers.values()) s.closeAllConnections()
    this.servers.clear()
    this.doc.flush()
  }

  onHealthChange(listener: () => void): () => void {
    this.healthListeners.add(listener)
    return () => this.healthListeners.delete(listener)
  }

  private readonly lookup: ProxyLookup = {
    listener: (arn) => this.state.listeners.find((l) => l.arn === arn),
    rules: (arn) => this.state.rules.filter((r) => r.listenerArn === arn),
    targetGroup: (arn) => this.state.targetGroups.find((g) => g.arn === arn),
    idleTimeoutMs: (l) => Number(this.loadBalancer(l.loadBalancerArn).attributes['idle_timeout.timeout_seconds'] ?? 60) * 1000,
  }

  protected async serve(l: ListenerRecord): Promise<void> {
    let server: http.Server
    try {
      server = await listen(this.lookup, l.arn, l.localPort)
    } catch {
      server = await listen(this.lookup, l.arn, 0) // the recorded port was taken while we were down
    }
    l.localPort = portOf(server)
    this.servers.set(l.arn, server)
  }

  protected async reservePort(): Promise<number> {
    const probe = await listen(this.lookup, '', 0)
    const port = portOf(probe)
    await new Promise((r) => probe.close(() => r(undefined)))
    return port
  }

  protected async unserve(listenerArn: string): Promise<void> {
    const server = this.servers.get(listenerArn)
    if (!server) return
    await new Promise((r) => {
      server.close(() => r(undefined))
      server.closeAllConnections()
    })
    this.servers.delete(listenerArn)
  }

  // ---- targets (the API's RegisterTargets and ECS's TargetRegistry)

  async register(targetGroupArn: string, targets: TargetDescription[]): Promise<void> {
    const g = this.targetGroup(targetGroupArn)
    for (const t of targets) {
      const port = t.port ?? g.port
      const existing = g.targets.find((x) => x.id === t.id && x.port === port)
      if (existing && existing.state !== 'draining') continue
      if (existing) g.targets = g.targets.filter((x) => x !== existing)
      const record = {id: t.id, port, state: 'initial' as const, successes: 0, failures: 0, reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress'}
      g.targets.push(record)
      this.checker.checkSoon(g, record)
    }
    this.doc.save()
  }

  deregister(targetGroupArn: string, targets: TargetDescription[]): Promise<void> {
    const g = this.state.targetGroups.find((x) => x.arn === targetGroupArn)
    if (!g) return Promise.resolve()
    const delayMs = Math.min(Number(g.attributes['deregistration_delay.timeout_seconds'] ?? 300) * 1000, this.drainCapMs)
    const draining = g.targets.filter((x) => targets.some((t) => t.id === x.id && (t.port ?? g.port) === x.port))
    for (const t of draining) {
      if (t.state === 'draining') continue
      t.state = 'draining'
      t.reason = 'Target.DeregistrationInProgress'
      t.description = 'Target deregistration is in progress'
      t.drainUntil = Date.now() + delayMs
    }
    this.doc.save()
    if (draining.length === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (!draining.some((t) => g.targets.includes(t))) {
          this.waiters.delete(check)
          resolve()
        }
      }
      this.waiters.add(check)
      check()
    })
  }

  private finishDraining(): void {
    const now = Date.now()
    let changed = false
    for (const g of this.state.targetGroups) {
      const before = g.targets.length
      g.targets = g.targets.filter((t) => !(t.state === 'draining' && (t.drainUntil ?? 0) <= now))
      changed ||= g.targets.length !== before
    }
    if (changed) {
      this.changed()
      for (const w of [...this.waiters]) w()
    }
  }

  health(targetGroupArn: string): {target: TargetDescription; state: TargetHealthState; reason?: string}[] {
    const g = this.state.targetGroups.find((x) => x.arn === targetGroupArn)
    return (g?.targets ?? []).map((t) => ({target: {id: t.id, port: t.port}, state: t.state, reason: t.reason}))
  }

  exists(targetGroupArn: string): boolean {
    return this.state.targetGroups.some((g) => g.arn === targetGroupArn)
  }
}

export async function createLoadBalancing(opts: LoadBalancingOptions): Promise<LocalLoadBalancing> {
  const elb = new LocalLoadBalancing(opts)
  await elb.start()
  return elb
}
