// Plain, timestamped lines: for CI logs and any output that is not a terminal. One line per event,
// stopped tasks with their log lines indented under them.
import type {DeployEvent, Emit} from '../deploy/events.js'

function clock(iso: string): string {
  return iso.slice(11, 19)
}

export function formatPlain(e: DeployEvent): string[] {
  const t = clock(e.time)
  switch (e.code) {
    case 'stack.resource': {
      const d = e.data
      if (d.logicalId === d.stack) return [`${t}  ${d.stack}  ${d.status}`]
      const label = d.description ? `${d.logicalId} (${d.description})` : d.logicalId
      return [`${t}  ${d.stack}  ${label}  ${d.status}${d.reason ? `: ${d.reason}` : ''}`]
    }
    case 'rollout.task-stopped':
      return [`${t}  ✘ ${e.message}`, ...e.data.logLines.map((l) => `${t}      │ ${l}`)]
    case 'rollout.progress':
      return [`${t}  ${e.data.stack}  ${e.message}${e.data.rolloutState ? ` (${e.data.rolloutState})` : ''}`]
    case 'output':
      return [e.data.text]
    case 'stack.takeover':
      return e.message.split('\n').map((l) => `${t}  ${l}`)
    default:
      return [`${t}  ${e.level === 'error' ? '✘ ' : e.level === 'warn' ? '! ' : ''}${e.message}`]
  }
}

export function plainRenderer(write: (s: string) => void): Emit {
  return (e) => {
    if (e.level === 'debug') return
    for (const line of formatPlain(e)) write(`${line}\n`)
  }
}

/** NDJSON: one event per line, the documented shape of docs/progress-events.md. */
export function jsonRenderer(write: (s: string) => void): Emit {
  return (e) => write(`${JSON.stringify(e)}\n`)
}

/** The last line of a successful `--json` run: the command's result and the AWS API calls it made. */
export function resultLine(data: unknown, apiCalls: number): string {
  return `${JSON.stringify({code: 'result', data, apiCalls})}\n`
}
