// Evaluation of CloudFormation's intrinsic functions and pseudo parameters over a template value.
// Pure: everything it needs from the outside (resources, exports) comes through EvalContext.

export const NO_VALUE: unique symbol = Symbol('AWS::NoValue')
/** What a change set shows for a value only known once the change is applied (AWS's own marker). */
export const KNOWN_AFTER_APPLY = '{{changeSet:KNOWN_AFTER_APPLY}}'

/** A template error: the message AWS shows, without the "Template error: " prefix. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

export interface ResourceValue {
  physicalId: string
  attributes: Record<string, unknown>
}

export interface EvalContext {
  region: string
  /** Resolved parameter values (strings, or string lists for list types). */
  params: Record<string, unknown>
  pseudo: Record<string, unknown>
  conditions: Record<string, boolean>
  mappings: Record<string, Record<string, Record<string, unknown>>>
  /** A resource's physical id and attributes; KNOWN_AFTER_APPLY when not known yet; undefined when not in the template. */
  resource(logicalId: string): ResourceValue | typeof KNOWN_AFTER_APPLY | undefined
  importValue(name: string): string
}

export const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::If',
  'Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Fn::FindInMap', 'Fn::ImportValue', 'Fn::GetAZs', 'Fn::Base64',
  'Fn::Cidr', 'Fn::Transform'])

export function pseudoParameters(opts: {region: string; accountId: string; stackName: string; stackId: string}): Record<string, unknown> {
  return {
    'AWS::Region': opts.region,
    'AWS::AccountId': opts.accountId,
    'AWS::StackName': opts.stackName,
    'AWS::StackId': opts.stackId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NotificationARNs': [],
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Returns the intrinsic's name when `v` is a one-key object naming one. */
export function intrinsicName(v: unknown): string | undefined {
  if (!isObject(v)) return undefined
  const keys = Object.keys(v)
  return keys.length === 1 && INTRINSICS.has(keys[0]!) ? keys[0] : undefined
}

/** Evaluates a template value; `AWS::NoValue` removes the enclosing key or list item. */
export function evaluate(value: unknown, ctx: EvalContext): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => evaluate(v, ctx)).filter((v) => v !== NO_VALUE)
  }
  if (!isObject(value)) return value
  const fn = intrinsicName(value)
  if (fn) return applyIntrinsic(fn, value[fn], ctx)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const r = evaluate(v, ctx)
    if (r !== NO_VALUE) out[k] = r
  }
  return out
}

