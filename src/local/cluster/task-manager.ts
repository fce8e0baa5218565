// The cluster manager's task lifecycle, following Fargate's RunTask flow: record PENDING, reserve
// capacity, acknowledge, then start through the agent asynchronously; RUNNING and STOPPED come from
// the agent's reports. Tasks that do not fit wait PENDING until capacity frees up.

import type {AgentListener, StopCode, TaskDriver, TaskReport} from '../agent/types.js'
import type {LogSink, SecretResolver} from '../contracts.js'
import type {CapacityManager} from '../capacity/index.js'
import type {AnyRecord, EcsStore, TaskDefinitionRecord, TaskRecord} from './state.js'
import {buildTaskSpec, logDestinations, logStreamName, TaskStartError, type LogDestination} from './task-spec.js'

export interface Clock {
  now(): number
}

export interface TaskManagerDeps {
  store: EcsStore
  capacity: CapacityManager
  driver: TaskDriver
  secrets: SecretResolver
  logs: LogSink
  clock: Clock
  /** Told about every change of a task (the service scheduler listens). */
  onTaskChange?: (task: TaskRecord) => void
}

/** How long a RunTask client token is remembered (ECS: at least 12 hours). */
export const CLIENT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000

/** What a RunTask call with a client token created, remembered so a retry returns the same tasks. */
export interface ClientTokenRecord {
  at: number
  fingerprint: string
  taskArns: string[]
  failures: unknown[]
}

export const RESTART_REASON = 'Task stopped because the local control plane restarted'

export class TaskManager implements AgentListener {
  private readonly byId = new Map<string, string>()
  private readonly queue: string[] = []
  private readonly logConfig = new Map<string, Record<string, LogDestination>>()
  private readonly pendingWork = new Set<Promise<unknown>>()
  /** Tasks whose driver.start has not returned yet (a stop waits for it). */
  private readonly starting = new Set<string>()
  private closed = false
  private pausedFlag = false
  /** Launches in flight (secrets being resolved, or the driver starting the task). */
  private readonly launching = new Set<Promise<unknown>>()

  constructor(private readonly deps: TaskManagerDeps) {
    for (const t of Object.values(deps.store.state.tasks)) this.byId.set(t.taskId, t.taskArn)
  }

  get tasks(): Record<string, TaskRecord> {
    return this.deps.store.state.tasks
  }

  taskById(taskId: string): TaskRecord | undefined {
    const arn = this.byId.get(taskId)
    return arn ? this.tasks[arn] : undefined
  }

  get paused(): boolean {
    return this.pausedFlag
  }

  /**
   * Stops launching tasks (before the driver shuts down, so nothing starts behind its back) and
   * resolves once the launches in flight have settled. Tasks not yet started stay PENDING and start
   * on the next run.
   */
  async pause(): Promise<void> {
    this.pausedFlag = true
    while (this.launching.size > 0) await Promise.allSettled([...this.launching])
  }

  /**
   * Runs new tasks: records them PENDING, reserves capacity for the ones that fit now (the others
   * wait), writes them durably together with `also` (the records the caller changed) and the client
   * token that created them, then starts the placed ones. Nothing starts before it is recorded, so a
   * crash never leaves a process the store does not know.
   */
  run(tasks: TaskRecord[], opts: {also?: AnyRecord[]; clientToken?: {token: string; record: ClientTokenRecord}} = {}): void {
    for (const t of tasks) {
      this.tasks[t.taskArn] = t
      this.deps.store.mark(t)
      this.byId.set(t.taskId, t.taskArn)
      if (this.pausedFlag) {
        this.queue.push(t.taskArn)
      } else if (this.deps.capacity.tryReserve(t.taskArn, {cpu: t.cpu, memory: t.memory})) {
        t.placed = true
        t.launched = true
      } else {
        this.queue.push(t.taskArn)
      }
    }
    if (opts.clientToken) {
      this.deps.store.state.clientTokens[opts.clientToken.token] = opts.clientToken.record
      this.deps.store.markToken(opts.clientToken.token)
    }
    this.deps.store.commit(...tasks, ...(opts.also ?? []))
    for (const t of tasks) if (t.placed && t.lastStatus === 'PENDING' && t.desiredStatus === 'RUNNING') this.launch(t)
  }

  /** The RunTask call a client token names, while it is remembered (CLIENT_TOKEN_TTL_MS). */
  clientToken(token: string): ClientTokenRecord | undefined {
    const seen = Object.hasOwn(this.deps.store.state.clientTokens, token) ? this.deps.store.state.clientTokens[token] : undefined
    return seen && this.deps.clock.now() - seen.at < CLIENT_TOKEN_TTL_MS ? seen : undefined
  }

