// SigV4 verification: the expected signature is recomputed over the received request with the SDK's own
// signer (@smithy/signature-v4 over @aws-crypto/sha256-js), never with hand-written HMAC code, then
// compared in constant time. Header auth (`Authorization: AWS4-HMAC-SHA256 ...`) and presigned query
// auth (`X-Amz-Signature=...`) are both accepted. S3 differs in two ways, as its clients do: the path
// is signed as sent (not normalized, not encoded again), and the payload may be aws-chunked, each chunk
// signed in turn (see aws-chunked.ts); the decoded body is returned then.

import {Sha256} from '@aws-crypto/sha256-js'
import {SignatureV4} from '@smithy/signature-v4'
import {createHash, timingSafeEqual} from 'node:crypto'

import {decodeAwsChunked, type ChunkSigner} from './aws-chunked.js'

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
}

/** The keys a request may be signed with: the one long-term key, or a lookup that also knows the
 * temporary keys STS issued (those come with the session token the request carries). */
export type KnownKeys = Credentials | ((accessKeyId: string, sessionToken: string | undefined) => Credentials | undefined)

/** What the verifier needs from an HTTP request; headers lower-cased as Node gives them. */
export interface ReceivedRequest {
  method: string
  /** Path without the query string, still percent-encoded as received. */
  rawPath: string
  /** Query parameters, decoded. */
  query: Record<string, string>
  headers: Record<string, string | string[] | undefined>
  body: Uint8Array
}

export type AuthFailure =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'UnknownAccessKey'
  | 'SignatureDoesNotMatch'
  | 'SignatureExpired'

export type AuthResult =
  | {
      ok: true
      accessKeyId: string
      /** The session token of a temporary key (AssumeRole), as the request carried it. */
      sessionToken?: string
      service: string
      region: string
      /** The payload, when it came aws-chunked, and the trailing headers it carried (a checksum). */
      body?: Uint8Array
      trailers?: Record<string, string>
    }
  | {ok: false; failure: AuthFailure; message: string; service?: string}

/** How far a request's date may be from ours, as AWS allows. */
const MAX_SKEW_MS = 15 * 60 * 1000
const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']

interface Parsed {
  accessKeyId: string
  date: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
  amzDate: string
  expires?: number
  presigned: boolean
  /** `X-Amz-Security-Token`, in the headers or (presigned) the query. */
  sessionToken?: string
}

/**
 * Verifies a request's signature. With `deferPayload` (a request whose payload hash is declared in
 * `x-amz-content-sha256`, so the signature does not depend on the body) the body is not looked at:
 * the frontend checks the signature so before reading a large body, then verifies again with it.
 */
export function verifySigV4(req: ReceivedRequest, known: KnownKeys, now = Date.now(), opts: {deferPayload?: boolean} = {}): Promise<AuthResult> {
  const parsed = parseAuth(req)
  if (!('accessKeyId' in parsed)) return Promise.resolve(parsed)
  const key = keyOf(known, parsed)
  const early = precheck(parsed, key, now)
  if (early) return Promise.resolve(early)
  return check(req, parsed, key!, opts.deferPayload === true)
}

function keyOf(known: KnownKeys, p: Parsed): Credentials | undefined {
  if (typeof known !== 'function') return p.accessKeyId === known.accessKeyId ? known : undefined
  return known(p.accessKeyId, p.sessionToken)
}

/** Whether a request's signature can be checked without its body (its payload hash is declared). */
export function signedWithoutBody(req: Omit<ReceivedRequest, 'body'>): boolean {
  const auth = first(req.headers.authorization)
  if (auth === undefined || typeof first(req.headers['x-amz-content-sha256']) !== 'string') return false
  const signed = /SignedHeaders=([^,\s]*)/.exec(auth)?.[1]?.toLowerCase().split(';') ?? []
  return signed.includes('x-amz-content-sha256')
}

/**
 * The checks that need no body: an authorization that is there and well formed, the known access key,
 * a date within the allowed skew (a presigned URL neither expired nor dated in the future), `host`
 * among the signed headers. The frontend runs them before it reads a body, so a request that fails
 * them costs no memory however large its body claims to be.
 */
export function precheckSigV4(req: Omit<ReceivedRequest, 'body'>, known: KnownKeys, now = Date.now()): Extract<AuthResult, {ok: false}> | undefined {
  const parsed = parseAuth(req)
  if (!('accessKeyId' in parsed)) return parsed
  return precheck(parsed, keyOf(known, parsed), now)
}

