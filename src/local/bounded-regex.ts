// User-supplied regular expressions (SSM's AllowedPattern, CloudFormation parameters' AllowedPattern)
// tested against user-supplied values. A backtracking pattern such as `^(a+)+$` takes time doubling
// with each character of the value, and on the event loop that stalls every API. Here a pattern is
// compiled first (a syntax error is the caller's ValidationException), then run in a worker thread
// with a time limit: the event loop never runs it, and a pattern that does not finish within the
// limit is stopped (the worker is replaced) and refused as too complex.

import {Worker} from 'node:worker_threads'

/** AWS's limit on an AllowedPattern's length. */
export const MAX_PATTERN_LENGTH = 1024
/** How long one test may run before the pattern is refused (ms). */
export const PATTERN_TIME_LIMIT_MS = 500

export class PatternError extends Error {
  constructor(message: string, readonly reason: 'invalid' | 'too-long' | 'too-complex') {
    super(message)
    this.name = 'PatternError'
  }
}

const WORKER = `
const {parentPort} = require('node:worker_threads')
parentPort.postMessage({ready: true})
parentPort.on('message', ({id, pattern, value}) => {
  try {
    parentPort.postMessage({id, ok: new RegExp(pattern).test(value)})
  } catch (err) {
    parentPort.postMessage({id, error: String(err && err.message || err)})
  }
})
`

interface Job {
  pattern: string
  value: string
  resolve(ok: boolean): void
  reject(err: Error): void
}

/** Compiles `pattern` on the calling thread (linear in its length): throws PatternError if it is not valid. */
export function checkPattern(pattern: string): void {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`the pattern is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, 'too-long')
  }
  try {
    new RegExp(pattern)
  } catch (err) {
    throw new PatternError(`the pattern is not a valid regular expression: ${(err as Error).message}`, 'invalid')
  }
}

/** Runs patterns one at a time in a worker thread, each within the time limit. */
export class BoundedRegex {
  private worker: Worker | undefined
  /** Whether the worker has started (its start-up does not count against a pattern's time). */
  private ready = false
  private readonly queue: Job[] = []
  private running: (Job & {id: number; timer: NodeJS.Timeout}) | undefined
  private nextId = 1

  constructor(private readonly limitMs = PATTERN_TIME_LIMIT_MS) {}

  /** Whether `value` matches `pattern` (JavaScript semantics, unanchored as RegExp.test is). */
  test(pattern: string, value: string): Promise<boolean> {
    checkPattern(pattern)
    return new Promise((resolve, reject) => {
      this.queue.push({pattern, value, resolve, reject})
      this.pump()
    })
  }

  close(): void {
    void this.worker?.terminate()
    this.worker = undefined
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const w = new Worker(WORKER, {eval: true})
    w.unref()
    this.ready = false
    w.on('message', (m: {id: number; ok?: boolean; error?: string; ready?: boolean}) => {
      if (m.ready) {
        this.ready = true
        this.pump()
        return
      }
      const job = this.running
      if (!job || job.id !== m.id) return
      clearTimeout(job.timer)
      this.running = undefined
      if (m.error !== undefined) job.reject(new PatternError(m.error, 'invalid'))
      else job.resolve(m.ok === true)
      this.pump()
    })
    w.on('error', () => this.replaceWorker(new PatternError('the pattern could not be run', 'invalid')))
    this.worker = w
    return w
  }

  private replaceWorker(failure: Error): void {
    const job = this.running
    this.running = undefined
    const old = this.worker
    this.worker = undefined
    void old?.terminate()
    if (job) {
      clearTimeout(job.timer)
      job.reject(failure)
    }
    this.pump()
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return
    const worker = this.ensureWorker()
    if (!this.ready) return // pumped again once the worker says it is ready
    const job = this.queue.shift()!
    const id = this.nextId++
    const timer = setTimeout(() => {
      this.replaceWorker(new PatternError(`the pattern took longer than ${this.limitMs} ms to test against the value: simplify it (nested quantifiers such as (a+)+ backtrack exponentially)`, 'too-complex'))
    }, this.limitMs)
    this.running = {...job, id, timer}
    worker.postMessage({id, pattern: job.pattern, value: job.value})
  }
}

/** The one instance the control plane's services share. */
export const boundedRegex = new BoundedRegex()
