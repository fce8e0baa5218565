// Template parsing: JSON or YAML (with CloudFormation's short-form tags such as `!Ref` and `!Sub`)
// into the plain long-form document the engine evaluates, plus the structural checks AWS makes
// before any resource is touched ("Template format error: ...").

import {isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document} from 'yaml'
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

/** Parses a template body (JSON first, then YAML) and checks its structure. */
export function parseTemplate(body: string): Template {
  const trimmed = body.trimStart()
  let doc: unknown
  if (trimmed.startsWith('{')) {
    try {
      doc = JSON.parse(body)
    } catch {
      doc = parseYaml(body)
    }
  } else {
    doc = parseYaml(body)
  }
  return checkStructure(doc)
}

function parseYaml(body: string): unknown {
  const doc = parseDocument(body, {uniqueKeys: true, prettyErrors: false})
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    throw formatError(`YAML not well-formed. (line ${first.linePos?.[0]?.line ?? '?'}, column ${first.linePos?.[0]?.col ?? '?'})`)
  }
  return toPlain(doc.contents, doc)
}

/** Converts a YAML node to plain data, turning short-form tags into their long form. */
function toPlain(node: unknown, doc: Document): unknown {
  if (node == null) return null
  if (isAlias(node)) return toPlain(node.resolve(doc), doc)
  let value: unknown
  if (isScalar(node)) value = node.value
  else if (isSeq(node)) value = node.items.map((item) => toPlain(item, doc))
  else if (isMap(node)) {
    const out: Record<string, unknown> = {}
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = toPlain(pair.key, doc)
      out[String(key)] = toPlain(pair.value, doc)
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
    return {[long]: value}
  }
  return value
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkStructure(doc: unknown): Template {
  if (!isObject(doc)) throw formatError('unsupported structure.')
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) throw formatError(`Invalid template property or properties [${key}]`)
  }
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
  }
  for (const [id, p] of Object.entries(doc.Parameters ?? {})) {
    if (!isObject(p) || typeof p.Type !== 'string') {
      throw formatError(`[/Parameters/${id}] Every Parameters object must contain a Type member.`)
    }
  }
  for (const [id, o] of Object.entries(doc.Outputs ?? {})) {
    if (!isObject(o) || !('Value' in o)) {
      throw formatError(`[/Outputs/${id}] Every Outputs member must contain a Value object`)
    }
  }
  if (doc.Transform !== undefined) {
    throw formatError('Transforms are not supported by the local control plane.')
  }
  return doc as Template
}
