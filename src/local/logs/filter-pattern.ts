// CloudWatch Logs filter patterns for unstructured text, the part the local control plane supports:
//   ERROR            events containing the term (case-sensitive)
//   ERROR Exception  events containing every term
//   "disk full"      an exact phrase (quotes also allow characters other than letters and digits)
//   ?ERROR ?WARN     events containing any of the ?-terms
//   ERROR -timeout   events containing ERROR but not timeout
//   { $.level = "error" }   JSON events whose selected value matches (json-filter-pattern.ts)
// Space-delimited patterns (`[ip, user, ...]`) are refused with InvalidParameterException rather than
// matched wrongly.

import {ServiceError} from '../frontend/types.js'
import {compileJsonPattern} from './json-filter-pattern.js'

export type Matcher = (message: string) => boolean

/** AWS's limit on a filter pattern's length; it also bounds the JSON pattern parser's nesting. */
export const MAX_FILTER_PATTERN = 1024

export function compileFilterPattern(pattern: string | undefined): Matcher {
  if ((pattern ?? '').length > MAX_FILTER_PATTERN) {
    throw new ServiceError('InvalidParameterException', `1 validation error detected: Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FILTER_PATTERN}`)
  }
  const text = (pattern ?? '').trim()
  if (text === '') return () => true
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new ServiceError('InvalidParameterException', `Invalid filter pattern: ${text}`)
    return compileJsonPattern(text)
  }
  if (text.startsWith('[')) {
    throw new ServiceError(
      'InvalidParameterException',
      'The local control plane supports term, phrase and JSON filter patterns (ERROR, "exact phrase", ?any, -excluded, { $.key = "value" }); space-delimited patterns are not supported.',
    )
  }
  const all: string[] = []
  const any: string[] = []
  const none: string[] = []
  for (const m of text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!
    if (term === '') continue
    if (m[1] === '?') any.push(term)
    else if (m[1] === '-') none.push(term)
    else all.push(term)
  }
  return (message) =>
    all.every((t) => message.includes(t)) && (any.length === 0 || any.some((t) => message.includes(t))) && !none.some((t) => message.includes(t))
}
