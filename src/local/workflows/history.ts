// An execution's history as Step Functions records it: typed events, each with the detail field AWS
// names after its type (`taskSubmittedEventDetails`, `stateEnteredEventDetails`...), paged by
// GetExecutionHistory with `reverseOrder`, `maxResults` and `nextToken`.

import {ServiceError} from '../frontend/types.js'

export interface HistoryEvent {
  /** Epoch milliseconds. */
  timestamp: number
  type: string
  /** The detail fields of the event, without the key AWS puts them under (see `detailsKey`). */
  details?: Record<string, unknown>
}

/** `TaskSubmitted` -> `taskSubmittedEventDetails`; every `…StateEntered` shares `stateEnteredEventDetails`. */
export function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails'
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails'
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`
}

/** `arn:aws:states:::ecs:runTask.sync` -> {resourceType: 'ecs', resource: 'runTask.sync'}. */
export function taskResource(arn: string): {resourceType: string; resource: string} {
  const [resourceType = '', ...rest] = arn.split(':::')[1]?.split(':') ?? []
  return {resourceType, resource: rest.join(':')}
}

/** A JSON payload as events carry it: the text, and whether it was cut (never, here). */
export const payload = (field: 'input' | 'output', value: unknown) => ({
  [field]: typeof value === 'string' ? value : JSON.stringify(value),
  [`${field}Details`]: {truncated: false},
})

const DATA_FIELDS = new Set(['input', 'output', 'inputDetails', 'outputDetails', 'parameters'])
const MAX_RESULTS = 1000

function withoutData(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([k]) => !DATA_FIELDS.has(k)))
}

/** One page of GetExecutionHistory, as the API answers it. */
export function historyPage(
  history: HistoryEvent[],
  input: {reverseOrder?: boolean; maxResults?: number; nextToken?: string; includeExecutionData?: boolean},
): {events: Record<string, unknown>[]; nextToken?: string} {
  const max = input.maxResults || 100
  if (!Number.isInteger(max) || max < 0 || max > MAX_RESULTS) {
    throw new ServiceError('ValidationException', `1 validation error detected: Value '${input.maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`)
  }
  const start = input.nextToken === undefined ? 0 : decodeToken(input.nextToken)
  const events = history.map((h, n) => {
    const details = h.details && (input.includeExecutionData === false ? withoutData(h.details) : h.details)
    return {timestamp: h.timestamp / 1000, type: h.type, id: n + 1, previousEventId: n, ...(details ? {[detailsKey(h.type)]: details} : {})}
  })
  const ordered = input.reverseOrder ? events.reverse() : events
  const page = ordered.slice(start, start + max)
  const next = start + max < ordered.length ? Buffer.from(JSON.stringify({o: start + max})).toString('base64') : undefined
  return {events: page, ...(next ? {nextToken: next} : {})}
}

function decodeToken(token: string): number {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).o
    if (Number.isInteger(o) && o >= 0) return o
  } catch {
    // falls through to the error below
  }
  throw new ServiceError('InvalidToken', `Invalid Token: '${token}'`)
}

/** ECS's camelCase JSON to the PascalCase service integrations answer with (dates in epoch ms). */
export function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.charAt(0).toUpperCase() + k.slice(1),
      /At$/.test(k) && typeof v === 'number' && v < 1e11 ? Math.round(v * 1000) : pascalKeys(v),
    ]),
  )
}
