// The local S3 through the SDK v3 S3Client (path style, as Pier's factory configures it against an
// endpoint): every operation, S3's error codes and statuses, SigV4 (plain, chunked, presigned) and
// persistence across a restart.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import {Sha256} from '@aws-crypto/sha256-js'
import {SignatureV4} from '@smithy/signature-v4'
import {createHash, createHmac} from 'node:crypto'
import {request as httpRequest} from 'node:http'
import {crc32} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {MAX_OBJECT_SIZE} from '../../src/local/s3/index.js'
import {startControlPlane, type Harness} from './helpers.js'

let h: Harness
let s3: S3Client

function client(): S3Client {
  return new S3Client({...h.config, forcePathStyle: true})
}

async function failure(p: Promise<unknown>): Promise<{name: string; status?: number; message: string}> {
  try {
    await p
  } catch (err) {
    const e = err as {name: string; message: string; $metadata?: {httpStatusCode?: number}}
    return {name: e.name, status: e.$metadata?.httpStatusCode, message: e.message}
  }
  throw new Error('expected the call to fail')
}

/** A request signed as S3 clients sign it (the path as sent); the body is sent as given. */
async function rawS3(method: string, path: string, body: Buffer, headers: Record<string, string>) {
  const url = new URL(h.config.endpoint)
  const signer = new SignatureV4({credentials: h.config.credentials, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false})
  const signed = await signer.sign({method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers: {host: url.host, 'content-length': String(body.length), ...headers}, body})
  const sent = {...(signed.headers as Record<string, string>)}
  delete sent.host
  const res = await fetch(`${h.config.endpoint}${path}`, {method, headers: sent, body})
  return {status: res.status, text: await res.text(), authorization: sent.authorization!, date: sent['x-amz-date']!}
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

/**
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD, each chunk signed with its own HMAC here (independently of the
 * SDK the verifier uses); `alter` changes chunks after signing.
 */
async function streamingPut(path: string, chunks: Buffer[], alter?: (chunks: Buffer[]) => void) {
  const date = new Date()
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`
  const key = hmac(hmac(hmac(hmac(`AWS4${h.config.credentials.secretAccessKey}`, amzDate.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request')
  const all = [...chunks, Buffer.alloc(0)]
  const decoded = chunks.reduce((n, c) => n + c.length, 0)
  const framedLength = all.reduce((n, c) => n + c.length.toString(16).length + ';chunk-signature='.length + 64 + 4 + c.length, 0)
  // The seed signature comes from signing the headers; the chunks follow from it.
  const url = new URL(h.config.endpoint)
  const signer = new SignatureV4({credentials: h.config.credentials, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false})
  const headers = {host: url.host, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(decoded), 'content-length': String(framedLength)}
  const signed = await signer.sign({method: 'PUT', protocol: 'http:', hostname: url.hostname, path, query: {}, headers}, {signingDate: date})
  let previous = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))![1]!
  const frames: Buffer[] = []
  const signatures = all.map((c) => {
    previous = hmac(key, ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha(''), sha(c)].join('\n')).toString('hex')
    return previous
  })
  alter?.(all)
  all.forEach((c, i) => frames.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${signatures[i]}\r\n`), c, Buffer.from('\r\n')))
  const sent = {...(signed.headers as Record<string, string>)}
  delete sent.host
  const res = await fetch(`${h.config.endpoint}${path}`, {method: 'PUT', headers: sent, body: Buffer.concat(frames)})
  return {status: res.status, text: await res.text()}
}

beforeAll(async () => {
  h = await startControlPlane()
  s3 = client()
})
afterAll(async () => {
  s3.destroy()
  await h.close()
})