function precheck(p: Parsed, key: Credentials | undefined, now: number): Extract<AuthResult, {ok: false}> | undefined {
  if (!key) {
    return {ok: false, failure: 'UnknownAccessKey', message: 'The security token included in the request is invalid.', service: p.service}
  }
  const signingDate = parseAmzDate(p.amzDate)
  if (!signingDate || p.amzDate.slice(0, 8) !== p.date) {
    return {ok: false, failure: 'IncompleteSignature', message: `Date must be in ISO-8601 'basic format'. Got '${p.amzDate}'.`, service: p.service}
  }
  if (p.presigned) {
    if (now > signingDate.getTime() + (p.expires ?? 0) * 1000) {
      return {ok: false, failure: 'SignatureExpired', message: 'Request has expired.', service: p.service}
    }
    // A URL dated in the future would otherwise stay valid until that date plus its expiry.
    if (signingDate.getTime() - now > MAX_SKEW_MS) {
      return {ok: false, failure: 'SignatureExpired', message: 'Request is not valid yet: its X-Amz-Date is in the future.', service: p.service}
    }
  } else if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
    return {
      ok: false,
      failure: 'SignatureExpired',
      message: `Signature expired: ${p.amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} - 15 min.)`,
      service: p.service,
    }
  }
  // Without host signed, a signature could be replayed to any endpoint (AWS requires it).
  if (!p.signedHeaders.includes('host')) {
    return {ok: false, failure: 'IncompleteSignature', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", service: p.service}
  }
  return undefined
}

async function check(req: ReceivedRequest, p: Parsed, known: Credentials, deferPayload: boolean): Promise<AuthResult> {
  const signingDate = parseAmzDate(p.amzDate)!
  const headers: Record<string, string> = {}
  for (const name of p.signedHeaders) {
    const v = req.headers[name]
    if (v === undefined) {
      return {ok: false, failure: 'SignatureDoesNotMatch', message: `The request signature we calculated does not match the signature you provided: signed header ${name} is missing.`, service: p.service}
    }
    headers[name] = Array.isArray(v) ? v.join(',') : v
  }
  const declared = headers['x-amz-content-sha256']
  const streaming = declared?.startsWith('STREAMING-') ?? false
  if (!deferPayload && declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && !streaming && declared !== (await sha256Hex(req.body))) {
    return {ok: false, failure: 'SignatureDoesNotMatch', message: 'The provided x-amz-content-sha256 header does not match what was computed.', service: p.service}
  }
  const query: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.query)) if (!p.presigned || !PRESIGN_PARAMS.includes(k)) query[k] = v
  const host = headers.host ?? ''
  const asSent = p.service === 's3'
  const request = {method: req.method, protocol: 'http:', hostname: host, path: asSent ? req.rawPath : safeDecodePath(req.rawPath), query, headers, body: req.body}
  const signer = signerFor(known, p.region, p.service, !asSent)
  const opts = {signingDate, signingRegion: p.region, signingService: p.service, signableHeaders: new Set(p.signedHeaders)}

  let expected: string | undefined
  if (p.presigned) {
    // A presigned S3 URL signs UNSIGNED-PAYLOAD as its payload hash (the SDK presigner and botocore do),
    // unless the header itself was signed.
    const unsigned = asSent && !('x-amz-content-sha256' in headers)
    const presignRequest = unsigned ? {...request, headers: {...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD'}} : request
    // What the client hoisted into the query is there already; the headers received stay headers.
    const unhoistableHeaders = new Set([...Object.keys(presignRequest.headers)])
    const presignOpts = unsigned ? {...opts, unhoistableHeaders, unsignableHeaders: new Set(['x-amz-content-sha256'])} : {...opts, unhoistableHeaders}
    const signed = await signer.presign(presignRequest, {...presignOpts, expiresIn: p.expires ?? 3600})
    expected = String(signed.query?.['X-Amz-Signature'] ?? '')
  } else {
    const signed = await signer.sign(request, opts)
    expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1]
  }
  if (!expected || !sameHex(expected, p.signature)) {
    return {
      ok: false,
      failure: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      service: p.service,
    }
  }
  const ok = {ok: true as const, accessKeyId: p.accessKeyId, service: p.service, region: p.region, ...(p.sessionToken !== undefined ? {sessionToken: p.sessionToken} : {})}
  if (!streaming || p.presigned || deferPayload) return ok
  const signed = declared === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || declared === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
  if (!signed && declared !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
    return {ok: false, failure: 'SignatureDoesNotMatch', message: `x-amz-content-sha256 ${declared} is not a supported payload signing method.`, service: p.service}
  }
  const decoded = await decodeAwsChunked(req.body, signed ? {signer: chunkSigner(signer, signingDate, p), seed: p.signature} : {})
  if (!decoded.ok) return {ok: false, failure: 'SignatureDoesNotMatch', message: decoded.message, service: p.service}
  const length = first(req.headers['x-amz-decoded-content-length'])
  if (length !== undefined && Number(length) !== decoded.body.length) {
    return {ok: false, failure: 'SignatureDoesNotMatch', message: `The decoded body is ${decoded.body.length} bytes, not x-amz-decoded-content-length ${length}.`, service: p.service}
  }
  return {...ok, body: decoded.body, trailers: decoded.trailers}
}

