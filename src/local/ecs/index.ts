// The local ECS: the API (JSON 1.1, AmazonEC2ContainerServiceV20141113) over the cluster manager (the
// store of record), the capacity manager and the service scheduler. The agent's driver runs the tasks.
//
// Composition (control-plane.ts): the driver needs a listener before ECS exists, so use the relay:
//   const relay = createAgentRelay()
//   const driver = new ProcessDriver({stateDir, listener: relay})
//   const ecs = createEcs({stateDir, driver, ...}); relay.attach(ecs.listener)
// On shutdown call `driver.shutdown()` first (its STOPPED reports still land), then `ecs.close()`.

import type {AgentListener, TaskDriver, TaskReport} from '../agent/types.js'
import type {DiscoveryRegistry, ExecSessions, LogSink, SecretResolver, TargetRegistry} from '../contracts.js'
import {ServiceError, type JsonService} from '../frontend/types.js'
import {CapacityManager, machineCapacity, type Capacity} from '../capacity/index.js'
import {ECS_CIRCUIT_BREAKER, reasons, type CircuitBreakerConfig} from '../cluster/deployments.js'
import {ServiceScheduler} from '../cluster/scheduler.js'
import {EcsStore} from '../cluster/state.js'
import {TaskManager, type Clock} from '../cluster/task-manager.js'
import {newDeploymentId, nameOf} from './arns.js'
import {clusterHandlers} from './clusters.js'
import type {EcsContext, Handler} from './context.js'
import {serviceHandlers} from './services.js'
import {tagHandlers} from './tags.js'
import {taskDefinitionHandlers} from './task-definitions.js'
import {newTask} from './task-factory.js'
import {taskHandlers} from './tasks.js'

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113'

export interface EcsDeps {
  stateDir: string
  driver: TaskDriver
  secrets: SecretResolver
  logs: LogSink
  targets?: TargetRegistry
  discovery?: DiscoveryRegistry
  exec?: ExecSessions
  /** Local capacity in CPU units and MiB; default: this machine (cores × 1024, total memory). */
  capacity?: Capacity
  region: string
  accountId: string
  /** Injected clock (tests). */
  clock?: Clock
  /** How often the scheduler re-checks health, throttles and spot interruptions (ms, default 500). */
  tickMs?: number
  /** Circuit breaker thresholds (default ECS's: min 3, max 200). */
  circuitBreaker?: Partial<CircuitBreakerConfig>
  /** Back-off between launches after repeated task failures (default 1 s doubling to 60 s; 0 disables). */
  throttle?: {baseMs: number; maxMs: number}
  /** How long a service task must stay RUNNING and healthy before it counts toward a rollout (default 2 s). */
  stableAfterMs?: number
  /** How long STOPPED tasks stay visible (default one hour, like ECS). */
  stoppedTaskRetentionMs?: number
  /** Interrupt every FARGATE_SPOT task this long after it starts (resilience testing). */
  spotInterruptionAfterMs?: number
}

export interface Ecs {
  service: JsonService
  /** Receives the driver's reports (attach it to the driver, or through createAgentRelay). */
  listener: AgentListener
  /** Interrupts RUNNING FARGATE_SPOT tasks (SIGTERM, then stop; stopCode SpotInterruption). Returns their ARNs. */
  interruptSpotTasks(opts?: {cluster?: string; count?: number}): string[]
  /** Stops launching and scheduling (call before the driver shuts down); resolves when launches in flight settle. */
  pause(): Promise<void>
  /** The capacity manager's view: total, used, free. */
  capacityUsage(): ReturnType<CapacityManager['usage']>
  /** Clusters, services and task definitions that exist, with their tags (for the tagging API). */
  taggedResources(): {arn: string; tags: {key: string; value: string}[]}[]
  close(): Promise<void>
}

const handlers: Record<string, Handler> = {
  ...clusterHandlers,
  ...taskDefinitionHandlers,
  ...taskHandlers,
  ...serviceHandlers,
  ...tagHandlers,
}

