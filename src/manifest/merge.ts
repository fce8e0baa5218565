// Environment overrides, with Copilot's rules (docs/manifest-overrides.md has the table):
// - maps merge deeply; keys are added or replaced;
// - scalars replace, including zero values (false, 0, "");
// - lists replace wholesale ([] empties a list);
// - a missing key or null changes nothing;
// - "either" fields: when the override uses the other form (scalar vs map, or one of two exclusive
//   keys), the override's form wins and the other form is cleared; the same form merges deeply;
// - Pier's addition: a value tagged `!unset` removes the field for that environment.
import {UNSET} from './source.js'

type Plain = Record<string, unknown>

/** Exclusive key groups: setting a key of one group in an override clears the keys of the others. */
const EXCLUSIVE: {at: string; groups: string[][]}[] = [
  {at: 'image', groups: [['build'], ['location']]},
  {at: 'sidecars.*.image', groups: [['build'], ['location']]},
  {at: 'count', groups: [['spot'], ['range', 'cooldown', 'cpu_percentage', 'memory_percentage', 'requests', 'response_time', 'queue_delay']]},
  {at: 'secrets.*', groups: [['secretsmanager'], ['from_cfn']]},
  {at: 'sidecars.*.secrets.*', groups: [['secretsmanager'], ['from_cfn']]},
  {at: 'logging.secrets.*', groups: [['secretsmanager'], ['from_cfn']]},
  {at: 'network.vpc.security_groups', groups: [['groups', 'deny_default']]},
]

export function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function matches(pattern: string, path: readonly string[]): boolean {
  const p = pattern.split('.')
  return p.length === path.length && p.every((seg, i) => seg === '*' || seg === path[i])
}

function clearOtherForms(result: Plain, override: Plain, path: readonly string[]): void {
  for (const rule of EXCLUSIVE) {
    if (!matches(rule.at, path)) continue
    const used = rule.groups.filter((g) => g.some((k) => override[k] !== undefined && override[k] !== null))
    if (used.length === 0) continue
    for (const group of rule.groups) {
      if (used.includes(group)) continue
      for (const k of group) if (!(k in override)) delete result[k]
    }
  }
}

/** Applies `override` on `base` and returns a new value; neither input is changed. */
export function applyOverride(base: unknown, override: unknown, path: readonly string[] = []): unknown {
  if (override === undefined || override === null) return removeUnset(base)
  if (override === UNSET) return undefined
  if (isPlainObject(base) && isPlainObject(override)) {
    const result: Plain = {}
    for (const [k, v] of Object.entries(base)) {
      const cleaned = removeUnset(v)
      if (cleaned !== undefined) result[k] = cleaned
    }
    for (const [k, v] of Object.entries(override)) {
      const merged = applyOverride(base[k], v, [...path, k])
      if (merged === undefined) delete result[k]
      else result[k] = merged
    }
    clearOtherForms(result, override, path)
    return result
  }
  return removeUnset(override)
}

/** A copy without `!unset` values (an `!unset` in a base manifest, or nested in a replaced value, means "absent"). */
export function removeUnset(v: unknown): unknown {
  if (v === UNSET) return undefined
  if (Array.isArray(v)) return v.filter((x) => x !== UNSET).map(removeUnset)
  if (isPlainObject(v)) {
    const out: Plain = {}
    for (const [k, x] of Object.entries(v)) {
      const c = removeUnset(x)
      if (c !== undefined) out[k] = c
    }
    return out
  }
  return v
}
