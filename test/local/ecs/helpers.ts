// Test doubles for the ECS control plane: a driver whose timing the test controls, in-memory secrets,
// logs and target groups, and a harness that builds createEcs over a temporary state directory.

import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AgentListener, ExecProcess, StopCode, TaskDriver, TaskSpec} from '../../../src/local/agent/types.js'
import type {LogSink, SecretResolver, TargetDescription, TargetHealthState, TargetRegistry} from '../../../src/local/contracts.js'
import {createAgentRelay, createEcs, type Ecs, type EcsDeps} from '../../../src/local/ecs/index.js'
import {ServiceError} from '../../../src/local/frontend/types.js'

export interface FakeDriverOptions {
  /** Report RUNNING on start (default true). */
  autoRun?: boolean
  /** Decides, per started task, whether it exits right after RUNNING (exit code) or keeps running. */
  exitAfterStart?: (spec: TaskSpec) => number | undefined
  /** start() takes this long before the driver knows the task (a stop before then finds nothing). */
  startDelayMs?: number
  /** Reports HEALTHY right after RUNNING for containers with a health check (default true). */
  autoHealthy?: boolean
  /** Decides, per task, whether start() fails (with this message, as a pull or runtime error would). */
  failStart?: (spec: TaskSpec) => string | undefined
  /** Holds every stop() until releaseStops(): a task that takes its time to stop (SIGTERM honoured slowly). */
  holdStops?: boolean
  /** Holds every start() until releaseStarts(): an image that takes its time to pull. */
  holdStarts?: boolean
}

export class FakeDriver implements TaskDriver {
  readonly name = 'process' as const
  readonly started: TaskSpec[] = []
  readonly stopped: {taskId: string; stopCode: StopCode; reason: string}[] = []
  readonly live = new Map<string, TaskSpec>()
  private port = 20000
  private readonly held: (() => void)[] = []
  private readonly heldStarts: (() => void)[] = []

  constructor(readonly listener: AgentListener, readonly opts: FakeDriverOptions = {}) {}

  async start(spec: TaskSpec): Promise<void> {
    if (this.opts.startDelayMs) await new Promise((r) => setTimeout(r, this.opts.startDelayMs))
    if (this.opts.holdStarts) await new Promise<void>((resolve) => this.heldStarts.push(resolve))
    const failure = this.opts.failStart?.(spec)
    if (failure !== undefined) throw new Error(failure)
    this.started.push(spec)
    this.live.set(spec.taskId, spec)
    if (this.opts.autoRun === false) return
    setImmediate(() => {
      this.reportRunning(spec.taskId)
      const code = this.opts.exitAfterStart?.(spec)
      if (code !== undefined) setImmediate(() => this.exit(spec.taskId, code))
    })
  }

  reportRunning(taskId: string, health?: 'HEALTHY' | 'UNHEALTHY'): void {
    const spec = this.live.get(taskId)
    if (!spec) return
    const hasHc = spec.containers.some((c) => c.healthCheck)
    const h = health ?? (hasHc && this.opts.autoHealthy !== false ? 'HEALTHY' : hasHc ? 'UNKNOWN' : undefined)
    this.listener.onTaskChange({
      taskId,
      lastStatus: 'RUNNING',
      privateIp: '127.0.0.1',
      ...(h ? {healthStatus: h} : {}),
      containers: spec.containers.map((c) => ({
        name: c.name,
        lastStatus: 'RUNNING',
        runtimeId: `${taskId}-${c.name}`,
        ...(c.healthCheck && h ? {healthStatus: h} : {}),
        networkBindings: c.portMappings.map((p) => ({containerPort: p.containerPort, hostPort: this.port++, bindIP: '127.0.0.1', protocol: 'tcp' as const})),
      })),
      at: Date.now(),
    })
  }

  setHealth(taskId: string, health: 'HEALTHY' | 'UNHEALTHY'): void {
    this.reportRunning(taskId, health)
  }

  exit(taskId: string, exitCode: number, stopCode: StopCode = 'EssentialContainerExited', reason = 'Essential container in task exited'): void {
    const spec = this.live.get(taskId)
    if (!spec) return
    this.live.delete(taskId)
    this.listener.onTaskChange({
      taskId,
      lastStatus: 'STOPPED',
      stopCode,
      stoppedReason: reason,
      containers: spec.containers.map((c) => ({name: c.name, lastStatus: 'STOPPED', exitCode, networkBindings: []})),
      at: Date.now(),
    })
  }

