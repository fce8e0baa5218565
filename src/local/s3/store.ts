// The buckets and objects of the local S3: one file per object under `<stateDir>/s3/data/`, and a JSON
// index of buckets and object metadata. An object is written to a temporary file, flushed and renamed
// before the index names it, so a crash leaves at worst an unreferenced file, removed at the next start.

import {createHash, randomUUID} from 'node:crypto'
import {closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import {JsonDocument} from '../store/json-file.js'
import {dict} from '../store/dict.js'

export interface ObjectRecord {
  key: string
  size: number
  /** Quoted hex MD5 of the content, as S3 gives it for a single-part upload. */
  etag: string
  lastModified: string
  contentType: string
  /** `x-amz-meta-*` values, by the lower-cased name after the prefix. */
  metadata: Record<string, string>
  /** Other representation headers kept as given (content-encoding, cache-control, ...). */
  headers: Record<string, string>
  /** `x-amz-checksum-*` headers given with the upload. */
  checksums?: Record<string, string>
  /** File name under data/. */
  file: string
}

export interface BucketRecord {
  name: string
  createdAt: string
  region: string
  objects: Record<string, ObjectRecord>
}

/** A multipart upload in progress: its parts are files under data/ until it completes or aborts. */
export interface UploadRecord {
  id: string
  bucket: string
  object: NewObject
  initiated: string
  parts: Record<string, {etag: string; size: number; file: string; lastModified?: string}>
}

interface Index {
  buckets: Record<string, BucketRecord>
  uploads?: Record<string, UploadRecord>
}

export type NewObject = Omit<ObjectRecord, 'file' | 'etag' | 'size' | 'lastModified'>

export class ObjectStore {
  private readonly index: JsonDocument<Index>
  private readonly dataDir: string

  constructor(stateDir: string, private readonly now: () => Date = () => new Date()) {
    const root = join(stateDir, 's3')
    this.dataDir = join(root, 'data')
    mkdirSync(this.dataDir, {recursive: true, mode: 0o700})
    this.index = new JsonDocument<Index>(join(root, 'index.json'), {buckets: {}})
    this.removeUnreferenced()
  }

  bucket(name: string): BucketRecord | undefined {
    return this.index.value.buckets[name]
  }

  buckets(): BucketRecord[] {
    return Object.values(this.index.value.buckets).sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  createBucket(name: string, region: string): BucketRecord {
    const bucket = {name, region, createdAt: this.now().toISOString(), objects: dict<ObjectRecord>()}
    this.index.value.buckets[name] = bucket
    this.index.save()
    return bucket
  }

  deleteBucket(name: string): void {
    delete this.index.value.buckets[name]
    // Uploads never completed go with their bucket.
    for (const u of Object.values(this.uploads())) if (u.bucket === name) this.dropUpload(u, false)
    this.index.save()
  }

  private uploads(): Record<string, UploadRecord> {
    return (this.index.value.uploads ??= dict())
  }

  upload(id: string): UploadRecord | undefined {
    return this.uploads()[id]
  }

  /** A bucket's uploads in progress, by key, then in the order they started (the sort is stable). */
  uploadsOf(bucket: string): UploadRecord[] {
    return Object.values(this.uploads())
      .filter((u) => u.bucket === bucket)
      .sort((a, b) => compareKeys(a.object.key, b.object.key) || a.initiated.localeCompare(b.initiated))
  }

  startUpload(bucket: string, object: NewObject): UploadRecord {
    // A letter first: an id that looked like an integer would reorder the index's keys.
    const upload: UploadRecord = {id: `u${randomUUID().replace(/-/g, '')}`, bucket, object, initiated: this.now().toISOString(), parts: dict()}
    this.uploads()[upload.id] = upload
    this.index.save()
    return upload
  }

  putPart(upload: UploadRecord, partNumber: number, content: Uint8Array): string {
    const file = this.writeData(content)
    const previous = upload.parts[partNumber]
    const etag = `"${createHash('md5').update(content).digest('hex')}"`
    upload.parts[partNumber] = {etag, size: content.length, file, lastModified: this.now().toISOString()}
    this.index.save()
    if (previous) this.unlink(previous.file)
    return etag
  }

  /** Joins the chosen parts, in order, into the object, and ends the upload. */
  completeUpload(upload: UploadRecord, partNumbers: number[], etag: string): ObjectRecord {
    const bucket = this.bucket(upload.bucket)!
    const content = Buffer.concat(partNumbers.map((n) => readFileSync(join(this.dataDir, upload.parts[n]!.file))))
    const record = this.put(bucket, upload.object, content, etag)
    this.dropUpload(upload)
    return record
  }

  dropUpload(upload: UploadRecord, save = true): void {
    delete this.uploads()[upload.id]
    if (save) this.index.save()
    for (const part of Object.values(upload.parts)) this.unlink(part.file)
  }

  /** The bucket's keys in UTF-8 binary order, as S3 lists them. */
  sortedKeys(bucket: BucketRecord): string[] {
    const keys = Object.keys(bucket.objects)
    // Without surrogate pairs, UTF-16 order (the default sort) is UTF-8 byte order.
    return keys.some((k) => SURROGATE.test(k)) ? keys.sort(compareKeys) : keys.sort()
  }

  read(record: ObjectRecord): Buffer {
    return readFileSync(join(this.dataDir, record.file))
  }

  /** Stores an object; `etag` when it is not the content's MD5 (a multipart upload's). */
  put(bucket: BucketRecord, object: NewObject, content: Uint8Array, etag?: string): ObjectRecord {
    const file = this.writeData(content)
    const record: ObjectRecord = {
      ...object,
      size: content.length,
      etag: etag ?? `"${createHash('md5').update(content).digest('hex')}"`,
      lastModified: this.now().toISOString(),
      file,
    }
    const previous = bucket.objects[object.key]
    bucket.objects[object.key] = record
    this.index.save()
    if (previous) this.unlink(previous.file)
    return record
  }

  delete(bucket: BucketRecord, key: string): void {
    const record = bucket.objects[key]
    if (!record) return
    delete bucket.objects[key]
    this.index.save()
    this.unlink(record.file)
  }

  /** Deletes many keys with one index write (DeleteObjects). */
  deleteMany(bucket: BucketRecord, keys: string[]): void {
    const files: string[] = []
    for (const key of keys) {
      const record = bucket.objects[key]
      if (record) files.push(record.file)
      delete bucket.objects[key]
    }
    this.index.save()
    for (const f of files) this.unlink(f)
  }

  private writeData(content: Uint8Array): string {
    const file = randomUUID()
    const tmp = join(this.dataDir, `${file}.tmp`)
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, content)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, join(this.dataDir, file))
    return file
  }

  private unlink(file: string): void {
    rmSync(join(this.dataDir, file), {force: true})
  }

  private removeUnreferenced(): void {
    const referenced = new Set([
      ...Object.values(this.index.value.buckets).flatMap((b) => Object.values(b.objects).map((o) => o.file)),
      ...Object.values(this.uploads()).flatMap((u) => Object.values(u.parts).map((p) => p.file)),
    ])
    for (const name of readdirSync(this.dataDir)) if (!referenced.has(name)) this.unlink(name)
  }
}

const SURROGATE = /[\uD800-\uDFFF]/

/** S3 orders keys by their UTF-8 bytes; JavaScript's `<` compares UTF-16 units, which agrees except
 * where surrogate pairs (characters above U+FFFF) are involved. */
export function compareKeys(a: string, b: string): number {
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  return a < b ? -1 : a > b ? 1 : 0
}
