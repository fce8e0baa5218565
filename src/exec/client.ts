// The client side of a session: dial the stream URL, authenticate with the token, answer the agent's
// handshake (session type, KMS encryption, the encryption challenge), then carry keystrokes, terminal
// sizes and stdin up, and output, stderr and the exit code down.
import {randomUUID} from 'node:crypto'
import WebSocket from 'ws'

import {DataChannel} from './channel.js'
import {type ClientMessage, decodeExitCode, decodeFlag, encodeUint32} from './codec.js'
import {type ExecKms, SessionCipher, sessionEncryptionContext} from './crypto.js'
import {CLOSE_TOKEN_REFUSED, SessionError, SessionKmsError, SessionRefusedError} from './errors.js'
import {jsonPayload, kmsEncryptionResult, parseJson, processed} from './handshake.js'
import {
  ActionStatus,
  ActionType,
  type ChannelClosedPayload,
  type EncryptionChallenge,
  type HandshakeCompletePayload,
  type HandshakeRequestPayload,
  type KmsEncryptionRequest,
  type OpenDataChannelInput,
  PayloadFlag,
  PayloadType,
  PIER_CLIENT_VERSION,
  type ProcessedClientAction,
  type SessionTypeRequest,
} from './protocol.js'

export interface DialOptions {
  streamUrl: string
  tokenValue: string
  /** Needed when the agent asks for KMS encryption. */
  kms?: ExecKms
  /** SSM target (`ecs:<cluster>_<taskId>_<runtimeId>`), bound into the KMS encryption context. */
  targetId?: string
  /** Interactive sessions send a lone LF as CR, like AWS's plugin. */
  interactive?: boolean
  clientVersion?: string
  /** Gives up opening the session (connect + handshake) after this long. */
  timeoutMs?: number
}

export interface SessionResult {
  /** The remote command's exit code, when the agent reported one. */
  exitCode?: number
  /** exit: exit code received; closed: channel_closed; terminated: terminate flag; disconnected: the websocket dropped. */
  reason: 'exit' | 'closed' | 'terminated' | 'disconnected'
  message?: string
}

const INPUT_CHUNK = 1024