  log(taskId: string, container: string, line: string): void {
    this.listener.onLog(taskId, container, 'stdout', line, Date.now())
  }

  async stop(taskId: string, stopCode: StopCode, reason: string): Promise<void> {
    this.stopped.push({taskId, stopCode, reason})
    if (!this.live.has(taskId)) return
    if (this.opts.holdStops) await new Promise<void>((resolve) => this.held.push(resolve))
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        this.exit(taskId, 143, stopCode, reason)
        resolve()
      }),
    )
  }

  /** Starts held now (with holdStarts). */
  get startsHeld(): number {
    return this.heldStarts.length
  }

  /** Lets the held starts go on; returns how many there were. */
  releaseStarts(): number {
    const n = this.heldStarts.length
    for (const go of this.heldStarts.splice(0)) go()
    return n
  }

  /** Lets the held stops go on (with holdStops); returns how many there were. */
  releaseStops(): number {
    const n = this.held.length
    for (const go of this.held.splice(0)) go()
    return n
  }

  exec(): ExecProcess {
    throw new Error('exec is not used by these tests')
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.live.keys()]) this.exit(id, 143, 'UserInitiated', 'shutdown')
  }
}

export class FakeSecrets implements SecretResolver {
  readonly values = new Map<string, string>()
  async resolve(valueFrom: string): Promise<string> {
    const v = this.values.get(valueFrom)
    if (v === undefined) throw new ServiceError('ParameterNotFound', `Parameter ${valueFrom} not found.`)
    return v
  }
}

export class FakeLogs implements LogSink {
  readonly streams = new Map<string, string[]>()
  append(group: string, stream: string, events: {timestamp: number; message: string}[]): void {
    const key = `${group}|${stream}`
    this.streams.set(key, [...(this.streams.get(key) ?? []), ...events.map((e) => e.message)])
  }
}

