// The headers of S3 objects: what a request carries (metadata, representation headers, Content-MD5,
// conditions, a range) and what GET and HEAD answer with.

import {createHash} from 'node:crypto'

import {ServiceError, type RestRequest} from '../frontend/types.js'
import type {ObjectRecord} from './store.js'

/** Representation headers kept with an object and returned by GET and HEAD. */
const KEPT_HEADERS = ['content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires']

export function header(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(',') : v
}

export function checkMd5(req: RestRequest, body: Uint8Array): void {
  const given = header(req, 'content-md5')
  if (given === undefined) return
  if (Buffer.from(given, 'base64').length !== 16) throw new ServiceError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400)
  if (createHash('md5').update(body).digest('base64') !== given) throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400)
}

export function metadataOf(req: RestRequest): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, v] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && v !== undefined) out[name.slice('x-amz-meta-'.length)] = Array.isArray(v) ? v.join(',') : v
  }
  return out
}

export function keptHeaders(req: RestRequest): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of KEPT_HEADERS) {
    let v = header(req, name)
    // aws-chunked is how the upload travelled, not how the object is encoded.
    if (name === 'content-encoding' && v !== undefined) v = v.split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked').join(', ')
    if (v) out[name] = v
  }
  return out
}

export function objectHeaders(o: ObjectRecord): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': o.contentType,
    'content-length': String(o.size),
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...o.headers,
  }
  for (const [k, v] of Object.entries(o.metadata)) headers[`x-amz-meta-${k}`] = v
  return headers
}

/** `response-content-type=...` and its kin, which presigned download links use to name the download. */
export function responseOverrides(query: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
    const v = query[`response-${name}`]
    if (v !== undefined) out[name] = v
  }
  return out
}

export function etagMatches(condition: string, etag: string): boolean {
  return condition.split(',').some((c) => {
    const t = c.trim()
    return t === '*' || t === etag || `"${t}"` === etag
  })
}

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; undefined (whole object) for anything else. */
export function parseRange(range: string, size: number): {start: number; end: number} | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  if (m[1] === '') {
    const n = Number(m[2])
    if (n === 0 || size === 0) return 'unsatisfiable'
    return {start: Math.max(0, size - n), end: size - 1}
  }
  const start = Number(m[1])
  if (start >= size) return 'unsatisfiable'
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  return end < start ? undefined : {start, end}
}
