// Checks a rendered template against the CloudFormation resource specification and CloudFormation's
// own rules: known types and properties with the right value types, required properties present,
// Ref/GetAtt/Sub/DependsOn/Condition targets that exist, no dependency cycles, at most 500 resources,
// every parameter declared and given a value. Returns every problem found, as readable lines.

import {type CfnSpec, loadSpec, type SpecShape, type SpecType} from './spec.js'

const PSEUDO = new Set(['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::StackName', 'AWS::StackId', 'AWS::NoValue', 'AWS::URLSuffix', 'AWS::NotificationARNs'])

type Json = Record<string, any>

function isIntrinsic(v: unknown): v is Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const keys = Object.keys(v)
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition')
}

class Checker {
  readonly problems: string[] = []
  constructor(
    private readonly spec: CfnSpec,
    private readonly template: Json,
  ) {}

  private get resources(): Json {
    return this.template.Resources ?? {}
  }

  private refTarget(name: string, where: string): void {
    if (PSEUDO.has(name) || name in (this.template.Parameters ?? {}) || name in this.resources) return
    this.problems.push(`${where}: Ref to ${name}, which is neither a parameter nor a resource`)
  }

  private getAttTarget(id: string, attr: string, where: string): void {
    const r = this.resources[id]
    if (!r) return void this.problems.push(`${where}: Fn::GetAtt of ${id}, which is not a resource`)
    const attrs = this.spec.resources[r.Type]?.attributes
    if (attrs && !attrs.includes(attr)) this.problems.push(`${where}: ${r.Type} has no attribute ${attr}`)
  }

  /** Walks any value, checking the intrinsic functions inside it. */
  intrinsics(v: unknown, where: string, subVars: Set<string> = new Set()): void {
    if (Array.isArray(v)) return v.forEach((x, i) => this.intrinsics(x, `${where}[${i}]`, subVars))
    if (v === null || typeof v !== 'object') return
    const o = v as Json
    if ('Ref' in o && Object.keys(o).length === 1) return this.refTarget(String(o.Ref), where)
    if ('Fn::GetAtt' in o) {
      const [id, attr] = Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'] : String(o['Fn::GetAtt']).split(/\.(.*)/)
      return this.getAttTarget(id, attr, where)
    }
    if ('Fn::Sub' in o) {
      const [text, vars] = Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'] : [o['Fn::Sub'], {}]
      const local = new Set(Object.keys(vars ?? {}))
      for (const [, name] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        if (local.has(name!)) continue
        const [id, ...attr] = name!.split('.')
        if (attr.length) this.getAttTarget(id!, attr.join('.'), where)
        else this.refTarget(id!, where)
      }
      for (const [k, x] of Object.entries(vars ?? {})) this.intrinsics(x, `${where}.Fn::Sub.${k}`)
      return
    }
    if ('Fn::If' in o) {
      const [cond, a, b] = o['Fn::If']
      if (!(cond in (this.template.Conditions ?? {}))) this.problems.push(`${where}: Fn::If on undeclared condition ${cond}`)
      this.intrinsics(a, where)
      this.intrinsics(b, where)
      return
    }
    for (const [k, x] of Object.entries(o)) this.intrinsics(x, `${where}.${k}`, subVars)
  }