export class FakeTargets implements TargetRegistry {
  readonly groups = new Map<string, Map<string, TargetHealthState>>()
  /** State new targets start in; tests flip them with setAll. */
  initialState: TargetHealthState = 'healthy'
  readonly log: string[] = []
  /** Holds every deregistration until releaseDeregistrations(): connections that take their time to drain. */
  holdDeregistrations = false
  private readonly held: (() => void)[] = []
  addGroup(arn: string): void {
    this.groups.set(arn, new Map())
  }
  /** Sets one target's state; a target new to the group goes first when `first` (as another's would). */
  set(tg: string, id: string, port: number, state: TargetHealthState, opts: {first?: boolean} = {}): void {
    const g = this.groups.get(tg)!
    const key = `${id}:${port}`
    if (opts.first && !g.has(key)) this.groups.set(tg, new Map([[key, state], ...g]))
    else g.set(key, state)
    for (const l of this.listeners) l()
  }
  releaseDeregistrations(): number {
    const n = this.held.length
    for (const go of this.held.splice(0)) go()
    return n
  }
  async register(tg: string, targets: TargetDescription[]): Promise<void> {
    for (const t of targets) {
      this.groups.get(tg)!.set(`${t.id}:${t.port}`, this.initialState)
      this.log.push(`register ${t.id}:${t.port}`)
    }
  }
  async deregister(tg: string, targets: TargetDescription[]): Promise<void> {
    if (this.holdDeregistrations) await new Promise<void>((resolve) => this.held.push(resolve))
    for (const t of targets) {
      this.groups.get(tg)?.delete(`${t.id}:${t.port}`)
      this.log.push(`deregister ${t.id}:${t.port}`)
    }
  }
  health(tg: string) {
    return [...(this.groups.get(tg) ?? new Map()).entries()].map(([k, state]) => {
      const [id, port] = k.split(':')
      return {target: {id: id!, port: Number(port)}, state}
    })
  }
  exists(tg: string): boolean {
    return this.groups.has(tg)
  }
  readonly listeners = new Set<() => void>()
  setAll(tg: string, state: TargetHealthState): void {
    const g = this.groups.get(tg)!
    for (const k of g.keys()) g.set(k, state)
    for (const l of this.listeners) l()
  }
  onHealthChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

export interface Harness {
  ecs: Ecs
  driver: FakeDriver
  secrets: FakeSecrets
  logs: FakeLogs
  targets: FakeTargets
  stateDir: string
  call(op: string, input?: Record<string, unknown>): Promise<any>
  /** Closes ECS and builds a new one over the same state directory (a restart). */
  restart(extra?: Partial<EcsDeps>, driverOpts?: FakeDriverOptions): Promise<void>
  close(): Promise<void>
}

const ctx = {requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'}

export async function harness(extra: Partial<EcsDeps> = {}, driverOpts: FakeDriverOptions = {}, dir?: string): Promise<Harness> {
  const stateDir = dir ?? mkdtempSync(join(tmpdir(), 'pier-ecs-'))
  const secrets = new FakeSecrets()
  const logs = new FakeLogs()
  const targets = new FakeTargets()
  const build = (more: Partial<EcsDeps>, dOpts: FakeDriverOptions) => {
    const relay = createAgentRelay()
    const driver = new FakeDriver(relay, dOpts)
    const ecs = createEcs({
      stateDir,
      driver,
      secrets,
      logs,
      targets,
      region: 'us-east-1',
      accountId: '000000000000',
      capacity: {cpu: 16 * 1024, memory: 64 * 1024},
      tickMs: 10,
      stableAfterMs: 20,
      throttle: {baseMs: 0, maxMs: 0},
      ...more,
    })
    relay.attach(ecs.listener)
    return {driver, ecs}
  }
  let {driver, ecs} = build(extra, driverOpts)
  const h: Harness = {
    get ecs() {
      return ecs
    },
    get driver() {
      return driver
    },
    secrets,
    logs,
    targets,
    stateDir,
    call: (op, input = {}) => ecs.service.handle(op, input, ctx) as Promise<any>,
    async restart(more = {}, dOpts = driverOpts) {
      await ecs.close()
      ;({driver, ecs} = build({...extra, ...more}, dOpts))
    },
    async close() {
      await ecs.close()
      rmSync(stateDir, {recursive: true, force: true})
    },
  }
  return h
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>

export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v as Truthy<T>
    } catch (err) {
      last = err
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const NETWORK = {awsvpcConfiguration: {subnets: ['subnet-1'], assignPublicIp: 'DISABLED'}}

/** A Fargate task definition registration input. */
export function taskDef(family: string, more: Record<string, unknown> = {}, container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
    containerDefinitions: [{name: 'app', image: 'busybox', command: ['sh', '-c', 'sleep 1000'], portMappings: [{containerPort: 8080}], ...container}],
    ...more,
  }
}

export async function expectServiceError(p: Promise<unknown>, code: string, message?: RegExp | string): Promise<ServiceError> {
  try {
    await p
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`)
    if (message && !(typeof message === 'string' ? err.message === message : message.test(err.message))) {
      throw new Error(`unexpected message for ${code}: ${err.message}`)
    }
    return err
  }
  throw new Error(`expected ${code}, but the call succeeded`)
}

/** Service `web` of cluster `c1`, as DescribeServices answers it. */
export async function webService(h: Harness): Promise<any> {
  return (await h.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0]
}

/** The tasks of service `web` in cluster `c1` (all, or those with one desired status), as DescribeTasks answers them. */
export async function webTasks(h: Harness, desiredStatus?: string): Promise<any[]> {
  const arns = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web', ...(desiredStatus ? {desiredStatus} : {})})).taskArns
  return arns.length ? (await h.call('DescribeTasks', {cluster: 'c1', tasks: arns})).tasks : []
}

/** Closes a harness whose test may have held stops: they must go on first, or closing would wait for them. */
export async function closeReleasingStops(h: Harness | undefined): Promise<void> {
  if (!h) return
  h.driver.opts.holdStops = false
  h.driver.releaseStops()
  await h.close()
}

/**
 * An injected clock whose time the test sets (`time()`), counting its reads: each scheduler pass reads
 * it, so `passes(n)` waits for n more passes ("nothing happened" checks without a fixed sleep).
 */
export function countingClock(time: () => number): {clock: {now: () => number}; passes: (n: number) => Promise<unknown>} {
  let reads = 0
  return {
    clock: {now: () => (reads++, time())},
    passes: (n) => {
      const target = reads + n
      return waitFor(() => reads >= target, 10_000, `${n} scheduler passes`)
    },
  }
}
