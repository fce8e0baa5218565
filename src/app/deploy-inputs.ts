// The deploy-time inputs of a workload stack that only the live account knows: listener rule
// priorities not taken by other services, and a desired count moved by autoscaling.
import type {AwsClients} from '../aws/interfaces.js'
import type {EcsWorkloadManifest} from '../manifest/types.js'
import {ENV_OUTPUTS} from '../render/names.js'

const MAX_PRIORITY = 50_000

/** Priorities taken on each listener (by ARN) by the deploys of one command, which the listener may
 * not show yet: deploys that run side by side read the same rules, and would pick the same number. */
export type PriorityReservations = Map<string, Set<number>>

/** Priorities for `rules` (paths in order): kept from the stack's parameters, else free ones from the
 * listeners; the root path gets the highest free number so more specific paths match first. A number
 * chosen here is reserved in `reserved`, and numbers reserved there are not free. */
export async function rulePriorities(aws: Pick<AwsClients, 'loadBalancers'>, input: {paths: string[]; current: Record<string, string>; listenerArns: string[]; reserved?: PriorityReservations}): Promise<number[] | undefined> {
  if (input.paths.length === 0 || input.listenerArns.length === 0) return undefined
  const kept = input.paths.map((_, i) => Number(input.current[i === 0 ? 'HTTPRulePriority' : `HTTPRulePriority${i}`]))
  if (kept.every((p) => Number.isInteger(p) && p > 0)) return kept
  const used = new Set<number>()
  for (const arn of input.listenerArns) {
    let marker: string | undefined
    do {
      const page = await aws.loadBalancers.describeRules({ListenerArn: arn, Marker: marker})
      for (const r of page.Rules ?? []) if (r.Priority && r.Priority !== 'default') used.add(Number(r.Priority))
      marker = page.NextMarker
    } while (marker)
  }
  // From here to the reservation nothing awaits, so a deploy running beside this one sees the numbers.
  for (const arn of input.listenerArns) for (const p of input.reserved?.get(arn) ?? []) used.add(p)
  const chosen = input.paths.map((path, i) => {
    if (Number.isInteger(kept[i]) && kept[i]! > 0) return kept[i]!
    let p = path === '/' || path === '' ? MAX_PRIORITY : 1
    const step = p === MAX_PRIORITY ? -1 : 1
    while (used.has(p)) p += step
    used.add(p)
    return p
  })
  if (input.reserved) {
    for (const arn of input.listenerArns) {
      const set = input.reserved.get(arn) ?? new Set<number>()
      chosen.forEach((p) => set.add(p))
      input.reserved.set(arn, set)
    }
  }
  return chosen
}

export function listenerArnsFor(m: EcsWorkloadManifest, envOutputs: Record<string, string>): string[] {
  const http = 'http' in m ? m.http : undefined
  if (!http) return []
  const keys = m.type === 'Backend Service' ? [ENV_OUTPUTS.internalHttpListener, 'InternalHTTPSListenerArn'] : [ENV_OUTPUTS.httpListener, ENV_OUTPUTS.httpsListener]
  return keys.map((k) => envOutputs[k]).filter((v): v is string => Boolean(v))
}

export function hasAutoscaling(m: EcsWorkloadManifest): boolean {
  const count = 'count' in m ? m.count : undefined
  return typeof count === 'object' && count !== null && count.range !== undefined
}
