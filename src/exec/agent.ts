// The agent side of a session, as the SSM agent inside a task runs it: send the handshake request
// (session type, optionally KMS encryption), check the client's answer and the encryption challenge,
// then start the command and stream its output (and, unlike ECS, its stderr and exit code when asked);
// keystrokes, terminal sizes and flags from the client go to the process. The websocket is already
// authenticated by the caller.
import {randomBytes} from 'node:crypto'
import {DataChannel} from './channel.js'
import {type ClientMessage, decodeFlag, encodeUint32, newMessageId} from './codec.js'
import {type AgentKms, SessionCipher, sessionEncryptionContext} from './crypto.js'
import {type FrameSocket, OPEN} from './socket.js'
import {handshakeRequest, jsonPayload, parseJson, readHandshakeResponse} from './handshake.js'
import {
  type ChannelClosedPayload,
  type EncryptionChallenge,
  type HandshakeResponsePayload,
  MessageType,
  PayloadFlag,
  PayloadType,
  PIER_AGENT_VERSION,
  type SessionTypeName,
  type TerminalSize,
} from './protocol.js'

/** What the agent side drives: the same shape as the local agent's ExecProcess. */
export interface SessionProcess {
  write(data: Buffer): void
  closeStdin(): void
  resize(cols: number, rows: number): void
  signal(sig: NodeJS.Signals): void
  onStdout(cb: (data: Buffer) => void): void
  onStderr(cb: (data: Buffer) => void): void
  onExit(cb: (code: number) => void): void
}

export interface AgentSessionOptions {
  sessionId: string
  targetId?: string
  sessionType?: SessionTypeName
  /** Asks the client for KMS encryption with this key, and decrypts the data key with it. */
  kms?: AgentKms
  /** Largest output payload per message. */
  chunkSize?: number
  /** Ends the session if the handshake does not complete in time. */
  handshakeTimeoutMs?: number
  /** Initial terminal size passed to a process factory. */
  size?: TerminalSize
  /**
   * Whether the command gets a terminal. `always`: yes, and it starts as soon as the handshake is
   * complete, as the SSM agent of an ECS task does. `client`: the client decides with its first
   * message after the handshake: a terminal size (what terminal clients, AWS's plugin included, send
   * first) means yes, input or end-of-input means no; a client that sends nothing within
   * `firstMessageWaitMs` gets a terminal. Absent: the process factory is told nothing.
   */
  terminal?: 'always' | 'client'
  /** How long `terminal: 'client'` waits for the client's first message (default 200 ms). */
  firstMessageWaitMs?: number
  /** Report the command's exit code as a last stream message (the SSM agent of ECS does not). Default true. */
  reportExitCode?: boolean
  /** Close the command's stdin on the client's disconnect-to-port flag (the SSM agent's shell sessions ignore it). Default true. */
  endInputOnFlag?: boolean
}

export interface AgentSessionResult {
  exitCode?: number
  /** Why the session ended without an exit code. */
  error?: string
}

/** Starts the command: with the terminal size known so far, and whether it gets a terminal. */
export type ProcessFactory = (size: TerminalSize | undefined, tty: boolean | undefined) => SessionProcess
type ProcessSource = SessionProcess | ProcessFactory

/**
 * Runs one session over `ws`. `process` is the command's handle, or a factory called once the
 * handshake is complete (so a command never starts for a session nobody finished opening).
 */
export function runAgentSession(ws: FrameSocket, process: ProcessSource, opts: AgentSessionOptions): Promise<AgentSessionResult> {
  return new AgentSession(ws, process, opts).run()
}

