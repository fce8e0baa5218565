// Copilot's KEY=VALUE list flags (`--env-vars`, `--secrets`), comma-separated or repeated, and its
// command-line flags (`--command`), split into words as the manifest's `command` is.
import {UserError} from '../errors.js'
import {splitCommandLine} from '../exec/command-line.js'

/** "A=1,B=2" (Copilot's --env-vars form) → {A: '1', B: '2'}. */
export function parseKeyValues(flag: string, values: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values.flatMap((x) => x.split(','))) {
    if (!v.trim()) continue
    const i = v.indexOf('=')
    if (i <= 0) throw new UserError(`${flag} ${v} is not KEY=VALUE.`, {hint: `Pass ${flag} NAME=value[,NAME2=value2].`})
    out[v.slice(0, i).trim()] = v.slice(i + 1)
  }
  return out
}

/** `--command "sh -c 'echo hi'"` → ['sh', '-c', 'echo hi'], as Copilot split it; a quote left open is refused. */
export function parseCommandFlag(flag: string, value: string): string[] {
  try {
    return splitCommandLine(value)
  } catch (error) {
    throw new UserError(`${flag} cannot be split into words: ${(error as Error).message}.`, {hint: `Close the quote, or escape it with a backslash (\\' or \\").`})
  }
}
