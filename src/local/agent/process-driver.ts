// The default driver of the local agent: each container of a task runs as a host process group.
// Tasks behave like awsvpc tasks as far as a host allows: every task gets its own loopback port per
// container port (PORT, PORT_<containerPort>), and, when the agent runs as root, its own mount
// namespace with a per-task /etc/hosts so service discovery names resolve (docs/local-agent.md).

import {accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {delimiter, join} from 'node:path'

import {LOCAL_REGION} from '../contracts.js'
import {startExec} from './exec.js'
import {LaunchError, planLaunch} from './launch.js'
import {AGENT_MARKER_VAR, PidRegistry, agentMarker, cleanupOrphans} from './pids.js'
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
}

const UNSHARE = '/usr/bin/unshare'

function canUnshare(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    accessSync(UNSHARE, constants.X_OK)
    return true
  } catch {
    return false
  }
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

  constructor(private readonly opts: ProcessDriverOptions) {
    this.pids = new PidRegistry(opts.stateDir)
    this.marker = agentMarker(opts.stateDir)
    this.mountNamespace = opts.mountNamespace ?? canUnshare()
    this.log = opts.log ?? (() => {})
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
      tracked: {started: (pid, label) => this.pids.add(spec.taskId, pid, label), ended: (pid) => this.pids.remove(spec.taskId, pid)},
      onStopped: () => this.release(run, taskDir),
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

  async stop(taskId: string, stopCode: StopCode, reason: string): Promise<void> {
    await this.tasks.get(taskId)?.stop(stopCode, reason)
  }

  exec(taskId: string, container: string, command: string, opts: {tty: boolean; cols?: number; rows?: number}): ExecProcess {
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
    return startExec(command, {cwd: c.plan.cwd, env: c.env, mountNamespacePid: inNamespace ? c.pid : undefined}, opts, track)
  }

  /** Ids of the tasks this driver is running. */
  runningTasks(): string[] {
    return [...this.tasks.keys()]
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((run) => run.stop('UserInitiated', 'Local control plane stopped')))
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
