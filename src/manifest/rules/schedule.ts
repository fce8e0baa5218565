// Scheduled Job schedules: cron (5 fields, or 6 with a year as EventBridge takes), the @-shortcuts,
// `@every <duration>` (a rate), EventBridge's own rate()/cron() forms, or `none`.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'
import {parseDuration} from './duration.js'

const SHORTCUTS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', 'none'])
const NAMES = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT'
const FIELD = new RegExp(`^(\\*|\\?|L|[0-9]+W|(${NAMES}|[0-9]+)(-(${NAMES}|[0-9]+))?(#[1-5])?|[0-9]+L)(\\/[0-9]+)?$`, 'i')
const LIMITS: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7], [1970, 2199]]

/** Why the schedule is invalid, or undefined when it is fine. */
export function scheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim()
  if (SHORTCUTS.has(s)) return undefined
  if (s.startsWith('@every')) {
    const d = s.slice('@every'.length).trim()
    const ms = parseDuration(d)
    if (ms === undefined) return `"${d}" after @every is not a duration such as 30m or 1h30m`
    if (ms < 60_000) return `@every ${d} is shorter than a minute, the smallest interval a schedule can have`
    return ms % 60_000 === 0 ? undefined : `@every ${d} is not a whole number of minutes, which a schedule needs`
  }
  if (/^rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)$/.test(s)) return undefined
  const wrapped = /^cron\((.*)\)$/.exec(s)
  const inner = (wrapped?.[1] ?? s).trim()
  if (s.startsWith('@')) return `"${s}" is not a known shortcut (@hourly, @daily, @weekly, @monthly, @yearly, @every 1h)`
  const fields = inner.split(/\s+/)
  if (fields.length < 5 || fields.length > 6) return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`
  for (const [i, f] of fields.entries()) {
    for (const part of f.split(',')) {
      if (!FIELD.test(part)) return `field ${i + 1} ("${f}") is not a valid cron field`
      const [lo, hi] = LIMITS[i]!
      for (const n of part.split(/[-/#]/).filter((x) => /^\d+$/.test(x)).slice(0, part.includes('/') ? 1 : 2)) {
        if (Number(n) < lo || Number(n) > hi) return `field ${i + 1} ("${f}") has ${n}, outside ${lo}-${hi}`
      }
    }
  }
  // EventBridge's own cron() has a year; a Unix cron, which Pier translates, has not.
  if (wrapped && fields.length !== 6) return `cron(...) is EventBridge's form, with 6 fields (minute hour day-of-month month day-of-week year), got 5`
  if (!wrapped && fields.length !== 5) return 'a Unix cron expression has 5 fields (minute hour day-of-month month day-of-week), got 6: for a year, write EventBridge\'s form, cron(minute hour day-of-month month day-of-week year)'
  // EventBridge runs a schedule on a day of the month or a day of the week, never both.
  const [, , dom = '', , dow = ''] = fields
  if (wrapped && dom !== '?' && dow !== '?') return 'cron(...) needs "?" in the day-of-month or the day-of-week field: EventBridge takes one of them, never both'
  if (!wrapped && !/[*?]/.test(dom) && !/[*?]/.test(dow)) return `it sets both a day of the month ("${dom}") and a day of the week ("${dow}"): a schedule runs on one of them; set the other to *`
  return undefined
}

export function scheduleRule(m: WorkloadManifest): Issue[] {
  if (m.type !== 'Scheduled Job') return []
  const schedule = (m as {on?: {schedule?: unknown}}).on?.schedule
  if (typeof schedule !== 'string') return []
  const problem = scheduleProblem(schedule)
  return problem ? [{path: ['on', 'schedule'], code: 'invalid-schedule', message: `the schedule "${schedule}" is invalid: ${problem}`,
    hint: 'Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.'}] : []
}
