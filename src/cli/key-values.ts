// Copilot's KEY=VALUE list flags (`--env-vars`, `--secrets`), comma-separated or repeated.
import {UserError} from '../errors.js'

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