  /** Checks a value against a specification type; intrinsics are accepted where their result could fit. */
  value(v: unknown, t: SpecType, where: string): void {
    if (isIntrinsic(v)) {
      if ('Fn::If' in v) {
        const [, a, b] = v['Fn::If']
        for (const x of [a, b]) if (!(isIntrinsic(x) && x.Ref === 'AWS::NoValue')) this.value(x, t, where)
      }
      return
    }
    switch (t.type) {
      case 'string':
      case 'date-time':
        if (!['string', 'number', 'boolean'].includes(typeof v)) this.problems.push(`${where}: expected a string, got ${JSON.stringify(v)}`)
        return
      case 'integer':
      case 'number':
        if (typeof v !== 'number' && !(typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) this.problems.push(`${where}: expected a number, got ${JSON.stringify(v)}`)
        else if (t.type === 'integer' && !Number.isInteger(Number(v))) this.problems.push(`${where}: expected an integer, got ${v}`)
        return
      case 'boolean':
        if (typeof v !== 'boolean' && v !== 'true' && v !== 'false') this.problems.push(`${where}: expected a boolean, got ${JSON.stringify(v)}`)
        return
      case 'json':
        if (typeof v !== 'object' && typeof v !== 'string') this.problems.push(`${where}: expected JSON, got ${JSON.stringify(v)}`)
        return
      case 'null':
        return
      case 'tag':
        if (typeof v !== 'object' || v === null || !('Key' in v) || !('Value' in v)) this.problems.push(`${where}: expected a {Key, Value} tag`)
        return
      case 'array':
        if (!Array.isArray(v)) return void this.problems.push(`${where}: expected a list, got ${JSON.stringify(v)}`)
        v.forEach((x, i) => this.value(x, t.element, `${where}[${i}]`))
        return
      case 'map':
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return void this.problems.push(`${where}: expected a map`)
        for (const [k, x] of Object.entries(v)) this.value(x, t.element, `${where}.${k}`)
        return
      case 'union': {
        const before = this.problems.length
        for (const option of t.types) {
          const trial = new Checker(this.spec, this.template)
          trial.value(v, option, where)
          if (trial.problems.length === 0) return
        }
        if (this.problems.length === before) this.problems.push(`${where}: ${JSON.stringify(v).slice(0, 80)} matches none of the allowed types`)
        return
      }
      case 'ref': {
        const shape = this.spec.types[t.ref]
        if (!shape) return
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return void this.problems.push(`${where}: expected an object`)
        this.shape(v as Json, shape, where)
      }
    }
  }

  shape(props: Json, shape: SpecShape, where: string): void {
    for (const [k, v] of Object.entries(props)) {
      const p = shape.properties[k]
      if (!p) this.problems.push(`${where}: unknown property ${k}`)
      else this.value(v, p.type, `${where}.${k}`)
    }
    for (const [k, p] of Object.entries(shape.properties)) {
      if (p.required && !(k in props)) this.problems.push(`${where}: required property ${k} is missing`)
    }
  }

  run(parameterValues?: Record<string, string>): string[] {
    const resources = this.resources
    const ids = Object.keys(resources)
    if (ids.length > 500) this.problems.push(`${ids.length} resources: CloudFormation allows at most 500`)
    if (ids.length === 0) this.problems.push('no resources')
    const bytes = Buffer.byteLength(JSON.stringify(this.template))
    if (bytes > 51_200) this.problems.push(`template is ${bytes} bytes: over the 51,200 bytes CloudFormation takes without S3`)
    const conditions = this.template.Conditions ?? {}
    for (const [id, r] of Object.entries<Json>(resources)) {
      const rs = this.spec.resources[r.Type]
      if (!rs) {
        this.problems.push(`${id}: unknown resource type ${r.Type}`)
        continue
      }
      this.shape(r.Properties ?? {}, rs, id)
      this.intrinsics(r.Properties ?? {}, id)
      for (const d of [r.DependsOn ?? []].flat()) if (!(d in resources)) this.problems.push(`${id}: DependsOn ${d}, which is not a resource`)
      if (r.Condition && !(r.Condition in conditions)) this.problems.push(`${id}: Condition ${r.Condition} is not declared`)
    }
    this.intrinsics(conditions, 'Conditions')
    for (const [name, o] of Object.entries<Json>(this.template.Outputs ?? {})) {
      this.intrinsics(o.Value, `Outputs.${name}`)
      if (o.Condition && !(o.Condition in conditions)) this.problems.push(`Outputs.${name}: Condition ${o.Condition} is not declared`)
    }
    this.cycles(resources)
    if (parameterValues) {
      for (const p of Object.keys(this.template.Parameters ?? {})) {
        if (!(p in parameterValues)) this.problems.push(`parameter ${p} is declared but has no value`)
      }
      for (const p of Object.keys(parameterValues)) {
        if (!(p in (this.template.Parameters ?? {}))) this.problems.push(`parameter ${p} has a value but is not declared`)
      }
    }
    return this.problems
  }

  private cycles(resources: Json): void {
    const edges = new Map<string, Set<string>>()
    for (const [id, r] of Object.entries<Json>(resources)) {
      const deps = new Set<string>([r.DependsOn ?? []].flat())
      collectRefs(r.Properties ?? {}, deps)
      edges.set(id, new Set([...deps].filter((d) => d in resources)))
    }
    const state = new Map<string, 1 | 2>()
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 2) return
      if (state.get(id) === 1) return void this.problems.push(`dependency cycle: ${[...path.slice(path.indexOf(id)), id].join(' -> ')}`)
      state.set(id, 1)
      for (const d of edges.get(id) ?? []) visit(d, [...path, id])
      state.set(id, 2)
    }
    for (const id of edges.keys()) visit(id, [])
  }
}

function collectRefs(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) return v.forEach((x) => collectRefs(x, out))
  if (v === null || typeof v !== 'object') return
  const o = v as Json
  if (typeof o.Ref === 'string') out.add(o.Ref)
  if (o['Fn::GetAtt']) out.add(Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'][0] : String(o['Fn::GetAtt']).split('.')[0]!)
  if (o['Fn::Sub']) {
    const [text, vars] = Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'] : [o['Fn::Sub'], {}]
    for (const [, name] of String(text).matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) if (!(name! in (vars ?? {}))) out.add(name!)
  }
  for (const x of Object.values(o)) collectRefs(x, out)
}

export function checkTemplate(template: Json, parameterValues?: Record<string, string>): string[] {
  return new Checker(loadSpec(), template).run(parameterValues)
}
