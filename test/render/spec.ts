// The CloudFormation resource specification from @aws-cdk/aws-service-spec, reduced to what the checks
// need (types of properties and attributes, required flags). The full database takes over a second to
// load; the reduced form is cached in the temp directory, so each test run pays for it at most once.

import {createRequire} from 'node:module'
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export type SpecType =
  | {type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag'}
  | {type: 'ref'; ref: string}
  | {type: 'array' | 'map'; element: SpecType}
  | {type: 'union'; types: SpecType[]}

export interface SpecProperty {
  type: SpecType
  required?: boolean
}
export interface SpecShape {
  properties: Record<string, SpecProperty>
}
export interface CfnSpec {
  resources: Record<string, SpecShape & {attributes: string[]}>
  types: Record<string, SpecShape>
}

const require = createRequire(import.meta.url)
let cached: CfnSpec | undefined

function reduceType(t: any): SpecType {
  switch (t.type) {
    case 'ref':
      return {type: 'ref', ref: t.reference.$ref}
    case 'array':
    case 'map':
      return {type: t.type, element: reduceType(t.element)}
    case 'union':
      return {type: 'union', types: t.types.map(reduceType)}
    default:
      return {type: t.type}
  }
}

function reduceProps(props: Record<string, any>, previous: boolean): Record<string, SpecProperty> {
  const out: Record<string, SpecProperty> = {}
  for (const [k, p] of Object.entries(props)) {
    // A property whose type changed over time accepts its earlier forms too (e.g. json -> string).
    const types = [p.type, ...(previous ? (p.previousTypes ?? []) : [])].map(reduceType)
    out[k] = {type: types.length === 1 ? types[0]! : {type: 'union', types}, ...(p.required ? {required: true} : {})}
  }
  return out
}

function build(): CfnSpec {
  const {loadAwsServiceSpecSync} = require('@aws-cdk/aws-service-spec')
  const db = loadAwsServiceSpecSync()
  const spec: CfnSpec = {resources: {}, types: {}}
  for (const r of db.all('resource')) {
    spec.resources[r.cloudFormationType] = {properties: reduceProps(r.properties, true), attributes: Object.keys(r.attributes)}
  }
  for (const t of db.all('typeDefinition')) spec.types[t.$id] = {properties: reduceProps(t.properties, true)}
  return spec
}

export function loadSpec(): CfnSpec {
  if (cached) return cached
  const version = require('@aws-cdk/aws-service-spec/package.json').version as string
  const file = join(tmpdir(), `pier-cfn-spec-${version}.json`)
  if (existsSync(file)) {
    try {
      cached = JSON.parse(readFileSync(file, 'utf8')) as CfnSpec
      return cached
    } catch {
      // a torn or stale cache: rebuild it below
    }
  }
  cached = build()
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(cached))
  renameSync(tmp, file)
  return cached
}
