// Static evaluation of IAM policy statements, as a rendered template holds them: may this role do this
// action on this resource? Pure: no AWS. Values the template leaves to CloudFormation (Ref, Fn::Sub,
// Fn::Join, Fn::If) are resolved with what is known (account, region, partition, parameters); what
// cannot be resolved makes the answer "unknown", never a guess. IAM's rules: an explicit Deny wins;
// otherwise an Allow whose action, resource and conditions all match allows; otherwise implicitly denied.

/** Stands for a value that could not be resolved statically. */
export const UNKNOWN: unique symbol = Symbol('unknown')
type Unknown = typeof UNKNOWN

export type Tri = true | false | 'unknown'

/** An `Fn::If` whose condition is not known: either branch may be the value (undefined = AWS::NoValue). */
export class Either {
  constructor(readonly whenTrue: unknown, readonly whenFalse: unknown) {}
}

export interface PolicyStatement {
  Sid?: string
  Effect?: string
  Action?: unknown
  NotAction?: unknown
  Resource?: unknown
  NotResource?: unknown
  Condition?: Record<string, Record<string, unknown>>
}

export interface StaticValues {
  /** Values of `Ref`s and `${…}` variables: pseudo parameters (`AWS::AccountId`) and template parameters. */
  refs: Record<string, string | undefined>
  /** Names of conditions (`Fn::If`) and whether they hold, when known. */
  conditions?: Record<string, boolean | undefined>
}

export interface AccessRequest {
  action: string
  resource: string
  /** Condition keys known for this request (any case), e.g. `ssm:ResourceTag/copilot-environment`. */
  context: Record<string, string | string[]>
  /** Key prefixes (any case) whose keys are all in `context`: a key under one and absent there is absent
   * from the request (e.g. the resource's tags, all fetched). Any other absent key is unknown. */
  knownPrefixes: string[]
}

export interface ConditionMismatch {
  operator: string
  key: string
  expected: string[]
  /** The request's values; undefined when the key is absent. */
  actual?: string[]
}

export interface StatementResult {
  sid: string
  effect: 'Allow' | 'Deny'
  action: Tri
  resource: Tri
  condition: Tri
  /** The conditions that failed (or could not be evaluated). */
  mismatches: ConditionMismatch[]
  matches: Tri
}

export interface PolicyDecision {
  /** allowed: an Allow matches and no Deny may; denied: a Deny matches; implicit-deny: nothing allows. */
  decision: 'allowed' | 'denied' | 'implicit-deny' | 'unknown'
  statements: StatementResult[]
}

const and = (...v: Tri[]): Tri => (v.includes(false) ? false : v.includes('unknown') ? 'unknown' : true)
const or = (...v: Tri[]): Tri => (v.includes(true) ? true : v.includes('unknown') ? 'unknown' : false)
const not = (v: Tri): Tri => (v === 'unknown' ? v : !v)

/** Resolves the intrinsic functions a policy uses; `AWS::NoValue` becomes undefined. */
export function resolveStatic(value: unknown, known: StaticValues): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveStatic(v, known)).filter((v) => v !== undefined)
  if (value === null || typeof value !== 'object') return value
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
  if (keys.length === 1) {
    const [fn] = keys as [string]
    const arg = obj[fn]
    if (fn === 'Ref') return arg === 'AWS::NoValue' ? undefined : (known.refs[String(arg)] ?? UNKNOWN)
    if (fn === 'Fn::Sub') return resolveSub(arg, known)
    if (fn === 'Fn::Join' && Array.isArray(arg)) {
      const parts = resolveStatic(arg[1], known)
      if (!Array.isArray(parts) || parts.some((p) => typeof p !== 'string')) return UNKNOWN
      return parts.join(String(arg[0]))
    }
    if (fn === 'Fn::If' && Array.isArray(arg)) {
      const holds = known.conditions?.[String(arg[0])]
      if (holds === undefined) return new Either(resolveStatic(arg[1], known), resolveStatic(arg[2], known))
      return resolveStatic(holds ? arg[1] : arg[2], known)
    }
    if (fn.startsWith('Fn::')) return UNKNOWN
  }
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const v = resolveStatic(obj[k], known)
    if (v !== undefined) out[k] = v
  }
  return out
}

