// DynamoDB's expression languages: condition expressions (ConditionExpression, FilterExpression,
// KeyConditionExpression), update expressions (SET, REMOVE, ADD, DELETE) and projection expressions,
// with `#name` and `:value` placeholders, parsed into small trees (evaluate.ts applies them to items).

import {validation, type AttributeValue, type Path} from './values.js'

export interface Placeholders {
  names?: Record<string, string> | undefined
  values?: Record<string, AttributeValue> | undefined
}

type Token = {kind: 'name' | 'value' | 'number' | 'punct' | 'word'; text: string}

function tokenize(expr: string): Token[] {
  const out: Token[] = []
  const re = /\s+|(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(\d+)|(<>|<=|>=|[=<>(),.[\]+-])|([A-Za-z_][A-Za-z0-9_]*)/y
  let i = 0
  while (i < expr.length) {
    re.lastIndex = i
    const m = re.exec(expr)
    if (!m) throw validation(`Invalid expression: Syntax error; token: "${expr.slice(i, i + 10)}", near: "${expr.slice(Math.max(0, i - 5), i + 5)}"`)
    i = re.lastIndex
    if (m[1]) out.push({kind: 'name', text: m[1]})
    else if (m[2]) out.push({kind: 'value', text: m[2]})
    else if (m[3]) out.push({kind: 'number', text: m[3]})
    else if (m[4]) out.push({kind: 'punct', text: m[4]})
    else if (m[5]) out.push({kind: 'word', text: m[5]})
  }
  return out
}

const RESERVED = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'SET', 'REMOVE', 'ADD', 'DELETE'])

export type Operand =
  | {op: 'path'; path: Path}
  | {op: 'value'; value: AttributeValue}
  | {op: 'size'; path: Path}
  | {op: 'if_not_exists'; path: Path; fallback: Operand}
  | {op: 'list_append'; a: Operand; b: Operand}
  | {op: 'plus' | 'minus'; a: Operand; b: Operand}

export type Condition =
  | {op: 'and' | 'or'; a: Condition; b: Condition}
  | {op: 'not'; a: Condition}
  | {op: 'cmp'; cmp: string; a: Operand; b: Operand}
  | {op: 'between'; a: Operand; low: Operand; high: Operand}
  | {op: 'in'; a: Operand; list: Operand[]}
  | {op: 'fn'; fn: string; args: Operand[]}

class Parser {
  private i = 0
  readonly usedNames = new Set<string>()
  readonly usedValues = new Set<string>()

  constructor(private readonly tokens: Token[], private readonly ph: Placeholders, private readonly expr: string) {}

  peek(): Token | undefined {
    return this.tokens[this.i]
  }

  done(): boolean {
    return this.i >= this.tokens.length
  }

  next(): Token {
    const t = this.tokens[this.i++]
    if (!t) throw validation(`Invalid expression: Syntax error; token: <EOF>, near: "${this.expr.slice(-10)}"`)
    return t
  }

  isWord(word: string): boolean {
    const t = this.peek()
    return t?.kind === 'word' && t.text.toUpperCase() === word
  }

  isPunct(p: string): boolean {
    const t = this.peek()
    return t?.kind === 'punct' && t.text === p
  }

  expect(p: string): void {
    const t = this.next()
    if (t.kind !== 'punct' || t.text !== p) throw validation(`Invalid expression: Syntax error; token: "${t.text}", near: "${this.expr}"`)
  }

