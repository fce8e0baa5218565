// EventBridge schedule expressions: `rate(5 minutes)` and six-field `cron(min hour dom month dow year)`
// with `*`, `?`, ranges, lists, steps, month and day names, `L` (last day of month) and `n#k`
// (k-th weekday of the month). Times are UTC, as EventBridge evaluates them.

export type Schedule = {kind: 'rate'; everyMs: number} | {kind: 'cron'; fields: CronFields}

interface CronFields {
  minutes: Set<number>
  hours: Set<number>
  dom: Set<number> | 'any' | 'last'
  months: Set<number>
  dow: Set<number> | 'any' | {weekday: number; nth: number}
  years: Set<number> | 'any'
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

export class ScheduleError extends Error {}

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim())
  if (rate) {
    const n = Number(rate[1])
    const unit = rate[2]!
    if (n < 1) throw new ScheduleError(`Parameter ScheduleExpression is not valid: the rate must be at least 1`)
    if ((n === 1) !== !unit.endsWith('s')) throw new ScheduleError(`Parameter ScheduleExpression is not valid: use "${n} ${n === 1 ? unit.replace(/s$/, '') : unit.replace(/s?$/, 's')}"`)
    const unitMs = unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : 86_400_000
    return {kind: 'rate', everyMs: n * unitMs}
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim())
  if (!cron) throw new ScheduleError(`Parameter ScheduleExpression is not valid: expected rate(...) or cron(...), got "${expression}"`)
  const parts = cron[1]!.trim().split(/\s+/)
  if (parts.length !== 6) throw new ScheduleError(`Parameter ScheduleExpression is not valid: cron needs six fields (minutes hours day-of-month month day-of-week year)`)
  const [mi, h, dom, mon, dow, y] = parts as [string, string, string, string, string, string]
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleError('Parameter ScheduleExpression is not valid: exactly one of day-of-month and day-of-week must be "?"')
  }
  return {
    kind: 'cron',
    fields: {
      minutes: field(mi, 0, 59),
      hours: field(h, 0, 23),
      dom: dom === '?' ? 'any' : dom === 'L' ? 'last' : field(dom, 1, 31),
      months: field(mon, 1, 12, MONTHS, 1),
      dow: dow === '?' ? 'any' : dow.includes('#') ? nth(dow) : field(dow, 1, 7, DAYS, 1),
      years: y === '*' ? 'any' : field(y, 1970, 2199),
    },
  }
}

function nth(text: string): {weekday: number; nth: number} {
  const [d, n] = text.split('#')
  const weekday = DAYS.indexOf(d!.toUpperCase()) >= 0 ? DAYS.indexOf(d!.toUpperCase()) + 1 : Number(d)
  if (!(weekday >= 1 && weekday <= 7) || !(Number(n) >= 1 && Number(n) <= 5)) throw new ScheduleError(`Parameter ScheduleExpression is not valid: "${text}"`)
  return {weekday, nth: Number(n)}
}

function field(text: string, min: number, max: number, names: string[] = [], nameBase = 0): Set<number> {
  const out = new Set<number>()
  const value = (v: string) => {
    const named = names.indexOf(v.toUpperCase())
    const n = named >= 0 ? named + nameBase : Number(v)
    if (!Number.isInteger(n) || n < min || n > max) throw new ScheduleError(`Parameter ScheduleExpression is not valid: "${v}" is outside ${min}-${max}`)
    return n
  }
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/')
    const step = stepText === undefined ? 1 : Number(stepText)
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`Parameter ScheduleExpression is not valid: bad step in "${part}"`)
    let lo: number
    let hi: number
    if (range === '*') [lo, hi] = [min, max]
    else if (range!.includes('-')) [lo, hi] = range!.split('-').map(value) as [number, number]
    else [lo, hi] = [value(range!), stepText === undefined ? value(range!) : max]
    for (let n = lo; n <= hi; n += step) out.add(n)
  }
  return out
}

function dayMatches(f: CronFields, d: Date): boolean {
  const dom = d.getUTCDate()
  const dow = d.getUTCDay() + 1
  if (f.dom !== 'any') {
    if (f.dom === 'last') {
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
      return dom === last
    }
    return f.dom.has(dom)
  }
  if (f.dow === 'any') return true
  if (f.dow instanceof Set) return f.dow.has(dow)
  return dow === f.dow.weekday && Math.ceil(dom / 7) === f.dow.nth
}

/** The first time strictly after `after` when the schedule fires (rates count from `origin`). */
export function nextFire(s: Schedule, after: number, origin = after): number | undefined {
  if (s.kind === 'rate') return origin + (Math.floor((after - origin) / s.everyMs) + 1) * s.everyMs
  const f = s.fields
  const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000)
  for (let i = 0; i < 60 * 24 * 366 * 5; ) {
    if ((f.years !== 'any' && !f.years.has(d.getUTCFullYear())) || !f.months.has(d.getUTCMonth() + 1) || !dayMatches(f, d)) {
      d.setUTCDate(d.getUTCDate() + 1)
      d.setUTCHours(0, 0, 0, 0)
      i += 1440
      continue
    }
    if (!f.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0)
      i += 60
      continue
    }
    if (f.minutes.has(d.getUTCMinutes())) return d.getTime()
    d.setUTCMinutes(d.getUTCMinutes() + 1)
    i++
  }
  return undefined
}
