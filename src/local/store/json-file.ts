// Crash-safe persistence for the local control plane: a document is written to a temporary file,
// flushed to disk, then renamed over the old one, so a crash at any moment leaves either the old or
// the new document, never a torn one. No native addons (they compile for minutes on a fresh machine).

import {closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'

import {dictReviver, toDicts} from './dict.js'

/** Reads a JSON document; `fallback` when the file does not exist. A corrupt file is an error. Its
 * objects have no prototype (dict.ts): the names users chose are its keys. */
export function readJsonFile<T>(path: string, fallback: T): T {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback
    throw err
  }
  return JSON.parse(text, dictReviver) as T
}

let suspended = false

/** Makes every later write a no-op: the daemon's state directory is gone, and its shutdown must not
 * create it again. */
export function suspendWrites(): void {
  suspended = true
}

/** Atomically replaces `path` with `value` as JSON (write temp, fsync, rename). Without `flush` the
 * data is not forced to the disk: the rename still leaves the old or the new document whole after the
 * process dies, only a crash of the machine itself may lose the change. */
export function writeJsonFileAtomic(path: string, value: unknown, flush = true): void {
  if (suspended) return
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify(value))
    if (flush) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}

/**
 * A document kept in memory and persisted atomically. `save()` after a change; `saveSoon()` batches
 * bursts of changes into one write within `delayMs` (a crash may lose at most that window, so the
 * store of record uses `save()` for anything it has acknowledged to a client).
 */
export class JsonDocument<T> {
  value: T
  private timer: NodeJS.Timeout | undefined

  constructor(readonly path: string, fallback: T, private readonly delayMs = 20) {
    this.value = readJsonFile(path, toDicts(fallback))
  }

  save(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    writeJsonFileAtomic(this.path, this.value)
  }

  /** Writes now, safe against the process dying but not forced to the disk (see writeJsonFileAtomic):
   * for frequent intermediate states whose loss with the whole machine is harmless. */
  saveUnflushed(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    writeJsonFileAtomic(this.path, this.value, false)
  }

  saveSoon(): void {
    if (this.timer) return
    this.timer = setTimeout(() => this.save(), this.delayMs)
    this.timer.unref()
  }

  /** Writes any pending change now (on shutdown). */
  flush(): void {
    if (this.timer) this.save()
  }
}
