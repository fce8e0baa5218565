// One task under the process driver: its containers as host process groups, started in dependsOn
// order, health-checked, stopped with SIGTERM then SIGKILL, and reported to the cluster manager as
// ECS reports tasks (RUNNING, then STOPPED with a stop code, a reason and each container's exit code).

import {spawn, type ChildProcess} from 'node:child_process'
import {createInterface} from 'node:readline'

import {signalNumber} from './exec.js'
import {HealthMonitor, type HealthStatus} from './health.js'
import type {LaunchPlan} from './launch.js'
import type {AgentListener, ContainerReport, ContainerSpec, NetworkBinding, StopCode, TaskReport, TaskSpec} from './types.js'

export interface ContainerRun {
  spec: ContainerSpec
  status: 'PENDING' | 'RUNNING' | 'STOPPED'
  bindings: NetworkBinding[]
  env: Record<string, string>
  plan?: LaunchPlan
  /** Why the container cannot start (set before start when planning failed). */
  launchError?: string
  child?: ChildProcess
  pid?: number
  exitCode?: number
  reason?: string
  health?: HealthMonitor
  killTimer?: NodeJS.Timeout
  /** Spawned, and waiting for the driver to confirm the container runs (see TaskRunDeps.started). */
  starting?: boolean
  /** The last line it wrote to stderr (an engine's reason when the container could not start). */
  lastStderr?: string
}

export interface TaskRunDeps {
  listener: AgentListener
  defaultStopTimeout: number
  /** Wraps a container's command line (e.g. to enter its own mount namespace). */
  wrap(argv: string[]): string[]
  /** Wraps a health check's command line to run where the container runs (its mount namespace). */
  wrapProbe?(c: ContainerRun, argv: string[]): string[]
  tracked: {started(pid: number, label: string): void; ended(pid: number): void}
  /**
   * Signals a container. Default: the container's process group. `exited` is true when the main
   * process is gone and the rest of the group is being cleared.
   */
  kill?(c: ContainerRun, signal: NodeJS.Signals, exited: boolean): void
  /** Kills what is left of a container whose main process exited but whose output is still held open. */
  killStragglers?(c: ContainerRun): void
  /**
   * Resolves once a spawned container really runs (a container engine creates it after its client
   * starts); until then the container, and so the task, stays PENDING. Default: at once.
   */
  started?(c: ContainerRun): Promise<void>
  /** The task's address (its own network namespace's), default 127.0.0.1. */
  privateIp?: string
  onStopped(): void
  log(message: string): void
}

export class TaskRun {
  status: 'PENDING' | 'RUNNING' | 'STOPPED' = 'PENDING'
  healthStatus: HealthStatus = 'UNKNOWN'
  stopCode?: StopCode
  stoppedReason?: string
  readonly containers = new Map<string, ContainerRun>()
  readonly done: Promise<void>
  private resolveDone!: () => void
  private stopping = false

