// A command or entry point written as one string is split into words as Copilot split it (POSIX-shell
// quoting, backslash escapes); a quote left open cannot be split, and Copilot failed on it only when it
// converted the manifest at deploy time. Pier refuses it while validating, at the field.
import {splitCommandLine} from '../../exec/command-line.js'
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

const FIELDS = ['command', 'entrypoint'] as const

function check(at: (string | number)[], container: unknown): Issue[] {
  if (!container || typeof container !== 'object') return []
  const c = container as Record<string, unknown>
  return FIELDS.flatMap((field) => {
    const value = c[field]
    if (typeof value !== 'string') return []
    try {
      splitCommandLine(value)
      return []
    } catch (error) {
      return [{path: [...at, field], code: 'invalid-command', message: `${field} cannot be split into words: ${(error as Error).message}`,
        hint: `Close the quote, escape it with a backslash, or write ${field} as a list of words.`}]
    }
  })
}

export function commandRule(m: WorkloadManifest): Issue[] {
  const sidecars = (m as Record<string, unknown>).sidecars
  return [
    ...check([], m),
    ...Object.entries(sidecars && typeof sidecars === 'object' ? sidecars : {}).flatMap(([name, sc]) => check(['sidecars', name], sc)),
  ]
}
