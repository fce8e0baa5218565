// Query-protocol input decoding: the flat form AWS SDKs send (`Targets.member.2.Port=80`,
// `Conditions.member.1.PathPatternConfig.Values.member.1=/api/*`) back into nested objects and arrays.

export type Node = {[key: string]: Node | string}

/** Decodes flat query parameters into an object; `member.N` (and `entry.N`) segments become arrays. */
export function decodeQueryParams(params: Record<string, string>): Record<string, unknown> {
  return toArrays(nestQueryParams(params)) as Record<string, unknown>
}

/** Flat query parameters (less `Action` and `Version`) as nested objects, one level per dotted segment;
 * each protocol dialect then says which levels are lists. */
export function nestQueryParams(params: Record<string, string>): Node {
  const root: Node = {}
  for (const [key, value] of Object.entries(params)) {
    if (key === 'Action' || key === 'Version') continue
    const parts = key.split('.')
    let node = root
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!
      const last = i === parts.length - 1
      if (last) {
        node[part] = value
      } else {
        const next = node[part]
        if (typeof next !== 'object') node[part] = {}
        node = node[part] as Node
      }
    }
  }
  return root
}

function toArrays(node: Node | string): unknown {
  if (typeof node === 'string') return node
  const keys = Object.keys(node)
  if (keys.length === 1 && (keys[0] === 'member' || keys[0] === 'entry')) {
    const items = node[keys[0]] as Node
    return Object.keys(items)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => toArrays(items[k]!))
  }
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key] = toArrays(node[key]!)
  return out
}

/** Reads a list (absent = empty). */
export function list<T = Record<string, unknown>>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : []
}

export function int(value: unknown, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  return Number.isFinite(n) ? n : fallback
}
