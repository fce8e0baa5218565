// The container engine the container driver runs tasks with: docker or podman, behind one interface.
// Their command lines agree for everything the driver uses (build, pull, run, exec, kill, rm, rmi,
// inspect) except how a container joins a network namespace and how the host is named from inside;
// those differences live here (docs/local-agent.md).

import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {basename, delimiter, join} from 'node:path'

export type EngineKind = 'docker' | 'podman'

/** Settings podman needs on machines like Debian 12's (runc, cgroupfs, file events, ulimits below the hard limits). */
const PODMAN_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`

export interface EngineResult {
  code: number
  stdout: string
  stderr: string
}

export interface Engine {
  readonly kind: EngineKind
  /** The executable (a name on PATH or a path). */
  readonly command: string
  /** The environment the engine's commands run with. */
  readonly env: Record<string, string>
  /**
   * Ulimits to repeat when a task sets some: podman then drops its configured defaults for the others
   * and asks for limits above the hard ones this machine allows.
   */
  readonly defaultUlimits: Record<string, string>
  run(args: string[], timeoutMs?: number): Promise<EngineResult>
}

function engineEnv(kind: EngineKind, confDir: string): Record<string, string> {
  // Podman's network plugins call iptables, in sbin, which a root shell without a login may lack on PATH.
  const env: Record<string, string> = {PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`, HOME: process.env.HOME ?? '/root'}
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST
  if (process.env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = process.env.XDG_RUNTIME_DIR
  if (kind === 'podman') {
    if (process.env.CONTAINERS_CONF) env.CONTAINERS_CONF = process.env.CONTAINERS_CONF
    else {
      const conf = join(confDir, 'containers.conf')
      mkdirSync(confDir, {recursive: true})
      writeFileSync(conf, PODMAN_CONF)
      env.CONTAINERS_CONF = conf
    }
  }
  return env
}

function kindOf(command: string): EngineKind {
  return basename(command).includes('podman') ? 'podman' : 'docker'
}

/** An engine driven through its CLI; `confDir` holds podman's containers.conf. */
export function createEngine(command: string, confDir: string, kind: EngineKind = kindOf(command)): Engine {
  const env = engineEnv(kind, confDir)
  return {
    kind,
    command,
    env,
    defaultUlimits: kind === 'podman' && !process.env.CONTAINERS_CONF ? {nofile: '20000:20000', nproc: '4096:4096'} : {},
    run: (args, timeoutMs = 120_000) =>
      new Promise((resolve) => {
        execFile(command, args, {env, timeout: timeoutMs, maxBuffer: 32 << 20}, (error, stdout, stderr) => {
          const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0
          const why = error && typeof (error as NodeJS.ErrnoException).code !== 'number' ? `${error.message}\n` : ''
          resolve({code, stdout: String(stdout), stderr: `${String(stderr)}${why}`})
        })
      }),
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** Whether the engine's daemon (docker) or runtime (podman) answers `info`. */
export async function engineAnswers(engine: Engine): Promise<boolean> {
  const format = engine.kind === 'podman' ? '{{.Host.OCIRuntime.Name}}' : '{{.ServerVersion}}'
  const r = await engine.run(['info', '--format', format], 30_000)
  return r.code === 0
}

/**
 * The engine the local control plane uses: PIER_CONTAINER_ENGINE (a command, or "none" for none), else
 * docker, else podman, whichever is installed and answers. Undefined when none does.
 */
export async function findEngine(confDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Engine | undefined> {
  const chosen = env.PIER_CONTAINER_ENGINE
  if (chosen === 'none') return undefined
  const candidates = chosen ? [chosen] : (['docker', 'podman'].map(onPath).filter(Boolean) as string[])
  for (const command of candidates) {
    const engine = createEngine(command, confDir)
    if (await engineAnswers(engine)) return engine
  }
  return undefined
}

/**
 * Arguments that put a container into the task's network namespace. Podman joins a named namespace
 * (`ip netns`) directly; Docker cannot, so the task's first container owns it (`--network none`, the
 * agent attaches its namespace) and the others join that container's.
 */
export function networkArgs(engine: Engine, net: {path: string; owner?: string}): string[] {
  if (engine.kind === 'podman') return ['--network', `ns:${net.path}`]
  return net.owner ? ['--network', `container:${net.owner}`] : ['--network', 'none']
}

/** Arguments for a container on the engine's default bridge (no per-task namespace: rootless runs). */
export function bridgeArgs(engine: Engine): string[] {
  // Podman adds host.containers.internal itself; Docker needs to be told the host's address.
  return engine.kind === 'docker' ? ['--add-host', 'host.docker.internal:host-gateway'] : []
}

/** Removes containers at once: podman's `rm -f` would first wait 10 s for SIGTERM; Docker's kills. */
export function forceRemoveArgs(engine: Engine, names: string[]): string[] {
  return engine.kind === 'podman' ? ['rm', '-f', '-t', '0', ...names] : ['rm', '-f', ...names]
}

/** `rmi` that keeps the build cache: Docker removes untagged parent layers unless told not to. */
export function removeImageArgs(engine: Engine, image: string): string[] {
  return engine.kind === 'docker' ? ['rmi', '--no-prune', image] : ['rmi', image]
}
