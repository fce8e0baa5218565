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

export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)))
    return ({amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"} as Record<string, string>)[e]!
  })
}

/** The keys and quiet flag of a DeleteObjects request. */
export function parseDelete(body: string): {keys: string[]; quiet: boolean} {
  if (!/<Delete[\s>]/.test(body)) throw malformed()
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
