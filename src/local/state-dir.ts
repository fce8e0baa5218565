// The state directory's ownership: what marks a directory as the control plane's, the files and
// folders the control plane creates in it (the only things `pier local reset` deletes), and the lock
// one daemon holds while it serves from it. Pier never deletes anything it did not create: a folder
// that is neither empty nor marked is refused, and a reset leaves anything else in place.

import {closeSync, existsSync, linkSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'

/** Written by the control plane into its state directory: the proof the directory is Pier's. */
export const STATE_MARKER = '.pier-local-state'
export const STATUS_FILE = 'control-plane.json'
export const LOG_FILE = 'control-plane.log'
export const LOCK_FILE = 'control-plane.lock'

/**
 * Every top-level entry the control plane creates in its state directory. `pier local reset` deletes
 * these and nothing else (test/local/state-dir.test.ts checks the list against a running daemon).
 */
export const STATE_ENTRIES: readonly string[] = [
  STATE_MARKER, STATUS_FILE, LOG_FILE, LOCK_FILE,
  'acm.json', 'agent', 'autoscaling.json', 'cloudformation', 'discovery.json', 'dynamodb', 'ecs', 'efs', 'elasticache',
  'elb.json', 'keys', 'kms', 'lambda', 'logs', 'messaging.json', 'rds', 's3', 'scheduler.json', 'secretsmanager.json',
  'servers', 'ssm.json',
]

/** A document's temporary file (`<name>.<pid>.tmp`) a crash left beside it. */
function isOwnEntry(name: string): boolean {
  if (STATE_ENTRIES.includes(name)) return true
  const m = /^(.+)\.\d{1,10}\.tmp$/.exec(name)
  return m !== null && STATE_ENTRIES.includes(m[1]!)
}

function entries(dir: string): string[] | undefined {
  try {
    return readdirSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

/** Whether `dir` may hold the control plane's state: absent, empty, or marked as Pier's. */
export function isStateDir(dir: string): boolean {
  const list = entries(dir)
  return list === undefined || list.length === 0 || list.includes(STATE_MARKER)
}

/** Why `dir` cannot be a state directory, or undefined when it can. */
export function foreignDirReason(dir: string): string | undefined {
  if (isStateDir(dir)) return undefined
  const list = entries(dir) ?? []
  return `${dir} is not empty and is not a Pier state directory (it holds ${list.length} entr${list.length === 1 ? 'y' : 'ies'}, ` +
    `e.g. ${list.slice(0, 3).join(', ')}, and no ${STATE_MARKER})`
}

/** Marks `dir` (existing, empty or already Pier's) as the control plane's. */
export function markStateDir(dir: string): void {
  if (!existsSync(join(dir, STATE_MARKER))) {
    writeFileSync(join(dir, STATE_MARKER), 'Pier local control plane state. `pier local reset` deletes what Pier created here.\n', {mode: 0o600})
  }
}

/**
 * Deletes what the control plane created in `dir`, then the directory itself if nothing else is
 * left. Returns the entries it left alone (not Pier's).
 */
export function wipeStateDir(dir: string): string[] {
  const list = entries(dir)
  if (list === undefined) return []
  const left: string[] = []
  // The marker goes last: a reset cut short leaves a directory still known to be Pier's.
  for (const name of list.filter((n) => n !== STATE_MARKER)) {
    if (isOwnEntry(name)) rmSync(join(dir, name), {recursive: true, force: true})
    else left.push(name)
  }
  rmSync(join(dir, STATE_MARKER), {force: true})
  if (left.length === 0) rmdirSync(dir)
  return left
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by whoever adopted the daemon) counts as gone. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true // no /proc (macOS): signal 0 is all we can ask
  }
}

/** Whether `pid` is a live control plane daemon (a pid reused by another program is not). */
function isDaemon(pid: number): boolean {
  if (!isAlive(pid)) return false
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--state-dir')
  } catch {
    return true // no /proc: trust the pid
  }
}

/** The pid a lock file names (undefined when absent or torn). */
export function lockOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    return Number.isInteger(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

export class StateLockError extends Error {
  constructor(message: string, readonly pid: number) {
    super(message)
    this.name = 'StateLockError'
  }
}

/**
 * Takes the state directory's lock for this process: an exclusive create of `control-plane.lock`
 * holding the pid. A lock whose process is gone is stale: it is moved aside (a rename only one
 * contender can win), checked, and removed, then the create is tried again. Throws StateLockError when
 * a live daemon holds it.
 */
export function acquireStateLock(dir: string, pid = process.pid): void {
  const path = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      try {
        writeSync(fd, `${pid}\n`)
      } finally {
        closeSync(fd)
      }
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = lockOwner(path)
    if (owner === pid) return
    if (owner !== undefined && isDaemon(owner)) {
      throw new StateLockError(`the local control plane already runs for ${dir} (pid ${owner})`, owner)
    }
    if (owner === undefined) {
      // Created but not yet written by a contender, or torn: give the writer a moment.
      if (attempt < 5) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
        continue
      }
    }
    const aside = `${path}.${pid}.stale`
    try {
      renameSync(path, aside)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue // another contender moved it first
      throw err
    }
    const moved = lockOwner(aside)
    if (moved !== undefined && moved !== owner && isDaemon(moved)) {
      // Between reading the stale lock and moving it, a contender replaced it with its own, live lock:
      // put that back (a link fails if yet another lock appeared, which then stands).
      try {
        linkSync(aside, path)
      } catch {
        // the newer lock stands
      }
      rmSync(aside, {force: true})
      throw new StateLockError(`the local control plane already runs for ${dir} (pid ${moved})`, moved)
    }
    rmSync(aside, {force: true})
  }
  throw new StateLockError(`cannot take the lock ${path}: it keeps changing`, 0)
}

/** Whether this process still holds the lock (another daemon may have broken a lock it took for stale). */
export function holdsStateLock(dir: string, pid = process.pid): boolean {
  return lockOwner(join(dir, LOCK_FILE)) === pid
}

/** Releases the lock if this process holds it. */
export function releaseStateLock(dir: string, pid = process.pid): void {
  if (holdsStateLock(dir, pid)) rmSync(join(dir, LOCK_FILE), {force: true})
}