export class ClientSession {
  readonly sessionId: string
  readonly done: Promise<SessionResult>
  sessionType: string | undefined
  customerMessage = ''
  private readonly channel: DataChannel
  private cipher: SessionCipher | undefined
  private readonly queue: ClientMessage[] = []
  private busy = false
  private readyState: 'opening' | 'ready' | 'ended' = 'opening'
  private resolveReady!: () => void
  private rejectReady!: (e: Error) => void
  readonly ready: Promise<void>
  private resolveDone!: (r: SessionResult) => void
  private readonly stdout: ((d: Buffer) => void)[] = []
  private readonly stderr: ((d: Buffer) => void)[] = []
  private readonly held: {stream: 'out' | 'err'; data: Buffer}[] = []
  private readonly pingTimer: NodeJS.Timeout
  /** Why the client could not set up the encryption the agent asked for. */
  private kmsFailure: {keyId: string; reason: string} | undefined

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: DialOptions,
  ) {
    this.sessionId = sessionIdFromUrl(opts.streamUrl)
    this.ready = new Promise((res, rej) => {
      this.resolveReady = res
      this.rejectReady = rej
    })
    this.ready.catch(() => {})
    this.done = new Promise((res) => (this.resolveDone = res))
    this.channel = new DataChannel({
      side: 'client',
      send: (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(frame)
      },
      onData: (m) => this.enqueue(m),
      onControl: (m) => this.onControl(m),
      onFatal: (e) => this.fail(new SessionError(e.message)),
    })
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.channel.receive(toBuffer(data))
    })
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()))
    ws.on('error', (e) => this.fail(new SessionError(`the session's connection failed: ${e.message}`, {cause: e})))
    this.pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.ping(), 5 * 60_000)
    this.pingTimer.unref()
  }

  get stats() {
    return this.channel.stats
  }

  get encrypted(): boolean {
    return this.cipher !== undefined
  }

  onStdout(cb: (d: Buffer) => void): void {
    this.stdout.push(cb)
    this.flushHeld()
  }

  onStderr(cb: (d: Buffer) => void): void {
    this.stderr.push(cb)
    this.flushHeld()
  }

  /** Keystrokes or stdin bytes, chunked as AWS's plugin does. Empty input is sent as one empty message. */
  sendInput(data: Buffer): void {
    let d = data
    if (this.opts.interactive && d.length === 1 && d[0] === 0x0a) d = Buffer.from([0x0d])
    if (d.length === 0) {
      this.channel.sendStream(PayloadType.Output, this.cipher ? this.cipher.encrypt(d) : Buffer.alloc(0))
      return
    }
    for (let i = 0; i < d.length; i += INPUT_CHUNK) {
      const chunk = d.subarray(i, i + INPUT_CHUNK)
      this.channel.sendStream(PayloadType.Output, this.cipher ? this.cipher.encrypt(chunk) : Buffer.from(chunk))
    }
  }

  resize(cols: number, rows: number): void {
    if (cols > 0 && rows > 0) this.channel.sendStream(PayloadType.Size, jsonPayload({cols, rows}))
  }

  /** Tells the agent stdin has reached its end (non-interactive sessions). */
  closeInput(): void {
    this.channel.sendStream(PayloadType.Flag, encodeUint32(PayloadFlag.DisconnectToPort))
  }

  /** Asks the agent to end the session, waits briefly for it to be acknowledged, then closes. */
  async terminate(): Promise<void> {
    if (this.readyState === 'ended') return
    this.channel.sendStream(PayloadType.Flag, encodeUint32(PayloadFlag.TerminateSession))
    await Promise.race([this.channel.drained(), new Promise((r) => setTimeout(r, 1000).unref())])
    this.finish({reason: 'terminated'})
  }

  close(): void {
    this.finish({reason: 'closed'})
  }

  private flushHeld(): void {
    const held = this.held.splice(0)
    for (const h of held) this.emit(h.stream, h.data)
  }

  // Output that arrives before anyone listens to its stream is held for the first listener.
  private emit(stream: 'out' | 'err', data: Buffer): void {
    const list = stream === 'out' ? this.stdout : this.stderr
    if (list.length === 0) this.held.push({stream, data})
    else for (const cb of list) cb(data)
  }

  private enqueue(m: ClientMessage): void {
    this.queue.push(m)
    if (!this.busy) void this.drainQueue()
  }

  // Messages are handled strictly in order; the KMS call during the handshake is the only await.
  private async drainQueue(): Promise<void> {
    this.busy = true
    try {
      while (this.queue.length > 0 && this.readyState !== 'ended') {
        const m = this.queue.shift()!
        const pending = this.handle(m)
        if (pending) await pending
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)))
    } finally {
      this.busy = false
    }
  }

  private handle(m: ClientMessage): Promise<void> | undefined {
    switch (m.payloadType) {
      case PayloadType.HandshakeRequest:
        return this.onHandshakeRequest(parseJson<HandshakeRequestPayload>(m.payload, 'handshake request'))
      case PayloadType.EncChallengeRequest:
        this.onChallenge(parseJson<EncryptionChallenge>(m.payload, 'encryption challenge'))
        return
      case PayloadType.HandshakeComplete: {
        const c = parseJson<HandshakeCompletePayload>(m.payload, 'handshake complete')
        this.customerMessage = c.CustomerMessage ?? ''
        this.readyState = 'ready'
        this.resolveReady()
        return
      }
      case PayloadType.Output:
        this.emit('out', this.open(m.payload))
        return
      case PayloadType.StdErr:
        this.emit('err', this.open(m.payload))
        return
      case PayloadType.ExitCode:
        this.finish({reason: 'exit', exitCode: decodeExitCode(this.open(m.payload))})
        return
      case PayloadType.Flag:
        if (decodeFlag(m.payload) === PayloadFlag.TerminateSession) this.finish({reason: 'terminated'})
        return
      default:
        return
    }
  }

  private open(payload: Buffer): Buffer {
    return this.cipher ? this.cipher.decrypt(payload) : payload
  }

  private async onHandshakeRequest(req: HandshakeRequestPayload): Promise<void> {
    const actions: ProcessedClientAction[] = []
    const errors: string[] = []
    for (const a of req.RequestedClientActions ?? []) {
      if (a.ActionType === ActionType.SessionType) {
        this.sessionType = (a.ActionParameters as SessionTypeRequest).SessionType
        actions.push(processed(a.ActionType, ActionStatus.Success))
      } else if (a.ActionType === ActionType.KMSEncryption) {
        const keyId = (a.ActionParameters as KmsEncryptionRequest).KMSKeyId
        try {
          const result = await this.setUpEncryption(keyId)
          actions.push(processed(a.ActionType, ActionStatus.Success, {ActionResult: result}))
        } catch (e) {
          this.kmsFailure = {keyId, reason: (e as Error).message}
          const msg = `Failed to process action KMSEncryption: ${(e as Error).message}`
          errors.push(msg)
          actions.push(processed(a.ActionType, ActionStatus.Failed, {Error: msg}))
        }
      } else {
        const msg = `Unsupported action ${a.ActionType}`
        errors.push(msg)
        actions.push(processed(a.ActionType, ActionStatus.Unsupported, {Error: msg}))
      }
    }
    this.channel.sendStream(
      PayloadType.HandshakeResponse,
      jsonPayload({ClientVersion: this.opts.clientVersion ?? PIER_CLIENT_VERSION, ProcessedClientActions: actions, Errors: errors.length ? errors : null}),
    )
  }

  private async setUpEncryption(keyId: string) {
    if (!this.opts.kms) throw new Error('the agent asked for KMS encryption and no KMS client was given')
    const context = sessionEncryptionContext(this.sessionId, this.opts.targetId ?? '')
    const out = await this.opts.kms.generateDataKey({KeyId: keyId, NumberOfBytes: 64, EncryptionContext: context})
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key')
    this.cipher = SessionCipher.fromDataKey(Buffer.from(out.Plaintext), 'client')
    return kmsEncryptionResult(Buffer.from(out.CiphertextBlob))
  }

  private onChallenge(c: EncryptionChallenge): void {
    if (!this.cipher) throw new SessionError('the agent sent an encryption challenge, but encryption was not set up')
    const plain = this.cipher.decrypt(Buffer.from(c.Challenge, 'base64'))
    this.channel.sendStream(PayloadType.EncChallengeResponse, jsonPayload({Challenge: this.cipher.encrypt(plain).toString('base64')}))
  }

  private onControl(m: ClientMessage): void {
    if (m.messageType !== 'channel_closed') return
    let output: string
    try {
      output = (JSON.parse(m.payload.toString('utf8')) as Partial<ChannelClosedPayload>).Output ?? ''
    } catch {
      output = m.payload.toString('utf8')
    }
    if (this.readyState === 'opening') {
      if (this.kmsFailure) this.fail(new SessionKmsError(this.kmsFailure.keyId, this.kmsFailure.reason))
      else this.fail(new SessionError(output || 'the agent closed the session during the handshake'))
    }
    else this.finish({reason: 'closed', ...(output ? {message: output} : {})})
  }

  private onClose(code: number, reason: string): void {
    if (this.readyState === 'opening') {
      if (code === CLOSE_TOKEN_REFUSED || code === 1008) this.fail(new SessionRefusedError(reason || 'the token was not accepted'))
      else this.fail(new SessionError(`the session closed before it was ready (websocket code ${code}${reason ? `: ${reason}` : ''})`))
      return
    }
    this.finish({reason: 'disconnected'})
  }

  /** Fails the opening (or ends an open session as disconnected). */
  fail(e: Error): void {
    if (this.readyState === 'opening') {
      this.readyState = 'ended'
      this.rejectReady(e)
      this.teardown()
      this.resolveDone({reason: 'disconnected', message: e.message})
      return
    }
    this.finish({reason: 'disconnected', message: e.message})
  }

  private finish(r: SessionResult): void {
    if (this.readyState === 'ended') return
    this.readyState = 'ended'
    this.teardown()
    this.resolveDone(r)
  }

  private teardown(): void {
    clearInterval(this.pingTimer)
    this.channel.close()
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000)
  }
}