describe('local S3 buckets', () => {
  it('creates, heads, lists and locates a bucket; a second create is BucketAlreadyOwnedByYou', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'alpha'}))
    expect((await s3.send(new HeadBucketCommand({Bucket: 'alpha'}))).BucketRegion).toBe('us-east-1')
    const listed = await s3.send(new ListBucketsCommand({}))
    expect(listed.Buckets?.map((b) => b.Name)).toContain('alpha')
    expect(listed.Buckets?.[0]?.CreationDate).toBeInstanceOf(Date)
    expect((await s3.send(new GetBucketLocationCommand({Bucket: 'alpha'}))).LocationConstraint).toBeUndefined()
    expect(await failure(s3.send(new CreateBucketCommand({Bucket: 'alpha'})))).toMatchObject({name: 'BucketAlreadyOwnedByYou', status: 409})
  })

  it('refuses invalid names and other regions', async () => {
    expect(await failure(s3.send(new CreateBucketCommand({Bucket: 'Bad_Name'})))).toMatchObject({name: 'InvalidBucketName', status: 400})
    const other = await failure(s3.send(new CreateBucketCommand({Bucket: 'elsewhere', CreateBucketConfiguration: {LocationConstraint: 'eu-west-1'}})))
    expect(other).toMatchObject({name: 'IllegalLocationConstraintException', status: 400})
  })

  it('answers 404 for a missing bucket (HEAD without a body, GET with NoSuchBucket)', async () => {
    expect(await failure(s3.send(new HeadBucketCommand({Bucket: 'missing-bucket'})))).toMatchObject({name: 'NotFound', status: 404})
    expect(await failure(s3.send(new ListObjectsV2Command({Bucket: 'missing-bucket'})))).toMatchObject({name: 'NoSuchBucket', status: 404})
    expect(await failure(s3.send(new PutObjectCommand({Bucket: 'missing-bucket', Key: 'k', Body: 'x'})))).toMatchObject({name: 'NoSuchBucket', status: 404})
  })

  it('deletes only an empty bucket', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'full'}))
    await s3.send(new PutObjectCommand({Bucket: 'full', Key: 'one', Body: '1'}))
    expect(await failure(s3.send(new DeleteBucketCommand({Bucket: 'full'})))).toMatchObject({name: 'BucketNotEmpty', status: 409})
    await s3.send(new DeleteObjectCommand({Bucket: 'full', Key: 'one'}))
    await s3.send(new DeleteBucketCommand({Bucket: 'full'}))
    expect(await failure(s3.send(new HeadBucketCommand({Bucket: 'full'})))).toMatchObject({status: 404})
    expect(await failure(s3.send(new DeleteBucketCommand({Bucket: 'full'})))).toMatchObject({name: 'NoSuchBucket', status: 404})
  })
})