  constructor(readonly spec: TaskSpec, private readonly deps: TaskRunDeps) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    for (const c of spec.containers) this.containers.set(c.name, {spec: c, status: 'PENDING', bindings: [], env: {}})
  }

  /** Starts every container whose dependencies are met; fails the task when one never can start. */
  advance(): void {
    if (this.stopping) return
    for (const c of this.containers.values()) {
      if (c.status !== 'PENDING' || c.starting) continue
      if (c.launchError) return void this.fail(c, c.launchError)
      const wait = this.dependencyState(c)
      if (wait === 'ready') this.launch(c)
      else if (wait !== 'wait') return void this.fail(c, wait)
      if (this.stopping) return
    }
    if (this.status === 'PENDING' && [...this.containers.values()].every((c) => c.status !== 'PENDING')) {
      this.status = 'RUNNING'
      this.report()
    }
  }

  private dependencyState(c: ContainerRun): 'ready' | 'wait' | string {
    for (const dep of c.spec.dependsOn ?? []) {
      const d = this.containers.get(dep.containerName)
      if (!d) continue
      const failed = `CannotStartContainerError: container ${c.spec.name} depends on ${d.spec.name} reaching ${dep.condition}`
      switch (dep.condition) {
        case 'START':
          if (d.status === 'PENDING') return 'wait'
          break
        case 'COMPLETE':
          if (d.status !== 'STOPPED') return 'wait'
          break
        case 'SUCCESS':
          if (d.status !== 'STOPPED') return 'wait'
          if (d.exitCode !== 0) return `${failed}, but it exited with code ${d.exitCode ?? 'unknown'}`
          break
        case 'HEALTHY':
          if (d.status === 'STOPPED') return `${failed}, but it stopped`
          if (d.health?.status === 'UNHEALTHY') return `${failed}, but it is UNHEALTHY`
          if (d.health?.status !== 'HEALTHY') return 'wait'
          break
      }
    }
    return 'ready'
  }

  private launch(c: ContainerRun): void {
    const [program, ...args] = this.deps.wrap(c.plan!.argv)
    const child = spawn(program!, args, {cwd: c.plan!.cwd, env: c.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    c.child = child
    child.once('error', (error) => {
      if (c.status === 'STOPPED') return
      const reason = `CannotStartContainerError: ${error.message}`
      if (c.status === 'PENDING') return void this.fail(c, reason)
      this.exited(c, 126, reason)
    })
    if (!child.pid) return
    c.pid = child.pid
    if (this.deps.started) c.starting = true
    else c.status = 'RUNNING'
    this.deps.tracked.started(child.pid, `${this.spec.taskId}/${c.spec.name}`)
    this.pipeLogs(c, child)
    child.once('exit', (code, signal) => {
      // As when a container's init exits: nothing else of it keeps running.
      this.killGroup(c, 'SIGKILL', true)
      // A process that left the group (setsid) may still hold the output pipes open; 'close' would
      // never come, so after a grace period it is killed and the container reported stopped anyway.
      const grace = setTimeout(() => {
        if (c.status === 'STOPPED') return
        this.deps.killStragglers?.(c)
        child.stdout?.destroy()
        child.stderr?.destroy()
        this.exited(c, code ?? 128 + signalNumber(signal))
      }, 1000)
      grace.unref()
    })
    child.once('close', (code, signal) => this.exited(c, code ?? 128 + signalNumber(signal)))
    if (!c.starting) return this.monitorHealth(c)
    this.deps.started!(c).then(
      () => {
        c.starting = false
        if (c.status !== 'PENDING' || this.stopping) return
        c.status = 'RUNNING'
        this.monitorHealth(c)
        this.advance()
      },
      (error: Error) => {
        c.starting = false
        if (c.status !== 'PENDING') return
        c.reason = error.message
        this.killGroup(c, 'SIGKILL')
        if (!this.stopping) void this.stop('TaskFailedToStart', error.message)
      },
    )
  }

  private monitorHealth(c: ContainerRun): void {
    if (!c.spec.healthCheck) return
    const wrap = this.deps.wrapProbe ? (argv: string[]) => this.deps.wrapProbe!(c, argv) : undefined
    c.health = new HealthMonitor(c.spec.healthCheck, {cwd: c.plan!.cwd, env: c.env, wrap}, () => this.healthChanged())
    c.health.start()
  }

  private pipeLogs(c: ContainerRun, child: ChildProcess): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({input: child[stream]!, crlfDelay: Infinity})
      lines.on('line', (line) => {
        if (stream === 'stderr') c.lastStderr = line
        this.deps.listener.onLog(this.spec.taskId, c.spec.name, stream, line, Date.now())
      })
    }
  }

  private healthChanged(): void {
    const checked = [...this.containers.values()].filter((c) => c.spec.essential && c.health)
    const next: HealthStatus = checked.some((c) => c.health!.status === 'UNHEALTHY')
      ? 'UNHEALTHY'
      : checked.length > 0 && checked.every((c) => c.health!.status === 'HEALTHY')
        ? 'HEALTHY'
        : 'UNKNOWN'
    this.healthStatus = next
    if (this.status !== 'STOPPED') this.report()
    this.advance()
  }

  private exited(c: ContainerRun, code: number, reason?: string): void {
    if (c.status === 'STOPPED') return
    // An engine's client that exits 125-127 before its container ran could not create or start it
    // (docker run's codes): ECS calls that CannotStartContainerError and the task failed to start.
    const neverRan = c.starting === true && code >= 125 && code <= 127
    c.status = 'STOPPED'
    c.starting = false
    c.exitCode = code
    if (neverRan && !this.stopping) {
      c.health?.stop()
      if (c.pid) this.deps.tracked.ended(c.pid)
      return void this.fail(c, `CannotStartContainerError: ${c.lastStderr?.replace(/^Error: /, '') ?? `exit code ${code}`}`)
    }
    if (reason) c.reason = reason
    c.health?.stop()
    if (c.killTimer) clearTimeout(c.killTimer)
    if (c.pid) this.deps.tracked.ended(c.pid)
    this.deps.log(`task ${this.spec.taskId}: container ${c.spec.name} exited with code ${code}`)
    if (this.stopping) {
      this.signalStoppable()
      return this.finishIfIdle()
    }
    if (c.spec.essential) return void this.stop('EssentialContainerExited', 'Essential container in task exited')
    if ([...this.containers.values()].every((x) => x.status === 'STOPPED')) {
      return void this.stop('EssentialContainerExited', 'Essential container in task exited')
    }
    this.report()
    this.advance()
  }

  private fail(c: ContainerRun, reason: string): Promise<void> {
    c.reason = reason
    return this.stop('TaskFailedToStart', reason)
  }

  /**
   * SIGTERM to each running container's process group, SIGKILL after its stopTimeout. As ECS does,
   * a container stops only after the containers that depend on it (an app before its sidecar).
   */
  stop(stopCode: StopCode, reason: string): Promise<void> {
    if (this.stopping) return this.done
    this.stopping = true
    this.stopCode = stopCode
    this.stoppedReason = reason
    for (const c of this.containers.values()) {
      c.health?.stop()
      if (c.status === 'PENDING' && !c.starting) c.status = 'STOPPED'
    }
    this.signalStoppable()
    this.finishIfIdle()
    return this.done
  }

  private readonly terminated = new Set<string>()

  /** Signals every running container that no running container depends on any more. */
  private signalStoppable(): void {
    const running = [...this.containers.values()].filter((c) => c.status === 'RUNNING' || c.starting)
    const needed = (c: ContainerRun) => running.some((d) => d !== c && d.spec.dependsOn?.some((x) => x.containerName === c.spec.name))
    let next = running.filter((c) => !this.terminated.has(c.spec.name) && !needed(c))
    // A dependency cycle (ECS refuses them at registration) must not leave a task running.
    if (next.length === 0 && running.every((c) => !this.terminated.has(c.spec.name))) next = running
    for (const c of next) {
      this.terminated.add(c.spec.name)
      this.killGroup(c, 'SIGTERM')
      const seconds = c.spec.stopTimeout ?? this.deps.defaultStopTimeout
      c.killTimer = setTimeout(() => this.killGroup(c, 'SIGKILL'), seconds * 1000)
    }
  }

  private killGroup(c: ContainerRun, signal: NodeJS.Signals, exited = false): void {
    if (!c.pid) return
    if (this.deps.kill) return this.deps.kill(c, signal, exited)
    try {
      process.kill(-c.pid, signal)
    } catch {
      // the group is already gone
    }
  }

  private finishIfIdle(): void {
    if (this.status === 'STOPPED' || ![...this.containers.values()].every((c) => c.status === 'STOPPED')) return
    this.status = 'STOPPED'
    this.report()
    this.deps.onStopped()
    this.resolveDone()
  }

  report(): void {
    const containers: ContainerReport[] = [...this.containers.values()].map((c) => ({
      name: c.spec.name,
      lastStatus: c.status,
      ...(c.pid ? {runtimeId: `${this.spec.taskId}-${c.pid}`} : {}),
      ...(c.exitCode !== undefined ? {exitCode: c.exitCode} : {}),
      ...(c.reason ? {reason: c.reason} : {}),
      ...(c.health ? {healthStatus: c.health.status} : {}),
      networkBindings: c.bindings,
    }))
    const report: TaskReport = {
      taskId: this.spec.taskId,
      lastStatus: this.status,
      privateIp: this.deps.privateIp ?? '127.0.0.1',
      healthStatus: this.healthStatus,
      containers,
      at: Date.now(),
      ...(this.status === 'STOPPED' ? {stopCode: this.stopCode, stoppedReason: this.stoppedReason} : {}),
    }
    this.deps.listener.onTaskChange(report)
  }
}