class AgentSession {
  private readonly channel: DataChannel
  private cipher: SessionCipher | undefined
  private challenge: Buffer | undefined
  private proc: SessionProcess | undefined
  private state: 'handshake' | 'challenge' | 'waiting' | 'running' | 'exiting' | 'ended' = 'handshake'
  private size: TerminalSize | undefined
  private sizeFirst = false
  private readonly pendingInput: ClientMessage[] = []
  private resolve!: (r: AgentSessionResult) => void
  private readonly started = Date.now()
  private lastOutputAt = 0
  private held: Buffer[] = []
  private heldBytes = 0
  private heldType: number = PayloadType.Output
  private flushQueued = false
  private handshakeTimer: NodeJS.Timeout | undefined
  private firstMessageTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly ws: FrameSocket,
    private readonly source: ProcessSource,
    private readonly opts: AgentSessionOptions,
  ) {
    this.size = opts.size
    this.channel = new DataChannel({
      side: 'agent',
      send: (frame) => {
        if (ws.readyState === OPEN) ws.send(frame)
      },
      onData: (m) => this.onData(m),
      onFatal: (e) => this.end({error: e.message}),
    })
  }

  run(): Promise<AgentSessionResult> {
    const done = new Promise<AgentSessionResult>((r) => (this.resolve = r))
    this.ws.on('message', (data: Buffer | Buffer[], isBinary: boolean) => {
      if (isBinary) this.channel.receive(Buffer.isBuffer(data) ? data : Buffer.concat(data))
    })
    this.ws.on('close', () => this.end({error: 'the client disconnected'}))
    this.ws.on('error', () => this.end({error: 'the connection failed'}))
    this.handshakeTimer = setTimeout(() => this.refuse('the client did not complete the handshake in time'), this.opts.handshakeTimeoutMs ?? 30_000)
    this.handshakeTimer.unref()
    const req = handshakeRequest(PIER_AGENT_VERSION, {SessionType: this.opts.sessionType ?? 'InteractiveCommands', Properties: {}}, this.opts.kms?.keyId)
    this.channel.sendStream(PayloadType.HandshakeRequest, jsonPayload(req))
    return done
  }

  private onData(m: ClientMessage): void {
    switch (this.state) {
      case 'handshake':
        if (m.payloadType === PayloadType.HandshakeResponse) void this.onHandshakeResponse(m)
        else this.early(m)
        return
      case 'challenge':
        if (m.payloadType === PayloadType.EncChallengeResponse) this.onChallengeResponse(m)
        else this.early(m)
        return
      case 'waiting': {
        clearTimeout(this.firstMessageTimer)
        const tty = m.payloadType === PayloadType.Size
        if (tty) this.size = this.readSize(m) ?? this.size
        else this.pendingInput.push(m)
        this.startProcess(tty)
        return
      }
      case 'running':
        this.toProcess(m)
        return
      default:
        return
    }
  }

  /** Size or input sent before the process runs is replayed once it does. */
  private early(m: ClientMessage): void {
    if (m.payloadType === PayloadType.Size) {
      this.size = this.readSize(m) ?? this.size
      if (this.pendingInput.length === 0) this.sizeFirst = true
    } else this.pendingInput.push(m)
  }

  private async onHandshakeResponse(m: ClientMessage): Promise<void> {
    this.state = 'challenge'
    let r: ReturnType<typeof readHandshakeResponse>
    try {
      r = readHandshakeResponse(parseJson<HandshakeResponsePayload>(m.payload, 'handshake response'))
    } catch (e) {
      // Thrown here, it would be an unhandled rejection: a client could bring the whole agent down.
      return this.refuse(`the client's handshake response could not be read: ${(e as Error).message}`)
    }
    if (!r.sessionTypeAccepted) return this.refuse(`the client did not accept the session type${r.failures.length ? `: ${r.failures.join('; ')}` : ''}`)
    if (!this.opts.kms) return this.complete()
    if (!r.ciphertextKey) return this.refuse(`this session requires KMS encryption and the client did not set it up${r.failures.length ? `: ${r.failures.join('; ')}` : ''}`)
    try {
      const key = await this.opts.kms.decrypt(r.ciphertextKey, sessionEncryptionContext(this.opts.sessionId, this.opts.targetId ?? ''))
      this.cipher = SessionCipher.fromDataKey(key, 'agent')
    } catch (e) {
      return this.refuse(`the session's data key could not be decrypted: ${(e as Error).message}`)
    }
    this.challenge = randomBytes(64)
    this.channel.sendStream(PayloadType.EncChallengeRequest, jsonPayload({Challenge: this.cipher.encrypt(this.challenge).toString('base64')}))
  }

  private onChallengeResponse(m: ClientMessage): void {
    try {
      const c = parseJson<EncryptionChallenge>(m.payload, 'encryption challenge response')
      const answer = this.cipher!.decrypt(Buffer.from(c.Challenge, 'base64'))
      if (!this.challenge || !answer.equals(this.challenge)) return this.refuse('the encryption challenge failed')
    } catch {
      return this.refuse('the encryption challenge failed')
    }
    this.complete()
  }

  private complete(): void {
    clearTimeout(this.handshakeTimer)
    this.channel.sendStream(PayloadType.HandshakeComplete, jsonPayload({HandshakeTimeToComplete: (Date.now() - this.started) * 1e6, CustomerMessage: ''}))
    if (typeof this.source !== 'function' || this.opts.terminal === undefined) return this.startProcess(undefined)
    if (this.opts.terminal === 'always' || this.sizeFirst) return this.startProcess(true)
    this.state = 'waiting'
    const first = this.pendingInput.shift()
    if (first) return this.onData(first)
    // A client that says nothing still gets its command run, as the SSM agent runs it.
    this.firstMessageTimer = setTimeout(() => this.state === 'waiting' && this.startProcess(true), this.opts.firstMessageWaitMs ?? 200)
  }

  private startProcess(tty: boolean | undefined): void {
    try {
      this.proc = typeof this.source === 'function' ? this.source(this.size, tty) : this.source
    } catch (e) {
      this.state = 'running'
      // A terminal has no separate stderr: the reason shows in the output, as a terminal would show it.
      this.sendStream(this.opts.terminal === 'always' ? PayloadType.Output : PayloadType.StdErr, Buffer.from(`${(e as Error).message}\n`))
      return this.exit(126)
    }
    this.state = 'running'
    const p = this.proc
    p.onStdout((d) => this.output(PayloadType.Output, d))
    p.onStderr((d) => this.output(PayloadType.StdErr, d))
    p.onExit((code) => this.exit(code))
    if (this.size && typeof this.source !== 'function') p.resize(this.size.cols, this.size.rows)
    for (const m of this.pendingInput.splice(0)) this.toProcess(m)
  }

  private toProcess(m: ClientMessage): void {
    const p = this.proc!
    switch (m.payloadType) {
      case PayloadType.Output: {
        let data = m.payload
        try {
          if (this.cipher) data = this.cipher.decrypt(m.payload)
        } catch (e) {
          // Thrown here, it would escape the socket's message handler and bring the whole agent down.
          return this.refuse(`the client's input could not be decrypted: ${(e as Error).message}`)
        }
        if (data.length > 0) p.write(data)
        return
      }
      case PayloadType.Size: {
        const s = this.readSize(m)
        if (s) p.resize(s.cols, s.rows)
        return
      }
      case PayloadType.Flag: {
        const flag = decodeFlag(m.payload)
        if (flag === PayloadFlag.DisconnectToPort && this.opts.endInputOnFlag !== false) p.closeStdin()
        else if (flag === PayloadFlag.TerminateSession) this.terminate()
        return
      }
      default:
        return
    }
  }

  private readSize(m: ClientMessage): TerminalSize | undefined {
    try {
      const s = JSON.parse(m.payload.toString('utf8')) as TerminalSize
      return s.cols > 0 && s.rows > 0 ? {cols: s.cols, rows: s.rows} : undefined
    } catch {
      return undefined
    }
  }

  // Reads that arrive in one turn of the event loop go out together, in messages of up to chunkSize:
  // a pseudo-terminal hands output over a few KiB at a time, and every message costs a digest, an
  // acknowledgement and a frame.
  private output(type: number, data: Buffer): void {
    if (this.state === 'ended') return
    this.lastOutputAt = Date.now()
    if (this.held.length > 0 && this.heldType !== type) this.flushOutput()
    this.heldType = type
    this.held.push(data)
    this.heldBytes += data.length
    if (this.heldBytes >= this.chunkSize) this.flushOutput()
    else if (!this.flushQueued) {
      this.flushQueued = true
      setImmediate(() => {
        this.flushQueued = false
        this.flushOutput()
      })
    }
  }

  private flushOutput(): void {
    if (this.held.length === 0 || this.state === 'ended') return
    const data = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes)
    this.held = []
    this.heldBytes = 0
    for (let i = 0; i < data.length; i += this.chunkSize) this.sendStream(this.heldType, data.subarray(i, i + this.chunkSize))
  }

  private get chunkSize(): number {
    return this.opts.chunkSize ?? 32 * 1024
  }

  private sendStream(type: number, plain: Buffer, opts: {fin?: boolean} = {}): void {
    const encrypted = this.cipher && (type === PayloadType.Output || type === PayloadType.StdErr || type === PayloadType.ExitCode)
    this.channel.sendStream(type, encrypted ? this.cipher!.encrypt(plain) : Buffer.from(plain), opts)
  }

  private exit(code: number): void {
    if (this.state === 'exiting' || this.state === 'ended') return
    this.state = 'exiting'
    // A process can report its exit before its last output is read: wait for the pipes to go quiet.
    const settle = (deadline: number) => {
      if (Date.now() - this.lastOutputAt < 15 && Date.now() < deadline) {
        setTimeout(() => settle(deadline), 5)
        return
      }
      this.flushOutput()
      if (this.opts.reportExitCode !== false) this.sendStream(PayloadType.ExitCode, encodeUint32(code), {fin: true})
      void this.closeAfterDrain({exitCode: code})
    }
    setTimeout(() => settle(Date.now() + 250), 5)
  }

  private terminate(): void {
    this.state = 'exiting'
    this.proc?.signal('SIGHUP')
    const p = this.proc
    setTimeout(() => p?.signal('SIGKILL'), 2000).unref()
    void this.closeAfterDrain({error: 'the client ended the session'})
  }

  // After the end the channel is closed and drops the message, and end() does nothing again.
  private refuse(message: string): void {
    this.sendChannelClosed(message)
    this.end({error: message})
  }

  private async closeAfterDrain(result: AgentSessionResult): Promise<void> {
    this.flushOutput()
    await Promise.race([this.channel.drained(), new Promise((r) => setTimeout(r, 5000).unref())])
    this.sendChannelClosed('')
    this.end(result)
  }

  private sendChannelClosed(output: string): void {
    const payload: ChannelClosedPayload = {
      MessageId: newMessageId(),
      CreatedDate: new Date().toISOString(),
      DestinationId: this.opts.targetId ?? '',
      SessionId: this.opts.sessionId,
      MessageType: 'channel_closed',
      SchemaVersion: 1,
      Output: output,
    }
    this.channel.sendControl(MessageType.ChannelClosed, jsonPayload(payload))
  }

  private end(result: AgentSessionResult): void {
    if (this.state === 'ended') return
    const wasRunning = this.state === 'running'
    this.state = 'ended'
    clearTimeout(this.handshakeTimer)
    clearTimeout(this.firstMessageTimer)
    this.channel.close()
    // The client went away with the command still running: hang it up, as a closed terminal does.
    if (wasRunning && this.proc) {
      const p = this.proc
      p.signal('SIGHUP')
      setTimeout(() => p.signal('SIGKILL'), 2000).unref()
    }
    if (this.ws.readyState === OPEN) this.ws.close(1000)
    this.resolve(result)
  }
}
