// Health check bounds, as ECS and Elastic Load Balancing accept them.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'
import {formatMs, parseDuration} from './duration.js'

type Bounds = Record<string, [number, number]>
const CONTAINER: Bounds = {interval: [5_000, 300_000], timeout: [2_000, 60_000], start_period: [0, 300_000]}
const TARGET: Bounds = {interval: [5_000, 300_000], timeout: [2_000, 120_000], grace_period: [0, 2_147_483_000]}

function check(at: (string | number)[], hc: unknown, bounds: Bounds, what: string): Issue[] {
  if (!hc || typeof hc !== 'object') return []
  const h = hc as Record<string, unknown>
  const issues: Issue[] = []
  for (const [key, [lo, hi]] of Object.entries(bounds)) {
    const ms = parseDuration(h[key])
    if (ms !== undefined && (ms < lo || ms > hi)) {
      issues.push({path: [...at, key], code: 'out-of-range', message: `${what} ${key} ${String(h[key])} is out of range: it must be between ${formatMs(lo)} and ${formatMs(hi)}`, hint: `Pick a value from ${formatMs(lo)} to ${formatMs(hi)}.`})
    }
  }
  const interval = parseDuration(h.interval)
  const timeout = parseDuration(h.timeout)
  if (interval !== undefined && timeout !== undefined && timeout >= interval && what === 'target health check') {
    issues.push({path: [...at, 'timeout'], code: 'out-of-range', message: `the ${what} timeout ${String(h.timeout)} is not shorter than its interval ${String(h.interval)}: a check would still run when the next starts`, hint: 'Make the timeout shorter than the interval.'})
  }
  return issues
}

export function healthCheckRule(m: WorkloadManifest): Issue[] {
  const any = m as Record<string, any>
  const issues: Issue[] = [...check(['image', 'healthcheck'], any.image?.healthcheck, CONTAINER, 'container health check')]
  for (const [name, sc] of Object.entries((any.sidecars ?? {}) as Record<string, any>)) {
    issues.push(...check(['sidecars', name, 'healthcheck'], sc?.healthcheck, CONTAINER, 'container health check'))
  }
  if (any.http && typeof any.http === 'object') {
    issues.push(...check(['http', 'healthcheck'], any.http.healthcheck, TARGET, 'target health check'))
    ;(any.http.additional_rules ?? []).forEach((r: any, i: number) => issues.push(...check(['http', 'additional_rules', i, 'healthcheck'], r?.healthcheck, TARGET, 'target health check')))
  }
  if (any.nlb && typeof any.nlb === 'object') issues.push(...check(['nlb', 'healthcheck'], any.nlb.healthcheck, TARGET, 'target health check'))
  return issues
}