  /** Asks a task to stop; the agent reports STOPPED. A task that never launched stops at once. */
  stop(task: TaskRecord, stopCode: StopCode, reason: string): void {
    if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') return
    const now = this.deps.clock.now()
    task.desiredStatus = 'STOPPED'
    task.stopCode = stopCode
    task.stoppedReason = reason
    task.stoppingAt = now
    task.version++
    if (!task.launched) {
      this.finishStopped(task)
      return
    }
    if (!this.starting.has(task.taskId)) this.stopInDriver(task)
    this.changed(task)
  }

  /** The driver's stop resolves once the task has stopped; a task it does not know stops here. */
  private stopInDriver(task: TaskRecord): void {
    this.track(
      this.deps.driver
        .stop(task.taskId, task.stopCode ?? 'UserInitiated', task.stoppedReason ?? 'Task stopped by user')
        .catch(() => undefined)
        .then(() => {
          if (task.lastStatus !== 'STOPPED') this.finishStopped(task)
        }),
    )
  }

  // AgentListener
  onTaskChange(report: TaskReport): void {
    const task = this.taskById(report.taskId)
    if (!task || task.lastStatus === 'STOPPED') return
    for (const c of report.containers) {
      const rec = task.containers.find((x) => x.name === c.name)
      if (!rec) continue
      rec.lastStatus = c.lastStatus
      if (c.runtimeId !== undefined) rec.runtimeId = c.runtimeId
      if (c.exitCode !== undefined) rec.exitCode = c.exitCode
      if (c.reason !== undefined) rec.reason = c.reason
      if (c.healthStatus !== undefined) rec.healthStatus = c.healthStatus
      rec.networkBindings = c.networkBindings ?? rec.networkBindings
    }
    if (report.privateIp) task.privateIp = report.privateIp
    if (report.healthStatus) task.healthStatus = report.healthStatus
    if (report.lastStatus === 'RUNNING' && task.lastStatus !== 'RUNNING') {
      task.lastStatus = 'RUNNING'
      task.startedAt = report.at
      task.pullStoppedAt ??= report.at
      task.connectivityAt ??= report.at
    }
    if (report.lastStatus === 'STOPPED') {
      task.stopCode ??= report.stopCode ?? 'EssentialContainerExited'
      task.stoppedReason ??= report.stoppedReason ?? 'Essential container in task exited'
      this.finishStopped(task, report.at)
      return
    }
    task.version++
    this.changed(task)
  }

  onLog(taskId: string, container: string, _stream: 'stdout' | 'stderr', line: string, at: number): void {
    const task = this.taskById(taskId)
    if (!task) return
    const dest = this.logConfig.get(task.taskArn)?.[container]
    if (!dest) return
    try {
      this.deps.logs.append(dest.group, logStreamName(dest, container, taskId), [{timestamp: at, message: line}], {create: dest.create})
    } catch {
      // A log group that does not exist drops the line, as the awslogs driver does; the task keeps running.
    }
  }

  /**
   * After a restart: tasks the store shows as started are gone with the old process (the agent's
   * orphan cleanup ends them), so they stop with a reason; tasks that were acknowledged but never
   * launched start now.
   */
  recover(tdOf: (arn: string) => TaskDefinitionRecord | undefined): void {
    for (const task of Object.values(this.tasks)) {
      if (task.lastStatus === 'STOPPED') continue
      if (task.desiredStatus === 'STOPPED' || task.launched) {
        task.stopCode = task.desiredStatus === 'STOPPED' ? task.stopCode ?? 'UserInitiated' : 'TerminationNotice'
        task.stoppedReason = task.desiredStatus === 'STOPPED' ? task.stoppedReason ?? RESTART_REASON : RESTART_REASON
        task.desiredStatus = 'STOPPED'
        for (const c of task.containers) if (c.lastStatus !== 'STOPPED') c.reason ??= RESTART_REASON
        this.finishStopped(task)
      } else if (tdOf(task.taskDefinitionArn)) {
        task.placed = false
        this.deps.store.mark(task)
        this.queue.push(task.taskArn)
      } else {
        task.stopCode = 'TaskFailedToStart'
        task.stoppedReason = 'Task definition does not exist'
        this.finishStopped(task)
      }
    }
    this.deps.store.commit()
    this.drainQueue()
  }

