// A readable diff of two CloudFormation templates: both as YAML with sorted keys, compared line by line,
// shown as hunks with a little context. Pure.
import {stringify} from 'yaml'

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
  return v
}

/** The longest common subsequence table, as edit operations. */
function diffLines(a: string[], b: string[]): {op: ' ' | '-' | '+'; line: string}[] {
  const n = a.length
  const m = b.length
  const lcs: Uint32Array[] = Array.from({length: n + 1}, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const out: {op: ' ' | '-' | '+'; line: string}[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({op: ' ', line: a[i]!})
      i++
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({op: '-', line: a[i++]!})
    else out.push({op: '+', line: b[j++]!})
  }
  while (i < n) out.push({op: '-', line: a[i++]!})
  while (j < m) out.push({op: '+', line: b[j++]!})
  return out
}

/** Unified-style hunks; an empty string when the templates are the same. */
export function templateDiff(before: Record<string, unknown> | undefined, after: Record<string, unknown>, context = 3): string {
  const a = before ? stringify(sortKeys(before)).trimEnd().split('\n') : []
  const b = stringify(sortKeys(after)).trimEnd().split('\n')
  const ops = diffLines(a, b)
  const changed = ops.map((o, k) => (o.op === ' ' ? -1 : k)).filter((k) => k >= 0)
  if (changed.length === 0) return ''
  const keep = new Set<number>()
  for (const k of changed) for (let d = -context; d <= context; d++) keep.add(k + d)
  const lines: string[] = []
  let last = -1
  ops.forEach((o, k) => {
    if (!keep.has(k)) return
    if (last >= 0 && k > last + 1) lines.push('  ...')
    lines.push(`${o.op} ${o.line}`)
    last = k
  })
  return lines.join('\n')
}
