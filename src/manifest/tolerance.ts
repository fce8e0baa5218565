// Copilot's reading of a manifest, so that what Copilot deployed, Pier deploys. Copilot decoded
// manifests with yaml.v3, not strictly:
// - unknown keys were ignored: they never took effect;
// - inside its "either" fields (`http`, `count`, a variable's or secret's value, `exec`, an EFS
//   volume, a queue, access logs), a wrongly typed value was dropped silently (its unmarshallers
//   swallow yaml.v3's type errors and keep the rest of the mapping);
// - YAML 1.1 booleans (`on`, `off`, `yes`, `no`, `y`, `n`) are booleans where a Go bool is expected;
// - a scalar goes into a string field whatever it looks like (`8080`, `true`);
// - an empty value (`key:`) leaves the field unset.
// Pier reads all of that with Copilot's meaning. What Copilot ignored becomes a warning saying so
// (an error with `strict`), and is removed before rendering. Everything else the schema refuses
// stays an error, and the semantic rules see only values that passed the schema.
import type {PathSegment} from './diagnostics.js'
import type {Issue} from './locate.js'
import {isPlainObject} from './merge.js'
import {type SchemaKind, schemaIssues, schemaTypesAt} from './schema.js'

/** Where Copilot's unmarshallers swallowed type errors: a wrongly typed value strictly below one of these was dropped. */
const LENIENT: Record<'workload' | 'environment', string[]> = {
  workload: [
    'http', 'count', 'exec', 'variables.*', 'secrets.*', 'storage.volumes.*.efs', 'subscribe.queue', 'subscribe.topics.*.queue',
    'sidecars.*.variables.*', 'sidecars.*.secrets.*', 'logging.variables.*', 'logging.secrets.*', 'nlb.alias',
  ],
  environment: ['http.public.access_logs', 'cdn'],
}

const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'])
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'])

/** Codes of the diagnostics for what Copilot ignored (errors under `--strict`). */
export const IGNORED_CODES: readonly string[] = ['unknown-key', 'ignored-value']

export interface Settled {
  /** The manifest as Copilot read it: coerced, without what Copilot ignored. */
  manifest: Record<string, unknown>
  /** Schema problems: errors, and warnings (errors when strict) for what Copilot ignored. */
  issues: Issue[]
  /** The manifest without any value the schema refused: what the semantic rules may look at. */
  checked: Record<string, unknown>
}

function strictlyUnder(path: readonly PathSegment[], patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const segs = p.split('.')
    return path.length > segs.length && segs.every((s, i) => s === '*' || s === String(path[i]))
  })
}

function get(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined
  return v
}

function set(root: Record<string, unknown>, path: readonly PathSegment[], value: unknown): void {
  const parent = get(root, path.slice(0, -1))
  if (parent !== null && typeof parent === 'object') (parent as Record<string | number, unknown>)[path[path.length - 1]!] = value
}

/** Removes the value at `path`; a list item is replaced by a hole, filled in by `closeHoles`. */
function removeExact(root: Record<string, unknown>, path: readonly PathSegment[]): void {
  const parent = get(root, path.slice(0, -1))
  const last = path[path.length - 1]
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = HOLE
  else if (isPlainObject(parent) && last !== undefined) delete parent[String(last)]
}

const HOLE = Symbol('removed list item')

function closeHoles(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== HOLE).map(closeHoles)
  if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) v[k] = closeHoles(x)
  return v
}

/** Removes the value at `path`; a list item takes its whole list with it (for the rules' view: their paths must not shift). */
function remove(root: Record<string, unknown>, path: readonly PathSegment[]): void {
  const at = path.findIndex((s) => typeof s === 'number')
  const cut = at === -1 ? path : path.slice(0, at)
  if (cut.length === 0) return
  const parent = get(root, cut.slice(0, -1))
  if (isPlainObject(parent)) delete parent[String(cut[cut.length - 1])]
}

/** A deep copy without empty values in mappings (`key:` means unset, as in Go). Lists keep their items. */
export function withoutEmpty(v: unknown, path: readonly string[] = []): unknown {
  if (Array.isArray(v)) return v.map((x) => withoutEmpty(x, path))
  if (!isPlainObject(v)) return v
  // A task definition patch may set a value to null on purpose.
  if (path.length === 2 && path[0] === 'taskdef_overrides') return {...v}
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutEmpty(x, [...path, k])
  return out
}

/** Copilot's reading of a scalar the schema refused, or undefined when Copilot would refuse it too. */
function coerce(kind: SchemaKind, path: readonly PathSegment[], value: unknown): unknown {
  const {types, duration} = schemaTypesAt(kind, path)
  if (typeof value === 'string' && types.includes('boolean')) {
    if (YAML11_TRUE.has(value)) return true
    if (YAML11_FALSE.has(value)) return false
  }
  // A Go string takes any scalar; a time.Duration is an integer type, and refuses a bare number.
  if ((typeof value === 'number' || typeof value === 'boolean') && types.length === 1 && types[0] === 'string' && !duration) return String(value)
  return undefined
}

