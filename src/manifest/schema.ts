// Shape validation: the precompiled JSON Schema validators (schemas/ -> validators.generated.js),
// with ajv's errors turned into Pier's issues: "what is wrong: why", a hint, and the field path.
import type {PathSegment} from './diagnostics.js'
import type {Issue} from './locate.js'
import {didYouMean} from './suggest.js'
import type {AjvError, Validator} from './validators.generated.js'
import * as validators from './validators.generated.js'

export type SchemaKind =
  | 'workspace'
  | 'environment'
  | 'load-balanced-web-service'
  | 'backend-service'
  | 'worker-service'
  | 'scheduled-job'
  | 'request-driven-web-service'
  | 'static-site'

const BY_KIND: Record<SchemaKind, Validator> = {
  workspace: validators.workspace,
  environment: validators.environment,
  'load-balanced-web-service': validators.loadBalancedWebService,
  'backend-service': validators.backendService,
  'worker-service': validators.workerService,
  'scheduled-job': validators.scheduledJob,
  'request-driven-web-service': validators.requestDrivenWebService,
  'static-site': validators.staticSite,
}

const KIND_OF_TYPE: Record<string, SchemaKind> = {
  'Load Balanced Web Service': 'load-balanced-web-service',
  'Backend Service': 'backend-service',
  'Worker Service': 'worker-service',
  'Scheduled Job': 'scheduled-job',
  'Request-Driven Web Service': 'request-driven-web-service',
  'Static Site': 'static-site',
  Environment: 'environment',
}

export function schemaKindOf(type: unknown): SchemaKind | undefined {
  return typeof type === 'string' ? KIND_OF_TYPE[type] : undefined
}

/** The schema file for a kind, relative to the package root (for `# yaml-language-server: $schema=`). */
export function schemaFileOf(kind: SchemaKind): string {
  return `schemas/${kind}.json`
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>
  additionalProperties?: SchemaNode
  items?: SchemaNode
  $ref?: string
  $defs?: Record<string, SchemaNode>
  'x-expect'?: string
  description?: string
  type?: string | string[]
}

let meta: {$defs: Record<string, SchemaNode>; kinds: Record<string, SchemaNode>} | undefined

/** The schema node that describes the value at `path` (found by walking the instance path). */
function schemaAt(kind: SchemaKind, path: readonly PathSegment[]): SchemaNode {
  meta ??= JSON.parse(validators.schemaMetaJson) as NonNullable<typeof meta>
  const defs = meta.$defs
  const root = meta.kinds[kind] ?? {}
  const deref = (n: SchemaNode | undefined): SchemaNode => {
    let node = n ?? {}
    for (let i = 0; i < 8 && node.$ref; i++) {
      const target = defs[node.$ref.replace('#/$defs/', '')] ?? {}
      node = {...target, ...(node.description ? {description: node.description} : {}), $ref: target.$ref} as SchemaNode
      if (!target.$ref) delete node.$ref
    }
    return node
  }
  let node = deref(root)
  for (const seg of path) {
    const next = typeof seg === 'number' ? node.items : (node.properties?.[seg] ?? node.additionalProperties ?? node.items)
    node = deref(next)
  }
  return node
}

/** The JSON types the schema allows at `path` (empty when it says nothing), and whether it is a duration. */
export function schemaTypesAt(kind: SchemaKind, path: readonly PathSegment[]): {types: string[]; duration: boolean} {
  const node = schemaAt(kind, path)
  const t = node.type
  return {types: t === undefined ? [] : Array.isArray(t) ? t : [t], duration: String(node['x-expect'] ?? '').startsWith('a duration')}
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined
  return v
}

