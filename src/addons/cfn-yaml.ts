// CloudFormation YAML (or JSON) text into the plain long-form document CloudFormation itself reads,
// keeping where each value came from so every problem in an addon template or a patch file can be
// reported at file:line:col. Short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) become
// `{Ref: X}`, `{'Fn::GetAtt': [A, B]}`, `{'Fn::Sub': ...}`. Pure: text in, data out.

import {isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node} from 'yaml'

export type Json = Record<string, any>

/** A position, 1-based. */
export interface Position {
  line: number
  col: number
}

export interface ParsedYaml {
  file: string
  text: string
  value: unknown
  /** Position of the value (or key) at a JSON pointer, e.g. `/Resources/Bucket/Type`. */
  at(pointer: string): Position
  /** Syntax errors; `value` is undefined when there are any. */
  errors: {message: string; position: Position}[]
}

const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref', '!Condition': 'Condition', '!GetAtt': 'Fn::GetAtt', '!Sub': 'Fn::Sub', '!Join': 'Fn::Join',
  '!Select': 'Fn::Select', '!Split': 'Fn::Split', '!If': 'Fn::If', '!Equals': 'Fn::Equals', '!And': 'Fn::And',
  '!Or': 'Fn::Or', '!Not': 'Fn::Not', '!FindInMap': 'Fn::FindInMap', '!ImportValue': 'Fn::ImportValue',
  '!GetAZs': 'Fn::GetAZs', '!Base64': 'Fn::Base64', '!Cidr': 'Fn::Cidr', '!Transform': 'Fn::Transform',
  '!Length': 'Fn::Length', '!ToJsonString': 'Fn::ToJsonString', '!ForEach': 'Fn::ForEach',
}

/** A JSON pointer segment: `~` and `/` escaped as RFC 6901 says. */
export const escapePointer = (segment: string | number): string => String(segment).replace(/~/g, '~0').replace(/\//g, '~1')

export function parseCfnYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: false})
  const positions = new Map<string, Position>()
  const pos = (offset: number | undefined): Position => {
    const p = lines.linePos(offset ?? 0)
    return {line: p.line, col: p.col}
  }
  const errors = doc.errors.map((e) => ({message: e.message.split('\n')[0]!, position: pos(e.pos[0])}))
  const at = (pointer: string): Position => {
    // The nearest located ancestor: a missing key is reported where its parent is.
    let p = pointer
    for (;;) {
      const found = positions.get(p)
      if (found) return found
      if (p === '') return {line: 1, col: 1}
      p = p.slice(0, p.lastIndexOf('/'))
    }
  }
  if (errors.length > 0) return {file, text, value: undefined, at, errors}
  const value = toPlain(doc.contents as Node | null, doc, '', positions, pos)
  return {file, text, value, at, errors}
}

function toPlain(node: Node | null | undefined, doc: Document, pointer: string, positions: Map<string, Position>, pos: (o: number | undefined) => Position): unknown {
  if (node == null) return null
  if (!positions.has(pointer)) positions.set(pointer, pos(node.range?.[0]))
  if (isAlias(node)) return toPlain(node.resolve(doc) as Node, doc, pointer, positions, pos)
  let value: unknown
  if (isScalar(node)) value = node.value
  else if (isSeq(node)) value = node.items.map((item, i) => toPlain(item as Node, doc, `${pointer}/${i}`, positions, pos))
  else if (isMap(node)) {
    const out: Json = {}
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key)
      const child = `${pointer}/${escapePointer(key)}`
      // The key's position: where a reader looks for the entry.
      positions.set(child, pos((pair.key as Node | null)?.range?.[0]))
      out[key] = toPlain(pair.value as Node, doc, child, positions, pos)
    }
    value = out
  } else return null
  const long = node.tag ? SHORT_TAGS[node.tag] : undefined
  if (!long) return value
  if (long === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.')
    return {[long]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)]}
  }
  return {[long]: value}
}
