// Reads a zip archive (a Lambda deployment package): the central directory names each entry, its
// method (stored or deflated) and where its data starts. No external tool, no native addon.
import {inflateRawSync} from 'node:zlib'

export interface ZipEntry {
  name: string
  data: Buffer
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const CENTRAL_FILE_HEADER = 0x02014b50
const LOCAL_FILE_HEADER = 0x04034b50
/** Lambda's limit on an unzipped deployment package. */
export const MAX_UNZIPPED_BYTES = 262_144_000

export class ZipError extends Error {}

export function readZip(zip: Buffer): ZipEntry[] {
  // The end record sits in the last 22 bytes plus a comment of at most 65,535 bytes.
  let end = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i
      break
    }
  }
  if (end < 0) throw new ZipError('not a zip archive (no end of central directory record)')
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const entries: ZipEntry[] = []
  let total = 0
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new ZipError('corrupt zip archive (central directory)')
    const method = zip.readUInt16LE(at + 10)
    const compressed = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const local = zip.readUInt32LE(at + 42)
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    at += 46 + nameLength + extraLength + commentLength
    if (name.endsWith('/')) continue
    total += size
    if (total > MAX_UNZIPPED_BYTES) throw new ZipError(`unzipped size exceeds ${MAX_UNZIPPED_BYTES} bytes`)
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL_FILE_HEADER) throw new ZipError(`corrupt zip archive (entry ${name})`)
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const raw = zip.subarray(start, start + compressed)
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw, {maxOutputLength: Math.max(size, 1)}) : undefined
    if (!data) throw new ZipError(`entry ${name} uses compression method ${method}; only stored and deflated entries are read`)
    entries.push({name, data})
  }
  return entries
}
