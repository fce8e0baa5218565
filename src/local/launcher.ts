// Starting, finding and stopping the local control plane's daemon. `<stateDir>/control-plane.json` holds
// its LocalStatus while it runs; a file whose pid is gone is stale (read as "not running", and left for
// the next start to replace: a reader in another PID namespace cannot tell a live daemon from a dead
// one). The CLI imports this file (and state-dir.ts through it), so the control plane itself stays a
// separate program.

import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {DEFAULT_LOCAL_PORT, type LocalStatus} from './contracts.js'
import {foreignDirReason, isAlive, LOG_FILE, markStateDir, STATUS_FILE} from './state-dir.js'
import {readJsonFile} from './store/json-file.js'
import {stopLeftoverServers} from './servers/supervisor.js'

export {isAlive, isStateDir, LOG_FILE, STATUS_FILE, wipeStateDir} from './state-dir.js'

/** A start or stop that failed; the message says what happened and why. */
export class LocalLaunchError extends Error {
  constructor(message: string, readonly logFile?: string) {
    super(message)
    this.name = 'LocalLaunchError'
  }
}

/** `$PIER_STATE_DIR`, else `$XDG_STATE_HOME/pier/local`, else `~/.local/state/pier/local`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIER_STATE_DIR) return env.PIER_STATE_DIR
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'pier', 'local')
  return join(homedir(), '.local', 'state', 'pier', 'local')
}

export function defaultPort(env: NodeJS.ProcessEnv = process.env): number {
  const p = Number(env.PIER_LOCAL_PORT)
  return env.PIER_LOCAL_PORT && Number.isInteger(p) && p >= 0 && p < 65536 ? p : DEFAULT_LOCAL_PORT
}

/** The running control plane's status, or undefined. Reading never changes the directory. */
export function readLocalStatus(stateDir = defaultStateDir(), opts: {evenIfDead?: boolean} = {}): LocalStatus | undefined {
  const path = join(stateDir, STATUS_FILE)
  let status: LocalStatus | undefined
  try {
    status = readJsonFile<LocalStatus | undefined>(path, undefined)
  } catch (err) {
    // A path that cannot hold the file (ENOTDIR, EACCES): nothing runs there.
    if ((err as NodeJS.ErrnoException).code) return undefined
    return undefined // torn or foreign content: like a stale file
  }
  if (!status || typeof status !== 'object' || typeof status.pid !== 'number' || typeof status.endpoint !== 'string') return undefined
  if (!opts.evenIfDead && !isAlive(status.pid)) return undefined
  return status
}

/** The built entry point `dist/local/main.js`, found from this module's location (bundled or not). */
export function localEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    for (const candidate of [join(dir, 'local', 'main.js'), join(dir, 'dist', 'local', 'main.js')]) {
      if (existsSync(candidate)) return candidate
    }
    dir = dirname(dir)
  }
  throw new LocalLaunchError('cannot find the local control plane program (dist/local/main.js): Pier is not built')
}

