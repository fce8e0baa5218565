// Task counts and scaling: ranges go from low to high, spot_from lies within the range, targets are
// sensible percentages.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

export function countRule(m: WorkloadManifest): Issue[] {
  const count = (m as {count?: unknown}).count
  if (!count || typeof count !== 'object') return []
  const c = count as Record<string, any>
  const issues: Issue[] = []
  let min: number | undefined
  let max: number | undefined
  if (typeof c.range === 'string') {
    const [a, b] = c.range.split('-').map(Number)
    min = a
    max = b
  } else if (c.range && typeof c.range === 'object') {
    min = c.range.min
    max = c.range.max
    if (min === undefined || max === undefined) {
      issues.push({path: ['count', 'range'], code: 'missing-field', message: '`count.range` needs both `min` and `max`: they bound the number of tasks', hint: 'Add `min: 1` and `max: 10`.'})
    }
    const spotFrom = c.range.spot_from
    if (typeof spotFrom === 'number' && typeof max === 'number' && spotFrom > max) {
      issues.push({path: ['count', 'range', 'spot_from'], code: 'count-range', message: `spot_from ${spotFrom} is above max ${max}: no task would ever run on Spot`, hint: `Set spot_from to at most ${max}.`})
    }
  }
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    issues.push({path: ['count', 'range'], code: 'count-range', message: `the range's minimum ${min} is above its maximum ${max}: the number of tasks must fit between them`, hint: `Write ${max}-${min}.`})
  }
  if (typeof max === 'number' && max < 1 && (min ?? 0) <= max) {
    issues.push({path: ['count', 'range'], code: 'count-range', message: 'the range\'s maximum is 0: the service could never run a task', hint: 'Set the maximum to 1 or more.'})
  }
  for (const key of ['cpu_percentage', 'memory_percentage'] as const) {
    const v = typeof c[key] === 'object' && c[key] !== null ? c[key].value : c[key]
    if (typeof v === 'number' && (v <= 0 || v > 100)) {
      issues.push({path: ['count', key], code: 'out-of-range', message: `${key} ${v} is not a percentage: a utilization target lies between 1 and 100`, hint: 'Most services use 50-80.'})
    }
  }
  return issues
}
