// Placement over a capacity provider strategy, as ECS defines it: the provider with a `base` gets the
// first `base` tasks; every further task goes where the share of tasks beyond the base lags most behind
// the provider's `weight` (so weights 1 and 3 split the remaining tasks 1:3). Pure, no I/O.

import {ServiceError} from '../frontend/types.js'

export type ProviderName = 'FARGATE' | 'FARGATE_SPOT'
export const PROVIDER_NAMES: readonly ProviderName[] = ['FARGATE', 'FARGATE_SPOT']

export interface StrategyItem {
  capacityProvider: string
  weight?: number
  base?: number
}

/** Checks a strategy the way ECS does; throws InvalidParameterException with ECS's wording. */
export function validateStrategy(strategy: StrategyItem[], available: string[]): void {
  if (strategy.length === 0) throw invalid('The capacity provider strategy cannot be empty.')
  if (strategy.length > 20) throw invalid('The capacity provider strategy cannot contain more than 20 capacity providers.')
  const seen = new Set<string>()
  let withBase = 0
  for (const item of strategy) {
    const name = item.capacityProvider
    if (typeof name !== 'string' || name === '') throw invalid('The capacity provider name cannot be empty.')
    if (seen.has(name)) throw invalid(`The capacity provider strategy contains duplicate capacity provider ${name}.`)
    seen.add(name)
    if (!PROVIDER_NAMES.includes(name as ProviderName)) {
      throw invalid(`The specified capacity provider ${name} does not exist. Specify a valid name or ARN and try again.`)
    }
    if (!available.includes(name)) {
      throw invalid(`The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`)
    }
    const weight = item.weight ?? 0
    const base = item.base ?? 0
    if (!Number.isInteger(weight) || weight < 0 || weight > 1000) throw invalid('The weight of a capacity provider must be between 0 and 1000.')
    if (!Number.isInteger(base) || base < 0 || base > 100000) throw invalid('The base of a capacity provider must be between 0 and 100000.')
    if (base > 0) withBase++
  }
  if (withBase > 1) throw invalid('A base value can only be specified for one capacity provider in a capacity provider strategy.')
  if (strategy.length > 1 && strategy.every((i) => (i.weight ?? 0) === 0)) {
    throw invalid('At least one capacity provider in a capacity provider strategy must have a weight greater than zero.')
  }
}

/**
 * Picks the provider of each of `count` new tasks, given how many tasks of the same group (service, or
 * RunTask call) already run on each provider.
 */
export function placeTasks(strategy: StrategyItem[], count: number, existing: Partial<Record<string, number>> = {}): string[] {
  const counts = new Map<string, number>(strategy.map((i) => [i.capacityProvider, existing[i.capacityProvider] ?? 0]))
  const out: string[] = []
  for (let n = 0; n < count; n++) {
    const pick = nextProvider(strategy, counts)
    counts.set(pick, (counts.get(pick) ?? 0) + 1)
    out.push(pick)
  }
  return out
}

function nextProvider(strategy: StrategyItem[], counts: Map<string, number>): string {
  const first = strategy[0]!
  for (const item of strategy) {
    if ((item.base ?? 0) > (counts.get(item.capacityProvider) ?? 0)) return item.capacityProvider
  }
  const weighted = strategy.filter((i) => (i.weight ?? 0) > 0)
  if (weighted.length === 0) return first.capacityProvider
  let best = weighted[0]!
  let bestScore = Infinity
  for (const item of weighted) {
    const beyondBase = Math.max(0, (counts.get(item.capacityProvider) ?? 0) - (item.base ?? 0))
    const score = (beyondBase + 1) / item.weight!
    // Ties go to the heavier weight, then to the order of the strategy.
    if (score < bestScore - 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && item.weight! > best.weight!)) {
      best = item
      bestScore = score
    }
  }
  return best.capacityProvider
}

function invalid(message: string): ServiceError {
  return new ServiceError('InvalidParameterException', message)
}
