// Container health checks as ECS runs them: a probe every `interval` seconds, killed after `timeout`;
// `retries` consecutive failures make the container UNHEALTHY, one success makes it HEALTHY, and
// failures during `startPeriod` do not count.

import {spawn} from 'node:child_process'

import type {ContainerHealthCheckSpec} from './types.js'

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'

/** ECS's health check command as a program and its arguments. */
export function healthCheckArgv(command: string[]): string[] | undefined {
  const [kind, ...rest] = command
  if (kind === 'CMD-SHELL') return rest.length ? ['/bin/sh', '-c', rest.join(' ')] : undefined
  if (kind === 'CMD') return rest.length ? rest : undefined
  if (kind === 'NONE') return undefined
  // Docker also takes a bare command line.
  return command.length ? ['/bin/sh', '-c', command.join(' ')] : undefined
}

export class HealthMonitor {
  status: HealthStatus = 'UNKNOWN'
  private failures = 0
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly startedAt = Date.now()
  private readonly argv: string[] | undefined

  constructor(
    private readonly spec: ContainerHealthCheckSpec,
    private readonly run: {cwd: string; env: Record<string, string>; wrap?: (argv: string[]) => string[]},
    private readonly onChange: (status: HealthStatus) => void,
  ) {
    const argv = healthCheckArgv(spec.command)
    this.argv = argv && run.wrap ? run.wrap(argv) : argv
  }

  start(): void {
    if (this.argv) this.schedule()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => void this.probe().then((ok) => this.record(ok)), this.spec.interval * 1000)
    this.timer.unref()
  }

  private record(ok: boolean): void {
    if (this.stopped) return
    if (ok) {
      this.failures = 0
      this.set('HEALTHY')
    } else if (Date.now() - this.startedAt >= this.spec.startPeriod * 1000 || this.status === 'HEALTHY') {
      this.failures++
      if (this.failures >= Math.max(1, this.spec.retries)) this.set('UNHEALTHY')
    }
    this.schedule()
  }

  private set(status: HealthStatus): void {
    if (status === this.status) return
    this.status = status
    this.onChange(status)
  }

  private probe(): Promise<boolean> {
    const [program, ...args] = this.argv!
    return new Promise((resolve) => {
      const child = spawn(program!, args, {cwd: this.run.cwd, env: this.run.env, stdio: 'ignore', detached: true})
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }, this.spec.timeout * 1000)
      child.once('error', () => {
        clearTimeout(timer)
        resolve(false)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        resolve(code === 0)
      })
    })
  }
}

/**
 * The process driver gives each task its own host port per container port (tasks share the host's
 * network), so a health check written for the container (`http://localhost:8080/healthz`) is pointed
 * at the task's port: `localhost`, `127.0.0.1` and `0.0.0.0` with a mapped container port are rewritten.
 */
export function mapContainerPorts(command: string[], bindings: {containerPort: number; hostPort: number}[]): string[] {
  if (bindings.length === 0) return command
  return command.map((arg) =>
    arg.replace(/\b(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)\b/g, (all, host: string, port: string) => {
      const b = bindings.find((x) => x.containerPort === Number(port))
      return b ? `${host}:${b.hostPort}` : all
    }),
  )
}
