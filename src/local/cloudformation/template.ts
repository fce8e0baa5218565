// Template parsing: JSON or YAML (with CloudFormation's short-form tags such as `!Ref` and `!Sub`)
// into the plain long-form document the engine evaluates, plus the structural checks AWS makes
// before any resource is touched ("Template format error: ...").

import {isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document} from 'yaml'

import {dict, dictOf, dictReviver} from '../store/dict.js'
import {ServiceError} from '../frontend/types.js'

export interface Template {
  AWSTemplateFormatVersion?: string
  Description?: string
  Metadata?: Record<string, unknown>
  Transform?: unknown
  Parameters?: Record<string, ParameterDeclaration>
  Mappings?: Record<string, Record<string, Record<string, unknown>>>
  Conditions?: Record<string, unknown>
  Resources: Record<string, ResourceDeclaration>
  Outputs?: Record<string, OutputDeclaration>
}

export interface ParameterDeclaration {
  Type: string
  Default?: unknown
  AllowedValues?: unknown[]
  AllowedPattern?: string
  Description?: string
  NoEcho?: boolean | string
  MinLength?: number | string
  MaxLength?: number | string
  MinValue?: number | string
  MaxValue?: number | string
  ConstraintDescription?: string
}

export interface ResourceDeclaration {
  Type: string
  Properties?: Record<string, unknown>
  DependsOn?: string | string[]
  Condition?: string
  DeletionPolicy?: string
  UpdateReplacePolicy?: string
  Metadata?: Record<string, unknown>
}

export interface OutputDeclaration {
  Value: unknown
  Description?: string
  Condition?: string
  Export?: {Name: unknown}
}

/** Short-form tags and the long form each one stands for. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!FindInMap': 'Fn::FindInMap',
  '!ImportValue': 'Fn::ImportValue',
  '!GetAZs': 'Fn::GetAZs',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!Transform': 'Fn::Transform',
}

const TOP_LEVEL = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings',
  'Conditions', 'Transform', 'Resources', 'Outputs'])

export function formatError(message: string): ServiceError {
  return new ServiceError('ValidationError', `Template format error: ${message}`)
}

/** Parses a template body (JSON first, then YAML) and checks its structure. Its objects have no
 * prototype (a logical id or parameter named `constructor` is only itself). */
export function parseTemplate(body: string): Template {
  const trimmed = body.trimStart()
  let doc: unknown
  try {
    if (trimmed.startsWith('{')) {
      try {
        doc = JSON.parse(body, dictReviver)
      } catch (err) {
        if (err instanceof RangeError) throw err
        doc = parseYaml(body)
      }
    } else {
      doc = parseYaml(body)
    }
  } catch (err) {
    if (err instanceof RangeError) throw formatError('the template is nested too deeply.')
    throw err
  }
  return checkStructure(doc)
}

/** How many values a YAML template may expand to through its aliases, per character of the body:
 * an alias bomb (a few hundred bytes naming each level nine times) would otherwise build millions of
 * nodes, blocking the control plane for seconds and growing it by hundreds of megabytes. */
const NODES_PER_CHARACTER = 1
const MIN_NODE_BUDGET = 10_000

function parseYaml(body: string): unknown {
  const doc = parseDocument(body, {uniqueKeys: true, prettyErrors: false})
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    throw formatError(`YAML not well-formed. (line ${first.linePos?.[0]?.line ?? '?'}, column ${first.linePos?.[0]?.col ?? '?'})`)
  }
  return toPlain(doc.contents, doc, {left: Math.max(MIN_NODE_BUDGET, body.length * NODES_PER_CHARACTER), anchors: new Map()})
}

/** Converts a YAML node to plain data, turning short-form tags into their long form; each value made
 * spends one unit of `budget`. */
