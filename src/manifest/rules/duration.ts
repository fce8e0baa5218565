// Go-style durations as Copilot writes them: 30s, 1m, 1h30m, 500ms, 1.5h.
const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined
  let total = 0
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!
  return total
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}
