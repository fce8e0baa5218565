// What a takeover of Copilot's stacks keeps: the stateful resources (src/deploy/takeover.ts) that a
// Copilot template certainly creates for its parameters, and whether a Pier template has each under the
// same logical ID and type with the same create-only properties (src/deploy/replacement.generated.ts).
// Values are compared after resolving the parameters of each side; what stays an intrinsic on both
// sides (a Ref to a resource, a GetAtt, a pseudo parameter) compares structurally.
import {readFileSync} from 'node:fs'
import {parseDocument} from 'yaml'

import {CREATE_ONLY_PROPERTIES} from '../../src/deploy/replacement.generated.js'
import {isStateful} from '../../src/deploy/takeover.js'

/** Copilot's short-form intrinsics (!Ref, !Sub, ...) read as their long form. */
const intrinsicTags = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Split', 'ImportValue', 'Equals', 'Not', 'And', 'Or', 'Condition', 'FindInMap', 'GetAZs', 'Base64', 'Cidr'].flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`
  const conv = (v: unknown) => ({[key]: name === 'GetAtt' && typeof v === 'string' ? v.split('.') : v})
  return (['scalar', 'seq', 'map'] as const).map((kind) => ({tag: `!${name}`, collection: kind === 'scalar' ? undefined : kind, resolve: (v: any) => conv(kind === 'scalar' ? v : v.toJSON())} as any))
})

export function loadCopilotTemplate(path: string): any {
  return parseDocument(readFileSync(path, 'utf8'), {customTags: intrinsicTags, logLevel: 'silent'}).toJS()
}

type Params = Record<string, unknown>

/** A template with the values of its parameters: evaluates its conditions and resolves its values. */
export class Resolved {
  constructor(
    readonly template: any,
    readonly params: Params,
  ) {}

  /** True or false when the parameters decide it, undefined when it depends on something else. */
  condition(name: string, seen: string[] = []): boolean | undefined {
    const body = this.template.Conditions?.[name]
    if (body === undefined || seen.includes(name)) return undefined
    return this.evaluate(body, [...seen, name])
  }

  private evaluate(c: any, seen: string[]): boolean | undefined {
    if (c && typeof c === 'object' && !Array.isArray(c)) {
      if ('Condition' in c) return this.condition(c.Condition, seen)
      if ('Fn::Not' in c) {
        const v = this.evaluate(c['Fn::Not'][0], seen)
        return v === undefined ? undefined : !v
      }
      if ('Fn::And' in c) {
        const vs = c['Fn::And'].map((x: any) => this.evaluate(x, seen))
        return vs.includes(false) ? false : vs.includes(undefined) ? undefined : true
      }
      if ('Fn::Or' in c) {
        const vs = c['Fn::Or'].map((x: any) => this.evaluate(x, seen))
        return vs.includes(true) ? true : vs.includes(undefined) ? undefined : false
      }
      if ('Fn::Equals' in c) {
        const [a, b] = c['Fn::Equals'].map((x: any) => this.value(x))
        return typeof a === 'string' && typeof b === 'string' ? a === b : undefined
      }
    }
    return undefined
  }

  /** Whether a resource is created for these parameters (undefined: it depends on more). */
  created(resource: any): boolean | undefined {
    return resource.Condition === undefined ? true : this.condition(resource.Condition)
  }

  /** A value with parameters substituted, scalars as strings, decided conditions taken. */
  value(v: any): any {
    if (Array.isArray(v)) return v.map((x) => this.value(x)).filter((x) => x !== NO_VALUE)
    if (v === null || v === undefined) return undefined
    if (typeof v !== 'object') return String(v)
    const keys = Object.keys(v)
    if (keys.length === 1) {
      const [k] = keys as [string]
      const x = v[k]
      if (k === 'Ref') return x === 'AWS::NoValue' ? NO_VALUE : x in this.params ? String(this.params[x]) : {Ref: x}
      if (k === 'Fn::GetAtt') return {'Fn::GetAtt': typeof x === 'string' ? x.split('.') : x}
      if (k === 'Fn::Sub') return this.sub(x)
      if (k === 'Fn::Join') {
        const parts = this.value(x[1])
        return Array.isArray(parts) && parts.every((p) => typeof p === 'string') ? parts.join(x[0]) : {'Fn::Join': [x[0], parts]}
      }
      if (k === 'Fn::If') {
        const decided = this.condition(x[0])
        if (decided !== undefined) return this.value(decided ? x[1] : x[2])
      }
    }
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      const r = this.value(x)
      if (r !== NO_VALUE && r !== undefined) out[k] = r
    }
    return out
  }

  private sub(x: any): any {
    const [text, vars] = Array.isArray(x) ? [x[0] as string, this.value(x[1] ?? {})] : [x as string, {}]
    const replaced = text.replace(/\$\{([^}!]+)\}/g, (whole, name: string) => {
      const value = vars[name] ?? (name in this.params ? String(this.params[name]) : undefined)
      return typeof value === 'string' ? value : whole
    })
    return replaced.includes('${') ? {'Fn::Sub': replaced} : replaced
  }
}

