// The reliable stream over the data channel's websocket, the same on both sides. Stream messages are
// numbered from 0; the receiver acknowledges each one, delivers them in sequence exactly once
// (buffering early ones, dropping duplicates) and the sender resends what stays unacknowledged past
// a retransmission timeout adapted from measured round trips (RFC 6298, Karn's rule: no samples from
// resent messages; the timeout doubles on expiry, capped at 1 s as in AWS's plugin).
import {type ClientMessage, CodecError, decodeMessage, encodeMessage, newMessageId} from './codec.js'
import {type AcknowledgeContent, MessageFlag, MessageType} from './protocol.js'

export interface DataChannelOptions {
  side: 'client' | 'agent'
  /** Puts one binary frame on the wire. */
  send(frame: Buffer): void
  /** A stream message, in sequence, once. */
  onData(message: ClientMessage): void
  /** channel_closed, start_publication, pause_publication. */
  onControl?(message: ClientMessage): void
  /** The channel cannot go on (a message was never acknowledged). */
  onFatal?(error: Error): void
  now?: () => number
  initialRtoMs?: number
  minRtoMs?: number
  maxRtoMs?: number
  /** Most stream messages in flight before sending waits for acknowledgements. */
  window?: number
  /** Most unacknowledged bytes in flight (keeps queueing delay, and so spurious resends, low). */
  windowBytes?: number
  /** Resends of one message before giving up. */
  maxAttempts?: number
  /** Out-of-order messages kept while waiting for a gap to fill. */
  maxBuffered?: number
}

interface InFlight {
  frame: Buffer
  lastSent: number
  firstSent: number
  attempts: number
}

export interface ChannelStats {
  sent: number
  resent: number
  received: number
  duplicates: number
  rtoMs: number
  srttMs: number | undefined
}

export class DataChannel {
  private nextSeq = 0
  private expectedSeq = 0
  private readonly inFlight = new Map<number, InFlight>()
  private inFlightBytes = 0
  private readonly waiting: {seq: number; frame: Buffer}[] = []
  private readonly early = new Map<number, ClientMessage>()
  private timer: NodeJS.Timeout | undefined
  private drainWaiters: (() => void)[] = []
  private closed = false
  private srtt: number | undefined
  private rttvar = 0
  private rto: number
  readonly stats: ChannelStats
  private readonly now: () => number
  private readonly outType: string

  constructor(private readonly opts: DataChannelOptions) {
    this.now = opts.now ?? (() => performance.now())
    this.rto = opts.initialRtoMs ?? 200
    this.outType = opts.side === 'client' ? MessageType.InputStreamData : MessageType.OutputStreamData
    this.stats = {sent: 0, resent: 0, received: 0, duplicates: 0, rtoMs: this.rto, srttMs: undefined}
  }

  /** Queues one stream message; it is sent now if the window allows, else as acknowledgements arrive. */
  sendStream(payloadType: number, payload: Buffer, opts: {fin?: boolean} = {}): number {
    if (this.closed) return -1
    const seq = this.nextSeq++
    const flags = (seq === 0 ? MessageFlag.SYN : 0) | (opts.fin ? MessageFlag.FIN : 0)
    const frame = encodeMessage({
      messageType: this.outType,
      schemaVersion: 1,
      createdDate: Date.now(),
      sequenceNumber: seq,
      flags,
      messageId: newMessageId(),
      payloadType,
      payload,
    })
    this.waiting.push({seq, frame})
    this.pump()
    return seq
  }

  /** Sends a message outside the stream (channel_closed): no sequence, no acknowledgement. */
  sendControl(messageType: string, payload: Buffer): void {
    if (this.closed) return
    this.opts.send(
      encodeMessage({messageType, schemaVersion: 1, createdDate: Date.now(), sequenceNumber: 0, flags: 0, messageId: newMessageId(), payloadType: 0, payload}),
    )
  }

  /** Feeds one binary frame from the wire. Corrupt frames are dropped (the sender resends them). */
  receive(frame: Buffer): void {
    if (this.closed) return
    let m: ClientMessage
    try {
      m = decodeMessage(frame)
    } catch (e) {
      if (e instanceof CodecError) return
      throw e
    }
    switch (m.messageType) {
      case MessageType.Acknowledge:
        this.onAcknowledge(m)
        return
      case MessageType.InputStreamData:
      case MessageType.OutputStreamData:
        this.onStream(m)
        return
      default:
        this.opts.onControl?.(m)
    }
  }

