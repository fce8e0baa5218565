// The capacity provider strategy of a service. From Copilot's fields: `count.spot: N` runs every task
// on Fargate Spot; `count.range.spot_from: N` keeps the first N-1 tasks on Fargate and puts the rest
// on Spot. Pier's extension `capacity_providers` states the strategy itself, with base and weight per
// provider. With none of them the cluster's default strategy (Fargate) applies.

import type {CapacityProviderStrategyItem, Count} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import type {Json} from '../template.js'

export function capacityProviderStrategy(count: Count | undefined, explicit: CapacityProviderStrategyItem[] | undefined): Json[] | undefined {
  if (explicit?.length) return explicitStrategy(explicit)
  if (typeof count !== 'object' || count === null) return undefined
  if (count.spot !== undefined) return [{CapacityProvider: 'FARGATE_SPOT', Weight: 1}]
  const spotFrom = typeof count.range === 'object' ? count.range.spot_from : undefined
  if (spotFrom !== undefined) {
    return [
      {CapacityProvider: 'FARGATE', Base: Math.max(spotFrom - 1, 0), Weight: 0},
      {CapacityProvider: 'FARGATE_SPOT', Weight: 1},
    ]
  }
  return undefined
}

function explicitStrategy(items: CapacityProviderStrategyItem[]): Json[] {
  const withBase = items.filter((i) => (i.base ?? 0) > 0)
  if (withBase.length > 1) {
    throw new RenderError('capacity_providers sets a base on more than one provider: ECS allows a base on one provider only')
  }
  if (!items.some((i) => (i.weight ?? 0) > 0)) {
    throw new RenderError('capacity_providers gives every provider a weight of 0: at least one provider needs a weight above 0')
  }
  const seen = new Set<string>()
  return items.map((i) => {
    if (seen.has(i.capacity_provider)) throw new RenderError(`capacity_providers lists ${i.capacity_provider} twice: list each provider once`)
    seen.add(i.capacity_provider)
    return {CapacityProvider: i.capacity_provider, ...(i.base !== undefined ? {Base: i.base} : {}), Weight: i.weight ?? 0}
  })
}