  /** Stopped tasks stay visible for `retentionMs` (ECS keeps them about an hour), then go. */
  prune(retentionMs: number): void {
    const cutoff = this.deps.clock.now() - retentionMs
    let removed = false
    for (const t of Object.values(this.tasks)) {
      if (t.lastStatus === 'STOPPED' && (t.stoppedAt ?? 0) < cutoff) {
        this.deps.store.remove('tasks', t.taskArn)
        this.byId.delete(t.taskId)
        removed = true
      }
    }
    for (const [token, seen] of Object.entries(this.deps.store.state.clientTokens)) {
      if (seen.at < this.deps.clock.now() - CLIENT_TOKEN_TTL_MS) {
        this.deps.store.remove('clientTokens', token)
        removed = true
      }
    }
    if (removed) this.deps.store.touch()
  }

  queuedCount(): number {
    return this.queue.length
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.allSettled([...this.pendingWork])
  }

  private launch(task: TaskRecord): void {
    const td = this.deps.store.state.taskDefinitions[task.taskDefinitionArn]
    if (!td) {
      task.stopCode = 'TaskFailedToStart'
      task.stoppedReason = 'CannotPullContainerError: the task definition of the task no longer exists'
      task.desiredStatus = 'STOPPED'
      this.finishStopped(task)
      return
    }
    if (this.pausedFlag) return this.unlaunch(task)
    this.logConfig.set(task.taskArn, logDestinations(td))
    task.pullStartedAt = this.deps.clock.now()
    const launch = this.track(
      (async () => {
        try {
          const spec = await buildTaskSpec(task, td, this.deps.secrets)
          if (this.pausedFlag && task.desiredStatus === 'RUNNING') return this.unlaunch(task)
          if (this.closed || task.desiredStatus === 'STOPPED') {
            if (task.lastStatus !== 'STOPPED') this.finishStopped(task)
            return
          }
          this.starting.add(task.taskId)
          try {
            await this.deps.driver.start(spec)
          } finally {
            this.starting.delete(task.taskId)
          }
          // A stop requested while the driver was starting the task is carried out now.
          if ((task.desiredStatus as string) === 'STOPPED' && task.lastStatus !== 'STOPPED') this.stopInDriver(task)
        } catch (err) {
          if (task.lastStatus === 'STOPPED') return
          task.stopCode = 'TaskFailedToStart'
          task.stoppedReason = err instanceof TaskStartError ? err.message : `CannotStartContainerError: ${err instanceof Error ? err.message : String(err)}`
          task.desiredStatus = 'STOPPED'
          for (const c of task.containers) c.reason ??= task.stoppedReason
          this.finishStopped(task)
        }
      })(),
    )
    this.launching.add(launch)
    void launch.finally(() => this.launching.delete(launch))
  }

  private finishStopped(task: TaskRecord, at = this.deps.clock.now()): void {
    task.lastStatus = 'STOPPED'
    task.desiredStatus = 'STOPPED'
    task.stoppingAt ??= at
    task.stoppedAt = at
    task.executionStoppedAt = at
    for (const c of task.containers) c.lastStatus = 'STOPPED'
    task.version++
    this.logConfig.delete(task.taskArn)
    const queued = this.queue.indexOf(task.taskArn)
    if (queued >= 0) this.queue.splice(queued, 1)
    if (task.placed) this.deps.capacity.release(task.taskArn)
    this.changed(task)
    this.drainQueue()
  }

  /** Places waiting tasks that now fit, oldest first. */
  private drainQueue(): void {
    if (this.queue.length === 0 || this.pausedFlag) return
    const started: TaskRecord[] = []
    for (const arn of [...this.queue]) {
      const t = this.tasks[arn]
      if (!t || t.desiredStatus === 'STOPPED') continue
      if (!this.deps.capacity.tryReserve(arn, {cpu: t.cpu, memory: t.memory})) continue
      this.queue.splice(this.queue.indexOf(arn), 1)
      t.placed = true
      t.launched = true
      started.push(t)
    }
    if (started.length === 0) return
    this.deps.store.commit(...started)
    for (const t of started) this.launch(t)
  }

  private changed(task: TaskRecord): void {
    this.deps.store.touch(task)
    this.deps.onTaskChange?.(task)
  }

  private track(p: Promise<unknown>): Promise<unknown> {
    this.pendingWork.add(p)
    void p.finally(() => this.pendingWork.delete(p))
    return p
  }

  /** A placed task that will not start in this run: it waits, PENDING, for the next one. */
  private unlaunch(task: TaskRecord): void {
    task.launched = false
    if (task.placed) this.deps.capacity.release(task.taskArn)
    task.placed = false
    this.queue.push(task.taskArn)
    this.deps.store.touch(task)
  }
}
