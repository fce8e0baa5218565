// An agent the test scripts message by message, over the in-memory socket pair, facing a real
// ClientSession: what it sends, the client receives; what the client sends is recorded.
import type WebSocket from 'ws'

import {DataChannel} from '../../src/exec/channel.js'
import {ClientSession, type DialOptions} from '../../src/exec/client.js'
import {type ClientMessage, decodeMessage} from '../../src/exec/codec.js'
import type {ExecKms} from '../../src/exec/crypto.js'
import {MessageType, PayloadType} from '../../src/exec/protocol.js'
import {memorySocketPair} from '../../src/exec/socket.js'

export const STREAM_URL = 'ws://127.0.0.1:1/v1/data-channel/sess-9'
export const SESSION_TYPE = {ActionType: 'SessionType', ActionParameters: {SessionType: 'InteractiveCommands', Properties: {}}}
export const kmsAction = (keyId = 'alias/k') => ({ActionType: 'KMSEncryption', ActionParameters: {KMSKeyId: keyId}})

export const tick = () => new Promise<void>((r) => setImmediate(r))
export async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (ok()) return
    await tick()
  }
  throw new Error(`never happened: ${what}`)
}

const cleanups: (() => void)[] = []
/** Registers what closes a session made in a test; `closeAll` (in afterEach) runs them. */
export function onClose(c: () => void): void {
  cleanups.push(c)
}
export function closeAll(): void {
  for (const c of cleanups.splice(0)) c()
}

/** A client session whose agent the test drives: what it sends, the client receives; what the client sends is recorded. */
export function scripted(opts: Partial<DialOptions> = {}) {
  const [clientSock, agentSock] = memorySocketPair()
  const frames: ClientMessage[] = []
  const received: ClientMessage[] = []
  const wire = {deaf: false}
  const agent = new DataChannel({side: 'agent', send: (f) => agentSock.send(f), onData: (m) => received.push(m)})
  agentSock.on('message', (d: Buffer, binary: boolean) => {
    if (!binary || wire.deaf) return
    const m = decodeMessage(d)
    if (m.messageType !== MessageType.Acknowledge) frames.push(m)
    agent.receive(d)
  })
  const session = new ClientSession(clientSock as unknown as WebSocket, {streamUrl: STREAM_URL, tokenValue: 't', ...opts})
  onClose(() => {
    session.close()
    agent.close()
  })
  const json = (type: number, value: unknown) => agent.sendStream(type, Buffer.from(JSON.stringify(value)))
  const ofType = (type: number) => received.filter((m) => m.payloadType === type)
  const out: string[] = []
  const err: string[] = []
  session.onStdout((d) => out.push(d.toString()))
  session.onStderr((d) => err.push(d.toString()))
  return {
    session,
    clientSock,
    agentSock,
    agent,
    frames,
    received,
    wire,
    out,
    err,
    json,
    ofType,
    handshake: (actions: unknown[] = [SESSION_TYPE]) => json(PayloadType.HandshakeRequest, {AgentVersion: '3.3.0.0', RequestedClientActions: actions}),
    complete: (extra: Record<string, unknown> = {CustomerMessage: ''}) => json(PayloadType.HandshakeComplete, {HandshakeTimeToComplete: 1, ...extra}),
    closed: (output: string) => agent.sendControl(MessageType.ChannelClosed, Buffer.from(JSON.stringify({MessageType: 'channel_closed', Output: output}))),
    async response(): Promise<Record<string, unknown>> {
      await until('the handshake response', () => ofType(PayloadType.HandshakeResponse).length > 0)
      return JSON.parse(ofType(PayloadType.HandshakeResponse)[0]!.payload.toString())
    },
    async open(): Promise<void> {
      this.handshake()
      await this.response()
      this.complete()
      await session.ready
    },
  }
}

export function kmsWith(answer: () => Promise<{Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array}>) {
  const calls: {KeyId: string; NumberOfBytes: number; EncryptionContext: Record<string, string>}[] = []
  const kms: ExecKms = {
    generateDataKey: (input) => {
      calls.push(input)
      return answer()
    },
  }
  return {kms, calls}
}

export function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return {promise, resolve}
}