describe('local S3 objects', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'objects'}))
  })

  it('puts and gets an object with its MD5 ETag, content type and metadata', async () => {
    const body = 'hello, objects'
    const put = await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'dir/hello.txt', Body: body, ContentType: 'text/plain', Metadata: {owner: 'pier'}, CacheControl: 'no-cache'}))
    const md5 = createHash('md5').update(body).digest('hex')
    expect(put.ETag).toBe(`"${md5}"`)
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'dir/hello.txt'}))
    expect(await got.Body!.transformToString()).toBe(body)
    expect(got).toMatchObject({ETag: `"${md5}"`, ContentType: 'text/plain', ContentLength: body.length, Metadata: {owner: 'pier'}, CacheControl: 'no-cache'})
    expect(got.LastModified).toBeInstanceOf(Date)
    const head = await s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'dir/hello.txt'}))
    expect(head).toMatchObject({ETag: `"${md5}"`, ContentLength: body.length, ContentType: 'text/plain', Metadata: {owner: 'pier'}})
  })

  it('keeps binary content and keys that need encoding byte for byte', async () => {
    const bytes = Buffer.from(Array.from({length: 70_000}, (_, i) => (i * 7) % 256))
    const key = 'odd keys/a+b=c & d/ünï(1)!*.bin'
    await s3.send(new PutObjectCommand({Bucket: 'objects', Key: key, Body: bytes}))
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: key}))
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true)
    expect(got.ContentType).toBe('application/octet-stream')
  })

  it('deletes keys with XML-special characters in a multi-delete', async () => {
    const keys = ['x/a&b<c>.txt', 'x/"quoted" \'single\'.txt']
    for (const Key of keys) await s3.send(new PutObjectCommand({Bucket: 'objects', Key, Body: Key}))
    const r = await s3.send(new DeleteObjectsCommand({Bucket: 'objects', Delete: {Objects: keys.map((Key) => ({Key}))}}))
    expect(r.Deleted?.map((d) => d.Key)).toEqual(keys)
    expect((await s3.send(new ListObjectsV2Command({Bucket: 'objects', Prefix: 'x/'}))).KeyCount).toBe(0)
  })

  it('answers NoSuchKey for GET, NotFound for HEAD, and deletes a missing key quietly', async () => {
    expect(await failure(s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'nope'})))).toMatchObject({name: 'NoSuchKey', status: 404})
    expect(await failure(s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'nope'})))).toMatchObject({name: 'NotFound', status: 404})
    await s3.send(new DeleteObjectCommand({Bucket: 'objects', Key: 'nope'}))
  })

  it('honours If-None-Match, If-Match and a byte range', async () => {
    await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'cond', Body: '0123456789'}))
    const {ETag} = await s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'cond'}))
    expect(await failure(s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'cond', IfNoneMatch: ETag})))).toMatchObject({status: 304})
    expect(await failure(s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'cond', IfMatch: '"other"'})))).toMatchObject({name: 'PreconditionFailed', status: 412})
    const ranged = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'cond', Range: 'bytes=2-4'}))
    expect(await ranged.Body!.transformToString()).toBe('234')
    expect(ranged.ContentRange).toBe('bytes 2-4/10')
  })

  it('copies an object, keeping or replacing its metadata', async () => {
    await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'src', Body: 'copy me', ContentType: 'text/x-src', Metadata: {a: '1'}}))
    const copied = await s3.send(new CopyObjectCommand({Bucket: 'objects', Key: 'copy', CopySource: 'objects/src'}))
    expect(copied.CopyObjectResult?.ETag).toBe(`"${createHash('md5').update('copy me').digest('hex')}"`)
    expect(await s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'copy'}))).toMatchObject({ContentType: 'text/x-src', Metadata: {a: '1'}})
    await s3.send(new CopyObjectCommand({Bucket: 'objects', Key: 'src', CopySource: 'objects/src', MetadataDirective: 'REPLACE', ContentType: 'text/plain', Metadata: {b: '2'}}))
    expect(await s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'src'}))).toMatchObject({ContentType: 'text/plain', Metadata: {b: '2'}})
    expect(await failure(s3.send(new CopyObjectCommand({Bucket: 'objects', Key: 'src', CopySource: 'objects/src'})))).toMatchObject({name: 'InvalidRequest', status: 400})
    expect(await failure(s3.send(new CopyObjectCommand({Bucket: 'objects', Key: 'x', CopySource: 'objects/none'})))).toMatchObject({name: 'NoSuchKey'})
  })

  it('verifies, keeps and returns additional checksums; answers with response-* overrides', async () => {
    const body = 'checked content'
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body) >>> 0)
    // The SDK sends a CRC32 of every upload by default.
    const put = await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'checked', Body: body}))
    expect(put.ChecksumCRC32).toBe(crc.toString('base64'))
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'checked', ChecksumMode: 'ENABLED', ResponseContentDisposition: 'attachment; filename="c.txt"'}))
    expect(got).toMatchObject({ChecksumCRC32: crc.toString('base64'), ContentDisposition: 'attachment; filename="c.txt"'})
    expect(await got.Body!.transformToString()).toBe(body)
    const wrong = await failure(s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'checked2', Body: body, ChecksumSHA256: createHash('sha256').update('other').digest('base64')})))
    expect(wrong).toMatchObject({name: 'BadDigest', status: 400})
  })

  it('refuses a body whose Content-MD5 does not match', async () => {
    const e = await failure(s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'md5', Body: 'abc', ContentMD5: createHash('md5').update('abd').digest('base64')})))
    expect(e).toMatchObject({name: 'BadDigest', status: 400})
  })
})

