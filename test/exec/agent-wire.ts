// A scripted client for the agent side of a session: a client DataChannel over an in-memory socket
// pair, recording every frame the agent puts on the wire (with the fake clock's time), so tests can
// send what no well-behaved client sends and check exact messages, flags and timings.
import {runAgentSession, type AgentSessionOptions, type AgentSessionResult, type ProcessFactory, type SessionProcess} from '../../src/exec/agent.js'
import {DataChannel} from '../../src/exec/channel.js'
import {type ClientMessage, decodeMessage, encodeMessage, encodeUint32, newMessageId} from '../../src/exec/codec.js'
import {SessionCipher} from '../../src/exec/crypto.js'
import {jsonPayload} from '../../src/exec/handshake.js'
import {ActionStatus, ActionType, type ChannelClosedPayload, MessageType, PayloadType} from '../../src/exec/protocol.js'
import {memorySocketPair} from '../../src/exec/socket.js'

export interface Sent {
  at: number
  m: ClientMessage
}

export function openWire(source: SessionProcess | ProcessFactory, opts: Partial<AgentSessionOptions> = {}) {
  const [agentSide, clientSide] = memorySocketPair()
  const sent: Sent[] = []
  const send = agentSide.send.bind(agentSide)
  agentSide.send = (d: Buffer) => {
    sent.push({at: Date.now(), m: decodeMessage(d)})
    send(d)
  }
  const stream: ClientMessage[] = []
  const control: ClientMessage[] = []
  const channel = new DataChannel({
    side: 'client',
    send: (f) => clientSide.send(f),
    onData: (m) => stream.push(m),
    onControl: (m) => control.push(m),
  })
  const w = {
    agentSide,
    clientSide,
    sent,
    stream,
    control,
    channel,
    /** While set, the client reads nothing (so it acknowledges nothing). */
    deaf: false,
    closeCode: undefined as number | undefined,
    result: undefined as AgentSessionResult | undefined,
    done: undefined as unknown as Promise<AgentSessionResult>,
    cipher: undefined as SessionCipher | undefined,
    /** The client's answer to the handshake request: the session type accepted, and optionally more actions. */
    respond(actions: unknown[] = [{ActionType: ActionType.SessionType, ActionStatus: ActionStatus.Success}], errors: string[] | null = null) {
      channel.sendStream(PayloadType.HandshakeResponse, jsonPayload({ClientVersion: '1.2.650.0', ProcessedClientActions: actions, Errors: errors}))
    },
    input(data: string | Buffer) {
      const d = typeof data === 'string' ? Buffer.from(data) : data
      channel.sendStream(PayloadType.Output, w.cipher ? w.cipher.encrypt(d) : d)
    },
    size(cols: number, rows: number) {
      channel.sendStream(PayloadType.Size, jsonPayload({cols, rows}))
    },
    flag(value: number) {
      channel.sendStream(PayloadType.Flag, encodeUint32(value))
    },
    /** Stream messages of these payload types, in order. */
    of(...types: number[]): ClientMessage[] {
      return stream.filter((m) => types.includes(m.payloadType))
    },
    open(m: ClientMessage): Buffer {
      return w.cipher ? w.cipher.decrypt(m.payload) : m.payload
    },
    text(type: number): string {
      return Buffer.concat(w.of(type).map((m) => w.open(m))).toString()
    },
    json<T>(type: number): T {
      return JSON.parse(w.of(type)[0]!.payload.toString()) as T
    },
    /** The payloads of the channel_closed messages the agent sent. */
    closed(): ChannelClosedPayload[] {
      return control.filter((m) => m.messageType === MessageType.ChannelClosed).map((m) => JSON.parse(m.payload.toString()) as ChannelClosedPayload)
    },
    /** A frame as if the client had sent it, bypassing the client's channel (sequence number given). */
    raw(seq: number, payloadType: number, payload: Buffer): Buffer {
      return encodeMessage({
        messageType: MessageType.InputStreamData,
        schemaVersion: 1,
        createdDate: Date.now(),
        sequenceNumber: seq,
        flags: 0,
        messageId: newMessageId(),
        payloadType,
        payload,
      })
    },
  }
  clientSide.on('message', (d: Buffer) => {
    if (!w.deaf) channel.receive(d)
  })
  clientSide.on('close', (code: number) => (w.closeCode = code))
  w.done = runAgentSession(agentSide, source, {sessionId: 'sess-1', ...opts})
  void w.done.then((r) => (w.result = r))
  return w
}

/**
 * Fake timers and clock for agent tests; immediates stay real, so the in-memory sockets deliver
 * without moving the clock and timings can be checked to the millisecond.
 */
export const FAKE_CLOCK = {toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance']} as const

/** Lets deliveries between the two sides run (each hop is one immediate). */
export async function turns(n = 12): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

/** A wire whose handshake the client has answered (session type accepted). */
export async function openReady(source: SessionProcess | ProcessFactory, opts: Partial<AgentSessionOptions> = {}) {
  const w = openWire(source, opts)
  await turns()
  w.respond()
  await turns()
  return w
}