/** Copilot's deprecated spellings it still reads: `http.targetContainer` for `http.target_container`. */
function deprecatedAliases(manifest: Record<string, unknown>): Issue[] {
  const http = manifest.http
  if (!isPlainObject(http) || !('targetContainer' in http)) return []
  if ('target_container' in http) {
    return [{path: ['http', 'targetContainer'], atKey: true, code: 'exclusive-fields',
      message: '`http.targetContainer` and `http.target_container` are both set: they are two spellings of one field (Copilot refused both too)',
      hint: 'Keep `target_container` and remove `targetContainer`.'}]
  }
  const {targetContainer, ...rest} = http
  manifest.http = {...rest, target_container: targetContainer}
  return []
}

/**
 * Copilot v1.23 moved `http.{public,private}.security_groups.ingress` to `http.{public,private}.ingress`
 * and kept reading the old spelling: `restrict_to.cdn` is `ingress.cdn`, `from_vpc` is `ingress.vpc`.
 */
function deprecatedIngress(manifest: Record<string, unknown>): Issue[] {
  const http = manifest.http
  if (!isPlainObject(http)) return []
  const issues: Issue[] = []
  for (const [side, oldPath, newKey] of [['public', ['restrict_to', 'cdn'], 'cdn'], ['private', ['from_vpc'], 'vpc']] as const) {
    const lb = http[side]
    if (!isPlainObject(lb) || !isPlainObject(lb.security_groups) || !isPlainObject(lb.security_groups.ingress)) continue
    const old = get(lb.security_groups.ingress, oldPath)
    if (old === undefined) continue
    if (isPlainObject(lb.ingress) && Object.keys(lb.ingress).length > 0) {
      issues.push({path: ['http', side, 'security_groups'], atKey: true, code: 'exclusive-fields',
        message: `\`http.${side}.security_groups.ingress\` and \`http.${side}.ingress\` are both set: the first is the old spelling of the second (Copilot refused both too)`,
        hint: `Move the setting to \`http.${side}.ingress\`.`})
      continue
    }
    const {security_groups: _old, ...rest} = lb
    http[side] = {...rest, ingress: {[newKey]: old}}
  }
  return issues
}

export function settle(kind: SchemaKind, input: Record<string, unknown>, opts: {strict?: boolean} = {}): Settled {
  const manifest = withoutEmpty(input) as Record<string, unknown>
  const aliasIssues = kind === 'environment' ? deprecatedIngress(manifest) : deprecatedAliases(manifest)
  const lenient = LENIENT[kind === 'environment' ? 'environment' : 'workload']
  const ignored: Issue[] = []
  let issues: Issue[] = []
  // Each pass coerces or drops what Copilot would have; dropping a value can reveal nothing new
  // below it, so a few passes settle any manifest.
  for (let pass = 0; pass < 4; pass++) {
    issues = schemaIssues(kind, manifest)
    let changed = false
    for (const issue of issues) {
      if (issue.code === 'wrong-type' || issue.code === 'invalid-value') {
        const value = get(manifest, issue.path)
        const read = coerce(kind, issue.path, value)
        if (read !== undefined) {
          set(manifest, issue.path, read)
          changed = true
          continue
        }
      }
      // yaml.v3 reports a string that is not a Go duration as a type error too.
      if (issue.code === 'wrong-type' || (issue.code === 'invalid-value' && schemaTypesAt(kind, issue.path).duration)) {
        if (strictlyUnder(issue.path, lenient)) {
          ignored.push({...issue, severity: opts.strict ? 'error' : 'warning', code: 'ignored-value',
            message: `${issue.message.replace(/: got /, ', so Copilot dropped this value and it never took effect: got ')}`,
            hint: `${issue.hint ? `${issue.hint} ` : ''}Fix or remove it (Pier ignores it as Copilot did; \`--strict\` makes this an error).`})
          removeExact(manifest, issue.path)
          changed = true
        }
      } else if (issue.code === 'unknown-key') {
        ignored.push({...issue, severity: opts.strict ? 'error' : 'warning',
          message: issue.message.replace(/, so it would have no effect$/, '; Copilot ignored it too, so it never took effect')})
        removeExact(manifest, issue.path)
        changed = true
      }
    }
    closeHoles(manifest)
    if (!changed) break
  }
  const remaining = issues.filter((i) => i.code !== 'unknown-key')
  const checked = structuredClone(manifest)
  for (const issue of remaining) remove(checked, issue.path)
  return {manifest, issues: [...aliasIssues, ...ignored, ...remaining], checked}
}