  path(): Path {
    const first = this.next()
    const name = (t: Token): string => {
      if (t.kind === 'name') {
        this.usedNames.add(t.text)
        const v = this.ph.names?.[t.text]
        if (v === undefined || !Object.hasOwn(this.ph.names!, t.text)) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: An expression attribute name used in the document path is not defined; attribute name: ${t.text}`)
        return v
      }
      if (t.kind === 'word') {
        if (RESERVED.has(t.text.toUpperCase())) throw validation(`Invalid expression: Attribute name is a reserved keyword; reserved keyword: ${t.text}`)
        return t.text
      }
      throw validation(`Invalid expression: Syntax error; token: "${t.text}", near: "${this.expr}"`)
    }
    const path: Path = [name(first)]
    for (;;) {
      if (this.isPunct('.')) {
        this.next()
        path.push(name(this.next()))
      } else if (this.isPunct('[')) {
        this.next()
        const n = this.next()
        if (n.kind !== 'number') throw validation('Invalid expression: a list index must be a number')
        path.push(Number(n.text))
        this.expect(']')
      } else return path
    }
  }

  value(t: Token): AttributeValue {
    this.usedValues.add(t.text)
    const v = this.ph.values?.[t.text]
    if (v === undefined || !Object.hasOwn(this.ph.values!, t.text)) throw validation(`Invalid expression: An expression attribute value used in expression is not defined; attribute value: ${t.text}`)
    return v
  }

  /** An operand of a condition or of SET's right-hand side. */
  operand(inUpdate = false): Operand {
    const t = this.peek()
    if (!t) return this.next() as never
    if (t.kind === 'value') {
      this.next()
      return {op: 'value', value: this.value(t)}
    }
    if (t.kind === 'word' && this.tokens[this.i + 1]?.text === '(') {
      const fn = t.text
      this.next()
      this.next()
      let result: Operand
      if (fn === 'size' && !inUpdate) result = {op: 'size', path: this.path()}
      else if (fn === 'if_not_exists' && inUpdate) {
        const path = this.path()
        this.expect(',')
        result = {op: 'if_not_exists', path, fallback: this.operand(true)}
      } else if (fn === 'list_append' && inUpdate) {
        const a = this.operand(true)
        this.expect(',')
        result = {op: 'list_append', a, b: this.operand(true)}
      } else throw validation(`Invalid expression: Invalid function name; function: ${fn}`)
      this.expect(')')
      return result
    }
    return {op: 'path', path: this.path()}
  }

  condition(): Condition {
    let left = this.conjunction()
    while (this.isWord('OR')) {
      this.next()
      left = {op: 'or', a: left, b: this.conjunction()}
    }
    return left
  }

  private conjunction(): Condition {
    let left = this.negation()
    while (this.isWord('AND')) {
      this.next()
      left = {op: 'and', a: left, b: this.negation()}
    }
    return left
  }

  private negation(): Condition {
    if (this.isWord('NOT')) {
      this.next()
      return {op: 'not', a: this.negation()}
    }
    return this.primary()
  }

  private primary(): Condition {
    if (this.isPunct('(')) {
      this.next()
      const c = this.condition()
      this.expect(')')
      return c
    }
    const t = this.peek()
    const fns = ['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains']
    if (t?.kind === 'word' && fns.includes(t.text) && this.tokens[this.i + 1]?.text === '(') {
      this.next()
      this.next()
      const args: Operand[] = [this.operand()]
      while (this.isPunct(',')) {
        this.next()
        args.push(this.operand())
      }
      this.expect(')')
      const arity = t.text.startsWith('attribute_') && t.text !== 'attribute_type' ? 1 : 2
      if (args.length !== arity) throw validation(`Invalid expression: Incorrect number of operands for operator or function; operator or function: ${t.text}, number of operands: ${args.length}`)
      return {op: 'fn', fn: t.text, args}
    }
    const a = this.operand()
    if (this.isWord('BETWEEN')) {
      this.next()
      const low = this.operand()
      if (!this.isWord('AND')) throw validation('Invalid expression: BETWEEN needs AND')
      this.next()
      return {op: 'between', a, low, high: this.operand()}
    }
    if (this.isWord('IN')) {
      this.next()
      this.expect('(')
      const list = [this.operand()]
      while (this.isPunct(',')) {
        this.next()
        list.push(this.operand())
      }
      this.expect(')')
      return {op: 'in', a, list}
    }
    const cmp = this.next()
    if (cmp.kind !== 'punct' || !['=', '<>', '<', '<=', '>', '>='].includes(cmp.text)) {
      throw validation(`Invalid expression: Syntax error; token: "${cmp.text}", near: "${this.expr}"`)
    }
    return {op: 'cmp', cmp: cmp.text, a, b: this.operand()}
  }
}

function checkAllUsed(parsers: Parser[], ph: Placeholders): void {
  const names = new Set(parsers.flatMap((p) => [...p.usedNames]))
  const values = new Set(parsers.flatMap((p) => [...p.usedValues]))
  const unusedNames = Object.keys(ph.names ?? {}).filter((n) => !names.has(n))
  if (unusedNames.length > 0) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`)
  const unusedValues = Object.keys(ph.values ?? {}).filter((v) => !values.has(v))
  if (unusedValues.length > 0) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`)
}

/** Parses the expressions of one request together (placeholders must all be used across them). */
export function parseRequest(ph: Placeholders, exprs: {condition?: string | undefined; filter?: string | undefined; key?: string | undefined; update?: string | undefined; projection?: string | undefined}) {
  const parsers: Parser[] = []
  const make = (e: string) => {
    const p = new Parser(tokenize(e), ph, e)
    parsers.push(p)
    return p
  }
  const cond = (e: string | undefined) => {
    if (e === undefined) return undefined
    const p = make(e)
    const c = p.condition()
    if (!p.done()) throw validation(`Invalid expression: Syntax error; token: "${p.peek()!.text}", near: "${e}"`)
    return c
  }
  const out = {
    condition: cond(exprs.condition),
    filter: cond(exprs.filter),
    key: cond(exprs.key),
    update: exprs.update !== undefined ? parseUpdate(make(exprs.update)) : undefined,
    projection: exprs.projection !== undefined ? parseProjection(make(exprs.projection)) : undefined,
  }
  checkAllUsed(parsers, ph)
  return out
}

export type UpdateAction =
  | {kind: 'SET'; path: Path; value: Operand}
  | {kind: 'REMOVE'; path: Path}
  | {kind: 'ADD' | 'DELETE'; path: Path; value: AttributeValue}

function parseUpdate(p: Parser): UpdateAction[] {
  const actions: UpdateAction[] = []
  const seen = new Set<string>()
  while (!p.done()) {
    const clause = p.next()
    const kind = clause.text.toUpperCase()
    if (clause.kind !== 'word' || !['SET', 'REMOVE', 'ADD', 'DELETE'].includes(kind) || seen.has(kind)) {
      throw validation(`Invalid UpdateExpression: Syntax error; token: "${clause.text}"`)
    }
    seen.add(kind)
    for (;;) {
      const path = p.path()
      if (kind === 'SET') {
        p.expect('=')
        let value = p.operand(true)
        if (p.isPunct('+') || p.isPunct('-')) {
          const sign = p.next().text
          value = {op: sign === '+' ? 'plus' : 'minus', a: value, b: p.operand(true)}
        }
        actions.push({kind: 'SET', path, value})
      } else if (kind === 'REMOVE') actions.push({kind: 'REMOVE', path})
      else {
        const t = p.next()
        if (t.kind !== 'value') throw validation(`Invalid UpdateExpression: ${kind} needs a value placeholder`)
        actions.push({kind: kind as 'ADD' | 'DELETE', path, value: p.value(t)})
      }
      if (!p.isPunct(',')) break
      p.next()
    }
  }
  return actions
}

function parseProjection(p: Parser): Path[] {
  const paths = [p.path()]
  while (p.isPunct(',')) {
    p.next()
    paths.push(p.path())
  }
  if (!p.done()) throw validation('Invalid ProjectionExpression: Syntax error')
  return paths
}
