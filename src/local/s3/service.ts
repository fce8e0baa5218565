// S3's REST-XML API over the object store: buckets (create, head, delete, list, location) and objects
// (put, get, head, copy, delete, multi-delete, list v1 and v2, multipart uploads), with S3's status
// codes and error codes.

import {ServiceError, type RequestContext, type RestRequest, type RestResponse, type RestService} from '../frontend/types.js'
import {addressOf, bucketOfHost} from './addressing.js'
import {checksumsOf} from './checksums.js'
import {checkMd5, etagMatches, header, keptHeaders, metadataOf, objectHeaders, parseRange, responseOverrides} from './headers.js'
import {listV1, listV2} from './listing.js'
import {Multipart} from './multipart.js'
import type {BucketRecord, ObjectRecord, ObjectStore} from './store.js'
import {document, el, elements, malformed, parseDelete, text, unescapeXml, wellFormed} from './xml.js'

/** Largest object accepted, in bytes. */
export const MAX_OBJECT_SIZE = 64 * 1024 * 1024
/** Subresources of buckets and objects the local S3 does not have (versioning, policies, multipart ...). */
const SUBRESOURCES = ['acl', 'cors', 'encryption', 'lifecycle', 'logging', 'notification', 'policy', 'replication', 'tagging', 'versioning', 'website', 'versions', 'object-lock', 'retention', 'legal-hold', 'attributes', 'restore', 'select', 'torrent', 'accelerate', 'analytics', 'inventory', 'metrics', 'ownershipControls', 'publicAccessBlock', 'requestPayment', 'intelligent-tiering']

const noSuchBucket = (name: string) => new ServiceError('NoSuchBucket', `The specified bucket does not exist: ${name}`, 404)
const noSuchKey = (key: string) => new ServiceError('NoSuchKey', `The specified key does not exist: ${key}`, 404)

export class S3Service implements RestService {
  readonly signingName = 's3'
  /** Room for the aws-chunked framing of the largest object. */
  readonly bodyLimit = MAX_OBJECT_SIZE + 1024 * 1024

  private readonly multipart: Multipart

  constructor(private readonly store: ObjectStore, private readonly identity: {region: string; accountId: string}) {
    this.multipart = new Multipart(store, MAX_OBJECT_SIZE)
  }

  async handle(req: RestRequest, ctx: RequestContext): Promise<RestResponse> {
    const {bucket, key} = addressOf(req.rawPath, bucketOfHost(header(req, 'host') ?? ''))
    const unsupported = SUBRESOURCES.find((s) => s in req.query)
    if (unsupported) throw new ServiceError('NotImplemented', `The local S3 does not implement the ${unsupported} subresource.`, 501)
    const m = req.method
    if (bucket === undefined) {
      if (m === 'GET') return this.listBuckets(req)
      throw methodNotAllowed(m)
    }
    if (key === undefined) {
      if (m === 'PUT') return this.createBucket(bucket, req, ctx)
      if (m === 'HEAD') return this.headBucket(bucket)
      if (m === 'DELETE') return this.deleteBucket(bucket)
      if (m === 'POST' && 'delete' in req.query) return this.deleteObjects(bucket, req)
      if (m === 'GET' && 'location' in req.query) return this.bucketLocation(bucket)
      if (m === 'GET' && 'uploads' in req.query) return this.listUploads(bucket, req)
      if (m === 'GET') return this.listObjects(bucket, req)
      throw methodNotAllowed(m)
    }
    if ('uploads' in req.query || 'uploadId' in req.query) return this.multipartOperation(bucket, key, req)
    if (m === 'PUT') return header(req, 'x-amz-copy-source') !== undefined ? this.copyObject(bucket, key, req) : this.putObject(bucket, key, req)
    if (m === 'GET' || m === 'HEAD') return this.getObject(bucket, key, req, m === 'HEAD')
    if (m === 'DELETE') return this.deleteObject(bucket, key)
    throw methodNotAllowed(m)
  }

  private listUploads(bucket: string, req: RestRequest): RestResponse {
    this.existing(bucket)
    return this.multipart.listUploads(bucket, req.query, this.identity.accountId)
  }

