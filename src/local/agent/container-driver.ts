// The container driver: each container of a task runs from its real image under a container engine
// (podman or docker, engine.ts), attached (`run --rm`), so its output and exit code come back as a
// process's do. Images are built or pulled by the engine (images.ts). As root, each task gets its own
// network namespace (task-network.ts): containers of a task share it and reach each other on
// localhost, the task answers on its private IP at each container port, and discovery names, the
// control plane and addons' servers on the host's loopback are reachable from inside. Without root,
// containers run on the engine's bridge with their ports published on 127.0.0.1.

import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LOCAL_REGION} from '../contracts.js'
import {bridgeArgs, createEngine, engineAnswers, forceRemoveArgs, networkArgs, type Engine} from './engine.js'
import {startExec} from './exec.js'
import {ImageStore} from './images.js'
import {AGENT_MARKER_VAR, PidRegistry, agentMarker} from './pids.js'
import {allocatePort} from './ports.js'
import {cleanupTaskNetworks, planTaskNetwork, refreshForwards, removeTaskNetwork, setupTaskNetwork, taskNetworksWork, type TaskNetwork} from './task-network.js'
import {TaskRun, type ContainerRun} from './task-run.js'
import type {AgentListener, ExecProcess, StopCode, TaskDriver, TaskSpec} from './types.js'

export interface ContainerDriverOptions {
  stateDir: string
  listener: AgentListener
  defaultStopTimeout?: number
  log?: (message: string) => void
  region?: string
  /** The engine (default: podman on PATH, with the settings in engine.ts). */
  engine?: Engine
  /** Extra /etc/hosts lines a task should see (service discovery names), e.g. `discovery.hostsFor()`. */
  hostsFile?: (taskId: string) => string
  /** Variables every container gets before its task definition's (AWS_ENDPOINT_URL, credentials). */
  environment?: Record<string, string>
  /** A network namespace per task (default: when root and `ip netns` works). */
  taskNetworks?: boolean
}

interface TaskState {
  run: TaskRun
  dir: string
  net?: TaskNetwork
  /** Host pids of the containers' main processes (for utilisation metrics). */
  containerPids: Map<string, number>
  /** Settles once the task's namespace, images and directory are released after it stopped. */
  released?: Promise<void>
}

