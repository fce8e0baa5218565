// The service scheduler: keeps each service at its desired count, replaces stopped tasks, rolls
// deployments within minimum/maximum percent (waiting for new tasks to be RUNNING and healthy in their
// target groups before stopping old ones), registers tasks with load balancers and Cloud Map, and runs
// the deployment circuit breaker. Reconciling is synchronous; a tick re-checks health and throttles.

import type {DiscoveryRegistry, TargetRegistry} from '../contracts.js'
import type {CapacityManager} from '../capacity/index.js'
import {placeTasks} from '../capacity/strategy.js'
import {
  addEvent,
  type CircuitBreakerConfig,
  events,
  failureThreshold,
  planRollingStep,
  primaryOf,
  reasons,
} from './deployments.js'
import type {DeploymentRecord, EcsStore, ServiceRecord, TaskRecord} from './state.js'
import type {Clock, TaskManager} from './task-manager.js'
import {Registrations} from './registrations.js'

export interface SchedulerDeps {
  store: EcsStore
  tasks: TaskManager
  capacity: CapacityManager
  clock: Clock
  targets?: TargetRegistry
  discovery?: DiscoveryRegistry
  circuitBreaker: CircuitBreakerConfig
  /** Back-off after consecutive task failures of a deployment: base doubling up to max (ms). */
  throttle: {baseMs: number; maxMs: number}
  /** Makes a PENDING task record for a service's deployment on a provider. */
  newTask(service: ServiceRecord, deployment: DeploymentRecord, provider: string): TaskRecord
  /** How long a task must stay RUNNING (and healthy) before it counts as healthy: a task that crashes
   * right after starting must not complete a deployment. */
  stableAfterMs: number
  /** Deployment id generator (ECS: ecs-svc/ and 19 digits). */
  newDeploymentId(): string
}

export class ServiceScheduler {
  private readonly dirty = new Set<string>()
  private scheduled = false
  /** Tasks being drained from their target groups before they stop. */
  private readonly draining = new Set<string>()
  private readonly placeWarnedAt = new Map<string, number>()
  /** Per service, tasks asked to stop that have not stopped yet (from the last index). */
  private readonly stoppingCount = new Map<string, number>()

  private readonly registrations: Registrations

  constructor(private readonly deps: SchedulerDeps) {
    this.registrations = new Registrations(deps)
  }

  private get services(): Record<string, ServiceRecord> {
    return this.deps.store.state.services
  }