function resolveSub(arg: unknown, known: StaticValues): string | Unknown {
  const [text, vars] = Array.isArray(arg) ? [String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>] : [String(arg), {}]
  let unknown = false
  const out = text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
    const local = name in vars ? resolveStatic(vars[name], known) : known.refs[name]
    if (typeof local !== 'string') {
      unknown = true
      return ''
    }
    return local
  })
  return unknown ? UNKNOWN : out.replace(/\$\{!/g, '${')
}

/** IAM wildcards: `*` any run of characters (across `:` and `/`), `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value)
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

function anyPattern(patterns: unknown, value: string, ignoreCase: boolean): Tri {
  return or(...list(patterns).map((p): Tri => (typeof p === 'string' ? wildcardMatch(p, value, ignoreCase) : 'unknown')))
}

function matchesElement(statement: PolicyStatement, positive: 'Action' | 'Resource', value: string, ignoreCase: boolean): Tri {
  const negative = `Not${positive}` as 'NotAction' | 'NotResource'
  if (statement[positive] !== undefined) return statement[positive] === UNKNOWN ? 'unknown' : anyPattern(statement[positive], value, ignoreCase)
  if (statement[negative] !== undefined) return statement[negative] === UNKNOWN ? 'unknown' : not(anyPattern(statement[negative], value, ignoreCase))
  return false
}

function lookup(req: AccessRequest, key: string): string[] | undefined | Unknown {
  const lower = key.toLowerCase()
  for (const [k, v] of Object.entries(req.context)) if (k.toLowerCase() === lower) return list(v).map(String)
  return req.knownPrefixes.some((p) => lower.startsWith(p.toLowerCase())) ? undefined : UNKNOWN
}

const COMPARE: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (e, a) => e === a,
  StringEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
  StringLike: (e, a) => wildcardMatch(e, a),
  ArnEquals: (e, a) => wildcardMatch(e, a),
  ArnLike: (e, a) => wildcardMatch(e, a),
  Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
}
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
}

function evaluateCondition(operator: string, key: string, expectedRaw: unknown, req: AccessRequest): Tri {
  const expectedList = list(expectedRaw)
  if (expectedList.some((e) => typeof e !== 'string' && typeof e !== 'boolean')) return 'unknown'
  const expected = expectedList.map(String)
  const actual = lookup(req, key)
  if (actual === UNKNOWN) return 'unknown'
  let op = operator
  let set: 'any' | 'all' | undefined
  if (op.startsWith('ForAnyValue:')) [set, op] = ['any', op.slice('ForAnyValue:'.length)]
  else if (op.startsWith('ForAllValues:')) [set, op] = ['all', op.slice('ForAllValues:'.length)]
  const ifExists = op.endsWith('IfExists')
  if (ifExists) op = op.slice(0, -'IfExists'.length)
  if (op === 'Null') return (actual === undefined) === (expected[0]?.toLowerCase() === 'true')
  if (actual === undefined) {
    if (set === 'all') return true
    return ifExists || op in NEGATED
  }
  const negated = op in NEGATED
  const compare = COMPARE[negated ? NEGATED[op]! : op]
  if (!compare) return 'unknown'
  const matchOne = (a: string) => expected.some((e) => compare(e, a))
  const hit = set === 'all' ? actual.every(matchOne) : actual.some(matchOne)
  return negated ? !hit : hit
}

function evaluateStatement(statement: PolicyStatement, req: AccessRequest, index: number): StatementResult {
  const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow'
  const action = matchesElement(statement, 'Action', req.action, true)
  const resource = matchesElement(statement, 'Resource', req.resource, false)
  const mismatches: ConditionMismatch[] = []
  const results: Tri[] = []
  if ((statement.Condition as unknown) === UNKNOWN) results.push('unknown')
  for (const [operator, block] of Object.entries(statement.Condition && typeof statement.Condition === 'object' ? statement.Condition : {})) {
    if ((block as unknown) === UNKNOWN || typeof block !== 'object' || block === null) {
      results.push('unknown')
      continue
    }
    for (const [key, expected] of Object.entries(block)) {
      const r = evaluateCondition(operator, key, expected, req)
      results.push(r)
      if (r !== true) {
        const actual = lookup(req, key)
        mismatches.push({operator, key, expected: list(expected).map((e) => (typeof e === 'string' ? e : '?')), ...(actual !== UNKNOWN && actual ? {actual} : {})})
      }
    }
  }
  const condition = and(...results)
  return {sid: statement.Sid ?? `statement ${index + 1}`, effect, action, resource, condition, mismatches, matches: and(action, resource, condition)}
}

function statementResults(s: unknown, req: AccessRequest, index: number): StatementResult[] {
  if (s === undefined) return []
  if (s instanceof Either) {
    // Both branches are evaluated; where they disagree, whether the statement applies is unknown.
    const branches = [s.whenTrue, s.whenFalse].map((b) => statementResults(b, req, index))
    const [a, b] = branches as [StatementResult[], StatementResult[]]
    if (a.every((r) => r.matches === false) && b.every((r) => r.matches === false)) return [...a, ...b]
    return [...a, ...b].map((r) => (r.matches === true ? {...r, condition: 'unknown' as Tri, matches: 'unknown' as Tri} : r))
  }
  if (s === UNKNOWN || typeof s !== 'object' || s === null) {
    return [{sid: `statement ${index + 1}`, effect: 'Allow', action: 'unknown', resource: 'unknown', condition: 'unknown', mismatches: [], matches: 'unknown'}]
  }
  return [evaluateStatement(s as PolicyStatement, req, index)]
}

/** Evaluates resolved statements (see `resolveStatic`) for one request. A statement that is itself
 * unresolved (an `Fn::If` whose condition is unknown) counts as "may match". */