/** Whether the control plane at `endpoint` answers its health check as process `pid`. */
export function ping(endpoint: string, pid?: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/_pier/health`, {timeout: timeoutMs, agent: false}, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (pid === undefined || JSON.parse(body).pid === pid))
        } catch {
          resolve(false)
        }
      })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface EnsureOptions {
  stateDir?: string
  port?: number
  /** How long to wait for a new daemon to answer (default 30 s: asking container engines may take seconds). */
  timeoutMs?: number
  /** auto, container or process (default: PIER_LOCAL_DRIVER, else auto). */
  driver?: string
}

/** Starts the daemon unless one already runs for this state directory; resolves once it answers. */
export async function ensureLocal(opts: EnsureOptions = {}): Promise<LocalStatus & {started: boolean}> {
  const stateDir = opts.stateDir ?? defaultStateDir()
  const timeoutMs = opts.timeoutMs ?? 30_000
  const existing = readLocalStatus(stateDir)
  if (existing) {
    if (await waitAnswering(existing, Math.min(timeoutMs, 5000))) return {...existing, started: false}
    throw new LocalLaunchError(`the local control plane (pid ${existing.pid}) does not answer at ${existing.endpoint}: it may be stuck`, join(stateDir, LOG_FILE))
  }

  const foreign = foreignDirReason(stateDir)
  if (foreign) throw new LocalLaunchError(`refusing to use it as the state directory: ${foreign}. Choose an empty or new directory with --state-dir`)
  const logFile = join(stateDir, LOG_FILE)
  let fd: number
  try {
    mkdirSync(stateDir, {recursive: true, mode: 0o700})
    markStateDir(stateDir) // before the log: the daemon then finds a directory that is Pier's
    fd = openSync(logFile, 'a', 0o600)
  } catch (err) {
    throw new LocalLaunchError(`cannot use ${stateDir} as its state directory: ${(err as Error).message}`)
  }
  const args = [localEntry(), '--state-dir', stateDir, '--port', String(opts.port ?? defaultPort()), ...(opts.driver ? ['--driver', opts.driver] : [])]
  // The daemon makes no TLS calls; extra CA certificates only slow its start.
  const env = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  const child = spawn(process.execPath, args, {detached: true, stdio: ['ignore', fd, fd], env})
  closeSync(fd)
  let exited: number | null | undefined
  child.on('exit', (code) => (exited = code))
  child.unref()

  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new LocalLaunchError(`the local control plane exited with code ${exited} while starting: ${lastLines(logFile)}`, logFile)
    }
    const status = readLocalStatus(stateDir)
    if (status && status.pid === child.pid && (await ping(status.endpoint, status.pid))) return {...status, started: true}
    await sleep(20)
  }
  if (child.pid) process.kill(child.pid, 'SIGKILL')
  throw new LocalLaunchError(`the local control plane did not answer within ${timeoutMs} ms`, logFile)
}

async function waitAnswering(status: LocalStatus, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  do {
    if (await ping(status.endpoint, status.pid)) return true
    await sleep(50)
  } while (Date.now() < deadline)
  return false
}

/** Stops the daemon (which stops its tasks first); SIGKILL after `timeoutMs`. Undefined when none ran. */
export async function stopLocal(stateDir = defaultStateDir(), opts: {timeoutMs?: number} = {}): Promise<LocalStatus | undefined> {
  const status = readLocalStatus(stateDir)
  if (!status) {
    // A control plane killed outright leaves its database and cache servers running.
    await stopLeftoverServers(stateDir)
    return undefined
  }
  try {
    process.kill(status.pid, 'SIGTERM')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000)
  while (isAlive(status.pid) && Date.now() < deadline) await sleep(20)
  if (isAlive(status.pid)) {
    process.kill(status.pid, 'SIGKILL')
    while (isAlive(status.pid)) await sleep(20)
  }
  // The daemon removes its own status file; one it could not remove (killed) names a dead pid.
  if (readLocalStatus(stateDir, {evenIfDead: true})?.pid === status.pid) rmSync(join(stateDir, STATUS_FILE), {force: true})
  await stopLeftoverServers(stateDir)
  return status
}

/** Runs the control plane attached to this terminal until it exits; resolves with its exit code. */
export function runForeground(opts: {stateDir?: string; port?: number; driver?: string}): Promise<number> {
  const stateDir = opts.stateDir ?? defaultStateDir()
  const foreign = foreignDirReason(stateDir)
  if (foreign) return Promise.reject(new LocalLaunchError(`refusing to use it as the state directory: ${foreign}. Choose an empty or new directory with --state-dir`))
  const existing = readLocalStatus(stateDir)
  if (existing) {
    return Promise.reject(new LocalLaunchError(`the local control plane already runs for ${stateDir} (pid ${existing.pid}, ${existing.endpoint})`))
  }
  const args = [localEntry(), '--state-dir', stateDir, '--port', String(opts.port ?? defaultPort()), '--foreground', ...(opts.driver ? ['--driver', opts.driver] : [])]
  // Its own process group: a terminal's Ctrl-C reaches only this process, which forwards it once (a
  // second SIGINT would make the control plane exit without stopping its tasks).
  const child = spawn(process.execPath, args, {stdio: 'inherit', detached: true})
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig)
  const onInt = forward('SIGINT')
  const onTerm = forward('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(code ?? (signal ? 128 + 15 : 1))
    })
  })
}

function lastLines(file: string, n = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-n).join(' | ')
  } catch {
    return '(no log)'
  }
}
