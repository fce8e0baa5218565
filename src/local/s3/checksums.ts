// S3's additional checksums (`x-amz-checksum-<algorithm>`, base64): the SDK v3 sends CRC32 with every
// upload. A given checksum is verified for the algorithms Node computes natively (CRC32, SHA-1,
// SHA-256), kept with the object, and returned when a reader asks with `x-amz-checksum-mode: ENABLED`.
// CRC32C and CRC64NVME are kept as given, unverified.

import {createHash} from 'node:crypto'
import {crc32} from 'node:zlib'

import {ServiceError} from '../frontend/types.js'

const VERIFIED: Record<string, (body: Uint8Array) => string> = {
  crc32: (body) => {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(crc32(body) >>> 0)
    return b.toString('base64')
  },
  sha1: (body) => createHash('sha1').update(body).digest('base64'),
  sha256: (body) => createHash('sha256').update(body).digest('base64'),
}
const KEPT = new Set(['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'])

/** The checksums a request carries (headers or aws-chunked trailers), checked; header name → value. */
export function checksumsOf(headers: Record<string, string | string[] | undefined>, body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, raw] of Object.entries(headers)) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(name)
    if (!m || raw === undefined || !KEPT.has(m[1]!)) continue
    const value = Array.isArray(raw) ? raw[0]! : raw
    const compute = VERIFIED[m[1]!]
    if (compute && compute(body) !== value) {
      throw new ServiceError('BadDigest', `The ${m[1]!.toUpperCase()} you specified did not match the calculated checksum.`, 400)
    }
    out[name] = value
  }
  return out
}
