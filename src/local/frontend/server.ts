// The frontend: one HTTP server on loopback for every service. It refuses non-loopback peers, reads the
// body within a limit, verifies SigV4, dispatches by protocol (JSON 1.1 by X-Amz-Target prefix; the
// query protocol by the credential scope's service name; REST services such as S3 by that name when the
// request carries neither) and answers in the protocol's own shapes.
// WebSocket upgrades on registered path prefixes go to their handlers (the exec broker).

import {randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import {authErrorCode, ec2WireError, jsonError, restError, wireError, xmlError, type Protocol, type WireError} from './errors.js'
import {precheckSigV4, signedWithoutBody, verifySigV4, type Credentials, type KnownKeys} from './sigv4.js'
import {ServiceError, type JsonService, type QueryService, type RequestContext, type RestResponse, type RestService} from './types.js'
import {ec2Response, queryResponse} from './xml.js'

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024

export interface FrontendOptions {
  credentials: Credentials
  /** The temporary keys STS issued (AssumeRole): the signing key of one, given its session token. */
  sessionKeys?: (accessKeyId: string, sessionToken: string | undefined) => Credentials | undefined
  region: string
  accountId: string
  /** Largest request body accepted, in bytes (default 16 MiB). */
  bodyLimit?: number
  /** Where internal failures are reported (a line each). */
  log?: (line: string) => void
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/** Loopback peers only: 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const a = address.startsWith('::ffff:') ? address.slice(7) : address
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
}

export class Frontend {
  readonly server: Server
  private readonly json = new Map<string, JsonService>()
  private readonly query = new Map<string, QueryService>()
  private readonly rest = new Map<string, RestService>()
  private readonly upgrades: {prefix: string; handler: UpgradeHandler}[] = []
  private readonly bodyLimit: number

  constructor(private readonly opts: FrontendOptions) {
    this.bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT
    this.server = createServer({keepAlive: true}, (req, res) => void this.onRequest(req, res))
    // SDK clients keep sockets open; a long idle timeout avoids racing a reused socket against our close.
    this.server.keepAliveTimeout = 60_000
    this.server.headersTimeout = 65_000
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head))
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      else socket.destroy()
    })
  }

  registerJson(service: JsonService): void {
    this.json.set(service.targetPrefix, service)
  }

  registerQuery(service: QueryService): void {
    this.query.set(service.signingName, service)
  }

  registerRest(service: RestService): void {
    this.rest.set(service.signingName, service)
  }

  jsonService(targetPrefix: string): JsonService | undefined {
    return this.json.get(targetPrefix)
  }

  addUpgradeHandler(pathPrefix: string, handler: UpgradeHandler): void {
    this.upgrades.push({prefix: pathPrefix, handler})
  }

  context(requestId: string = randomUUID(), accessKeyId = this.opts.credentials.accessKeyId, region = this.opts.region, sessionToken?: string): RequestContext {
    return {requestId, region, accountId: this.opts.accountId, accessKeyId, ...(sessionToken !== undefined ? {sessionToken} : {})}
  }

  /** The long-term key, and the temporary ones STS issued. */
  private readonly keys: KnownKeys = (accessKeyId, sessionToken) =>
    accessKeyId === this.opts.credentials.accessKeyId ? this.opts.credentials : this.opts.sessionKeys?.(accessKeyId, sessionToken)

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err)
      this.server.once('error', onError)
      this.server.listen(port, host, () => {
        this.server.off('error', onError)
        const addr = this.server.address()
        resolve(typeof addr === 'object' && addr ? addr.port : port)
      })
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve()
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  /** The request listener, exposed so tests can drive it with a request from any peer address. */
  readonly onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID()
    const url = new URL(req.url ?? '/', 'http://local')
    // An unsigned request has no scope: one that cannot be the query protocol (not a POST, no Action)
    // is taken for S3, so that `curl` of an object gets S3's AccessDenied document.
    const restName = scopeService(req, url) ?? (req.method === 'POST' ? undefined : 's3')
    const rest = req.headers['x-amz-target'] || url.searchParams.has('Action') ? undefined : this.rest.get(restName ?? '')
    const protocol: Protocol = req.headers['x-amz-target'] ? 'json' : rest ? 'rest' : 'query'
    try {
      if (!isLoopback(req.socket.remoteAddress)) {
        req.resume()
        return send(res, wireError(protocol, 'AccessDeniedException', 'The local control plane only accepts requests from loopback addresses.', 403, requestId), true)
      }
      if (req.method === 'GET' && req.url === '/_pier/health') {
        return send(res, {status: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify({ok: true, pid: process.pid})})
      }
      const query = Object.fromEntries(url.searchParams)
      // S3 keys may hold `.`/`..` segments and double slashes, which URL parsing would resolve away.
      const rawPath = rest ? (req.url ?? '/').split('?')[0]! : url.pathname
      const limit = rest?.bodyLimit ?? this.bodyLimit
      if (Number(req.headers['content-length'] ?? 0) > limit) {
        req.resume()
        const message = `Request body exceeds the limit of ${limit} bytes.`
        return send(res, wireError(protocol, rest ? 'EntityTooLarge' : 'RequestEntityTooLargeException', message, 413, requestId), true)
      }
      // What can be refused without the body is refused before it is read: an unsigned or garbled
      // request never costs the memory of the body it sends.
      const early = precheckSigV4({method: req.method ?? 'GET', rawPath, query, headers: req.headers}, this.keys)
      if (early) {
        req.resume()
        return this.refuse(res, protocol, early, requestId)
      }
      // A signature scoped to one service does not open another.
      const target = req.headers['x-amz-target']
      if (protocol === 'json' && typeof target === 'string') {
        const service = this.json.get(target.slice(0, Math.max(0, target.lastIndexOf('.'))))
        const scoped = scopeService(req, url)
        if (service && scoped !== service.signingName) {
          req.resume()
          return send(res, jsonError('InvalidSignatureException', `Credential should be scoped to correct service: '${service.signingName}'.`, 403, requestId), true)
        }
      }
      // A signature that does not depend on the body (its hash is declared) is checked before the body
      // is read: a wrong one costs no memory either.
      if (signedWithoutBody({method: req.method ?? 'GET', rawPath, query, headers: req.headers})) {
        const pre = await verifySigV4({method: req.method ?? 'GET', rawPath, query, headers: req.headers, body: new Uint8Array(0)}, this.keys, Date.now(), {deferPayload: true})
        if (!pre.ok) {
          req.resume()
          return this.refuse(res, protocol, pre, requestId)
        }
      }
      const body = await readBody(req, limit)
      if (body === 'too-large') {
        const message = `Request body exceeds the limit of ${limit} bytes.`
        return send(res, wireError(protocol, rest ? 'EntityTooLarge' : 'RequestEntityTooLargeException', message, 413, requestId), true)
      }
      const auth = await verifySigV4({method: req.method ?? 'GET', rawPath, query, headers: req.headers, body}, this.keys)
      if (!auth.ok) return this.refuse(res, protocol, auth, requestId)
      const ctx = this.context(requestId, auth.accessKeyId, auth.region, auth.sessionToken)
      if (rest) {
        const restReq = {method: req.method ?? 'GET', rawPath, query, headers: {...req.headers, ...auth.trailers}, body: auth.body ?? body}
        return sendRest(res, await dispatchRest(rest, restReq, ctx))
      }
      if (protocol === 'json') {
        // JSON 1.0 (SQS, Step Functions) and 1.1 differ only in the content type, which the answer echoes.
        const type = String(req.headers['content-type'] ?? '')
        const contentType = type.startsWith('application/x-amz-json-1.0') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1'
        return send(res, withType(await this.dispatchJson(String(req.headers['x-amz-target']), body, ctx), contentType))
      }
      return send(res, await this.dispatchQuery(auth.service, req, query, body, ctx))
    } catch (err) {
      this.opts.log?.(`request ${requestId} failed: ${(err as Error).stack ?? String(err)}`)
      if (!res.headersSent) send(res, wireError(protocol, 'InternalFailure', 'The request processing has failed because of an unknown error.', 500, requestId))
      else res.destroy()
    }
  }

  private refuse(res: ServerResponse, protocol: Protocol, auth: {failure: Parameters<typeof authErrorCode>[1]; message: string; service?: string}, requestId: string): void {
    const signed = auth.service ? this.query.get(auth.service) : undefined
    if (protocol === 'query' && signed?.dialect === 'ec2') return send(res, ec2WireError(authErrorCode(protocol, auth.failure), auth.message, 403, requestId), true)
    return send(res, wireError(protocol, authErrorCode(protocol, auth.failure), auth.message, 403, requestId, signed?.xmlns), true)
  }

  private async dispatchJson(target: string, body: Uint8Array, ctx: RequestContext): Promise<WireError> {
    const dot = target.lastIndexOf('.')
    const service = dot > 0 ? this.json.get(target.slice(0, dot)) : undefined
    if (!service) return jsonError('UnknownOperationException', `Unknown target ${target}.`, 400, ctx.requestId)
    let input: unknown
    try {
      input = body.length === 0 ? {} : JSON.parse(Buffer.from(body).toString('utf8'))
    } catch {
      return jsonError('SerializationException', 'The request body is not valid JSON.', 400, ctx.requestId)
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return jsonError('SerializationException', 'The request body must be a JSON object.', 400, ctx.requestId)
    }
    try {
      const result = await service.handle(target.slice(dot + 1), input as Record<string, unknown>, ctx)
      return {
        status: 200,
        headers: {'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': ctx.requestId},
        body: toJsonWire(result ?? {}),
      }
    } catch (err) {
      if (err instanceof ServiceError) return jsonError(err.code, err.message, err.status, ctx.requestId, (err as {fields?: Record<string, unknown>}).fields)
      throw err
    }
  }

  private async dispatchQuery(signingName: string, req: IncomingMessage, query: Record<string, string>, body: Uint8Array, ctx: RequestContext): Promise<WireError> {
    const service = this.query.get(signingName)
    const params: Record<string, string> = {...query}
    if (req.method === 'POST' && body.length > 0) {
      const type = String(req.headers['content-type'] ?? '')
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        return xmlError('InvalidParameterValue', `Content-Type ${type || '(none)'} is not supported; use application/x-www-form-urlencoded.`, 400, ctx.requestId, service?.xmlns)
      }
      for (const [k, v] of new URLSearchParams(Buffer.from(body).toString('utf8'))) params[k] = v
    }
    if (!service) return xmlError('InvalidAction', `No query-protocol service answers to the signing name ${signingName}.`, 400, ctx.requestId)
    const fail = (code: string, message: string, status = 400): WireError =>
      service.dialect === 'ec2' ? ec2WireError(code, message, status, ctx.requestId) : xmlError(code, message, status, ctx.requestId, service.xmlns)
    const action = params.Action
    if (!action) return fail('MissingAction', 'The request must contain the parameter Action.')
    if (params.Version && params.Version !== service.version) return fail('InvalidAction', `Could not find operation ${action} for version ${params.Version}.`)
    try {
      const result = await service.handle(action, params, ctx)
      const body = service.dialect === 'ec2' ? ec2Response(action, service.xmlns, result, ctx.requestId) : queryResponse(action, service.xmlns, result, ctx.requestId)
      return {status: 200, headers: {'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId}, body}
    } catch (err) {
      if (err instanceof ServiceError) return fail(err.code, err.message, err.status)
      throw err
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0]!
    const route = this.upgrades.find((u) => path.startsWith(u.prefix))
    if (!isLoopback(req.socket.remoteAddress) || !route) {
      socket.end(`HTTP/1.1 ${route ? '403 Forbidden' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    try {
      route.handler(req, socket, head)
    } catch (err) {
      this.opts.log?.(`upgrade ${path} failed: ${(err as Error).stack ?? String(err)}`)
      socket.destroy()
    }
  }
}

/** JSON 1.1 timestamps are epoch seconds; services may return Date objects. */
export function toJsonWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key]
    return raw instanceof Date ? raw.getTime() / 1000 : v
  })
}

async function dispatchRest(service: RestService, req: Parameters<RestService['handle']>[0], ctx: RequestContext): Promise<RestResponse> {
  try {
    const r = await service.handle(req, ctx)
    return {...r, headers: {'x-amz-request-id': ctx.requestId, ...r.headers}}
  } catch (err) {
    if (err instanceof ServiceError) return restError(err.code, err.message, err.status, ctx.requestId)
    throw err
  }
}

/** The service name of the SigV4 credential scope (header or presigned query), before verification. */
function scopeService(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization
  const credential = header ? /Credential=([^,\s]+)/.exec(String(header))?.[1] : url.searchParams.get('X-Amz-Credential')
  return credential?.split('/')[3]
}

function sendRest(res: ServerResponse, r: RestResponse): void {
  const body = r.body === undefined ? undefined : typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body
  const headers: Record<string, string | number> = {...r.headers}
  // A HEAD answer declares the length of what GET would send, and sends nothing.
  if (body !== undefined) headers['content-length'] = body.length
  else if (headers['content-length'] === undefined) headers['content-length'] = 0
  res.writeHead(r.status, headers)
  res.end(body)
}

function withType(r: WireError, contentType: string): WireError {
  return {...r, headers: {...r.headers, 'content-type': contentType}}
}

function send(res: ServerResponse, r: WireError, close = false): void {
  const body = Buffer.from(r.body, 'utf8')
  res.writeHead(r.status, {...r.headers, 'content-length': body.length, ...(close ? {connection: 'close'} : {})})
  res.end(body)
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) {
    req.resume()
    return Promise.resolve('too-large')
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) over = true
      else chunks.push(c)
    })
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