describe('local S3 multipart uploads', () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 'a')
  const tail = Buffer.from('the tail')

  it('joins the parts in order into one object with a multipart ETag and the upload\'s metadata', async () => {
    const {UploadId} = await s3.send(new CreateMultipartUploadCommand({Bucket: 'objects', Key: 'multi', ContentType: 'text/x-multi', Metadata: {parts: '2'}}))
    const p2 = await s3.send(new UploadPartCommand({Bucket: 'objects', Key: 'multi', UploadId, PartNumber: 2, Body: tail}))
    const p1 = await s3.send(new UploadPartCommand({Bucket: 'objects', Key: 'multi', UploadId, PartNumber: 1, Body: big}))
    expect(p1.ETag).toBe(`"${createHash('md5').update(big).digest('hex')}"`)
    const done = await s3.send(new CompleteMultipartUploadCommand({Bucket: 'objects', Key: 'multi', UploadId, MultipartUpload: {Parts: [{PartNumber: 1, ETag: p1.ETag}, {PartNumber: 2, ETag: p2.ETag}]}}))
    const digests = Buffer.concat([big, tail].map((b) => createHash('md5').update(b).digest()))
    expect(done.ETag).toBe(`"${createHash('md5').update(digests).digest('hex')}-2"`)
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'multi'}))
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([big, tail]))).toBe(true)
    expect(got).toMatchObject({ContentType: 'text/x-multi', Metadata: {parts: '2'}, ETag: done.ETag})
    const again = await failure(s3.send(new UploadPartCommand({Bucket: 'objects', Key: 'multi', UploadId, PartNumber: 3, Body: tail})))
    expect(again).toMatchObject({name: 'NoSuchUpload', status: 404})
  })

  it('copies parts from an object, whole or by range (aws s3 cp between buckets)', async () => {
    const source = Buffer.concat([big, tail])
    await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'copy-source', Body: source}))
    const {UploadId} = await s3.send(new CreateMultipartUploadCommand({Bucket: 'objects', Key: 'copied-in-parts'}))
    const first = await s3.send(new UploadPartCopyCommand({Bucket: 'objects', Key: 'copied-in-parts', UploadId, PartNumber: 1, CopySource: 'objects/copy-source', CopySourceRange: `bytes=0-${big.length - 1}`}))
    const second = await s3.send(new UploadPartCopyCommand({Bucket: 'objects', Key: 'copied-in-parts', UploadId, PartNumber: 2, CopySource: 'objects/copy-source', CopySourceRange: `bytes=${big.length}-${source.length - 1}`}))
    expect(first.CopyPartResult?.ETag).toBe(`"${createHash('md5').update(big).digest('hex')}"`)
    const bad = await failure(s3.send(new UploadPartCopyCommand({Bucket: 'objects', Key: 'copied-in-parts', UploadId, PartNumber: 3, CopySource: 'objects/copy-source', CopySourceRange: `bytes=0-${source.length}`})))
    expect(bad).toMatchObject({name: 'InvalidArgument', status: 400})
    const Parts = [{PartNumber: 1, ETag: first.CopyPartResult?.ETag}, {PartNumber: 2, ETag: second.CopyPartResult?.ETag}]
    await s3.send(new CompleteMultipartUploadCommand({Bucket: 'objects', Key: 'copied-in-parts', UploadId, MultipartUpload: {Parts}}))
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'copied-in-parts'}))
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(source)).toBe(true)
  })

  it('lists uploads in progress and their parts, a page at a time', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'uploads'}))
    const ids: string[] = []
    for (const Key of ['b', 'a', 'a']) ids.push((await s3.send(new CreateMultipartUploadCommand({Bucket: 'uploads', Key}))).UploadId!)
    for (const PartNumber of [3, 1, 2]) await s3.send(new UploadPartCommand({Bucket: 'uploads', Key: 'b', UploadId: ids[0], PartNumber, Body: `part ${PartNumber}`}))
    const first = await s3.send(new ListMultipartUploadsCommand({Bucket: 'uploads', MaxUploads: 2}))
    expect(first.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['a', ids[1]], ['a', ids[2]]])
    expect(first).toMatchObject({IsTruncated: true, NextKeyMarker: 'a', NextUploadIdMarker: ids[2]})
    const next = await s3.send(new ListMultipartUploadsCommand({Bucket: 'uploads', KeyMarker: first.NextKeyMarker, UploadIdMarker: first.NextUploadIdMarker}))
    expect(next.Uploads?.map((u) => u.Key)).toEqual(['b'])
    expect(next.IsTruncated).toBe(false)
    const parts = await s3.send(new ListPartsCommand({Bucket: 'uploads', Key: 'b', UploadId: ids[0], MaxParts: 2}))
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[1, 6], [2, 6]])
    expect(parts).toMatchObject({IsTruncated: true, NextPartNumberMarker: '2'})
    const rest = await s3.send(new ListPartsCommand({Bucket: 'uploads', Key: 'b', UploadId: ids[0], PartNumberMarker: parts.NextPartNumberMarker}))
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([3])
    for (const [i, UploadId] of ids.entries()) await s3.send(new AbortMultipartUploadCommand({Bucket: 'uploads', Key: i === 0 ? 'b' : 'a', UploadId}))
    expect((await s3.send(new ListMultipartUploadsCommand({Bucket: 'uploads'}))).Uploads).toBeUndefined()
  })

  it('refuses small inner parts, unknown parts and wrong order; an aborted upload is gone', async () => {
    const {UploadId} = await s3.send(new CreateMultipartUploadCommand({Bucket: 'objects', Key: 'refused'}))
    const a = await s3.send(new UploadPartCommand({Bucket: 'objects', Key: 'refused', UploadId, PartNumber: 1, Body: tail}))
    const b = await s3.send(new UploadPartCommand({Bucket: 'objects', Key: 'refused', UploadId, PartNumber: 2, Body: tail}))
    const complete = (Parts: {PartNumber: number; ETag?: string}[]) => s3.send(new CompleteMultipartUploadCommand({Bucket: 'objects', Key: 'refused', UploadId, MultipartUpload: {Parts}}))
    expect(await failure(complete([{PartNumber: 1, ETag: a.ETag}, {PartNumber: 2, ETag: b.ETag}]))).toMatchObject({name: 'EntityTooSmall', status: 400})
    expect(await failure(complete([{PartNumber: 1, ETag: '"0000"'}]))).toMatchObject({name: 'InvalidPart', status: 400})
    expect(await failure(complete([{PartNumber: 2, ETag: b.ETag}, {PartNumber: 1, ETag: a.ETag}]))).toMatchObject({name: 'InvalidPartOrder', status: 400})
    await s3.send(new AbortMultipartUploadCommand({Bucket: 'objects', Key: 'refused', UploadId}))
    expect(await failure(complete([{PartNumber: 1, ETag: a.ETag}]))).toMatchObject({name: 'NoSuchUpload', status: 404})
    expect(await failure(s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'refused'})))).toMatchObject({status: 404})
  })
})