export function createEcs(deps: EcsDeps): Ecs {
  const clock = deps.clock ?? {now: () => Date.now()}
  const scope = {region: deps.region, accountId: deps.accountId}
  const store = new EcsStore(deps.stateDir)
  const capacity = new CapacityManager(deps.capacity ?? machineCapacity())
  let scheduler: ServiceScheduler | undefined
  const tasks = new TaskManager({
    store,
    capacity,
    driver: deps.driver,
    secrets: deps.secrets,
    logs: deps.logs,
    clock,
    onTaskChange: (t) => scheduler?.onTaskChange(t),
  })
  scheduler = new ServiceScheduler({
    store,
    tasks,
    capacity,
    clock,
    ...(deps.targets ? {targets: deps.targets} : {}),
    ...(deps.discovery ? {discovery: deps.discovery} : {}),
    circuitBreaker: {...ECS_CIRCUIT_BREAKER, ...deps.circuitBreaker},
    throttle: deps.throttle ?? {baseMs: 1000, maxMs: 60_000},
    newDeploymentId,
    stableAfterMs: deps.stableAfterMs ?? 2000,
    newTask: (service, deployment, provider) => {
      const cluster = store.state.clusters[service.clusterArn]!
      const td = store.state.taskDefinitions[deployment.taskDefinition]!
      const propagated = service.propagateTags === 'SERVICE' ? service.tags : service.propagateTags === 'TASK_DEFINITION' ? td.tags : []
      return newTask({
        scope,
        cluster,
        td,
        now: clock.now(),
        ...(deployment.capacityProviderStrategy ? {capacityProviderName: provider} : {}),
        startedBy: deployment.id,
        group: `service:${service.serviceName}`,
        tags: propagated,
        ...(deployment.networkConfiguration ? {networkConfiguration: deployment.networkConfiguration} : {}),
        enableExecuteCommand: service.enableExecuteCommand,
        serviceArn: service.serviceArn,
        deploymentId: deployment.id,
      })
    },
  })
  const ctx: EcsContext = {
    scope,
    store,
    tasks,
    scheduler,
    capacity,
    clock,
    ...(deps.exec ? {exec: deps.exec} : {}),
    targetsAvailable: deps.targets !== undefined,
    targetsExist: (arn) => deps.targets?.exists(arn) ?? true,
  }

  tasks.recover((arn) => store.state.taskDefinitions[arn])
  scheduler.tick()

  const retention = deps.stoppedTaskRetentionMs ?? 60 * 60 * 1000
  const interruptSpotTasks = (opts: {cluster?: string; count?: number; olderThanMs?: number} = {}): string[] => {
    const now = clock.now()
    const out: string[] = []
    for (const t of Object.values(store.state.tasks)) {
      if (opts.count !== undefined && out.length >= opts.count) break
      if (t.capacityProviderName !== 'FARGATE_SPOT' || t.lastStatus !== 'RUNNING' || t.desiredStatus !== 'RUNNING') continue
      if (opts.cluster && nameOf(t.clusterArn) !== nameOf(opts.cluster)) continue
      if (opts.olderThanMs !== undefined && now - (t.startedAt ?? now) < opts.olderThanMs) continue
      tasks.stop(t, 'SpotInterruption', reasons.spot)
      out.push(t.taskArn)
    }
    store.commit()
    return out
  }
  let closed = false
  // A target turning healthy (or unhealthy) is acted on at once rather than at the next tick.
  const offHealth = deps.targets?.onHealthChange?.(() => {
    if (!closed) scheduler!.kickAll()
  })
  const timer = setInterval(() => {
    scheduler!.tick()
    tasks.prune(retention)
    if (deps.spotInterruptionAfterMs !== undefined) interruptSpotTasks({olderThanMs: deps.spotInterruptionAfterMs})
  }, deps.tickMs ?? 500)
  timer.unref()

  const service: JsonService = {
    targetPrefix: ECS_TARGET_PREFIX,
    signingName: 'ecs',
    async handle(operation, input) {
      const handler = Object.hasOwn(handlers, operation) ? handlers[operation] : undefined
      if (!handler) throw new ServiceError('UnknownOperationException', `The local ECS does not support the ${operation} operation.`)
      return handler(ctx, input ?? {})
    },
  }

  return {
    service,
    listener: tasks,
    interruptSpotTasks: (opts) => interruptSpotTasks(opts),
    capacityUsage: () => capacity.usage(),
    taggedResources: () => [
      ...Object.values(store.state.clusters).filter((c) => c.status === 'ACTIVE').map((c) => ({arn: c.clusterArn, tags: c.tags})),
      ...Object.values(store.state.services).filter((s) => s.status !== 'INACTIVE').map((s) => ({arn: s.serviceArn, tags: s.tags})),
      ...Object.values(store.state.taskDefinitions).filter((d) => d.status === 'ACTIVE').map((d) => ({arn: d.taskDefinitionArn, tags: d.tags})),
    ],
    pause: () => tasks.pause(),
    async close() {
      if (closed) return
      closed = true
      offHealth?.()
      clearInterval(timer)
      await tasks.close()
      store.close()
    },
  }
}

/** A listener that forwards the driver's reports to ECS once attached (reports before that are kept). */
export function createAgentRelay(): AgentListener & {attach(listener: AgentListener): void} {
  let target: AgentListener | undefined
  const early: (() => void)[] = []
  const forward = (fn: (l: AgentListener) => void) => {
    if (target) fn(target)
    else if (early.length < 10_000) early.push(() => fn(target!))
  }
  return {
    attach(listener) {
      target = listener
      for (const f of early.splice(0)) f()
    },
    onTaskChange: (report: TaskReport) => forward((l) => l.onTaskChange(report)),
    onLog: (taskId, container, stream, line, at) => forward((l) => l.onLog(taskId, container, stream, line, at)),
  }
}
