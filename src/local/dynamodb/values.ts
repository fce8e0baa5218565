// DynamoDB attribute values as the wire carries them ({S}, {N}, {B}, {BOOL}, {NULL}, {L}, {M}, {SS},
// {NS}, {BS}): comparison with DynamoDB's ordering (numbers by value, strings and binaries by bytes),
// equality, sizes, and document paths into items.

import {ServiceError} from '../frontend/types.js'

export type AttributeValue = Record<string, any>
export type Item = Record<string, AttributeValue>

export const validation = (message: string) => new ServiceError('ValidationException', message)

export function typeOf(v: AttributeValue): string {
  const keys = Object.keys(v)
  if (keys.length !== 1) throw validation('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes')
  return keys[0]!
}

/** Compares two decimal strings by value (DynamoDB numbers have up to 38 digits: no float rounding). */
function parseNumber(s: string) {
  {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim())
    if (!m || (m[2] === '' && !m[3])) throw validation(`The parameter cannot be converted to a numeric value: ${s}`)
    let digits = `${m[2]}${m[3] ?? ''}`
    // Position of the decimal point counted from the first digit.
    let point = m[2]!.length + Number(m[4] ?? 0)
    while (digits.startsWith('0')) {
      digits = digits.slice(1)
      point--
    }
    digits = digits.replace(/0+$/, '')
    return {zero: digits === '', neg: m[1] === '-', digits, point}
  }
}

export function compareNumbers(a: string, b: string): number {
  const x = parseNumber(a)
  const y = parseNumber(b)
  const sx = x.zero ? 0 : x.neg ? -1 : 1
  const sy = y.zero ? 0 : y.neg ? -1 : 1
  if (sx !== sy || sx === 0) return Math.sign(sx - sy)
  let magnitude: number
  if (x.point !== y.point) magnitude = x.point < y.point ? -1 : 1
  else {
    const n = Math.max(x.digits.length, y.digits.length)
    const dx = x.digits.padEnd(n, '0')
    const dy = y.digits.padEnd(n, '0')
    magnitude = dx < dy ? -1 : dx > dy ? 1 : 0
  }
  return sx * magnitude
}

function bytes(v: AttributeValue, type: string): Buffer {
  return type === 'B' ? Buffer.from(String(v.B), 'base64') : Buffer.from(String(v.S), 'utf8')
}

/** Ordering of two scalars of the same type (S, N, B); undefined when they cannot be ordered. */
export function compare(a: AttributeValue, b: AttributeValue): number | undefined {
  const ta = typeOf(a)
  const tb = typeOf(b)
  if (ta !== tb) return undefined
  if (ta === 'N') return compareNumbers(a.N, b.N)
  if (ta === 'S' || ta === 'B') return Buffer.compare(bytes(a, ta), bytes(b, tb))
  return undefined
}

export function equal(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (!a || !b) return false
  const ta = typeOf(a)
  if (ta !== typeOf(b)) return false
  switch (ta) {
    case 'N':
      return compareNumbers(a.N, b.N) === 0
    case 'S':
    case 'B':
      return a[ta] === b[ta]
    case 'BOOL':
    case 'NULL':
      return a[ta] === b[ta]
    case 'SS':
    case 'BS': {
      const x = new Set<string>(a[ta])
      return x.size === new Set(b[ta]).size && (b[ta] as string[]).every((s) => x.has(s))
    }
    case 'NS':
      return a.NS.length === b.NS.length && (a.NS as string[]).every((n) => (b.NS as string[]).some((m) => compareNumbers(n, m) === 0))
    case 'L':
      return a.L.length === b.L.length && (a.L as AttributeValue[]).every((v, i) => equal(v, b.L[i]))
    case 'M': {
      const ka = Object.keys(a.M)
      return ka.length === Object.keys(b.M).length && ka.every((k) => Object.hasOwn(b.M, k) && equal(a.M[k], b.M[k]))
    }
  }
  return false
}

/** The size() function: characters, bytes, elements or entries. */
export function sizeOf(v: AttributeValue): number | undefined {
  const t = typeOf(v)
  if (t === 'S') return Buffer.byteLength(v.S, 'utf8')
  if (t === 'B') return Buffer.from(v.B, 'base64').length
  if (t === 'SS' || t === 'NS' || t === 'BS' || t === 'L') return v[t].length
  if (t === 'M') return Object.keys(v.M).length
  return undefined
}

/** An item's approximate size in bytes (names plus values), for the 400 KB limit. */
export function itemSize(item: Item): number {
  return Buffer.byteLength(JSON.stringify(item))
}

/** A path element: an attribute name or a list index. */
export type PathElement = string | number
export type Path = PathElement[]

export function getPath(item: Item, path: Path): AttributeValue | undefined {
  let cur: AttributeValue | undefined = item[path[0] as string] !== undefined && Object.hasOwn(item, path[0] as string) ? item[path[0] as string] : undefined
  for (const el of path.slice(1)) {
    if (!cur) return undefined
    if (typeof el === 'number') cur = cur.L?.[el]
    else cur = cur.M && Object.hasOwn(cur.M, el) ? cur.M[el] : undefined
  }
  return cur
}

export function setPath(item: Item, path: Path, value: AttributeValue): void {
  if (path.length === 1) {
    item[path[0] as string] = value
    return
  }
  const parent = getPath(item, path.slice(0, -1))
  const last = path[path.length - 1]!
  if (typeof last === 'number') {
    if (!parent?.L) throw validation('The document path provided in the update expression is invalid for update')
    if (last >= parent.L.length) parent.L.push(value)
    else parent.L[last] = value
  } else {
    if (!parent?.M) throw validation('The document path provided in the update expression is invalid for update')
    parent.M[last] = value
  }
}

export function removePath(item: Item, path: Path): void {
  if (path.length === 1) {
    delete item[path[0] as string]
    return
  }
  const parent = getPath(item, path.slice(0, -1))
  const last = path[path.length - 1]!
  if (typeof last === 'number') parent?.L?.splice(last, 1)
  else if (parent?.M) delete parent.M[last]
}

/** A stable string for a key value (the primary key of the in-memory index). */
export function keyString(v: AttributeValue | undefined): string {
  if (!v) return ''
  const t = typeOf(v)
  if (t === 'N') return `N:${normaliseNumber(v.N)}`
  return `${t}:${v[t]}`
}

/** One spelling per value: 1, 1.0 and 1e0 name the same item. */
export function normaliseNumber(n: string): string {
  const x = parseNumber(n)
  return x.zero ? '0' : `${x.neg ? '-' : ''}${x.digits}e${x.point}`
}