const containerName = (taskId: string, container: string): string => `pier-${taskId}-${container}`.replace(/[^a-zA-Z0-9_.-]/g, '_')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class ContainerDriver implements TaskDriver {
  readonly name = 'container' as const
  readonly engine: Engine
  private readonly tasks = new Map<string, TaskState>()
  private readonly portsTaken = new Set<number>()
  private readonly pids: PidRegistry
  private readonly marker: string
  private readonly images: ImageStore
  private readonly log: (message: string) => void
  private networks: Promise<boolean>

  /** Whether podman (or `engine`) answers here. */
  static async available(opts: {stateDir?: string; engine?: Engine} = {}): Promise<boolean> {
    const engine = opts.engine ?? createEngine('podman', opts.stateDir ? join(opts.stateDir, 'agent') : join(tmpdir(), `pier-podman-${process.getuid?.() ?? 0}`))
    return engineAnswers(engine).catch(() => false)
  }

  /** Removes the containers, namespaces and rules a crashed control plane on `stateDir` left. */
  static async cleanupOrphans(opts: {stateDir: string; engine?: Engine}): Promise<string[]> {
    const engine = opts.engine ?? createEngine('podman', join(opts.stateDir, 'agent'))
    const marker = agentMarker(opts.stateDir)
    const ps = await engine.run(['ps', '-aq', '--filter', `label=pier.agent=${marker}`])
    const ids = ps.stdout.split('\n').filter(Boolean)
    if (ids.length) await engine.run(forceRemoveArgs(engine, ids))
    if (process.getuid?.() === 0) await cleanupTaskNetworks(marker)
    return ids
  }

  constructor(private readonly opts: ContainerDriverOptions) {
    this.pids = new PidRegistry(opts.stateDir)
    this.marker = agentMarker(opts.stateDir)
    this.engine = opts.engine ?? createEngine('podman', join(opts.stateDir, 'agent'))
    this.log = opts.log ?? (() => {})
    this.images = new ImageStore(this.engine, this.marker, this.log)
    this.networks = opts.taskNetworks === undefined ? taskNetworksWork() : Promise.resolve(opts.taskNetworks)
  }

  async start(spec: TaskSpec): Promise<void> {
    if (this.tasks.has(spec.taskId)) return
    const dir = join(this.opts.stateDir, 'agent', 'tasks', spec.taskId)
    mkdirSync(dir, {recursive: true})
    const ports = spec.containers.flatMap((c) => c.portMappings.map((m) => m.containerPort))
    const net = (await this.networks) ? planTaskNetwork(this.marker, spec.taskId) : undefined
    const state: TaskState = {dir, net, containerPids: new Map()} as TaskState
    const run: TaskRun = new TaskRun(spec, {
      listener: this.opts.listener,
      defaultStopTimeout: this.opts.defaultStopTimeout ?? 30,
      wrap: (argv) => argv,
      wrapProbe: (c, argv) => [this.engine.command, 'exec', containerName(spec.taskId, c.spec.name), ...argv],
      tracked: {started: (pid, label) => this.pids.add(spec.taskId, pid, label), ended: (pid) => this.pids.remove(spec.taskId, pid)},
      kill: (c, signal, exited) => this.kill(spec.taskId, c, signal, exited),
      started: (c) => this.started(state, c),
      privateIp: net?.ip,
      onStopped: () => void (state.released = this.release(state)),
      log: this.log,
    })
    state.run = run
    this.tasks.set(spec.taskId, state)
    // The namespace is wired while the images are looked up, built or pulled.
    const images = Promise.all(spec.containers.map((c) => this.images.resolve(spec.taskId, c)))
    try {
      if (net && this.engine.kind === 'podman') await setupTaskNetwork(this.marker, spec.taskId, net, ports)
    } catch (error) {
      state.net = undefined
      ;[...run.containers.values()][0]!.launchError = (error as Error).message
      await images
      return run.advance()
    }
    for (const c of run.containers.values()) {
      for (const m of c.spec.portMappings) {
        const protocol = m.protocol ?? 'tcp'
        if (net) c.bindings.push({containerPort: m.containerPort, hostPort: m.containerPort, bindIP: net.ip, protocol})
        else {
          const hostPort = await allocatePort(this.portsTaken)
          this.portsTaken.add(hostPort)
          c.bindings.push({containerPort: m.containerPort, hostPort, bindIP: '127.0.0.1', protocol})
        }
      }
    }
    if (net) writeFileSync(join(dir, 'hosts'), this.hostsContent(spec.taskId, net))
    const resolved = await images
    if (run.status === 'STOPPED') return
    let first = true
    for (const c of run.containers.values()) {
      const image = resolved[spec.containers.indexOf(c.spec)]!
      if ('error' in image) c.launchError = image.error
      else this.plan(state, c, image.name, first)
      first = false
    }
    run.advance()
  }

  private hostsContent(taskId: string, net: TaskNetwork): string {
    const discovery = this.opts.hostsFile?.(taskId) ?? ''
    return [
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost ip6-loopback',
      `${net.ip} ${taskId}`,
      // The host as seen from the task, under the names both engines give it.
      `${net.gateway} host.containers.internal host.docker.internal`,
      '# Pier local service discovery',
      discovery.trimEnd(),
      '',
    ].join('\n')
  }

  /** Rewrites every task's /etc/hosts in place (bind-mounted, so containers see it at once). */
  refreshHosts(): void {
    for (const [taskId, t] of this.tasks) {
      if (!t.net || t.run.status === 'STOPPED') continue
      try {
        writeFileSync(join(t.dir, 'hosts'), this.hostsContent(taskId, t.net))
      } catch {
        // the task is being removed
      }
      // A server that started on the host since (an addon's) becomes reachable on 127.0.0.1 too.
      void refreshForwards(t.net, t.run.spec.containers.flatMap((c) => c.portMappings.map((m) => m.containerPort))).catch(() => undefined)
    }
  }

  /** The engine's `run` command line for one container. */
  private plan(state: TaskState, c: ContainerRun, image: string, first: boolean): void {
    const spec = state.run.spec
    const name = containerName(spec.taskId, c.spec.name)
    const region = this.opts.region ?? LOCAL_REGION
    // Values travel in the engine client's environment (`--env NAME`): secrets stay out of argv.
    const vars: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      ...this.opts.environment,
      ...c.spec.environment,
      PIER_TASK_ARN: spec.taskArn,
      PIER_TASK_ID: spec.taskId,
      PIER_CONTAINER_NAME: c.spec.name,
    }
    const args = ['run', '--rm', '--name', name, '--label', `pier.agent=${this.marker}`, '--label', `pier.task=${spec.taskId}`]
    if (this.engine.kind === 'podman') args.push('--pull', 'never', '--pidfile', join(state.dir, `${c.spec.name}.pid`))
    for (const k of Object.keys(vars)) args.push('--env', k)
    if (state.net) {
      const owner = this.engine.kind === 'docker' && !first ? containerName(spec.taskId, spec.containers[0]!.name) : undefined
      args.push(...networkArgs(this.engine, {path: state.net.path, owner}))
      args.push('-v', `${join(state.dir, 'hosts')}:/etc/hosts:ro`)
      if (!owner) args.push('--hostname', spec.taskId)
    } else {
      args.push('--hostname', spec.taskId, ...bridgeArgs(this.engine))
      for (const b of c.bindings) args.push('-p', `127.0.0.1:${b.hostPort}:${b.containerPort}/${b.protocol}`)
    }
    if (c.spec.workingDirectory) args.push('--workdir', c.spec.workingDirectory)
    if (c.spec.user) args.push('--user', c.spec.user)
    if (c.spec.readonlyRootFilesystem) args.push('--read-only')
    if (c.spec.ulimits?.length) {
      const limits: Record<string, string> = {...this.engine.defaultUlimits}
      for (const u of c.spec.ulimits) limits[u.name] = `${u.softLimit}:${u.hardLimit}`
      for (const [k, v] of Object.entries(limits)) args.push('--ulimit', `${k}=${v}`)
    }
    args.push('--memory', `${c.spec.memory ?? spec.memory}m`, '--cpus', String((c.spec.cpu || spec.cpu) / 1024))
    // Docker's --entrypoint takes one word: the rest of an ECS entry point goes before the command.
    const [entry, ...entryRest] = c.spec.entryPoint ?? []
    if (entry) args.push('--entrypoint', entry)
    args.push(image, ...entryRest, ...(c.spec.command ?? []))
    let argv = [this.engine.command, ...args]
    // Docker: the other containers join the first one's namespace once it is wired.
    if (this.engine.kind === 'docker' && state.net && !first) {
      const wait = 'i=0; while [ ! -e "$0" ]; do i=$((i+1)); [ $i -lt 1200 ] || { echo "the task network never came up" >&2; exit 125; }; sleep 0.05; done; exec "$@"'
      argv = ['/bin/sh', '-c', wait, join(state.dir, 'net-ready'), ...argv]
    }
    c.plan = {argv, cwd: state.dir, imageEnv: {}}
    c.env = {...this.engine.env, ...vars, [AGENT_MARKER_VAR]: this.marker}
  }

  /** Resolves once the engine runs the container (its pid known); Docker's first one gets the network. */
  private async started(state: TaskState, c: ContainerRun): Promise<void> {
    const spec = state.run.spec
    const name = containerName(spec.taskId, c.spec.name)
    const pidFile = join(state.dir, `${c.spec.name}.pid`)
    let pid = 0
    for (let i = 0; c.status === 'PENDING' && !pid; i++) {
      if (this.engine.kind === 'podman') {
        if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8').trim()) || 0
      } else {
        const r = await this.engine.run(['inspect', '--format', '{{.State.Pid}}', name], 10_000)
        pid = r.code === 0 ? Number(r.stdout.trim()) || 0 : 0
      }
      if (!pid) await sleep(i < 50 ? 20 : 200)
    }
    if (pid) state.containerPids.set(c.spec.name, pid)
    if (this.engine.kind === 'docker' && state.net && c.spec.name === spec.containers[0]!.name && pid) {
      const ports = spec.containers.flatMap((x) => x.portMappings.map((m) => m.containerPort))
      await setupTaskNetwork(this.marker, spec.taskId, state.net, ports, pid)
      writeFileSync(join(state.dir, 'net-ready'), '')
    }
  }

  private kill(taskId: string, c: ContainerRun, signal: NodeJS.Signals, exited: boolean): void {
    if (exited) return
    const name = containerName(taskId, c.spec.name)
    const args = signal === 'SIGKILL' ? forceRemoveArgs(this.engine, [name]) : ['kill', '--signal', signal, name]
    spawn(this.engine.command, args, {env: this.engine.env, stdio: 'ignore'}).on('error', () => {})
    // A client still waiting to create its container (Docker's wait for the task network) has no
    // container to signal yet: it goes itself.
    if (signal === 'SIGKILL' && this.engine.kind === 'docker' && c.starting && c.pid) {
      try {
        process.kill(-c.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }

  private async release(state: TaskState): Promise<void> {
    const {run, dir, net} = state
    for (const c of run.containers.values()) for (const b of c.bindings) if (!net) this.portsTaken.delete(b.hostPort)
    this.pids.forget(run.spec.taskId)
    this.tasks.delete(run.spec.taskId)
    await Promise.all([net ? removeTaskNetwork(this.marker, run.spec.taskId, net) : undefined, this.images.release(run.spec.taskId)])
    rmSync(dir, {recursive: true, force: true})
  }

  /** A running task's ports, container port → the port it answers on (at its private IP, or on 127.0.0.1). */
  portBindings(taskId: string): {containerPort: number; hostPort: number}[] {
    return [...(this.tasks.get(taskId)?.run.containers.values() ?? [])].flatMap((c) => c.bindings.map(({containerPort, hostPort}) => ({containerPort, hostPort})))
  }

  /** Ids of the tasks this driver is running. */
  runningTasks(): string[] {
    return [...this.tasks.keys()]
  }

  /** The containers' main processes, as the host sees them (each leads its container's process group). */
  processesOf(taskId: string): number[] {
    return [...(this.tasks.get(taskId)?.containerPids.values() ?? [])]
  }

  async stop(taskId: string, stopCode: StopCode, reason: string): Promise<void> {
    const t = this.tasks.get(taskId)
    if (!t) return
    await t.run.stop(stopCode, reason)
    await t.released
  }

  /** Runs the command's words inside the container through the engine's exec, in its working directory. */
  exec(taskId: string, container: string, argv: string[], opts: {tty: boolean; cols?: number; rows?: number}): ExecProcess {
    const t = this.tasks.get(taskId)
    const c = t?.run.containers.get(container)
    if (!t || !c || c.status !== 'RUNNING') throw new Error(`container ${container} of task ${taskId} is not running`)
    const env = Object.entries(this.termEnv(opts.tty)).flatMap(([k, v]) => ['--env', `${k}=${v}`])
    const engineArgv = [this.engine.command, 'exec', opts.tty ? '-it' : '-i', ...env, containerName(taskId, container), ...argv]
    const noop = {started: () => {}, ended: () => {}}
    return startExec(engineArgv, {cwd: t.dir, env: this.engine.env}, opts, noop)
  }

  private termEnv(tty: boolean): Record<string, string> {
    return tty ? {TERM: 'xterm-256color'} : {}
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((id) => this.stop(id, 'UserInitiated', 'Local control plane stopped')))
    await ContainerDriver.cleanupOrphans({stateDir: this.opts.stateDir, engine: this.engine})
  }

}