  private multipartOperation(bucket: string, key: string, req: RestRequest): RestResponse {
    this.existing(bucket)
    const {method: m, query} = req
    if (m === 'POST' && 'uploads' in query) {
      checkKey(key)
      return this.multipart.create(bucket, {key, contentType: header(req, 'content-type') ?? 'binary/octet-stream', metadata: metadataOf(req), headers: keptHeaders(req)})
    }
    const uploadId = query.uploadId ?? ''
    if (m === 'PUT' && header(req, 'x-amz-copy-source') !== undefined) return this.uploadPartCopy(bucket, key, req)
    if (m === 'PUT') {
      checkMd5(req, req.body)
      return this.multipart.uploadPart(bucket, key, query, req.body)
    }
    if (m === 'POST') return this.multipart.complete(bucket, key, uploadId, Buffer.from(req.body).toString('utf8'))
    if (m === 'DELETE') return this.multipart.abort(bucket, key, uploadId)
    if (m === 'GET') return this.multipart.listParts(bucket, key, query, this.identity.accountId)
    throw methodNotAllowed(m)
  }

  private existing(name: string): BucketRecord {
    const b = this.store.bucket(name)
    if (!b) throw noSuchBucket(name)
    return b
  }

  private listBuckets(req: RestRequest): RestResponse {
    const prefix = req.query.prefix ?? ''
    const buckets = this.store.buckets().filter((b) => b.name.startsWith(prefix))
    const owner = el('Owner', text('ID', this.identity.accountId), text('DisplayName', 'local'))
    return xml(200, document('ListAllMyBucketsResult', owner, el('Buckets', ...buckets.map((b) => el('Bucket', text('Name', b.name), text('CreationDate', b.createdAt), text('BucketRegion', b.region))))))
  }