  /** Resolves once every stream message sent so far is acknowledged. */
  drained(): Promise<void> {
    if (this.inFlight.size === 0 && this.waiting.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  get pending(): number {
    return this.inFlight.size + this.waiting.length
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    this.timer = undefined
    for (const w of this.drainWaiters.splice(0)) w()
  }

  private onStream(m: ClientMessage): void {
    const seq = m.sequenceNumber
    if (seq > this.expectedSeq && !this.early.has(seq) && this.early.size >= (this.opts.maxBuffered ?? 10_000)) return
    this.acknowledge(m)
    if (seq < this.expectedSeq || this.early.has(seq)) {
      this.stats.duplicates++
      return
    }
    if (seq > this.expectedSeq) {
      this.early.set(seq, m)
      return
    }
    this.deliver(m)
    for (let next = this.early.get(this.expectedSeq); next; next = this.early.get(this.expectedSeq)) {
      this.early.delete(next.sequenceNumber)
      this.deliver(next)
    }
  }

  private deliver(m: ClientMessage): void {
    this.expectedSeq++
    this.stats.received++
    this.opts.onData(m)
  }

  private acknowledge(m: ClientMessage): void {
    const content: AcknowledgeContent = {
      AcknowledgedMessageType: m.messageType,
      AcknowledgedMessageId: m.messageId,
      AcknowledgedMessageSequenceNumber: m.sequenceNumber,
      IsSequentialMessage: true,
    }
    this.opts.send(
      encodeMessage({
        messageType: MessageType.Acknowledge,
        schemaVersion: 1,
        createdDate: Date.now(),
        sequenceNumber: 0,
        flags: MessageFlag.SYN | MessageFlag.FIN,
        messageId: newMessageId(),
        payloadType: 0,
        payload: Buffer.from(JSON.stringify(content)),
      }),
    )
  }

  private onAcknowledge(m: ClientMessage): void {
    let content: AcknowledgeContent
    try {
      content = JSON.parse(m.payload.toString('utf8')) as AcknowledgeContent
    } catch {
      return
    }
    const seq = content.AcknowledgedMessageSequenceNumber
    const f = this.inFlight.get(seq)
    if (!f) return
    if (f.attempts === 0) this.sampleRtt(this.now() - f.firstSent)
    this.inFlight.delete(seq)
    this.inFlightBytes -= f.frame.length
    this.pump()
    if (this.inFlight.size === 0 && this.waiting.length === 0) for (const w of this.drainWaiters.splice(0)) w()
  }

  private sampleRtt(r: number): void {
    const granularity = 1
    if (this.srtt === undefined) {
      this.srtt = r
      this.rttvar = r / 2
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r)
      this.srtt = 0.875 * this.srtt + 0.125 * r
    }
    this.rto = this.clampRto(this.srtt + Math.max(granularity, 4 * this.rttvar))
    this.stats.rtoMs = this.rto
    this.stats.srttMs = this.srtt
  }

  private clampRto(v: number): number {
    return Math.min(this.opts.maxRtoMs ?? 1000, Math.max(this.opts.minRtoMs ?? 50, v))
  }

  private pump(): void {
    const window = this.opts.window ?? 512
    const windowBytes = this.opts.windowBytes ?? 1024 * 1024
    while (this.waiting.length > 0 && this.inFlight.size < window && (this.inFlightBytes < windowBytes || this.inFlight.size === 0)) {
      const {seq, frame} = this.waiting.shift()!
      const t = this.now()
      this.inFlight.set(seq, {frame, firstSent: t, lastSent: t, attempts: 0})
      this.inFlightBytes += frame.length
      this.stats.sent++
      this.opts.send(frame)
    }
    if (this.inFlight.size > 0 && !this.timer && !this.closed) {
      this.timer = setInterval(() => this.resendExpired(), 10)
      this.timer.unref()
    } else if (this.inFlight.size === 0 && this.timer) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }

  private resendExpired(): void {
    const t = this.now()
    let resent = 0
    for (const [seq, f] of this.inFlight) {
      if (t - f.lastSent < this.rto) continue
      if (f.attempts >= (this.opts.maxAttempts ?? 300)) {
        const err = new Error(`data channel: message ${seq} was not acknowledged after ${f.attempts} resends`)
        this.close()
        this.opts.onFatal?.(err)
        return
      }
      f.attempts++
      f.lastSent = t
      this.stats.resent++
      this.opts.send(f.frame)
      if (++resent >= 256) break
    }
    // Back off once per round of expiries, not once per message, so a burst of losses does not
    // push the timeout to its cap at once.
    if (resent > 0) {
      this.rto = this.clampRto(this.rto * 2)
      this.stats.rtoMs = this.rto
    }
  }
}