function applyIntrinsic(fn: string, arg: unknown, ctx: EvalContext): unknown {
  switch (fn) {
    case 'Ref':
      return ref(String(arg), ctx)
    case 'Fn::GetAtt':
      return getAtt(arg, ctx)
    case 'Fn::Sub':
      return sub(arg, ctx)
    case 'Fn::Join': {
      const [delim, list] = args(fn, arg, 2)
      const items = evaluate(list, ctx)
      if (items === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
      if (!Array.isArray(items)) throw new TemplateError('Fn::Join requires a list of values to join')
      return items.map((i) => scalar(fn, i)).join(String(evaluate(delim, ctx)))
    }
    case 'Fn::Select': {
      const [index, list] = args(fn, arg, 2)
      const items = evaluate(list, ctx)
      if (items === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
      const i = Number(evaluate(index, ctx))
      if (!Array.isArray(items)) throw new TemplateError('Fn::Select requires a list argument')
      if (!Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new TemplateError(`Fn::Select cannot select nonexistent value at index ${String(evaluate(index, ctx))}`)
      }
      return items[i]
    }
    case 'Fn::Split': {
      const [delim, source] = args(fn, arg, 2)
      const s = evaluate(source, ctx)
      if (s === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
      return scalar(fn, s).split(String(evaluate(delim, ctx)))
    }
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = args(fn, arg, 3)
      return evaluate(condition(String(name), ctx) ? whenTrue : whenFalse, ctx)
    }
    case 'Fn::Equals': {
      const [a, b] = args(fn, arg, 2)
      return String(scalarOrJson(evaluate(a, ctx))) === String(scalarOrJson(evaluate(b, ctx)))
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) {
        throw new TemplateError(`${fn} requires 2 to 10 conditions`)
      }
      const values = arg.map((c) => conditionValue(c, ctx))
      return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean)
    }
    case 'Fn::Not': {
      const [c] = args(fn, arg, 1)
      return !conditionValue(c, ctx)
    }
    case 'Fn::FindInMap':
      return findInMap(arg, ctx)
    case 'Fn::ImportValue': {
      const name = evaluate(arg, ctx)
      if (name === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
      return ctx.importValue(scalar(fn, name))
    }
    case 'Fn::GetAZs': {
      const region = String(evaluate(arg, ctx) || ctx.region)
      return ['a', 'b', 'c'].map((z) => `${region}${z}`)
    }
    case 'Fn::Base64': {
      const s = evaluate(arg, ctx)
      if (s === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
      return Buffer.from(scalar(fn, s), 'utf8').toString('base64')
    }
    case 'Fn::Cidr': {
      const [block, count, bits] = args(fn, arg, 3)
      return cidr(scalar(fn, evaluate(block, ctx)), Number(evaluate(count, ctx)), Number(evaluate(bits, ctx)))
    }
    default:
      throw new TemplateError(`${fn} is not supported by the local control plane`)
  }
}

function args(fn: string, arg: unknown, n: number): unknown[] {
  if (!Array.isArray(arg) || arg.length !== n) {
    throw new TemplateError(`${fn} requires a list of ${n} argument${n === 1 ? '' : 's'}`)
  }
  return arg
}

function scalar(fn: string, v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new TemplateError(`every value of ${fn} must be a string`)
}

function scalarOrJson(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : v
}

function ref(name: string, ctx: EvalContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE
  if (name in ctx.pseudo) return ctx.pseudo[name]
  if (name in ctx.params) return ctx.params[name]
  const res = ctx.resource(name)
  if (res === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
  if (res) return res.physicalId
  throw new TemplateError(`Unresolved resource dependencies [${name}] in the Resources block of the template`)
}

/** `[resource, attribute]` of a GetAtt argument (the attribute may itself be computed). */
export function getAttTarget(arg: unknown, ctx?: EvalContext): [string, string] {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.')
    if (dot > 0) return [arg.slice(0, dot), arg.slice(dot + 1)]
  }
  if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string') {
    const attr = ctx ? evaluate(arg[1], ctx) : arg[1]
    return [arg[0], typeof attr === 'string' ? attr : '']
  }
  throw new TemplateError('Fn::GetAtt requires a list of a resource name and an attribute name')
}

function getAtt(arg: unknown, ctx: EvalContext): unknown {
  const [id, attr] = getAttTarget(arg, ctx)
  const res = ctx.resource(id)
  if (res === KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY
  if (!res) throw new TemplateError(`Unresolved resource dependencies [${id}] in the Resources block of the template`)
  const value = res.attributes[attr]
  if (value === undefined) {
    throw new TemplateError(`resource ${id} does not support attribute type ${attr} in Fn::GetAtt`)
  }
  return value
}

/** The `${...}` names a Sub string refers to (literals `${!x}` excluded). */
export function subReferences(template: string): string[] {
  const names: string[] = []
  for (const m of template.matchAll(/\$\{([^}]*)\}/g)) {
    if (!m[1]!.startsWith('!')) names.push(m[1]!.trim())
  }
  return names
}

function sub(arg: unknown, ctx: EvalContext): unknown {
  let text: unknown
  let vars: Record<string, unknown> = {}
  if (Array.isArray(arg)) {
    if (arg.length !== 2 || !isObject(arg[1])) throw new TemplateError('Fn::Sub requires a string and a map of variables')
    text = arg[0]
    for (const [k, v] of Object.entries(arg[1])) vars[k] = evaluate(v, ctx)
  } else text = arg
  if (typeof text !== 'string') throw new TemplateError('Fn::Sub requires a string')
  let unknown = false
  const out = text.replace(/\$\{([^}]*)\}/g, (_all, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`
    const name = inner.trim()
    let v: unknown
    if (name in vars) v = vars[name]
    else if (name.includes('.') && !(name in ctx.pseudo) && !(name in ctx.params)) v = getAtt(name, ctx)
    else v = ref(name, ctx)
    if (v === KNOWN_AFTER_APPLY) unknown = true
    if (Array.isArray(v)) return v.join(',')
    return scalar('Fn::Sub', v)
  })
  return unknown ? KNOWN_AFTER_APPLY : out
}

function findInMap(arg: unknown, ctx: EvalContext): unknown {
  const [map, top, second] = args('Fn::FindInMap', arg, 3).map((a) => String(evaluate(a, ctx)))
  const value = ctx.mappings[map!]?.[top!]?.[second!]
  if (value === undefined) throw new TemplateError(`Unable to get mapping for ${map}::${top}::${second}`)
  return value
}

/** Value of a named condition (conditions are evaluated before any resource). */
export function condition(name: string, ctx: EvalContext): boolean {
  if (!(name in ctx.conditions)) throw new TemplateError(`Unresolved condition dependency ${name} in Fn::If`)
  return ctx.conditions[name]!
}

function conditionValue(c: unknown, ctx: EvalContext): boolean {
  if (isObject(c) && Object.keys(c).length === 1 && typeof c.Condition === 'string') return condition(c.Condition, ctx)
  const v = evaluate(c, ctx)
  if (typeof v !== 'boolean') throw new TemplateError('Conditions can only be boolean operations on parameters')
  return v
}

/** Evaluates the Conditions section in dependency order (a condition may name another). */
export function evaluateConditions(decls: Record<string, unknown>, ctx: EvalContext): Record<string, boolean> {
  const done: Record<string, boolean> = {}
  const visiting = new Set<string>()
  const view: EvalContext = {...ctx, conditions: done}
  const visit = (name: string): boolean => {
    if (name in done) return done[name]!
    if (!(name in decls)) throw new TemplateError(`Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`)
    if (visiting.has(name)) throw new TemplateError(`Circular dependency between conditions: [${[...visiting].join(', ')}]`)
    visiting.add(name)
    for (const dep of conditionRefs(decls[name])) visit(dep)
    visiting.delete(name)
    done[name] = conditionValue(decls[name], view)
    return done[name]!
  }
  for (const name of Object.keys(decls)) visit(name)
  return done
}

function conditionRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => conditionRefs(x, out))
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Condition' && typeof x === 'string') out.push(x)
      else if (k === 'Fn::If' && Array.isArray(x) && typeof x[0] === 'string') {
        out.push(x[0])
        conditionRefs(x.slice(1), out)
      } else conditionRefs(x, out)
    }
  }
  return out
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new TemplateError(`Invalid CIDR block ${ip}`)
  }
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** Fn::Cidr over IPv4: `count` consecutive blocks of `cidrBits` host bits carved from `block`. */
export function cidr(block: string, count: number, cidrBits: number): string[] {
  const [ip, lenText] = block.split('/')
  const len = Number(lenText)
  if (!ip || !Number.isInteger(len) || len < 0 || len > 32) throw new TemplateError(`Invalid CIDR block ${block}`)
  const prefix = 32 - cidrBits
  if (!Number.isInteger(cidrBits) || prefix < len || cidrBits < 0 || !Number.isInteger(count) || count < 1 || count > 256) {
    throw new TemplateError(`Fn::Cidr cannot carve ${count} blocks of ${cidrBits} bits out of ${block}`)
  }
  const size = 2 ** cidrBits
  if (count * size > 2 ** (32 - len)) {
    throw new TemplateError(`Fn::Cidr cannot carve ${count} blocks of ${cidrBits} bits out of ${block}`)
  }
  const base = ipToInt(ip) & (len === 0 ? 0 : (~0 << (32 - len)) >>> 0)
  return Array.from({length: count}, (_, i) => `${intToIp((base >>> 0) + i * size)}/${prefix}`)
}