  /** Reconciles a service soon (coalesced). */
  kick(serviceArn: string): void {
    this.dirty.add(serviceArn)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      const arns = [...this.dirty]
      this.dirty.clear()
      const index = this.activeTasksByService()
      for (const arn of arns) this.reconcile(arn, index)
    })
  }

  /** Reconciles every live service soon (coalesced with other kicks): when target health changes. */
  kickAll(): void {
    for (const s of Object.values(this.services)) if (s.status !== 'INACTIVE') this.kick(s.serviceArn)
  }

  /** Reconciles every live service (health checks, throttles, draining). */
  tick(): void {
    const index = this.activeTasksByService()
    for (const s of Object.values(this.services)) if (s.status !== 'INACTIVE') this.reconcile(s.serviceArn, index)
  }

  /** The cluster manager reports a task change: registrations, failures, then a reconcile. */
  onTaskChange(task: TaskRecord): void {
    if (!task.serviceArn) return
    const service = this.services[task.serviceArn]
    if (!service) return
    if (task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING' && !task.registeredTargets) this.registrations.register(service, task)
    if (task.lastStatus === 'STOPPED') {
      this.draining.delete(task.taskArn)
      this.registrations.unregister(task)
      // A task that exited or failed to start is a failure of its deployment; one stopped by the
      // scheduler, a user, a spot interruption or a control plane restart is not.
      if (task.stopCode === 'EssentialContainerExited' || task.stopCode === 'TaskFailedToStart') this.recordFailure(service, task)
    }
    this.kick(service.serviceArn)
  }

  newDeployment(service: ServiceRecord): DeploymentRecord {
    const now = this.deps.clock.now()
    const id = this.deps.newDeploymentId()
    return {
      id,
      status: 'PRIMARY',
      taskDefinition: service.taskDefinition,
      desiredCount: service.desiredCount,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      ...(service.launchType ? {launchType: service.launchType} : {}),
      ...(service.capacityProviderStrategy ? {capacityProviderStrategy: service.capacityProviderStrategy} : {}),
      ...(service.networkConfiguration ? {networkConfiguration: service.networkConfiguration} : {}),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: reasons.inProgress(id),
    }
  }

  /** Makes `deployment` the primary one; earlier deployments become ACTIVE and drain. */
  startDeployment(service: ServiceRecord, deployment: DeploymentRecord): void {
    for (const d of service.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE'
    service.deployments.unshift(deployment)
    service.steadyAnnouncedAt = undefined
  }

  private activeTasksByService(): Map<string, TaskRecord[]> {
    const index = new Map<string, TaskRecord[]>()
    this.stoppingCount.clear()
    for (const t of Object.values(this.deps.tasks.tasks)) {
      if (!t.serviceArn || t.lastStatus === 'STOPPED') continue
      if (t.desiredStatus !== 'RUNNING' || this.draining.has(t.taskArn)) {
        this.stoppingCount.set(t.serviceArn, (this.stoppingCount.get(t.serviceArn) ?? 0) + 1)
        continue
      }
      let list = index.get(t.serviceArn)
      if (!list) index.set(t.serviceArn, (list = []))
      list.push(t)
    }
    return index
  }

  private reconcile(serviceArn: string, index: Map<string, TaskRecord[]>): void {
    if (this.deps.tasks.paused) return
    const service = this.services[serviceArn]
    if (!service || service.status === 'INACTIVE') return
    const now = this.deps.clock.now()
    const active = index.get(serviceArn) ?? []
    if (service.status === 'DRAINING') {
      this.stopTasks(service, active, reasons.scaling(primaryOf(service)?.id ?? 'ecs-svc'))
      // INACTIVE only once every task has stopped: tasks asked to stop may take their time (SIGTERM),
      // and draining ones stop once drained; the index counts both as stopping.
      if (active.length === 0 && !this.stoppingCount.get(serviceArn)) {
        service.status = 'INACTIVE'
        for (const d of service.deployments) d.status = 'INACTIVE'
        this.deps.store.touch(service)
      }
      return
    }
    const primary = primaryOf(service)
    if (!primary) return
    const unhealthy = this.checkHealth(service, active, now)
    const live = active.filter((t) => !unhealthy.has(t))
    const primaryTasks = live.filter((t) => t.deploymentId === primary.id)
    const oldTasks = live.filter((t) => t.deploymentId !== primary.id)
    const isHealthy = (t: TaskRecord) => this.isHealthy(service, t)
    const primaryHealthy = primaryTasks.filter(isHealthy)
    const oldHealthy = oldTasks.filter(isHealthy)
    if (primaryHealthy.length > 0) primary.consecutiveFailures = 0
    const throttled = (primary.nextLaunchAt ?? 0) > now
    const plan = planRollingStep({
      desired: service.desiredCount,
      minimumHealthyPercent: service.deploymentConfiguration.minimumHealthyPercent,
      maximumPercent: service.deploymentConfiguration.maximumPercent,
      primary: primaryTasks.length,
      primaryHealthy: primaryHealthy.length,
      old: oldTasks.length,
      oldHealthy: oldHealthy.length,
      stopping: (this.stoppingCount.get(serviceArn) ?? 0) + unhealthy.size,
      canLaunch: !primary.halted && !throttled,
    })
    const scaleReason = reasons.scaling(primary.id)
    const oldUnhealthy = oldTasks.filter((t) => !isHealthy(t))
    const extra = [...primaryTasks].sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || b.createdAt - a.createdAt)
    this.stopTasks(service, [...oldUnhealthy, ...oldHealthy.slice(0, plan.stopOldHealthy), ...extra.slice(0, plan.stopPrimaryExtra)], scaleReason)
    if (plan.start > 0) this.launch(service, primary, primaryTasks, plan.start, now)
    this.retireEmptyDeployments(service, live)
    this.checkCompletion(service, primary, primaryTasks.length + (plan.start > 0 ? plan.start : 0), primaryHealthy.length, oldTasks.length, now)
  }

  private isHealthy(service: ServiceRecord, t: TaskRecord): boolean {
    if (t.lastStatus !== 'RUNNING' || t.healthStatus === 'UNHEALTHY') return false
    const hasHealthCheck = t.containers.some((c) => c.hasHealthCheck && c.essential)
    if (hasHealthCheck && t.healthStatus !== 'HEALTHY') return false
    let checked = hasHealthCheck
    if (this.deps.targets) {
      for (const lb of service.loadBalancers) {
        if (!lb.targetGroupArn) continue
        const reg = t.registeredTargets?.find((r) => r.targetGroupArn === lb.targetGroupArn)
        if (!reg) return false
        const h = this.deps.targets.health(lb.targetGroupArn).find((x) => x.target.id === reg.id && x.target.port === reg.port)
        if (h?.state !== 'healthy') return false
        checked = true
      }
    }
    // A task no health check vouches for counts only once it has stayed up a while, so a process that
    // exits right after starting cannot make its deployment look complete. Passing checks (the target
    // group's healthy threshold, or the container's own check) is that proof already.
    return checked || this.deps.clock.now() - (t.startedAt ?? 0) >= this.deps.stableAfterMs
  }

  /** Stops tasks that failed container or ELB health checks (after the grace period); returns them. */
  private checkHealth(service: ServiceRecord, active: TaskRecord[], now: number): Set<TaskRecord> {
    const failed = new Set<TaskRecord>()
    const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000
    for (const t of active) {
      if (t.lastStatus !== 'RUNNING') continue
      if (t.healthStatus === 'UNHEALTHY') {
        failed.add(t)
        this.failTask(service, t, reasons.containerUnhealthy)
        continue
      }
      if (!this.deps.targets || now - (t.startedAt ?? now) < graceMs) continue
      for (const reg of t.registeredTargets ?? []) {
        const h = this.deps.targets.health(reg.targetGroupArn).find((x) => x.target.id === reg.id && x.target.port === reg.port)
        if (h?.state === 'unhealthy') {
          failed.add(t)
          addEvent(service, events.unhealthyElb(service.serviceName, t.taskId, reg.targetGroupArn), now)
          this.failTask(service, t, reasons.elbUnhealthy(reg.targetGroupArn))
          break
        }
      }
    }
    return failed
  }

  /** A task the scheduler stops because it is unhealthy counts as a failure of its deployment. */
  private failTask(service: ServiceRecord, t: TaskRecord, reason: string): void {
    this.recordFailure(service, t)
    this.stopTasks(service, [t], reason)
  }

  private recordFailure(service: ServiceRecord, task: TaskRecord): void {
    const d = service.deployments.find((x) => x.id === task.deploymentId)
    if (!d) return
    d.failedTasks++
    d.consecutiveFailures = (d.consecutiveFailures ?? 0) + 1
    d.updatedAt = this.deps.clock.now()
    const {baseMs, maxMs} = this.deps.throttle
    if (baseMs > 0 && d.consecutiveFailures >= 2) {
      const delay = Math.min(maxMs, baseMs * 2 ** (d.consecutiveFailures - 2))
      d.nextLaunchAt = d.updatedAt + delay
      if (d.consecutiveFailures === 3) addEvent(service, events.throttled(service.serviceName), d.updatedAt)
    }
    if (d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS' && service.deploymentConfiguration.deploymentCircuitBreaker.enable) {
      if (d.failedTasks >= failureThreshold(service.desiredCount, this.deps.circuitBreaker)) this.trip(service, d)
    }
    this.deps.store.touch(service)
  }

  /** The circuit breaker: fail the deployment and, when asked, roll back to the last good one. */
  private trip(service: ServiceRecord, d: DeploymentRecord): void {
    const now = this.deps.clock.now()
    d.rolloutState = 'FAILED'
    d.rolloutStateReason = reasons.circuitBreaker
    d.halted = true
    d.updatedAt = now
    addEvent(service, events.deploymentFailed(service.serviceName, d.id), now)
    const good = service.lastGoodTaskDefinition
    if (!service.deploymentConfiguration.deploymentCircuitBreaker.rollback || !good || good === d.taskDefinition) return
    const goodDeploymentId = service.lastGoodDeploymentId ?? d.id
    service.taskDefinition = good
    const rollback = this.newDeployment(service)
    rollback.rolloutStateReason = reasons.rollingBack(goodDeploymentId)
    this.startDeployment(service, rollback)
    addEvent(service, events.rollingBack(service.serviceName, d.id, rollback.id), now)
  }

  private launch(service: ServiceRecord, d: DeploymentRecord, current: TaskRecord[], count: number, now: number): void {
    const cluster = this.deps.store.state.clusters[service.clusterArn]
    const td = this.deps.store.state.taskDefinitions[d.taskDefinition]
    if (!cluster || !td) return
    const size = {cpu: td.cpu ?? 256, memory: td.memory ?? 512}
    if (this.deps.capacity.neverFits(size)) {
      const last = this.placeWarnedAt.get(service.serviceArn) ?? 0
      if (now - last > 60_000) {
        this.placeWarnedAt.set(service.serviceArn, now)
        addEvent(service, events.unableToPlace(service.serviceName), now)
        this.deps.store.touch(service)
      }
      return
    }
    const strategy = d.capacityProviderStrategy ?? (d.launchType ? undefined : cluster.defaultCapacityProviderStrategy)
    const existing: Record<string, number> = {}
    for (const t of current) existing[t.capacityProviderName ?? 'FARGATE'] = (existing[t.capacityProviderName ?? 'FARGATE'] ?? 0) + 1
    const providers = strategy && strategy.length > 0 ? placeTasks(strategy, count, existing) : Array<string>(count).fill('FARGATE')
    const created = providers.map((p) => this.deps.newTask(service, d, p))
    d.updatedAt = now
    addEvent(service, events.started(service.serviceName, created.map((t) => t.taskId)), now)
    this.deps.tasks.run(created, {also: [service]})
  }

  private stopTasks(service: ServiceRecord, list: TaskRecord[], reason: string): void {
    const unique = [...new Set(list)].filter((t) => t.desiredStatus === 'RUNNING' && !this.draining.has(t.taskArn))
    if (unique.length === 0) return
    const now = this.deps.clock.now()
    addEvent(service, events.stopped(service.serviceName, unique.map((t) => t.taskId)), now)
    const withTargets = unique.filter((t) => (t.registeredTargets?.length ?? 0) > 0 && this.deps.targets)
    if (withTargets.length > 0) addEvent(service, events.draining(service.serviceName, withTargets.length), now)
    for (const t of unique) {
      if (!withTargets.includes(t)) {
        this.registrations.unregister(t)
        this.deps.tasks.stop(t, 'ServiceSchedulerInitiated', reason)
        continue
      }
      this.draining.add(t.taskArn)
      void this.registrations.drain(service, t).then(() => {
        this.draining.delete(t.taskArn)
        this.registrations.unregister(t)
        this.deps.tasks.stop(t, 'ServiceSchedulerInitiated', reason)
      })
    }
    this.deps.store.touch(service)
  }

  private retireEmptyDeployments(service: ServiceRecord, live: TaskRecord[]): void {
    const before = service.deployments.length
    service.deployments = service.deployments.filter(
      (d) => d.status === 'PRIMARY' || live.some((t) => t.deploymentId === d.id) || this.hasDrainingIn(d.id),
    )
    if (service.deployments.length !== before) this.deps.store.touch(service)
  }

  private hasDrainingIn(deploymentId: string): boolean {
    for (const arn of this.draining) if (this.deps.tasks.tasks[arn]?.deploymentId === deploymentId) return true
    return false
  }

  private checkCompletion(service: ServiceRecord, primary: DeploymentRecord, primaryCount: number, primaryHealthy: number, old: number, now: number): void {
    const steady = service.deployments.length === 1 && old === 0 && primaryCount === service.desiredCount && primaryHealthy === service.desiredCount
    if (!steady) {
      if (service.steadyAnnouncedAt !== undefined) {
        service.steadyAnnouncedAt = undefined
        this.deps.store.touch(service)
      }
      return
    }
    if (primary.rolloutState === 'IN_PROGRESS') {
      primary.rolloutState = 'COMPLETED'
      primary.rolloutStateReason = reasons.completed(primary.id)
      primary.updatedAt = now
      service.lastGoodTaskDefinition = primary.taskDefinition
      service.lastGoodDeploymentId = primary.id
      addEvent(service, events.deploymentCompleted(service.serviceName, primary.id), now)
    }
    if (service.steadyAnnouncedAt === undefined) {
      service.steadyAnnouncedAt = now
      addEvent(service, events.steady(service.serviceName), now)
      this.deps.store.touch(service)
    }
  }
}
