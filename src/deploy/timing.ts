// Polling with jittered exponential backoff. Clock, sleep and randomness are injected so waiting logic
// is tested without waiting; the delays come from the client factory's tuning (slow on AWS, fast on a
// local endpoint) and never from a check of where the endpoint is.

export interface Timing {
  now(): number
  sleep(ms: number): Promise<void>
  random(): number
}

export const realTiming: Timing = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
}

export interface BackoffConfig {
  minDelayMs: number
  maxDelayMs: number
  /** Growth of the delay after each quiet poll (default 1.5). */
  factor?: number
}

export interface Backoff {
  /** The next delay: grows while nothing happens, jittered between half and all of it. */
  next(): number
  /** Call when a poll saw progress: the next delay starts again from the minimum. */
  reset(): void
}

export function backoff(config: BackoffConfig, random: () => number = Math.random): Backoff {
  const factor = config.factor ?? 1.5
  let base = config.minDelayMs
  return {
    next() {
      const delay = Math.max(config.minDelayMs / 2, base / 2 + random() * (base / 2))
      base = Math.min(config.maxDelayMs, base * factor)
      return Math.round(delay)
    },
    reset() {
      base = config.minDelayMs
    },
  }
}

/** A sleep that an interruption (Ctrl-C) cuts short. */
export function wakeableSleep(timing: Timing): {sleep(ms: number): Promise<void>; wake(): void} {
  let wakeUp: (() => void) | undefined
  return {
    sleep(ms) {
      return Promise.race([timing.sleep(ms), new Promise<void>((resolve) => (wakeUp = resolve))])
    },
    wake() {
      wakeUp?.()
    },
  }
}
