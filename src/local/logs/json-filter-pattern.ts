// CloudWatch Logs JSON filter patterns: `{ $.level = "error" }`, `{ $.latency > 200 && $.path = "/api/*" }`,
// `{ ($.a = 1) || ($.b IS TRUE) }`, `{ $.user NOT EXISTS }`. Selectors walk objects and array indexes
// (`$.items[0].id`); strings compare with `=`/`!=` and `*` wildcards; numbers with all six operators.
// An event that is not a JSON object matches no JSON pattern, as on AWS.

import {ServiceError} from '../frontend/types.js'
import {wildcardMatch} from '../wildcard.js'

type Json = unknown
type Test = (doc: Json) => boolean

const TOKEN = /\s*(\(|\)|&&|\|\||!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|\$[\w.[\]-]*|[^\s()&|=!<>"]+)/y

export function compileJsonPattern(pattern: string): (message: string) => boolean {
  const body = pattern.trim().replace(/^\{/, '').replace(/\}$/, '')
  const tokens: string[] = []
  for (let pos = 0; pos < body.length; ) {
    TOKEN.lastIndex = pos
    const m = TOKEN.exec(body)
    if (!m) {
      if (body.slice(pos).trim() === '') break
      invalid(pattern)
    }
    tokens.push(m[1]!)
    pos = TOKEN.lastIndex
  }
  let i = 0
  const peek = () => tokens[i]
  const next = () => tokens[i++] ?? invalid(pattern)

  const orExpr = (): Test => {
    let left = andExpr()
    while (peek() === '||') {
      i++
      const l = left
      const r = andExpr()
      left = (d) => l(d) || r(d)
    }
    return left
  }
  const andExpr = (): Test => {
    let left = term()
    while (peek() === '&&') {
      i++
      const l = left
      const r = term()
      left = (d) => l(d) && r(d)
    }
    return left
  }
  const term = (): Test => {
    if (peek() === '(') {
      i++
      const inner = orExpr()
      if (next() !== ')') invalid(pattern)
      return inner
    }
    const selector = next()
    if (!selector.startsWith('$')) invalid(pattern)
    const read = (d: Json) => select(d, selector)
    const op = next()
    if (op === 'IS') {
      const want = next()
      const value = want === 'TRUE' ? true : want === 'FALSE' ? false : want === 'NULL' ? null : invalid(pattern)
      return (d) => read(d) === value
    }
    if (op === 'EXISTS') return (d) => read(d) !== undefined
    if (op === 'NOT') {
      if (next() !== 'EXISTS') invalid(pattern)
      return (d) => read(d) === undefined
    }
    const raw = next()
    return compare(read, op, raw, pattern)
  }

  const test = orExpr()
  if (i !== tokens.length) invalid(pattern)
  return (message) => {
    let doc: Json
    try {
      doc = JSON.parse(message)
    } catch {
      return false
    }
    return typeof doc === 'object' && doc !== null && test(doc)
  }
}

function compare(read: (d: Json) => Json, op: string, raw: string, pattern: string): Test {
  const quoted = raw.startsWith('"')
  const text = quoted ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
  const num = !quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined
  if (['<', '>', '<=', '>='].includes(op)) {
    if (num === undefined) invalid(pattern)
    return (d) => {
      const v = read(d)
      if (typeof v !== 'number') return false
      return op === '<' ? v < num : op === '>' ? v > num : op === '<=' ? v <= num : v >= num
    }
  }
  if (op !== '=' && op !== '!=') invalid(pattern)
  // `*` is the only wildcard; matched without a regular expression (../wildcard.ts).
  const wildcard = {test: (v: string) => wildcardMatch(text, v, {question: false})}
  const equals = (v: Json): boolean => {
    if (v === undefined) return false
    if (num !== undefined && typeof v === 'number') return v === num
    if (typeof v === 'string') return wildcard.test(v)
    if (!quoted && (typeof v === 'boolean' || v === null)) return String(v) === text
    return false
  }
  return op === '=' ? (d) => equals(read(d)) : (d) => read(d) !== undefined && !equals(read(d))
}

function select(doc: Json, selector: string): Json {
  const path = selector.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? []
  let cur: Json = doc
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1)
    // Own properties only: `$.constructor` or `$.__proto__` name fields, never the object's prototype.
    cur = Object.hasOwn(cur, key) ? (cur as Record<string | number, Json>)[key] : undefined
  }
  return cur
}

function invalid(pattern: string): never {
  throw new ServiceError('InvalidParameterException', `Invalid filter pattern: ${pattern}`)
}