describe('local S3 listings', () => {
  const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd/x/1', 'd/y/1']
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'listing'}))
    for (const Key of keys) await s3.send(new PutObjectCommand({Bucket: 'listing', Key, Body: Key}))
  })

  it('lists every key in order with sizes and ETags', async () => {
    const r = await s3.send(new ListObjectsV2Command({Bucket: 'listing'}))
    expect(r.Contents?.map((c) => c.Key)).toEqual(keys)
    expect(r).toMatchObject({KeyCount: keys.length, IsTruncated: false})
    expect(r.Contents?.[0]).toMatchObject({Size: 3, ETag: `"${createHash('md5').update('a/1').digest('hex')}"`, StorageClass: 'STANDARD'})
  })

  it('rolls keys up into common prefixes at the delimiter, under a prefix', async () => {
    const top = await s3.send(new ListObjectsV2Command({Bucket: 'listing', Delimiter: '/'}))
    expect(top.Contents?.map((c) => c.Key)).toEqual(['c'])
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/'])
    const underA = await s3.send(new ListObjectsV2Command({Bucket: 'listing', Prefix: 'a/', Delimiter: '/'}))
    expect(underA.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2'])
    expect(underA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/'])
  })

  it('pages with max-keys and continuation tokens, common prefixes included', async () => {
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const r = await s3.send(new ListObjectsV2Command({Bucket: 'listing', Delimiter: '/', MaxKeys: 2, ContinuationToken: token}))
      seen.push(...(r.Contents ?? []).map((c) => c.Key!), ...(r.CommonPrefixes ?? []).map((p) => p.Prefix!))
      token = r.NextContinuationToken
      pages++
      expect(r.IsTruncated).toBe(token !== undefined)
    } while (token)
    expect(pages).toBe(2)
    expect(seen.sort()).toEqual(['a/', 'b/', 'c', 'd/'])
    const after = await s3.send(new ListObjectsV2Command({Bucket: 'listing', StartAfter: 'b/1'}))
    expect(after.Contents?.map((c) => c.Key)).toEqual(['c', 'd/x/1', 'd/y/1'])
    expect(await failure(s3.send(new ListObjectsV2Command({Bucket: 'listing', ContinuationToken: 'garbage'})))).toMatchObject({name: 'InvalidArgument'})
  })

  it('orders keys by their UTF-8 bytes, as S3 does, also above U+FFFF', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'unicode'}))
    for (const Key of ['z\u{1F600}', 'z\uFFFD', 'za']) await s3.send(new PutObjectCommand({Bucket: 'unicode', Key, Body: '.'}))
    const r = await s3.send(new ListObjectsV2Command({Bucket: 'unicode'}))
    expect(r.Contents?.map((c) => c.Key)).toEqual(['za', 'z\uFFFD', 'z\u{1F600}'])
  })

  it('lists with ListObjects (v1) and a marker', async () => {
    const r = await s3.send(new ListObjectsCommand({Bucket: 'listing', Marker: 'a/b/3', MaxKeys: 2}))
    expect(r.Contents?.map((c) => c.Key)).toEqual(['b/1', 'c'])
    expect(r.IsTruncated).toBe(true)
  })

  it('deletes many keys at once, reporting each', async () => {
    const r = await s3.send(new DeleteObjectsCommand({Bucket: 'listing', Delete: {Objects: [{Key: 'a/1'}, {Key: 'a/2'}, {Key: 'not-there'}]}}))
    expect(r.Deleted?.map((d) => d.Key)).toEqual(['a/1', 'a/2', 'not-there'])
    const quiet = await s3.send(new DeleteObjectsCommand({Bucket: 'listing', Delete: {Objects: [{Key: 'a/b/3'}], Quiet: true}}))
    expect(quiet.Deleted).toBeUndefined()
    const left = await s3.send(new ListObjectsV2Command({Bucket: 'listing', Prefix: 'a/'}))
    expect(left.KeyCount).toBe(0)
  })
})