function chunkSigner(signer: SignatureV4, signingDate: Date, p: Parsed): ChunkSigner {
  const opts = {signingDate, signingRegion: p.region, signingService: p.service}
  return {
    chunk: (previous, data) => signer.sign({headers: new Uint8Array(0), payload: data}, {...opts, priorSignature: previous}),
    async trailer(previous, trailer) {
      const scope = `${p.date}/${p.region}/${p.service}/aws4_request`
      const toSign = ['AWS4-HMAC-SHA256-TRAILER', p.amzDate, scope, previous, await sha256Hex(Buffer.from(trailer, 'utf8'))].join('\n')
      return signer.sign(toSign, opts)
    },
  }
}

function parseAuth(req: Omit<ReceivedRequest, 'body'>): Parsed | Extract<AuthResult, {ok: false}> {
  const header = first(req.headers.authorization)
  if (header) {
    const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header.trim())
    if (!m) return {ok: false, failure: 'IncompleteSignature', message: `Authorization header requires the AWS4-HMAC-SHA256 algorithm.`}
    const fields: Record<string, string> = {}
    for (const part of m[1]!.split(',')) {
      const eq = part.indexOf('=')
      if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim()
    }
    const amzDate = first(req.headers['x-amz-date'])
    return withToken(fromFields(fields.Credential, fields.SignedHeaders, fields.Signature, amzDate, undefined, false), first(req.headers['x-amz-security-token']))
  }
  if (req.query['X-Amz-Signature'] !== undefined) {
    if (req.query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') {
      return {ok: false, failure: 'IncompleteSignature', message: 'X-Amz-Algorithm must be AWS4-HMAC-SHA256.'}
    }
    const expires = Number(req.query['X-Amz-Expires'] ?? '3600')
    return withToken(fromFields(req.query['X-Amz-Credential'], req.query['X-Amz-SignedHeaders'], req.query['X-Amz-Signature'], req.query['X-Amz-Date'], expires, true), req.query['X-Amz-Security-Token'])
  }
  return {ok: false, failure: 'MissingAuthenticationToken', message: 'Missing Authentication Token'}
}

function withToken(p: Parsed | Extract<AuthResult, {ok: false}>, token: string | undefined): Parsed | Extract<AuthResult, {ok: false}> {
  return 'accessKeyId' in p && token !== undefined ? {...p, sessionToken: token} : p
}

function fromFields(
  credential: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
  amzDate: string | undefined,
  expires: number | undefined,
  presigned: boolean,
): Parsed | Extract<AuthResult, {ok: false}> {
  const missing = [!credential && 'Credential', !signedHeaders && 'SignedHeaders', !signature && 'Signature', !amzDate && 'X-Amz-Date'].filter(Boolean)
  if (missing.length > 0) {
    return {ok: false, failure: 'IncompleteSignature', message: `Authorization is missing ${missing.join(', ')}.`}
  }
  const scope = credential!.split('/')
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return {ok: false, failure: 'IncompleteSignature', message: `Credential should be scoped to a valid region, service and aws4_request. Got '${credential}'.`}
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string]
  if (expires !== undefined && !(Number.isInteger(expires) && expires > 0 && expires <= 604800)) {
    return {ok: false, failure: 'IncompleteSignature', message: 'X-Amz-Expires must be between 1 and 604800 seconds.', service}
  }
  return {accessKeyId, date, region, service, signedHeaders: signedHeaders!.toLowerCase().split(';'), signature: signature!, amzDate: amzDate!, expires, presigned}
}

// Signers cache their derived signing keys (per day, region and service), so they are kept.
const signers = new Map<string, SignatureV4>()

function signerFor(known: Credentials, region: string, service: string, uriEscapePath: boolean): SignatureV4 {
  const key = `${known.accessKeyId}\0${known.secretAccessKey}\0${region}\0${service}\0${uriEscapePath}`
  let signer = signers.get(key)
  if (!signer) {
    if (signers.size > 64) signers.clear()
    signer = new SignatureV4({credentials: known, region, service, sha256: Sha256, applyChecksum: false, uriEscapePath})
    signers.set(key, signer)
  }
  return signer
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) return undefined
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
  return Number.isNaN(d.getTime()) ? undefined : d
}

function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

function safeDecodePath(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** The payload hash with Node's native SHA-256: the pure-JS one the signer uses costs ~20 ms per MiB. */
async function sha256Hex(body: Uint8Array): Promise<string> {
  return createHash('sha256').update(body).digest('hex')
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}
