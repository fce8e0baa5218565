// The small part of the Amazon States Language's paths that state machines here use:
// `$`, `$.a.b[0]`, and the context object `$$.Execution.Name` etc.

export function readPath(path: string, input: unknown, context: unknown): unknown {
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [input, path.slice(1)]
  let value: any = root
  for (const m of rest.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (value === null || value === undefined) return undefined
    value = value[m[1] ?? Number(m[2])]
  }
  return value
}

/** Resolves `Parameters`: keys ending in `.$` take the value at a path; others are copied. */
export function resolveParameters(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((v) => resolveParameters(v, input, context))
  if (template === null || typeof template !== 'object') return template
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith('.$') && typeof v === 'string') out[k.slice(0, -2)] = readPath(v, input, context)
    else out[k] = resolveParameters(v, input, context)
  }
  return out
}

/** Writes `result` into `input` at a ResultPath (`$` replaces; null discards; `$.a.b` nests). */
export function applyResultPath(input: unknown, result: unknown, resultPath: string | null | undefined): unknown {
  if (resultPath === null) return input
  if (resultPath === undefined || resultPath === '$') return result
  const keys = resultPath.replace(/^\$\.?/, '').split('.')
  const root: any = typeof input === 'object' && input !== null ? structuredClone(input) : {}
  let node = root
  keys.slice(0, -1).forEach((k) => (node = node[k] ??= {}))
  node[keys[keys.length - 1]!] = result
  return root
}

/** PascalCase API parameters (as state machines write them) to the camelCase of ECS's JSON API. */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelKeys(v)]))
}
