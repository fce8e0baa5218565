// Copilot's `on.schedule` to an EventBridge schedule expression: Unix cron (5 fields), the @ keywords,
// `@every <duration>` (a rate), AWS's own cron()/rate() unchanged, and `none` (no schedule).

import {durationSeconds} from '../duration.js'
import {RenderError} from '../errors.js'

const KEYWORDS: Record<string, string> = {
  '@yearly': 'cron(0 0 1 1 ? *)',
  '@annually': 'cron(0 0 1 1 ? *)',
  '@monthly': 'cron(0 0 1 * ? *)',
  '@weekly': 'cron(0 0 ? * 1 *)',
  '@daily': 'cron(0 0 * * ? *)',
  '@midnight': 'cron(0 0 * * ? *)',
  '@hourly': 'cron(0 * * * ? *)',
}

/** Returns undefined for `none`: the job runs only when started by hand. */
export function scheduleExpression(schedule: string): string | undefined {
  const s = schedule.trim()
  if (s === 'none') return undefined
  if (/^(cron|rate)\(.*\)$/.test(s)) return s
  if (KEYWORDS[s]) return KEYWORDS[s]
  if (s.startsWith('@every ')) return rate(s.slice(7).trim(), schedule)
  const fields = s.split(/\s+/)
  if (fields.length !== 5) {
    throw new RenderError(`on.schedule "${schedule}" is not a schedule: use a cron expression like "0 */2 * * *", @daily, @every 30m or none`)
  }
  return unixCron(fields, schedule)
}

function rate(duration: string, schedule: string): string {
  let seconds: number
  try {
    seconds = durationSeconds(duration, 'on.schedule')
  } catch {
    throw new RenderError(`on.schedule "${schedule}" has no valid duration: write it like @every 1h30m`)
  }
  const minutes = seconds / 60
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new RenderError(`on.schedule "${schedule}" must be a whole number of minutes: EventBridge schedules by the minute`)
  }
  if (minutes % 1440 === 0) return minutes === 1440 ? 'rate(1 day)' : `rate(${minutes / 1440} days)`
  if (minutes % 60 === 0) return minutes === 60 ? 'rate(1 hour)' : `rate(${minutes / 60} hours)`
  return minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`
}

/** Unix day-of-week counts from 0 (Sunday); EventBridge from 1 (Sunday). A step after "/" counts days,
 * it names none, so it stays as written. */
function dayOfWeek(field: string): string {
  return field.split(',').map((part) => {
    const [days = '', ...step] = part.split('/')
    return [days.replace(/\d+/g, (d) => String((Number(d) % 7) + 1)), ...step].join('/')
  }).join(',')
}

function unixCron([minute, hour, dom, month, dow]: string[], schedule: string): string {
  // EventBridge needs one of day-of-month and day-of-week to be "?"; a field with * or ? leaves the
  // day to the other one, as Copilot read it.
  if (/[*?]/.test(dow!)) return `cron(${minute} ${hour} ${dom === '?' ? '*' : dom} ${month} ? *)`
  if (/[*?]/.test(dom!)) return `cron(${minute} ${hour} ? ${month} ${dayOfWeek(dow!)} *)`
  // Cron runs on either day; EventBridge refuses an expression with both (Copilot refused it too).
  throw new RenderError(`on.schedule "${schedule}" sets both a day of the month (${dom}) and a day of the week (${dow}): EventBridge takes only one; set the other to *`)
}
