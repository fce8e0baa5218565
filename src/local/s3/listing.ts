// ListObjectsV2 and ListObjects (v1): keys in order after a marker, under a prefix, rolled up into
// common prefixes at the delimiter, at most max-keys entries (a common prefix counts as one).

import {ServiceError} from '../frontend/types.js'
import type {BucketRecord, ObjectRecord} from './store.js'
import {compareKeys} from './store.js'
import {document, el, text} from './xml.js'

export interface ListInput {
  prefix: string
  delimiter?: string
  maxKeys: number
  /** List keys after this one (StartAfter, a continuation token's key, or v1's Marker). */
  after?: string
}

export interface ListPage {
  contents: ObjectRecord[]
  commonPrefixes: string[]
  truncated: boolean
  /** The last key or common prefix returned, where the next page starts. */
  last?: string
}

export function listKeys(bucket: BucketRecord, keys: string[], input: ListInput): ListPage {
  const page: ListPage = {contents: [], commonPrefixes: [], truncated: false}
  const {prefix, delimiter, after} = input
  // A page that ended on a common prefix resumes after every key under it.
  const skipUnder = after !== undefined && delimiter && after.endsWith(delimiter) ? after : undefined
  let lastPrefix: string | undefined
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue
    if (after !== undefined && compareKeys(key, after) <= 0) continue
    if (skipUnder && key.startsWith(skipUnder)) continue
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1
    const common = cut >= 0 ? key.slice(0, cut + delimiter!.length) : undefined
    if (common !== undefined && common === lastPrefix) continue
    if (page.contents.length + page.commonPrefixes.length >= input.maxKeys) {
      page.truncated = true
      break
    }
    if (common !== undefined) {
      page.commonPrefixes.push(common)
      lastPrefix = common
      page.last = common
    } else {
      page.contents.push(bucket.objects[key]!)
      page.last = key
    }
  }
  return page
}

export function maxKeysOf(query: Record<string, string>): number {
  const raw = query['max-keys']
  if (raw === undefined) return 1000
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new ServiceError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400)
  return Math.min(n, 1000)
}

/** With `encoding-type=url` keys and prefixes come percent-encoded (awscli asks for this). */
export function encoder(query: Record<string, string>): (s: string) => string {
  if (query['encoding-type'] === undefined) return (s) => s
  if (query['encoding-type'] !== 'url') throw new ServiceError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400)
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/')
}

function entries(page: ListPage, enc: (s: string) => string): string[] {
  return [
    ...page.contents.map((o) =>
      el('Contents', text('Key', enc(o.key)), text('LastModified', o.lastModified), text('ETag', o.etag), text('Size', o.size), text('StorageClass', 'STANDARD')),
    ),
    ...page.commonPrefixes.map((p) => el('CommonPrefixes', text('Prefix', enc(p)))),
  ]
}

export function listV2(bucket: BucketRecord, keys: string[], query: Record<string, string>): string {
  const enc = encoder(query)
  const token = query['continuation-token']
  let after = query['start-after'] || undefined
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8')
    if (!decoded.startsWith('k:')) throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect', 400)
    after = decoded.slice(2)
  }
  const input = {prefix: query.prefix ?? '', delimiter: query.delimiter || undefined, maxKeys: maxKeysOf(query), after}
  const page = listKeys(bucket, keys, input)
  const next = page.truncated && page.last !== undefined ? Buffer.from(`k:${page.last}`, 'utf8').toString('base64url') : undefined
  return document(
    'ListBucketResult',
    text('Name', bucket.name),
    text('Prefix', enc(input.prefix)),
    input.delimiter !== undefined ? text('Delimiter', enc(input.delimiter)) : undefined,
    text('MaxKeys', input.maxKeys),
    query['encoding-type'] ? text('EncodingType', 'url') : undefined,
    text('KeyCount', page.contents.length + page.commonPrefixes.length),
    text('IsTruncated', page.truncated),
    token !== undefined ? text('ContinuationToken', token) : undefined,
    text('NextContinuationToken', next),
    query['start-after'] ? text('StartAfter', enc(query['start-after'])) : undefined,
    ...entries(page, enc),
  )
}

export function listV1(bucket: BucketRecord, keys: string[], query: Record<string, string>): string {
  const enc = encoder(query)
  const input = {prefix: query.prefix ?? '', delimiter: query.delimiter || undefined, maxKeys: maxKeysOf(query), after: query.marker || undefined}
  const page = listKeys(bucket, keys, input)
  return document(
    'ListBucketResult',
    text('Name', bucket.name),
    text('Prefix', enc(input.prefix)),
    text('Marker', enc(query.marker ?? '')),
    input.delimiter !== undefined ? text('Delimiter', enc(input.delimiter)) : undefined,
    text('MaxKeys', input.maxKeys),
    query['encoding-type'] ? text('EncodingType', 'url') : undefined,
    text('IsTruncated', page.truncated),
    page.truncated && input.delimiter ? text('NextMarker', page.last && enc(page.last)) : undefined,
    ...entries(page, enc),
  )
}
