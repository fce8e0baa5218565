// Log reading for `svc logs`, `job logs` and `task run --follow`: a time window, a filter by task, and
// --follow that keeps polling until Ctrl-C.
import {UserError} from '../errors.js'
import type {LogsApi} from '../aws/interfaces.js'
import type {InterruptSource} from '../deploy/interrupts.js'
import {backoff, wakeableSleep, type Timing} from '../deploy/timing.js'

export interface LogLine {
  logStreamName: string
  timestamp: number
  message: string
  ingestionTime?: number
}

export interface LogQuery {
  group: string
  /** Epoch ms. */
  startTime?: number
  endTime?: number
  /** Task ids (or prefixes): only streams of these tasks. */
  tasks?: string[]
  follow?: boolean
  limit?: number
}

/** "30s", "5m", "2h45m", "1d" → milliseconds. */
export function parseSince(text: string): number {
  const re = /(\d+)([smhd])/g
  let total = 0
  let consumed = 0
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * {s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000}[m[2] as 's' | 'm' | 'h' | 'd']
    consumed += m[0].length
  }
  if (consumed !== text.length || total === 0) throw new UserError(`--since ${text} is not a duration: use forms like 30s, 5m, 1h30m or 2d.`)
  return total
}

export function parseTime(flag: string, text: string): number {
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new UserError(`${flag} ${text} is not a date and time: use RFC 3339, e.g. 2026-11-30T06:00:00Z.`)
  return t
}

export async function readLogs(deps: {logs: LogsApi; timing: Timing; poll: {minDelayMs: number; maxDelayMs: number}; interrupts?: InterruptSource}, q: LogQuery, onLine: (l: LogLine) => void): Promise<number> {
  const seen = new Set<string>()
  const delays = backoff(deps.poll, deps.timing.random)
  const waker = wakeableSleep(deps.timing)
  let stop = false
  const off = deps.interrupts?.onInterrupt(() => {
    stop = true
    waker.wake()
  })
  let start = q.startTime
  let count = 0
  try {
    for (;;) {
      let token: string | undefined
      let fresh = 0
      do {
        let page
        try {
          page = await deps.logs.filterLogEvents({logGroupName: q.group, startTime: start, endTime: q.endTime, nextToken: token, limit: q.limit})
        } catch (error) {
          if ((error as {code?: string}).code === 'ResourceNotFoundException') {
            if (q.follow && !stop) break
            throw new UserError(`There are no logs yet: the log group ${q.group} does not exist.`, {hint: 'Deploy the workload first, or check the name and environment.'})
          }
          throw error
        }
        for (const e of page.events ?? []) {
          const id = e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`
          if (seen.has(id)) continue
          seen.add(id)
          const stream = e.logStreamName ?? ''
          if (q.tasks?.length && !q.tasks.some((t) => stream.endsWith(`/${t}`) || stream.split('/').pop()?.startsWith(t))) continue
          onLine({logStreamName: stream, timestamp: e.timestamp ?? 0, message: (e.message ?? '').replace(/\n$/, ''), ingestionTime: e.ingestionTime})
          fresh++
          count++
          if (e.timestamp !== undefined) start = Math.max(start ?? 0, e.timestamp)
          if (q.limit && count >= q.limit && !q.follow) return count
        }
        token = page.nextToken
      } while (token)
      if (!q.follow || stop) return count
      if (fresh > 0) delays.reset()
      await waker.sleep(delays.next())
      if (stop) return count
    }
  } finally {
    off?.()
  }
}

/** Copilot's line format: the stream's short task id, then the message. */
export function formatLogLine(l: LogLine): string {
  const parts = l.logStreamName.split('/')
  const task = (parts.pop() ?? '').slice(0, 8)
  const container = parts.length > 1 ? parts.slice(1).join('/') : parts[0] ?? ''
  return `${container}/${task} ${l.message}`
}
