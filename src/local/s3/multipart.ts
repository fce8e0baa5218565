// Multipart uploads, as `aws s3 cp` uses them above 8 MB: create, upload parts, complete (parts in
// ascending order, all but the last at least 5 MiB, ETag = MD5 of the parts' MD5s, "-<count>"), abort.
// The assembled object obeys the same size limit as any other.

import {createHash} from 'node:crypto'

import {ServiceError, type RestResponse} from '../frontend/types.js'
import type {NewObject, ObjectStore, UploadRecord} from './store.js'
import {compareKeys} from './store.js'
import {document, el, elements, malformed, text, unescapeXml} from './xml.js'

const MIN_PART_SIZE = 5 * 1024 * 1024

const xml = (body: string): RestResponse => ({status: 200, headers: {'content-type': 'application/xml'}, body})

/** Initiator and Owner: the account, the only principal locally. */
const people = (owner: string) => el('Initiator', text('ID', owner), text('DisplayName', 'local')) + el('Owner', text('ID', owner), text('DisplayName', 'local'))

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 1000
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new ServiceError('InvalidArgument', 'The maximum must be an integer between 0 and 1000.', 400)
  return Math.min(n, 1000)
}

export class Multipart {
  constructor(private readonly store: ObjectStore, private readonly maxObjectSize: number) {}

  create(bucket: string, object: NewObject): RestResponse {
    const upload = this.store.startUpload(bucket, object)
    return xml(document('InitiateMultipartUploadResult', text('Bucket', bucket), text('Key', object.key), text('UploadId', upload.id)))
  }

  uploadPart(bucket: string, key: string, query: Record<string, string>, body: Uint8Array): RestResponse {
    const upload = this.existing(bucket, key, query.uploadId!)
    const n = Number(query.partNumber)
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new ServiceError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400)
    if (body.length > this.maxObjectSize) throw new ServiceError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${this.maxObjectSize} bytes.`, 400)
    return {status: 200, headers: {etag: this.store.putPart(upload, n, body)}}
  }

  complete(bucket: string, key: string, uploadId: string, body: string): RestResponse {
    const upload = this.existing(bucket, key, uploadId)
    const parts = elements(body, 'Part').map((p) => ({n: Number(elements(p, 'PartNumber')[0]), etag: unescapeXml(elements(p, 'ETag')[0] ?? '').trim()}))
    if (parts.length === 0) throw malformed()
    if (parts.some((p, i) => i > 0 && p.n <= parts[i - 1]!.n)) {
      throw new ServiceError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', 400)
    }
    let size = 0
    parts.forEach((p, i) => {
      const part = upload.parts[p.n]
      if (!part || (p.etag !== part.etag && `"${p.etag}"` !== part.etag)) {
        throw new ServiceError('InvalidPart', 'One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part\'s entity tag.', 400)
      }
      if (i < parts.length - 1 && part.size < MIN_PART_SIZE) throw new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400)
      size += part.size
    })
    if (size > this.maxObjectSize) throw new ServiceError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${this.maxObjectSize} bytes.`, 400)
    const digests = Buffer.concat(parts.map((p) => Buffer.from(upload.parts[p.n]!.etag.replace(/"/g, ''), 'hex')))
    const etag = `"${createHash('md5').update(digests).digest('hex')}-${parts.length}"`
    const record = this.store.completeUpload(upload, parts.map((p) => p.n), etag)
    return xml(document('CompleteMultipartUploadResult', text('Location', `/${bucket}/${key}`), text('Bucket', bucket), text('Key', key), text('ETag', record.etag)))
  }

  abort(bucket: string, key: string, uploadId: string): RestResponse {
    this.store.dropUpload(this.existing(bucket, key, uploadId))
    return {status: 204}
  }

  /** ListParts: in part-number order after `part-number-marker`, at most `max-parts`. */
  listParts(bucket: string, key: string, query: Record<string, string>, owner: string): RestResponse {
    const upload = this.existing(bucket, key, query.uploadId ?? '')
    const marker = Number(query['part-number-marker'] ?? 0)
    const max = limitOf(query['max-parts'])
    const numbers = Object.keys(upload.parts).map(Number).filter((n) => n > marker).sort((a, b) => a - b)
    const page = numbers.slice(0, max)
    const truncated = numbers.length > page.length
    return xml(document('ListPartsResult', text('Bucket', bucket), text('Key', key), text('UploadId', upload.id),
      text('PartNumberMarker', marker), text('NextPartNumberMarker', page.at(-1) ?? marker), text('MaxParts', max), text('IsTruncated', truncated),
      ...page.map((n) => {
        const p = upload.parts[n]!
        return el('Part', text('PartNumber', n), text('LastModified', p.lastModified ?? upload.initiated), text('ETag', p.etag), text('Size', p.size))
      }),
      people(owner), text('StorageClass', 'STANDARD')))
  }

  /** ListMultipartUploads: by key and start, after `key-marker`/`upload-id-marker`, under `prefix`. */
  listUploads(bucket: string, query: Record<string, string>, owner: string): RestResponse {
    if (query.delimiter) throw new ServiceError('NotImplemented', 'The local S3 does not group multipart uploads by delimiter.', 501)
    const prefix = query.prefix ?? ''
    const keyMarker = query['key-marker'] ?? ''
    const idMarker = query['upload-id-marker'] ?? ''
    const all = this.store.uploadsOf(bucket).filter((u) => u.object.key.startsWith(prefix))
    // With an upload-id-marker, the page resumes after that upload of key-marker; without, after the key.
    const at = idMarker ? all.findIndex((u) => u.object.key === keyMarker && u.id === idMarker) : -1
    const rest = idMarker && at >= 0 ? all.slice(at + 1) : all.filter((u) => !keyMarker || compareKeys(u.object.key, keyMarker) > 0)
    const max = limitOf(query['max-uploads'])
    const page = rest.slice(0, max)
    const truncated = rest.length > page.length
    const last = page.at(-1)
    return xml(document('ListMultipartUploadsResult', text('Bucket', bucket), text('KeyMarker', keyMarker), text('UploadIdMarker', idMarker),
      truncated && last ? text('NextKeyMarker', last.object.key) : undefined, truncated && last ? text('NextUploadIdMarker', last.id) : undefined,
      text('Prefix', prefix), text('MaxUploads', max), text('IsTruncated', truncated),
      ...page.map((u) => el('Upload', text('Key', u.object.key), text('UploadId', u.id), people(owner), text('StorageClass', 'STANDARD'), text('Initiated', u.initiated)))))
  }

  private existing(bucket: string, key: string, uploadId: string): UploadRecord {
    const upload = this.store.upload(uploadId)
    if (!upload || upload.bucket !== bucket || upload.object.key !== key) {
      throw new ServiceError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404)
    }
    return upload
  }
}
