// S3's XML: documents in its namespace, and the two small request documents it reads (DeleteObjects,
// CreateBucketConfiguration). Element names are fixed and nesting shallow, so a scanner suffices.

import {ServiceError} from '../frontend/types.js'
import {escapeXml} from '../frontend/xml.js'

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/'

/** One element; children are strings already rendered, undefined children are left out. */
export function el(name: string, ...children: (string | undefined)[]): string {
  return `<${name}>${children.filter((c) => c !== undefined).join('')}</${name}>`
}

export function text(name: string, value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : `<${name}>${escapeXml(String(value))}</${name}>`
}

export function document(root: string, ...children: (string | undefined)[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${children.filter((c) => c !== undefined).join('')}</${root}>`
}

/** The text of every `<name>` element in order (no nesting of the same name in S3's request documents). */
export function elements(xml: string, name: string): string[] {
  const out: string[] = []
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>|<${name}(?:\\s[^>]*)?/>`, 'g')
  for (const m of xml.matchAll(re)) out.push(m[1] ?? '')
  return out
}

/** Decodes XML's entities; a character reference to no character (`&#99999999;`) is malformed XML. */
export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#')) {
      const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))
      if (!Number.isInteger(code) || code < 1 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw malformed()
      return String.fromCodePoint(code)
    }
    return ({amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"} as Record<string, string>)[e]!
  })
}

/**
 * Whether `xml` is one well-formed element named `root` (after an optional prolog): every tag closed
 * in order, no stray `<` or `&` in text. One pass over the tags, linear in the document's length.
 */
export function wellFormed(xml: string, root: string): boolean {
  const body = xml.trim().replace(/^<\?xml[^>]*\?>/, '').trim()
  const stack: string[] = []
  let roots = 0
  let pos = 0
  const textOk = (t: string) => !t.includes('<') && !t.includes('>') && !/&(?!(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);)/.test(t)
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)([^<>]*)>/g)) {
    const between = body.slice(pos, m.index)
    if (!textOk(between) || (stack.length === 0 && between.trim() !== '')) return false
    pos = m.index + m[0].length
    const [, closing, name, rest] = m as unknown as [string, string, string, string]
    if (rest !== '' && rest !== '/' && !/^\s/.test(rest)) return false
    if (closing) {
      if (rest.trim() !== '' || stack.pop() !== name) return false
      continue
    }
    if (stack.length === 0 && ++roots > 1) return false
    if (stack.length === 0 && name !== root) return false
    if (!rest.endsWith('/')) stack.push(name)
  }
  return roots === 1 && stack.length === 0 && body.slice(pos).trim() === ''
}

/** The keys and quiet flag of a DeleteObjects request. */
export function parseDelete(body: string): {keys: string[]; quiet: boolean} {
  if (!wellFormed(body, 'Delete')) throw malformed()
  const keys = elements(body, 'Object').map((o) => {
    const key = elements(o, 'Key')[0]
    if (key === undefined) throw malformed()
    return unescapeXml(key)
  })
  if (keys.length === 0 || keys.length > 1000) throw malformed()
  return {keys, quiet: elements(body, 'Quiet')[0]?.trim() === 'true'}
}

export function malformed(): ServiceError {
  return new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', 400)
}
