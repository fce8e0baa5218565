// The default driver of the local agent: each container of a task runs as a host process group.
// Tasks behave like awsvpc tasks as far as a host allows: every task gets its own loopback port per
// container port (PORT, PORT_<containerPort>), and, when the agent runs as root, its own mount
// namespace with a per-task /etc/hosts so service discovery names resolve (docs/local-agent.md).

import {spawnSync} from 'node:child_process'
import {accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {delimiter, join} from 'node:path'

import {LOCAL_REGION} from '../contracts.js'
import {startExec} from './exec.js'
import {LaunchError, planLaunch} from './launch.js'
import {listeningPorts, processTree} from './listening.js'
import {mapContainerPorts} from './health.js'
import {AGENT_MARKER_VAR, PidRegistry, agentMarker, cleanupOrphans, killMarked, killProcessesWith} from './pids.js'
import {allocatePort} from './ports.js'
import {TaskRun, type ContainerRun} from './task-run.js'
import type {AgentListener, ExecProcess, StopCode, TaskDriver, TaskSpec} from './types.js'

export {cleanupOrphans}

export interface ProcessDriverOptions {
  stateDir: string
  listener: AgentListener
  /** Extra /etc/hosts lines a task should see (service discovery names), e.g. `discovery.hostsFor()`. */
  hostsFile?: (taskId: string) => string
  /** Seconds between SIGTERM and SIGKILL for containers without stopTimeout (ECS default 30). */
  defaultStopTimeout?: number
  log?: (message: string) => void
  region?: string
  /** Run each task in its own mount namespace with its own /etc/hosts. Default: when root and unshare exists. */
  mountNamespace?: boolean
  /** When to check that containers listen on their assigned ports (ms after start; default 2, 5, 15 s). */
  portCheckDelays?: number[]
  /**
   * Variables every task gets before its image's and task definition's own, e.g. AWS_ENDPOINT_URL
   * and the local credentials, so AWS SDKs inside tasks reach the local control plane.
   */
  environment?: Record<string, string>
}

const UNSHARE = '/usr/bin/unshare'
const NSENTER = '/usr/bin/nsenter'

/** Whether tasks can get a private /etc/hosts: root, and a mount namespace that allows a bind mount
 * (a container without CAP_SYS_ADMIN runs as root but refuses both). Probed once. */
let unshareWorks: boolean | undefined
function canUnshare(): boolean {
  if (process.getuid?.() !== 0) return false
  unshareWorks ??= spawnSync(UNSHARE, ['-m', '--', '/bin/sh', '-c', 'mount --bind /etc/hosts /etc/hosts'], {stdio: 'ignore', timeout: 5000}).status === 0
  return unshareWorks
}

function findOnPath(program: string, path: string): boolean {
  if (program.includes('/')) {
    try {
      accessSync(program, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

export class ProcessDriver implements TaskDriver {
  readonly name = 'process' as const
  private readonly tasks = new Map<string, TaskRun>()
  private readonly hostDirs = new Map<string, string>()
  private readonly portsTaken = new Set<number>()
  /** Exec sessions' process groups per task: they end with the task, as in a container. */
  private readonly execs = new Map<string, Set<number>>()
  private readonly pids: PidRegistry
  private readonly marker: string
  private readonly mountNamespace: boolean
  private readonly log: (message: string) => void
  private readonly portCheckDelays: number[]

  constructor(private readonly opts: ProcessDriverOptions) {
    this.pids = new PidRegistry(opts.stateDir)
    this.marker = agentMarker(opts.stateDir)
    this.mountNamespace = opts.mountNamespace ?? canUnshare()
    this.log = opts.log ?? (() => {})
    this.portCheckDelays = opts.portCheckDelays ?? [2000, 5000, 15_000]
  }

  async start(spec: TaskSpec): Promise<void> {
    if (this.tasks.has(spec.taskId)) return
    const taskDir = join(this.opts.stateDir, 'agent', 'tasks', spec.taskId)
    const hostPath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'
    const hosts = this.opts.hostsFile?.(spec.taskId)
    const useNamespace = this.mountNamespace && hosts !== undefined
    let hostsPath: string | undefined
    if (useNamespace) hostsPath = join(taskDir, 'hosts')
    const run: TaskRun = new TaskRun(spec, {
      listener: this.opts.listener,
      defaultStopTimeout: this.opts.defaultStopTimeout ?? 30,
      wrap: (argv) => (hostsPath ? [UNSHARE, '-m', '--', '/bin/sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsPath, ...argv] : argv),
      // Health checks name the container's port; here the task listens on the port it was given.
      wrapProbe: (c, argv) => {
        const mapped = mapContainerPorts(argv, c.bindings)
        return hostsPath && c.pid ? [NSENTER, '-t', String(c.pid), '-m', '--', ...mapped] : mapped
      },
      tracked: {started: (pid, label) => this.pids.add(spec.taskId, pid, label), ended: (pid) => this.pids.remove(spec.taskId, pid)},
      onStopped: () => this.release(run, taskDir),
      killStragglers: (c) =>
        void killProcessesWith([`${AGENT_MARKER_VAR}=${this.marker}`, `PIER_TASK_ID=${spec.taskId}`, `PIER_CONTAINER_NAME=${c.spec.name}`]),
      log: this.log,
    })
    this.tasks.set(spec.taskId, run)
    mkdirSync(taskDir, {recursive: true})
    if (hostsPath) writeFileSync(hostsPath, this.hostsContent(hosts!))
    for (const c of run.containers.values()) {
      for (const m of c.spec.portMappings) {
        const hostPort = await allocatePort(this.portsTaken)
        // Stopped while ports were being found: released already, so hand nothing more out.
        if (run.status === 'STOPPED') return
        this.portsTaken.add(hostPort)
        c.bindings.push({containerPort: m.containerPort, hostPort, bindIP: '127.0.0.1', protocol: m.protocol ?? 'tcp'})
      }
    }
    for (const c of run.containers.values()) this.prepare(run, c, taskDir, hostPath, hosts)
    run.advance()
    this.watchPorts(run)
  }

  /**
   * An app that listens on its container port instead of $PORT works for one task and is unreachable
   * through the load balancer and discovery: say so in its log, once, a few seconds after start.
   */
  private watchPorts(run: TaskRun): void {
    if (![...run.containers.values()].some((c) => c.bindings.length)) return
    const warned = new Set<string>()
    for (const delay of this.portCheckDelays) {
      const timer = setTimeout(() => {
        if (run.status !== 'RUNNING') return
        for (const c of run.containers.values()) {
          if (c.status !== 'RUNNING' || !c.pid || !c.bindings.length || warned.has(c.spec.name)) continue
          const ports = listeningPorts(processTree(c.pid))
          if (ports.size === 0 || c.bindings.some((b) => ports.has(b.hostPort))) continue
          warned.add(c.spec.name)
          const given = c.bindings.map((b) => `PORT_${b.containerPort}=${b.hostPort}`).join(', ')
          const line =
            `[pier agent] container ${c.spec.name} listens on port ${[...ports].sort((a, b) => a - b).join(', ')}, not on the port the ` +
            `process driver gave it (PORT=${c.bindings[0]!.hostPort}; ${given}): the load balancer and service discovery reach ` +
            'this task only there. Make the app listen on $PORT, so that several tasks can run side by side.'
          this.opts.listener.onLog(run.spec.taskId, c.spec.name, 'stderr', line, Date.now())
        }
      }, delay)
      timer.unref()
    }
  }

  /** Process group leaders of a task's containers (for measuring its CPU and memory). */
  processesOf(taskId: string): number[] {
    return this.pids.pidsOf(taskId)
  }

  private prepare(run: TaskRun, c: ContainerRun, taskDir: string, hostPath: string, hosts: string | undefined): void {
    const spec = run.spec
    const scratchDir = join(taskDir, c.spec.name)
    try {
      c.plan = planLaunch(c.spec, {scratchDir, hostPath})
    } catch (error) {
      c.launchError = error instanceof LaunchError ? error.message : `CannotStartContainerError: ${(error as Error).message}`
      return
    }
    if (c.plan.cwd === scratchDir) mkdirSync(scratchDir, {recursive: true})
    const region = this.opts.region ?? LOCAL_REGION
    const env: Record<string, string> = {
      PATH: hostPath,
      HOME: process.env.HOME ?? '/root',
      HOSTNAME: spec.taskId,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      ...this.opts.environment,
      ...c.plan.imageEnv,
      ...c.spec.environment,
      PIER_TASK_ARN: spec.taskArn,
      PIER_TASK_ID: spec.taskId,
      PIER_CONTAINER_NAME: c.spec.name,
      [AGENT_MARKER_VAR]: this.marker,
    }
    if (process.env.LANG && !env.LANG) env.LANG = process.env.LANG
    if (c.bindings[0]) env.PORT = String(c.bindings[0].hostPort)
    for (const b of c.bindings) env[`PORT_${b.containerPort}`] = String(b.hostPort)
    if (hosts !== undefined) env.PIER_DISCOVERY_HOSTS = discoveryVariable(hosts)
    c.env = env
    const program = c.plan.argv[0]!
    if (!findOnPath(program, env.PATH ?? hostPath)) {
      c.launchError = `CannotStartContainerError: exec: "${program}": executable file not found in $PATH`
    }
  }

  private hostsContent(lines: string): string {
    let base = ''
    try {
      base = readFileSync('/etc/hosts', 'utf8')
    } catch {
      base = '127.0.0.1 localhost\n'
    }
    return `${base.replace(/\n?$/, '\n')}# Pier local service discovery\n${lines.replace(/\n?$/, '\n')}`
  }

  /** Rewrites every running task's /etc/hosts in place (the bind mount sees the same file). */
  refreshHosts(): void {
    if (!this.opts.hostsFile) return
    for (const run of this.tasks.values()) {
      const path = join(this.opts.stateDir, 'agent', 'tasks', run.spec.taskId, 'hosts')
      if (this.mountNamespace && run.status !== 'STOPPED') {
        try {
          writeFileSync(path, this.hostsContent(this.opts.hostsFile(run.spec.taskId)))
        } catch {
          // the task is being removed
        }
      }
    }
  }

  private release(run: TaskRun, taskDir: string): void {
    for (const c of run.containers.values()) for (const b of c.bindings) this.portsTaken.delete(b.hostPort)
    this.pids.forget(run.spec.taskId)
    for (const pid of this.execs.get(run.spec.taskId) ?? []) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    this.execs.delete(run.spec.taskId)
    this.pids.forget(`${run.spec.taskId}.exec`)
    this.tasks.delete(run.spec.taskId)
    rmSync(taskDir, {recursive: true, force: true})
  }

  /** A running task's published ports, container port → host port (for service discovery). */
  portBindings(taskId: string): {containerPort: number; hostPort: number}[] {
    return [...(this.tasks.get(taskId)?.containers.values() ?? [])].flatMap((c) => c.bindings.map(({containerPort, hostPort}) => ({containerPort, hostPort})))
  }

  async stop(taskId: string, stopCode: StopCode, reason: string): Promise<void> {
    await this.tasks.get(taskId)?.stop(stopCode, reason)
  }

  exec(taskId: string, container: string, argv: string[], opts: {tty: boolean; cols?: number; rows?: number}): ExecProcess {
    const run = this.tasks.get(taskId)
    const c = run?.containers.get(container)
    if (!run || !c || c.status !== 'RUNNING' || !c.plan) {
      throw new Error(`container ${container} of task ${taskId} is not running`)
    }
    const label = `${taskId}/${container}/exec`
    const owner = `${taskId}.exec`
    const pids = this.execs.get(taskId) ?? new Set<number>()
    this.execs.set(taskId, pids)
    const track = {
      started: (pid: number) => {
        pids.add(pid)
        this.pids.add(owner, pid, label)
      },
      ended: (pid: number) => {
        pids.delete(pid)
        this.pids.remove(owner, pid)
      },
    }
    const inNamespace = this.mountNamespace && this.opts.hostsFile !== undefined
    return startExec(argv, {cwd: c.plan.cwd, env: c.env, mountNamespacePid: inNamespace ? c.pid : undefined}, opts, track)
  }

  /** Ids of the tasks this driver is running. */
  runningTasks(): string[] {
    return [...this.tasks.keys()]
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((run) => run.stop('UserInitiated', 'Local control plane stopped')))
    // Whatever left its process group (setsid, double fork) still carries the marker: no process stays.
    killMarked(this.opts.stateDir)
  }
}

/** `name=address` pairs from hosts-file lines, for tasks that cannot see a private /etc/hosts. */
function discoveryVariable(hosts: string): string {
  const pairs: string[] = []
  for (const line of hosts.split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/)
    if (ip) for (const name of names) pairs.push(`${name}=${ip}`)
  }
  return pairs.join(',')
}
