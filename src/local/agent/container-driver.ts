// The container driver: each container runs under podman (`podman run --rm`, attached, so its output
// and exit code come back like a process's), on podman's bridge network with its container ports
// published on 127.0.0.1. Used where `podman info` answers; the process driver is the default.

import {execFile, spawn} from 'node:child_process'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LOCAL_REGION} from '../contracts.js'
import {startExec} from './exec.js'
import {BUILD_CONTEXT_LABEL, BUILD_DOCKERFILE_LABEL, BUILD_TARGET_LABEL} from './launch.js'
import {AGENT_MARKER_VAR, PidRegistry, agentMarker} from './pids.js'
import {allocatePort} from './ports.js'
import {TaskRun, type ContainerRun} from './task-run.js'
import type {AgentListener, ContainerSpec, ExecProcess, StopCode, TaskDriver, TaskSpec} from './types.js'

/** Settings podman needs on these machines (docs/local-agent.md). */
const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`

export interface ContainerDriverOptions {
  stateDir: string
  listener: AgentListener
  defaultStopTimeout?: number
  log?: (message: string) => void
  region?: string
  /** The podman binary (default `podman` on PATH). */
  podman?: string
}

function podmanEnv(stateDir: string): Record<string, string> {
  const conf = join(stateDir, 'agent', 'containers.conf')
  mkdirSync(join(stateDir, 'agent'), {recursive: true})
  writeFileSync(conf, CONTAINERS_CONF)
  return {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', CONTAINERS_CONF: conf}
}

function run(podman: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(podman, args, {env, timeout: timeoutMs, maxBuffer: 16 << 20}, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0
      resolve({code, stdout: String(stdout), stderr: String(stderr)})
    })
  })
}

const containerName = (taskId: string, container: string): string => `pier-${taskId}-${container}`.replace(/[^a-zA-Z0-9_.-]/g, '_')

export class ContainerDriver implements TaskDriver {
  readonly name = 'container' as const
  private readonly tasks = new Map<string, TaskRun>()
  private readonly portsTaken = new Set<number>()
  private readonly pids: PidRegistry
  private readonly marker: string
  private readonly env: Record<string, string>
  private readonly podman: string

  /** Whether podman answers here (with the settings this driver uses). */
  static async available(opts: {stateDir?: string; podman?: string} = {}): Promise<boolean> {
    try {
      const stateDir = opts.stateDir ?? join(tmpdir(), `pier-podman-probe-${process.getuid?.() ?? 0}`)
      const r = await run(opts.podman ?? 'podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], podmanEnv(stateDir), 20_000)
      return r.code === 0
    } catch {
      return false
    }
  }

  /** Removes the containers a crashed control plane on `stateDir` left running. */
  static async cleanupOrphans(opts: {stateDir: string; podman?: string}): Promise<string[]> {
    const podman = opts.podman ?? 'podman'
    const env = podmanEnv(opts.stateDir)
    const ps = await run(podman, ['ps', '-aq', '--filter', `label=pier.agent=${agentMarker(opts.stateDir)}`], env)
    const ids = ps.stdout.split('\n').filter(Boolean)
    if (ids.length) await run(podman, ['rm', '-f', '-t', '0', ...ids], env)
    return ids
  }

  constructor(private readonly opts: ContainerDriverOptions) {
    this.pids = new PidRegistry(opts.stateDir)
    this.marker = agentMarker(opts.stateDir)
    this.env = {...podmanEnv(opts.stateDir), [AGENT_MARKER_VAR]: this.marker}
    this.podman = opts.podman ?? 'podman'
  }

  async start(spec: TaskSpec): Promise<void> {
    if (this.tasks.has(spec.taskId)) return
    const taskDir = join(this.opts.stateDir, 'agent', 'tasks', spec.taskId)
    mkdirSync(taskDir, {recursive: true})
    // Health checks run inside the container through `podman exec`.
    const inside: TaskSpec = {
      ...spec,
      containers: spec.containers.map((c) => (c.healthCheck ? {...c, healthCheck: {...c.healthCheck, command: this.healthCommand(spec.taskId, c)}} : c)),
    }
    const taskRun: TaskRun = new TaskRun(inside, {
      listener: this.opts.listener,
      defaultStopTimeout: this.opts.defaultStopTimeout ?? 30,
      wrap: (argv) => argv,
      tracked: {started: (pid, label) => this.pids.add(spec.taskId, pid, label), ended: (pid) => this.pids.remove(spec.taskId, pid)},
      kill: (c, signal, exited) => this.kill(spec.taskId, c, signal, exited),
      onStopped: () => {
        for (const c of taskRun.containers.values()) for (const b of c.bindings) this.portsTaken.delete(b.hostPort)
        this.pids.forget(spec.taskId)
        this.tasks.delete(spec.taskId)
        rmSync(taskDir, {recursive: true, force: true})
      },
      log: this.opts.log ?? (() => {}),
    })
    this.tasks.set(spec.taskId, taskRun)
    for (const c of taskRun.containers.values()) {
      for (const m of c.spec.portMappings) {
        const hostPort = await allocatePort(this.portsTaken)
        this.portsTaken.add(hostPort)
        c.bindings.push({containerPort: m.containerPort, hostPort, bindIP: '127.0.0.1', protocol: m.protocol ?? 'tcp'})
      }
      await this.prepare(taskRun, c, taskDir)
    }
    taskRun.advance()
  }

  private healthCommand(taskId: string, c: ContainerSpec): string[] {
    const [kind, ...rest] = c.healthCheck!.command
    const inner = kind === 'CMD' ? rest : ['/bin/sh', '-c', (kind === 'CMD-SHELL' ? rest : c.healthCheck!.command).join(' ')]
    return ['CMD', this.podman, 'exec', containerName(taskId, c.name), ...inner]
  }

  /** Makes sure the image exists (building a source image), then writes the `podman run` command line. */
  private async prepare(taskRun: TaskRun, c: ContainerRun, taskDir: string): Promise<void> {
    const spec = taskRun.spec
    const image = await this.ensureImage(c.spec)
    if ('error' in image) {
      c.launchError = image.error
      return
    }
    const region = this.opts.region ?? LOCAL_REGION
    const envFile = join(taskDir, `${c.spec.name}.env`)
    const env = {AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', ...c.spec.environment}
    writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}\n`).join(''), {mode: 0o600})
    const args = ['run', '--rm', '--pull', 'never', '--name', containerName(spec.taskId, c.spec.name), '--hostname', spec.taskId]
    args.push('--label', `pier.agent=${this.marker}`, '--label', `pier.task=${spec.taskId}`, '--env-file', envFile)
    for (const b of c.bindings) args.push('-p', `127.0.0.1:${b.hostPort}:${b.containerPort}/${b.protocol}`)
    if (c.spec.workingDirectory) args.push('--workdir', c.spec.workingDirectory)
    if (c.spec.user) args.push('--user', c.spec.user)
    if (c.spec.readonlyRootFilesystem) args.push('--read-only')
    if (c.spec.entryPoint?.length) args.push('--entrypoint', JSON.stringify(c.spec.entryPoint))
    args.push('--memory', `${spec.memory}m`, image.name, ...(c.spec.command ?? []))
    c.plan = {argv: [this.podman, ...args], cwd: taskDir, imageEnv: {}}
    c.env = this.env
  }

  private async ensureImage(c: ContainerSpec): Promise<{name: string} | {error: string}> {
    if ((await run(this.podman, ['image', 'exists', c.image], this.env)).code === 0) return {name: c.image}
    const context = c.dockerLabels?.[BUILD_CONTEXT_LABEL]
    if (!context) return {error: `CannotPullContainerError: image ${c.image} is not in the local podman store, and no registry is reachable from the local control plane (build or import it with podman first)`}
    const name = /^[a-z0-9][a-z0-9._/-]*(:[\w.-]+)?$/.test(c.image) ? c.image : `pier-local/${c.name}:latest`
    const args = ['build', '-t', name, '-f', join(context, c.dockerLabels?.[BUILD_DOCKERFILE_LABEL] || 'Dockerfile')]
    if (c.dockerLabels?.[BUILD_TARGET_LABEL]) args.push('--target', c.dockerLabels[BUILD_TARGET_LABEL]!)
    const built = await run(this.podman, [...args, context], this.env, 600_000)
    if (built.code !== 0) {
      const last = built.stderr.trim().split('\n').at(-1) ?? 'podman build failed'
      return {error: `CannotPullContainerError: building ${c.name} from ${context} failed: ${last}`}
    }
    return {name}
  }

  private kill(taskId: string, c: ContainerRun, signal: NodeJS.Signals, exited: boolean): void {
    if (exited) return
    const name = containerName(taskId, c.spec.name)
    const args = signal === 'SIGKILL' ? ['rm', '-f', '-t', '0', name] : ['kill', '--signal', signal, name]
    spawn(this.podman, args, {env: this.env, stdio: 'ignore'}).on('error', () => {})
  }

  /** A running task's published ports, container port → host port (for service discovery). */
  portBindings(taskId: string): {containerPort: number; hostPort: number}[] {
    return [...(this.tasks.get(taskId)?.containers.values() ?? [])].flatMap((c) => c.bindings.map(({containerPort, hostPort}) => ({containerPort, hostPort})))
  }

  async stop(taskId: string, stopCode: StopCode, reason: string): Promise<void> {
    await this.tasks.get(taskId)?.stop(stopCode, reason)
  }

  exec(taskId: string, container: string, argv: string[], opts: {tty: boolean; cols?: number; rows?: number}): ExecProcess {
    const c = this.tasks.get(taskId)?.containers.get(container)
    if (!c || c.status !== 'RUNNING') throw new Error(`container ${container} of task ${taskId} is not running`)
    // podman exec starts in the container's working directory with its environment.
    const podmanArgv = [this.podman, 'exec', opts.tty ? '-it' : '-i', containerName(taskId, container), ...argv]
    const noop = {started: () => {}, ended: () => {}}
    return startExec(podmanArgv, {cwd: c.plan!.cwd, env: this.env}, opts, noop)
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => t.stop('UserInitiated', 'Local control plane stopped')))
  }
}