  private createBucket(name: string, req: RestRequest, ctx: RequestContext): RestResponse {
    checkBucketName(name)
    const body = Buffer.from(req.body).toString('utf8')
    if (body.trim() && !wellFormed(body, 'CreateBucketConfiguration')) throw malformed()
    const location = body.trim() ? unescapeXml(elements(body, 'LocationConstraint')[0] ?? '').trim() : ''
    const region = location || 'us-east-1'
    if (region !== ctx.region) {
      throw new ServiceError('IllegalLocationConstraintException', `The ${region} location constraint is incompatible for the region specific endpoint this request was sent to (${ctx.region}).`, 400)
    }
    if (this.store.bucket(name)) throw new ServiceError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409)
    this.store.createBucket(name, region)
    return {status: 200, headers: {location: `/${name}`}}
  }

  private headBucket(name: string): RestResponse {
    const b = this.existing(name)
    return {status: 200, headers: {'x-amz-bucket-region': b.region}}
  }

  /** us-east-1 answers an empty constraint, as S3 does. */
  private bucketLocation(name: string): RestResponse {
    const region = this.existing(name).region
    return xml(200, document('LocationConstraint', region === 'us-east-1' ? '' : region))
  }

  private deleteBucket(name: string): RestResponse {
    const b = this.existing(name)
    if (Object.keys(b.objects).length > 0) throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409)
    this.store.deleteBucket(name)
    return {status: 204}
  }

  private listObjects(name: string, req: RestRequest): RestResponse {
    const b = this.existing(name)
    const keys = this.store.sortedKeys(b)
    return xml(200, req.query['list-type'] === '2' ? listV2(b, keys, req.query) : listV1(b, keys, req.query))
  }

  private putObject(name: string, key: string, req: RestRequest): RestResponse {
    const b = this.existing(name)
    checkKey(key)
    const body = req.body
    if (body.length > MAX_OBJECT_SIZE) throw new ServiceError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${MAX_OBJECT_SIZE} bytes.`, 400)
    checkMd5(req, body)
    const checksums = checksumsOf(req.headers, body)
    const record = this.store.put(b, {key, contentType: header(req, 'content-type') ?? 'binary/octet-stream', metadata: metadataOf(req), headers: keptHeaders(req), checksums}, body)
    return {status: 200, headers: {etag: record.etag, ...checksums}}
  }

  /** The object `x-amz-copy-source` names (`bucket/key`, URL-encoded, optionally with a leading slash). */
  private copySource(req: RestRequest): {bucket: string; key: string; object: ObjectRecord} {
    const source = addressOf(`/${header(req, 'x-amz-copy-source')!.split('?')[0]!.replace(/^\//, '')}`, undefined)
    if (!source.bucket || !source.key) throw new ServiceError('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 400)
    const object = this.existing(source.bucket).objects[source.key]
    if (!object) throw noSuchKey(source.key)
    return {bucket: source.bucket, key: source.key, object}
  }

  /** A part copied from an object, whole or `x-amz-copy-source-range: bytes=a-b` (`aws s3 cp` between buckets). */
  private uploadPartCopy(bucket: string, key: string, req: RestRequest): RestResponse {
    const {object} = this.copySource(req)
    let content = this.store.read(object)
    const range = header(req, 'x-amz-copy-source-range')
    if (range !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim())
      if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= object.size) {
        throw new ServiceError('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 400)
      }
      content = content.subarray(Number(m[1]), Number(m[2]) + 1)
    }
    const part = this.multipart.uploadPart(bucket, key, req.query, content)
    return {status: 200, headers: {'content-type': 'application/xml'}, body: document('CopyPartResult', text('ETag', part.headers!.etag), text('LastModified', new Date().toISOString()))}
  }

  private copyObject(name: string, key: string, req: RestRequest): RestResponse {
    const target = this.existing(name)
    checkKey(key)
    const source = this.copySource(req)
    const from = source.object
    const replace = header(req, 'x-amz-metadata-directive') === 'REPLACE'
    if (!replace && source.bucket === name && source.key === key) {
      throw new ServiceError('InvalidRequest', 'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.', 400)
    }
    const meta = replace
      ? {contentType: header(req, 'content-type') ?? 'binary/octet-stream', metadata: metadataOf(req), headers: keptHeaders(req)}
      : {contentType: from.contentType, metadata: from.metadata, headers: from.headers}
    const record = this.store.put(target, {key, ...meta, ...(from.checksums ? {checksums: from.checksums} : {})}, this.store.read(from))
    return xml(200, document('CopyObjectResult', text('LastModified', record.lastModified), text('ETag', record.etag)))
  }

  private getObject(name: string, key: string, req: RestRequest, head: boolean): RestResponse {
    const o = this.existing(name).objects[key]
    if (!o) throw noSuchKey(key)
    const headers = {...objectHeaders(o), ...responseOverrides(req.query)}
    const ifMatch = header(req, 'if-match')
    if (ifMatch !== undefined && !etagMatches(ifMatch, o.etag)) throw new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412)
    const ifNoneMatch = header(req, 'if-none-match')
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, o.etag)) return {status: 304, headers: {etag: o.etag, 'last-modified': headers['last-modified']!}}
    const range = header(req, 'range')
    if (range !== undefined) {
      const r = parseRange(range, o.size)
      if (r === 'unsatisfiable') throw new ServiceError('InvalidRange', 'The requested range is not satisfiable', 416)
      if (r) {
        const part = head ? undefined : this.store.read(o).subarray(r.start, r.end + 1)
        const ranged = {...headers, 'content-range': `bytes ${r.start}-${r.end}/${o.size}`, 'content-length': String(r.end - r.start + 1)}
        return {status: 206, headers: ranged, ...(part ? {body: part} : {})}
      }
    }
    // The object's checksum describes the whole object: a range answer leaves it out, as S3 does.
    const whole = {...headers, ...(header(req, 'x-amz-checksum-mode') === 'ENABLED' ? o.checksums : {})}
    return head ? {status: 200, headers: whole} : {status: 200, headers: whole, body: this.store.read(o)}
  }

  private deleteObject(name: string, key: string): RestResponse {
    this.store.delete(this.existing(name), key)
    return {status: 204}
  }

  private deleteObjects(name: string, req: RestRequest): RestResponse {
    const b = this.existing(name)
    const {keys, quiet} = parseDelete(Buffer.from(req.body).toString('utf8'))
    this.store.deleteMany(b, keys)
    return xml(200, document('DeleteResult', ...(quiet ? [] : keys.map((k) => el('Deleted', text('Key', k))))))
  }
}

function xml(status: number, body: string): RestResponse {
  return {status, headers: {'content-type': 'application/xml'}, body}
}

function methodNotAllowed(method: string): ServiceError {
  return new ServiceError('MethodNotAllowed', `The specified method is not allowed against this resource: ${method}.`, 405)
}

function checkBucketName(name: string): void {
  const valid = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name)
  if (!valid) throw new ServiceError('InvalidBucketName', `The specified bucket is not valid: ${name}`, 400)
}

function checkKey(key: string): void {
  if (Buffer.byteLength(key) > 1024) throw new ServiceError('KeyTooLongError', 'Your key is too long', 400)
}