/** Opens a session and resolves once the handshake is complete. */
export async function dialSession(opts: DialOptions): Promise<ClientSession> {
  const ws = new WebSocket(opts.streamUrl, {perMessageDeflate: false, handshakeTimeout: opts.timeoutMs ?? 15_000})
  const session = new ClientSession(ws, opts)
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0
      reject(status === 401 || status === 403 ? new SessionRefusedError(`HTTP ${status}`) : new SessionError(`the stream URL answered HTTP ${status}`))
    })
    ws.once('error', (e) => reject(new SessionError(`could not connect to the session's stream URL: ${e.message}`, {cause: e})))
  })
  const timeout = opts.timeoutMs ?? 15_000
  let timer: NodeJS.Timeout | undefined
  try {
    await opened
    const open: OpenDataChannelInput = {
      MessageSchemaVersion: '1.0',
      RequestId: randomUUID(),
      TokenValue: opts.tokenValue,
      ClientId: randomUUID(),
      ClientVersion: opts.clientVersion ?? PIER_CLIENT_VERSION,
    }
    ws.send(JSON.stringify(open))
    await Promise.race([
      session.ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SessionError(`the agent did not complete the handshake within ${timeout} ms`)), timeout)
        timer.unref()
      }),
    ])
    return session
  } catch (e) {
    session.fail(e as Error)
    ws.terminate()
    throw e
  } finally {
    clearTimeout(timer)
  }
}

function sessionIdFromUrl(url: string): string {
  try {
    const path = new URL(url).pathname
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
  } catch {
    return ''
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}
