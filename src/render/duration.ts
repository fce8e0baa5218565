// Copilot's durations ("30s", "1h30m", "500ms") and schedules, converted to what AWS expects.

import {RenderError} from './errors.js'

const UNIT_SECONDS: Record<string, number> = {h: 3600, m: 60, s: 1, ms: 0.001}

/** Parses a Go-style duration ("1h30m", "45s") to seconds. */
export function durationSeconds(value: string | number, field: string): number {
  if (typeof value === 'number') return value
  const text = value.trim()
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy
  let total = 0
  let matched = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!
    matched = re.lastIndex
  }
  if (text === '' || matched !== text.length) {
    throw new RenderError(`${field} "${value}" is not a duration: use a number with a unit, like 30s, 5m or 1h30m`)
  }
  return total
}

/** Whole seconds, rounded up: AWS takes integers. */
export const wholeSeconds = (value: string | number, field: string): number => Math.ceil(durationSeconds(value, field))