describe('local S3 signing and persistence', () => {
  it('rejects a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId', async () => {
    const wrong = new S3Client({...h.config, forcePathStyle: true, credentials: {accessKeyId: h.config.credentials.accessKeyId, secretAccessKey: 'wrong'}})
    expect(await failure(wrong.send(new ListBucketsCommand({})))).toMatchObject({name: 'SignatureDoesNotMatch', status: 403})
    const unknown = new S3Client({...h.config, forcePathStyle: true, credentials: {accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x'}})
    expect(await failure(unknown.send(new ListBucketsCommand({})))).toMatchObject({name: 'InvalidAccessKeyId', status: 403})
    wrong.destroy()
    unknown.destroy()
  })

  it('refuses an upload declared over the object limit before reading it, with EntityTooLarge', async () => {
    const url = new URL(h.config.endpoint)
    const answer = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({host: '127.0.0.1', port: Number(url.port), method: 'PUT', path: '/objects/huge', headers: {'content-length': String(MAX_OBJECT_SIZE * 2)}}, (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve(`${res.statusCode} ${text}`))
      })
      req.on('error', reject)
      req.write('only a little')
    })
    expect(answer).toMatch(/^413 .*<Code>EntityTooLarge<\/Code>/s)
  })

  it('refuses an unsigned request with S3\'s AccessDenied document', async () => {
    const r = await fetch(`${h.config.endpoint}/objects/dir/hello.txt`)
    expect(r.status).toBe(403)
    expect(await r.text()).toMatch(/<Error><Code>AccessDenied<\/Code><Message>Missing Authentication Token<\/Message>/)
  })

  it('accepts a presigned GET URL and refuses it once tampered with', async () => {
    await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'presigned', Body: 'shared'}))
    const url = new URL(h.config.endpoint)
    const signer = new SignatureV4({credentials: h.config.credentials, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false})
    // As the SDK's S3 presigner does: UNSIGNED-PAYLOAD as the payload hash, the header itself not signed.
    const headers = {host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD'}
    const signed = await signer.presign({method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/objects/presigned', query: {}, headers}, {expiresIn: 60, unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256'])})
    expect(signed.query?.['X-Amz-SignedHeaders']).toBe('host')
    const qs = new URLSearchParams(signed.query as Record<string, string>).toString()
    expect(await (await fetch(`${h.config.endpoint}/objects/presigned?${qs}`)).text()).toBe('shared')
    const tampered = await fetch(`${h.config.endpoint}/objects/other?${qs}`)
    expect(tampered.status).toBe(403)
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
  })

  it('serves a client left at its default addressing: with an IP endpoint the SDK uses path style', async () => {
    const plain = new S3Client(h.config)
    await plain.send(new PutObjectCommand({Bucket: 'objects', Key: 'default-style', Body: 'plain client'}))
    const got = await plain.send(new GetObjectCommand({Bucket: 'objects', Key: 'default-style'}))
    expect(await got.Body!.transformToString()).toBe('plain client')
    plain.destroy()
  })

  it('answers virtual-host style requests (the bucket in the Host header)', async () => {
    await s3.send(new PutObjectCommand({Bucket: 'objects', Key: 'vhost/key.txt', Body: 'by host'}))
    const url = new URL(h.config.endpoint)
    const host = `objects.localhost:${url.port}`
    const signer = new SignatureV4({credentials: h.config.credentials, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false})
    const signed = await signer.sign({method: 'GET', protocol: 'http:', hostname: 'objects.localhost', port: Number(url.port), path: '/vhost/key.txt', query: {}, headers: {host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD'}})
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({host: '127.0.0.1', port: Number(url.port), path: '/vhost/key.txt', headers: signed.headers}, (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve(`${res.statusCode} ${text}`))
      })
      req.on('error', reject)
      req.end()
    })
    expect(body).toBe('200 by host')
  })

  it('decodes a chunk-signed streaming upload and refuses an altered chunk', async () => {
    const data = Buffer.alloc(150_000, 'z')
    const ok = await streamingPut('/objects/streamed', [data.subarray(0, 65_536), data.subarray(65_536)])
    expect(ok.status).toBe(200)
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'streamed'}))
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true)
    expect(got.ContentEncoding).toBeUndefined()
    const bad = await streamingPut('/objects/altered', [Buffer.from('abc'), Buffer.from('def')], (chunks) => chunks[1]!.fill('x'))
    expect(bad.status).toBe(403)
    expect(bad.text).toContain('<Code>SignatureDoesNotMatch</Code>')
    expect(await failure(s3.send(new HeadObjectCommand({Bucket: 'objects', Key: 'altered'})))).toMatchObject({status: 404})
  })

  it('decodes an unsigned chunked upload with a checksum trailer', async () => {
    const body = Buffer.concat([Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n')])
    const r = await rawS3('PUT', '/objects/trailer', body, {'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5', 'x-amz-trailer': 'x-amz-checksum-crc32'})
    expect(r.status).toBe(200)
    const got = await s3.send(new GetObjectCommand({Bucket: 'objects', Key: 'trailer', ChecksumMode: 'ENABLED'}))
    expect(await got.Body!.transformToString()).toBe('hello')
    expect(got.ChecksumCRC32).toBe('NhCmhg==')
    const corrupt = Buffer.from('5\r\nhellO\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n')
    const bad = await rawS3('PUT', '/objects/trailer2', corrupt, {'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5', 'x-amz-trailer': 'x-amz-checksum-crc32'})
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('<Code>BadDigest</Code>')
  })

  it('keeps buckets and objects across a restart, and drops files a crash left unreferenced', async () => {
    const {mkdtempSync, writeFileSync, existsSync} = await import('node:fs')
    const {join} = await import('node:path')
    const {tmpdir} = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'pier-s3-'))
    let first = await startControlPlane(dir)
    let c = new S3Client({...first.config, forcePathStyle: true})
    await c.send(new CreateBucketCommand({Bucket: 'kept'}))
    await c.send(new PutObjectCommand({Bucket: 'kept', Key: 'k', Body: 'survives', Metadata: {m: 'v'}}))
    c.destroy()
    await first.cp.close()
    const stray = join(dir, 's3', 'data', 'stray.tmp')
    writeFileSync(stray, 'half written')
    first = await startControlPlane(dir)
    c = new S3Client({...first.config, forcePathStyle: true})
    const got = await c.send(new GetObjectCommand({Bucket: 'kept', Key: 'k'}))
    expect(await got.Body!.transformToString()).toBe('survives')
    expect(got.Metadata).toEqual({m: 'v'})
    expect(existsSync(stray)).toBe(false)
    c.destroy()
    await first.close()
  })
})
