// Where a request or URL points: bucket and key, path-style (`/bucket/key`) or virtual-host style
// (`bucket.s3.<region>.amazonaws.com`, `bucket.localhost`).

export interface Address {
  bucket?: string
  key?: string
}

/** The bucket a Host header names, virtual-host style; undefined for path-style hosts. */
export function bucketOfHost(host: string): string | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase()
  const aws = /^(.+)\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/.exec(name)
  if (aws) return aws[1]
  const local = /^(.+)\.localhost$/.exec(name)
  if (local && local[1] !== 's3') return local[1]
  return undefined
}

/** Splits a raw (percent-encoded) path; `hostBucket` when the host already named the bucket. */
export function addressOf(rawPath: string, hostBucket: string | undefined): Address {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath
  if (hostBucket) return path === '' ? {bucket: hostBucket} : {bucket: hostBucket, key: decode(path)}
  if (path === '') return {}
  const slash = path.indexOf('/')
  if (slash < 0) return {bucket: decode(path)}
  const key = path.slice(slash + 1)
  return key === '' ? {bucket: decode(path.slice(0, slash))} : {bucket: decode(path.slice(0, slash)), key: decode(key)}
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * Bucket and key of an S3 object URL as CloudFormation accepts it for TemplateURL, or of the local
 * endpoint itself (`http://127.0.0.1:<port>/bucket/key`, given `localPort`). Undefined for anything else.
 */
export function addressOfUrl(url: string, localPort?: number): Required<Address> | undefined {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  const host = u.hostname.toLowerCase()
  const loopback = host === '127.0.0.1' || host === 'localhost' || host.endsWith('.localhost')
  if (loopback) {
    if (u.protocol !== 'http:' || localPort === undefined || Number(u.port) !== localPort) return undefined
  } else if (u.protocol !== 'https:' || !/(^|\.)s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.test(host)) {
    return undefined
  }
  const a = addressOf(u.pathname, bucketOfHost(u.host))
  return a.bucket && a.key ? {bucket: a.bucket, key: a.key} : undefined
}
