// Evaluating parsed DynamoDB expressions against items: conditions and filters, update actions (with
// exact decimal arithmetic) and projections.

import type {Condition, Operand, UpdateAction} from './expressions.js'
import {compare, compareNumbers, equal, getPath, removePath, setPath, sizeOf, typeOf, validation, type AttributeValue, type Item, type Path} from './values.js'

function operandValue(o: Operand, item: Item): AttributeValue | undefined {
  switch (o.op) {
    case 'path':
      return getPath(item, o.path)
    case 'value':
      return o.value
    case 'size': {
      const v = getPath(item, o.path)
      const n = v ? sizeOf(v) : undefined
      return n === undefined ? undefined : {N: String(n)}
    }
    case 'if_not_exists':
      return getPath(item, o.path) ?? operandValue(o.fallback, item)
    case 'list_append': {
      const a = operandValue(o.a, item)
      const b = operandValue(o.b, item)
      if (!a?.L || !b?.L) throw validation('Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append')
      return {L: [...a.L, ...b.L]}
    }
    case 'plus':
    case 'minus': {
      const a = operandValue(o.a, item)
      const b = operandValue(o.b, item)
      if (!a || !b) throw validation('The provided expression refers to an attribute that does not exist in the item')
      if (a.N === undefined || b.N === undefined) throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ${o.op === 'plus' ? '+' : '-'}`)
      return {N: addNumbers(a.N, o.op === 'plus' ? b.N : negate(b.N))}
    }
  }
}

const negate = (n: string) => (n.startsWith('-') ? n.slice(1) : `-${n.replace(/^\+/, '')}`)

/** Exact decimal addition (DynamoDB keeps 38 significant digits). */
export function addNumbers(a: string, b: string): string {
  const scale = (s: string) => (s.split('.')[1] ?? '').replace(/[eE].*/, '').length
  if (/[eE]/.test(a + b)) return String(Number(a) + Number(b))
  const k = Math.max(scale(a), scale(b))
  const big = (s: string) => {
    const neg = s.startsWith('-')
    const [i, f = ''] = s.replace(/^[+-]/, '').split('.')
    const v = BigInt(`${i || '0'}${f.padEnd(k, '0')}`)
    return neg ? -v : v
  }
  const sum = big(a) + big(b)
  const neg = sum < 0n
  let digits = (neg ? -sum : sum).toString().padStart(k + 1, '0')
  if (k > 0) digits = `${digits.slice(0, -k)}.${digits.slice(-k)}`.replace(/\.?0+$/, '')
  return `${neg ? '-' : ''}${digits}`
}

export function evaluate(c: Condition, item: Item): boolean {
  switch (c.op) {
    case 'and':
      return evaluate(c.a, item) && evaluate(c.b, item)
    case 'or':
      return evaluate(c.a, item) || evaluate(c.b, item)
    case 'not':
      return !evaluate(c.a, item)
    case 'cmp': {
      const a = operandValue(c.a, item)
      const b = operandValue(c.b, item)
      if (c.cmp === '=') return equal(a, b)
      if (c.cmp === '<>') return a !== undefined && b !== undefined && !equal(a, b)
      if (!a || !b) return false
      const r = compare(a, b)
      if (r === undefined) return false
      return c.cmp === '<' ? r < 0 : c.cmp === '<=' ? r <= 0 : c.cmp === '>' ? r > 0 : r >= 0
    }
    case 'between': {
      const a = operandValue(c.a, item)
      const low = operandValue(c.low, item)
      const high = operandValue(c.high, item)
      if (!a || !low || !high) return false
      const lo = compare(a, low)
      const hi = compare(a, high)
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0
    }
    case 'in': {
      const a = operandValue(c.a, item)
      return c.list.some((o) => equal(a, operandValue(o, item)))
    }
    case 'fn': {
      const [first, second] = c.args
      const target = first!.op === 'path' ? getPath(item, first!.path) : operandValue(first!, item)
      switch (c.fn) {
        case 'attribute_exists':
          return target !== undefined
        case 'attribute_not_exists':
          return target === undefined
        case 'attribute_type':
          return target !== undefined && typeOf(target) === operandValue(second!, item)?.S
        case 'begins_with': {
          const prefix = operandValue(second!, item)
          if (!target || !prefix) return false
          if (target.S !== undefined && prefix.S !== undefined) return (target.S as string).startsWith(prefix.S)
          if (target.B !== undefined && prefix.B !== undefined) return Buffer.from(target.B, 'base64').subarray(0, Buffer.from(prefix.B, 'base64').length).equals(Buffer.from(prefix.B, 'base64'))
          return false
        }
        case 'contains': {
          const needle = operandValue(second!, item)
          if (!target || !needle) return false
          if (target.S !== undefined && needle.S !== undefined) return (target.S as string).includes(needle.S)
          if (target.SS && needle.S !== undefined) return target.SS.includes(needle.S)
          if (target.NS && needle.N !== undefined) return (target.NS as string[]).some((n) => compareNumbers(n, needle.N) === 0)
          if (target.BS && needle.B !== undefined) return target.BS.includes(needle.B)
          if (target.L) return (target.L as AttributeValue[]).some((v) => equal(v, needle))
          return false
        }
      }
    }
  }
  return false
}

/** Applies update actions to a copy of the item; returns it with the top-level names it touched. */
export function applyUpdate(item: Item, actions: UpdateAction[]): {item: Item; touched: Set<string>} {
  const before = structuredClone(item)
  const out = structuredClone(item)
  const touched = new Set<string>()
  for (const a of actions) {
    touched.add(String(a.path[0]))
    if (a.kind === 'SET') {
      const v = operandValue(a.value, before)
      if (v === undefined) throw validation('The provided expression refers to an attribute that does not exist in the item')
      setPath(out, a.path, structuredClone(v))
    } else if (a.kind === 'REMOVE') removePath(out, a.path)
    else {
      const cur = getPath(out, a.path)
      const t = typeOf(a.value)
      if (a.kind === 'ADD' && t === 'N') {
        if (cur && cur.N === undefined) throw validation('An operand in the update expression has an incorrect data type')
        setPath(out, a.path, {N: addNumbers(cur?.N ?? '0', a.value.N)})
      } else if (t === 'SS' || t === 'NS' || t === 'BS') {
        if (cur && cur[t] === undefined) throw validation('An operand in the update expression has an incorrect data type')
        const existing: string[] = cur?.[t] ?? []
        const has = (list: string[], x: string) => list.some((y) => (t === 'NS' ? compareNumbers(x, y) === 0 : x === y))
        const next = a.kind === 'ADD' ? [...existing, ...(a.value[t] as string[]).filter((x) => !has(existing, x))]
          : existing.filter((x) => !has(a.value[t], x))
        if (next.length === 0) removePath(out, a.path)
        else setPath(out, a.path, {[t]: next})
      } else throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ${a.kind}, operand type: ${t}`)
    }
  }
  return {item: out, touched}
}

/** The item restricted to the projected paths. */
export function project(item: Item, paths: Path[] | undefined): Item {
  if (!paths) return item
  const out: Item = {}
  for (const path of paths) {
    const v = getPath(item, path)
    if (v === undefined) continue
    let cur: any = out
    for (let i = 0; i < path.length - 1; i++) {
      const el = path[i]!
      const next = path[i + 1]!
      const container = typeof next === 'number' ? {L: []} : {M: {}}
      if (typeof el === 'number') cur = (cur.L[cur.L.length] ??= container)
      else cur = i === 0 ? (cur[el] ??= container) : (cur.M[el] ??= container)
    }
    const last = path[path.length - 1]!
    if (path.length === 1) out[last as string] = structuredClone(v)
    else if (typeof last === 'number') cur.L.push(structuredClone(v))
    else cur.M[last] = structuredClone(v)
  }
  return out
}
