// Copilot's `count`: a number, `{spot: N}`, or autoscaling with a range ("1-10" or {min, max}).

import type {Count} from '../../manifest/types.js'
import {RenderError} from '../errors.js'

export interface ScalingRange {
  min: number
  max: number
}

export function scalingRange(count: Count | undefined): ScalingRange | undefined {
  if (typeof count !== 'object' || count === null || count.range === undefined) return undefined
  if (typeof count.range === 'string') {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(count.range)
    if (!m) throw new RenderError(`count.range "${count.range}" is not a range: write it as min-max, like 1-10`)
    return {min: Number(m[1]), max: Number(m[2])}
  }
  const {min, max} = count.range
  if (min === undefined || max === undefined) throw new RenderError('count.range needs both min and max')
  return {min, max}
}

/** The desired count the service is created with. */
export function initialDesiredCount(count: Count | undefined): number {
  if (count === undefined) return 1
  if (typeof count === 'number') return count
  if (count.spot !== undefined) return count.spot
  return scalingRange(count)?.min ?? 1
}