function toPlain(node: unknown, doc: Document, budget: {left: number; anchors: Map<unknown, unknown>}): unknown {
  if (--budget.left < 0) throw formatError('the template expands to too many values through YAML aliases.')
  if (node == null) return null
  if (isAlias(node)) {
    // Resolving an alias searches the document for its anchor: once per alias node is enough.
    if (!budget.anchors.has(node)) budget.anchors.set(node, node.resolve(doc))
    return toPlain(budget.anchors.get(node), doc, budget)
  }
  let value: unknown
  if (isScalar(node)) value = node.value
  else if (isSeq(node)) value = node.items.map((item) => toPlain(item, doc, budget))
  else if (isMap(node)) {
    const out = dict<unknown>()
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = toPlain(pair.key, doc, budget)
      out[String(key)] = toPlain(pair.value, doc, budget)
    }
    value = out
  } else return node
  const tag = (node as {tag?: string}).tag
  if (tag && tag.startsWith('!')) {
    const long = SHORT_TAGS[tag]
    if (!long) throw formatError(`Unsupported YAML tag ${tag}`)
    if (long === 'Fn::GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.')
      value = dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)]
    }
    return dictOf({[long]: value})
  }
  return value
}

function isScalarValue(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkStructure(doc: unknown): Template {
  if (!isObject(doc)) throw formatError('unsupported structure.')
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) throw formatError(`Invalid template property or properties [${key}]`)
  }
  // Members AWS reads as strings are checked as such first: a template's objects have no prototype,
  // so nothing later turns an object given in their place into text.
  if (doc.AWSTemplateFormatVersion !== undefined && !isScalarValue(doc.AWSTemplateFormatVersion)) {
    throw formatError('AWSTemplateFormatVersion must be a string.')
  }
  if (doc.Description !== undefined && typeof doc.Description !== 'string') throw formatError('Description must be a string.')
  const version = doc.AWSTemplateFormatVersion
  if (version !== undefined && String(version) !== '2010-09-09') {
    throw formatError(`'${String(version)}' is not a valid template version.`)
  }
  if (!isObject(doc.Resources) || Object.keys(doc.Resources).length === 0) {
    throw formatError('At least one Resources member must be defined.')
  }
  for (const [id, res] of Object.entries(doc.Resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) throw formatError(`Resource name ${id} is non alphanumeric.`)
    if (!isObject(res) || typeof res.Type !== 'string') {
      throw formatError(`[/Resources/${id}] Every Resources object must contain a Type member.`)
    }
    if (res.Properties !== undefined && !isObject(res.Properties)) {
      throw formatError(`[/Resources/${id}/Properties] Every Properties member must be an object.`)
    }
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy', 'Condition'] as const) {
      if (res[key] !== undefined && typeof res[key] !== 'string') throw formatError(`[/Resources/${id}/${key}] must be a string.`)
    }
    const deps = res.DependsOn
    if (deps !== undefined && typeof deps !== 'string' && !(Array.isArray(deps) && deps.every((d) => typeof d === 'string'))) {
      throw formatError(`[/Resources/${id}/DependsOn] must be a string or a list of strings.`)
    }
  }
  for (const [id, p] of Object.entries(doc.Parameters ?? {})) {
    if (!isObject(p) || typeof p.Type !== 'string') {
      throw formatError(`[/Parameters/${id}] Every Parameters object must contain a Type member.`)
    }
    for (const key of ['Default', 'MinLength', 'MaxLength', 'MinValue', 'MaxValue', 'NoEcho'] as const) {
      const v = p[key]
      if (v !== undefined && !isScalarValue(v) && !(key === 'Default' && Array.isArray(v) && v.every(isScalarValue))) {
        throw formatError(`[/Parameters/${id}/${key}] must be a string, a number or a boolean.`)
      }
    }
    for (const key of ['AllowedPattern', 'Description', 'ConstraintDescription'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'string') throw formatError(`[/Parameters/${id}/${key}] must be a string.`)
    }
    if (p.AllowedValues !== undefined && !(Array.isArray(p.AllowedValues) && p.AllowedValues.every(isScalarValue))) {
      throw formatError(`[/Parameters/${id}/AllowedValues] must be a list of strings.`)
    }
  }
  for (const [id, o] of Object.entries(doc.Outputs ?? {})) {
    if (!isObject(o) || !Object.hasOwn(o, 'Value')) {
      throw formatError(`[/Outputs/${id}] Every Outputs member must contain a Value object`)
    }
  }
  if (doc.Transform !== undefined) {
    throw formatError('Transforms are not supported by the local control plane.')
  }
  return doc as Template
}
