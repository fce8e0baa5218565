// Target health checks with the target group's settings. Intervals are capped for local use (the
// thresholds and matcher are honoured as on AWS; only the clock runs faster), and a newly
// registered target is checked at once, so a healthy task serves traffic within a second.

import http from 'node:http'
import type {HealthCheckSettings, TargetGroupRecord, TargetRecord} from './model.js'

export interface HealthTiming {
  /** Longest interval between checks of a target, whatever the target group says. */
  maxIntervalMs: number
  /** Interval while a target is still `initial`. */
  initialIntervalMs: number
}

/** Whether an HTTP status code satisfies a matcher such as "200", "200,302" or "200-299". */
export function matcherAccepts(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number)
    return hi === undefined ? status === lo : status >= lo! && status <= hi
  })
}

/** One HTTP health check; resolves with null when healthy, else the AWS reason code and description. */
export function checkTarget(
  target: {id: string; port: number},
  hc: HealthCheckSettings,
): Promise<null | {reason: string; description: string}> {
  const port = hc.port === 'traffic-port' ? target.port : Number(hc.port)
  return new Promise((resolve) => {
    const req = http.request(
      {host: target.id, port, path: hc.path || '/', method: 'GET', timeout: hc.timeoutSeconds * 1000, agent: false},
      (res) => {
        res.resume()
        const code = res.statusCode ?? 0
        resolve(
          matcherAccepts(hc.matcher, code)
            ? null
            : {reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${code}]`},
        )
      },
    )
    req.on('timeout', () => {
      req.destroy()
      resolve({reason: 'Target.Timeout', description: 'Request timed out'})
    })
    req.on('error', () => resolve({reason: 'Target.FailedHealthChecks', description: 'Health checks failed'}))
    req.end()
  })
}

/** Applies one check result to a target with the group's thresholds. Returns true when the state changed. */
export function applyCheck(t: TargetRecord, hc: HealthCheckSettings, failure: null | {reason: string; description: string}): boolean {
  const before = t.state
  if (t.state === 'draining') return false
  if (failure === null) {
    t.successes++
    t.failures = 0
    if (t.state !== 'healthy' && t.successes >= hc.healthyThreshold) {
      t.state = 'healthy'
      t.reason = undefined
      t.description = undefined
    }
  } else {
    t.failures++
    t.successes = 0
    if (t.state === 'initial' || t.state === 'healthy') {
      if (t.failures >= hc.unhealthyThreshold) t.state = 'unhealthy'
    }
    if (t.state === 'unhealthy') {
      t.reason = failure.reason
      t.description = failure.description
    }
  }
  return t.state !== before
}

/** Runs checks for every target of every group on a timer. */
export class HealthChecker {
  private timer: NodeJS.Timeout | undefined
  private readonly due = new Map<string, number>()
  private readonly inflight = new Set<string>()
  /** When a failure last counted towards the unhealthy threshold (or when the target registered). */
  private readonly failureCountedAt = new Map<string, number>()

  constructor(
    private readonly groups: () => TargetGroupRecord[],
    private readonly timing: HealthTiming,
    private readonly onChange: () => void,
  ) {}

  start(tickMs = 50): void {
    this.timer = setInterval(() => this.tick(), tickMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
  }

  /** Checks a target now (on registration). */
  checkSoon(group: TargetGroupRecord, t: TargetRecord): void {
    this.due.set(key(group, t), 0)
    this.failureCountedAt.set(key(group, t), Date.now())
    this.tick()
  }

  /** Quick checks find a healthy target fast, but failures count only once per (capped) interval, so a
   * target still starting is not declared unhealthy sooner than the thresholds allow on AWS. */
  private counts(group: TargetGroupRecord, k: string, failure: unknown): boolean {
    if (failure === null) return true
    const interval = Math.min(group.healthCheck.intervalSeconds * 1000, this.timing.maxIntervalMs)
    const now = Date.now()
    const last = this.failureCountedAt.get(k)
    if (last !== undefined && now - last < interval) return false
    this.failureCountedAt.set(k, now)
    return true
  }

  private tick(): void {
    const now = Date.now()
    for (const group of this.groups()) {
      for (const t of group.targets) {
        if (t.state === 'draining') continue
        const k = key(group, t)
        if (this.inflight.has(k) || (this.due.get(k) ?? 0) > now) continue
        if (!group.healthCheck.enabled) {
          if (t.state !== 'healthy') {
            t.state = 'healthy'
            this.onChange()
          }
          continue
        }
        this.inflight.add(k)
        const interval =
          t.state === 'initial'
            ? this.timing.initialIntervalMs
            : Math.min(group.healthCheck.intervalSeconds * 1000, this.timing.maxIntervalMs)
        this.due.set(k, now + interval)
        void checkTarget(t, group.healthCheck).then((failure) => {
          this.inflight.delete(k)
          if (group.targets.includes(t) && this.counts(group, k, failure) && applyCheck(t, group.healthCheck, failure)) this.onChange()
        })
      }
    }
  }
}

const key = (g: TargetGroupRecord, t: {id: string; port: number}) => `${g.arn}|${t.id}|${t.port}`