export function evaluatePolicy(statements: unknown[], req: AccessRequest): PolicyDecision {
  const results = statements.flatMap((s, i) => statementResults(s, req, i))
  const denies = results.filter((r) => r.effect === 'Deny').map((r) => r.matches)
  const allows = results.filter((r) => r.effect === 'Allow').map((r) => r.matches)
  const denied = or(...denies)
  const allowed = or(...allows)
  const decision = denied === true ? 'denied' : allowed === true && denied === false ? 'allowed' : allowed === false ? 'implicit-deny' : 'unknown'
  return {decision, statements: results}
}

/** `aws`, `aws-cn` or `aws-us-gov`: the partition of a region. */
export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'
}

/** Managed policies whose statements are known not to grant reading secrets (ECR pulls and logs only). */
const KNOWN_MANAGED = [/^arn:aws[a-z-]*:iam::aws:policy\/service-role\/AmazonECSTaskExecutionRolePolicy$/]

/**
 * The statements of a role in a template, resolved: every inline policy's, and for each managed policy
 * that may grant anything, a statement that may match anything (its text is not in the template).
 */
export function roleStatements(template: Record<string, any>, logicalId: string, known: StaticValues): unknown[] {
  const role = template.Resources?.[logicalId]
  if (!role || role.Type !== 'AWS::IAM::Role') return []
  const props = (resolveStatic(role.Properties ?? {}, known) ?? {}) as Record<string, unknown>
  const out: unknown[] = []
  for (const policy of list(props.Policies)) {
    const doc = (policy as {PolicyDocument?: {Statement?: unknown}} | undefined)?.PolicyDocument
    out.push(...list(doc?.Statement))
  }
  for (const arn of list(props.ManagedPolicyArns)) {
    if (typeof arn === 'string' && KNOWN_MANAGED.some((re) => re.test(arn))) continue
    out.push(UNKNOWN)
  }
  return out
}