const NO_VALUE = Symbol('AWS::NoValue')

/** JSON with sorted keys: structural equality. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x))
}

export interface Finding {
  logicalId: string
  type: string
  problem: string
}

/** Every stateful resource the Copilot template certainly creates, checked against Pier's template. */
export function compareStateful(copilot: Resolved, pier: Resolved): {checked: number; findings: Finding[]} {
  const findings: Finding[] = []
  let checked = 0
  for (const [id, r] of Object.entries<any>(copilot.template.Resources ?? {})) {
    if (!isStateful(r.Type, id) || copilot.created(r) !== true) continue
    checked++
    const mine = pier.template.Resources?.[id]
    if (!mine) {
      const sameType = Object.entries<any>(pier.template.Resources ?? {}).filter(([, x]) => x.Type === r.Type).map(([k]) => k)
      findings.push({logicalId: id, type: r.Type, problem: `missing (Pier has ${r.Type}: ${sameType.join(', ') || 'none'})`})
      continue
    }
    if (mine.Type !== r.Type) {
      findings.push({logicalId: id, type: r.Type, problem: `type ${mine.Type}`})
      continue
    }
    if (pier.created(mine) !== true) findings.push({logicalId: id, type: r.Type, problem: `not certainly created (condition ${mine.Condition})`})
    for (const p of CREATE_ONLY_PROPERTIES[r.Type] ?? []) {
      const a = canonical(copilot.value(r.Properties?.[p]))
      const b = canonical(pier.value(mine.Properties?.[p]))
      if (a !== b) findings.push({logicalId: id, type: r.Type, problem: `${p}: Copilot ${a ?? '(none)'}, Pier ${b ?? '(none)'}`})
    }
  }
  return {checked, findings}
}

/** The export names of the outputs a template certainly has for its parameters. */
function exportsOf(t: Resolved): Map<string, string> {
  const out = new Map<string, string>()
  for (const [name, o] of Object.entries<any>(t.template.Outputs ?? {})) {
    if (!o.Export || (o.Condition !== undefined && t.condition(o.Condition) !== true)) continue
    out.set(String(canonical(t.value(o.Export.Name))).replace(/^"|"$/g, ''), name)
  }
  return out
}

/** Copilot's exports that Pier's template does not export: another stack importing one would stop the
 * takeover (CloudFormation does not remove an export in use). */
export function missingExports(copilot: Resolved, pier: Resolved): string[] {
  const mine = exportsOf(pier)
  return [...exportsOf(copilot)].filter(([name]) => !mine.has(name)).map(([name, output]) => `${name} (output ${output})`)
}

/** The load balancer Copilot's golden `svc (test)` imports (http.alb), as its test mocked it. */
export const IMPORTED_ALB = {
  arn: 'mockImportALBARN', name: 'mockImportALBName', dnsName: 'mockImportALBDNSName', hostedZoneId: 'mockHostedZoneID',
  listeners: [{arn: 'MockListenerARN1', port: 80, protocol: 'HTTPS'}, {arn: 'MockListenerARN1', port: 443, protocol: 'HTTP'}],
  securityGroups: ['mockImportALBSG1', 'mockImportALBSG2'],
}

/** Copilot's golden workload cases among the files of test/fixtures/copilot-golden: manifest,
 * environment, expected template and parameters of each. */
export function workloadCases(files: string[]): {name: string; manifest: string; env: string; template: string; params: string}[] {
  const out = []
  for (const f of files.filter((f) => f.endsWith('.stack.yml'))) {
    const [, base, env] = /^(.*)-([a-z]+)\.stack\.yml$/.exec(f)!
    out.push({name: `${base} (${env})`, manifest: `${base}-manifest.yml`, env: env!, template: f, params: f.replace('.stack.yml', '.params.json')})
  }
  for (const f of files.filter((f) => f.startsWith('backend-') && f.endsWith('-template.yml'))) {
    const base = f.replace('-template.yml', '')
    const manifest = files.includes(`${base}-manifest.yml`) ? `${base}-manifest.yml` : base.replace(/^(backend-simple)(-without-port-config)?$/, '$1-manifest$2') + '.yml'
    out.push({name: `${base} (test)`, manifest, env: 'test', template: f, params: `${base}-params.json`.replace(/^(backend-simple)-params(-without-port-config)?/, '$1-params$2')})
  }
  return out
}