export function schemaIssues(kind: SchemaKind, value: unknown): Issue[] {
  const validate = BY_KIND[kind]
  if (validate(value)) return []
  const errors = validate.errors ?? []
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath))
  const issues: Issue[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    if (e.keyword !== 'type' && typed.has(e.instancePath)) continue
    const issue = toIssue(e, value, kind)
    const key = `${issue.path.join('\0')}\0${issue.code}\0${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return issues
}

function decodePointer(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return []
  const out: PathSegment[] = []
  let node: unknown = root
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) {
      out.push(Number(seg))
      node = node[Number(seg)]
    } else {
      out.push(seg)
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined
    }
  }
  return out
}

function fieldName(path: PathSegment[]): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (an empty value)'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
  if (typeof v === 'number') return `the number ${v}`
  if (typeof v === 'boolean') return `${v}`
  if (Array.isArray(v)) return 'a list'
  return 'a mapping'
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true/false', object: 'a mapping', array: 'a list', null: 'empty',
}

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : String(t).split(',')
  const words = list.map((x) => TYPE_WORDS[x] ?? x)
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
}

const KIND_LABEL: Record<SchemaKind, string> = {
  workspace: 'the .workspace file',
  environment: 'an environment manifest',
  'load-balanced-web-service': 'a Load Balanced Web Service',
  'backend-service': 'a Backend Service',
  'worker-service': 'a Worker Service',
  'scheduled-job': 'a Scheduled Job',
  'request-driven-web-service': 'a Request-Driven Web Service',
  'static-site': 'a Static Site',
}

function toIssue(e: AjvError, root: unknown, kind: SchemaKind): Issue {
  const path = decodePointer(e.instancePath, root)
  const name = fieldName(path)
  const field = name === '' ? 'the manifest' : `\`${name}\``
  const ps = schemaAt(kind, path) as Record<string, any>
  e = {...e, data: valueAt(root, path)}
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty)
      const known = Object.keys((ps.properties as Record<string, unknown> | undefined) ?? {})
      const guess = didYouMean(key, known)
      const where = name === '' ? KIND_LABEL[kind] : `\`${name}\``
      return {
        path: [...path, key], atKey: true, code: 'unknown-key',
        message: `unknown field \`${key}\`: ${where} has no such field, so it would have no effect`,
        hint: guess ? `Did you mean \`${guess}\`?` : known.length > 0 ? `Known fields here: ${known.join(', ')}.` : 'Remove it.',
      }
    }
    case 'required': {
      const missing = String(e.params.missingProperty)
      return {
        path, atKey: path.length > 0, code: 'missing-field',
        message: `missing field \`${missing}\`${name === '' ? '' : ` in \`${name}\``}: ${KIND_LABEL[kind]} needs it`,
        hint: `Add \`${missing}:\`${name === '' ? ' at the top level' : ` under \`${name}\``}.`,
      }
    }
    case 'type':
      return {path, code: 'wrong-type', message: `${field} must be ${typeWords(e.params.type)}: got ${describe(e.data)}`, hint: expectHint(ps)}
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]) ?? []
      const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined
      return {path, code: 'invalid-value', message: `${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}: got ${describe(e.data)}`, hint: guess ? `Did you mean "${guess}"?` : undefined}
    }
    case 'const':
      return {path, code: 'invalid-value', message: `${field} must be ${JSON.stringify(e.params.allowedValue)}: got ${describe(e.data)}`}
    case 'pattern':
      return {path, code: 'invalid-value', message: `${field} must be ${String(ps['x-expect'] ?? `text matching ${e.params.pattern}`)}: got ${describe(e.data)}`}
    case 'minimum':
    case 'exclusiveMinimum':
      return {path, code: 'out-of-range', message: `${field} must be at least ${e.params.limit}: got ${describe(e.data)}`}
    case 'maximum':
    case 'exclusiveMaximum':
      return {path, code: 'out-of-range', message: `${field} must be at most ${e.params.limit}: got ${describe(e.data)}`}
    case 'minProperties':
    case 'maxProperties': {
      const known = Object.keys((ps.properties as Record<string, unknown> | undefined) ?? {})
      return {path, code: 'invalid-value', message: `${field} must have exactly one of ${known.map((k) => `\`${k}\``).join(' or ')}: they are different sources`}
    }
    default:
      return {path, code: 'invalid-value', message: `${field} ${e.message ?? 'is invalid'}: the schema does not allow this value`}
  }
}

function expectHint(ps: Record<string, any>): string | undefined {
  const desc = typeof ps.description === 'string' ? ps.description : undefined
  return desc ? `Expected: ${desc}` : undefined
}
