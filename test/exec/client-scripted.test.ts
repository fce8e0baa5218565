// The client side of a session against an agent the test scripts message by message (over the
// in-memory socket pair): the handshake answers it gives, the ways an opening fails and the words it
// fails with, how input, sizes, flags and closes travel, and how a session ends.
import {createHash, randomBytes} from 'node:crypto'
import {EventEmitter} from 'node:events'
import type WebSocket from 'ws'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {DataChannel} from '../../src/exec/channel.js'
import {ClientSession, type DialOptions} from '../../src/exec/client.js'
import {type ClientMessage, decodeMessage, encodeMessage, encodeUint32} from '../../src/exec/codec.js'
import {type ExecKms, SessionCipher} from '../../src/exec/crypto.js'
import {SessionError, SessionKmsError, SessionRefusedError} from '../../src/exec/errors.js'
import {ActionStatus, MessageType, PayloadFlag, PayloadType, PIER_CLIENT_VERSION} from '../../src/exec/protocol.js'
import {memorySocketPair} from '../../src/exec/socket.js'

const STREAM_URL = 'ws://127.0.0.1:1/v1/data-channel/sess-9'
const SESSION_TYPE = {ActionType: 'SessionType', ActionParameters: {SessionType: 'InteractiveCommands', Properties: {}}}
const kmsAction = (keyId = 'alias/k') => ({ActionType: 'KMSEncryption', ActionParameters: {KMSKeyId: keyId}})

const tick = () => new Promise<void>((r) => setImmediate(r))
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (ok()) return
    await tick()
  }
  throw new Error(`never happened: ${what}`)
}

const cleanups: (() => void)[] = []
afterEach(() => {
  vi.useRealTimers()
  for (const c of cleanups.splice(0)) c()
})

/** A client session whose agent the test drives: what it sends, the client receives; what the client sends is recorded. */
function scripted(opts: Partial<DialOptions> = {}) {
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
  cleanups.push(() => {
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

function kmsWith(answer: () => Promise<{Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array}>) {
  const calls: {KeyId: string; NumberOfBytes: number; EncryptionContext: Record<string, string>}[] = []
  const kms: ExecKms = {
    generateDataKey: (input) => {
      calls.push(input)
      return answer()
    },
  }
  return {kms, calls}
}

function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return {promise, resolve}
}

describe('client handshake answers', () => {
  it('accepts the session type, names unsupported actions, and speaks as the client on the input stream', async () => {
    const s = scripted()
    s.handshake([SESSION_TYPE, {ActionType: 'Port', ActionParameters: {}}])
    expect(await s.response()).toEqual({
      ClientVersion: PIER_CLIENT_VERSION,
      ProcessedClientActions: [
        {ActionType: 'SessionType', ActionStatus: ActionStatus.Success},
        {ActionType: 'Port', ActionStatus: ActionStatus.Unsupported, Error: 'Unsupported action Port'},
      ],
      Errors: ['Unsupported action Port'],
    })
    expect(s.session.sessionType).toBe('InteractiveCommands')
    expect(s.frames.map((m) => m.messageType)).toEqual(['input_stream_data'])
  })

  it('answers a request without actions with no actions and no errors, in its own version', async () => {
    const s = scripted({clientVersion: 'custom/2'})
    s.json(PayloadType.HandshakeRequest, {AgentVersion: '3.3.0.0'})
    expect(await s.response()).toEqual({ClientVersion: 'custom/2', ProcessedClientActions: [], Errors: null})
  })

  it('keeps the customer message of the handshake, and none when the agent sends none', async () => {
    const a = scripted()
    a.handshake()
    await a.response()
    a.complete({CustomerMessage: 'Welcome aboard'})
    await a.session.ready
    expect(a.session.customerMessage).toBe('Welcome aboard')
    const b = scripted()
    b.handshake()
    await b.response()
    b.complete({})
    await b.session.ready
    expect(b.session.customerMessage).toBe('')
  })
})

describe('client KMS encryption', () => {
  it('asks KMS for a 64-byte key bound to the session, answers with its ciphertext and hash, and meets the challenge', async () => {
    const key = randomBytes(64)
    const blob = randomBytes(40)
    const {kms, calls} = kmsWith(async () => ({Plaintext: key, CiphertextBlob: blob}))
    const s = scripted({kms})
    s.handshake([SESSION_TYPE, kmsAction('alias/pier')])
    const r = await s.response()
    expect(calls).toEqual([{KeyId: 'alias/pier', NumberOfBytes: 64, EncryptionContext: {'aws:ssm:SessionId': 'sess-9', 'aws:ssm:TargetId': ''}}])
    expect(r.ProcessedClientActions).toEqual([
      {ActionType: 'SessionType', ActionStatus: ActionStatus.Success},
      {
        ActionType: 'KMSEncryption',
        ActionStatus: ActionStatus.Success,
        ActionResult: {KMSCipherTextKey: blob.toString('base64'), KMSCipherTextHash: createHash('sha256').update(blob).digest('base64')},
      },
    ])
    expect(r.Errors).toBeNull()
    const agentCipher = SessionCipher.fromDataKey(key, 'agent')
    const challenge = randomBytes(64)
    s.json(PayloadType.EncChallengeRequest, {Challenge: agentCipher.encrypt(challenge).toString('base64')})
    await until('the challenge response', () => s.ofType(PayloadType.EncChallengeResponse).length > 0)
    const answer = JSON.parse(s.ofType(PayloadType.EncChallengeResponse)[0]!.payload.toString()) as {Challenge: string}
    expect(agentCipher.decrypt(Buffer.from(answer.Challenge, 'base64')).equals(challenge)).toBe(true)
    s.complete()
    await s.session.ready
    expect(s.session.encrypted).toBe(true)
  })

  const failures: [string, Partial<DialOptions>['kms'], string][] = [
    ['no KMS client', undefined, 'the agent asked for KMS encryption and no KMS client was given'],
    ['no plaintext key', kmsWith(async () => ({CiphertextBlob: randomBytes(8)})).kms, 'KMS GenerateDataKey returned no key'],
    ['no ciphertext key', kmsWith(async () => ({Plaintext: randomBytes(64)})).kms, 'KMS GenerateDataKey returned no key'],
    ['a short key', kmsWith(async () => ({Plaintext: randomBytes(32), CiphertextBlob: randomBytes(8)})).kms, 'data key has 32 bytes: the session needs 64'],
    ['a KMS refusal', kmsWith(() => Promise.reject(new Error('AccessDeniedException: not allowed'))).kms, 'AccessDeniedException: not allowed'],
  ]
  for (const [what, kms, reason] of failures) {
    it(`with ${what}: says why in its answer, and the opening fails naming the key`, async () => {
      const s = scripted(kms ? {kms} : {})
      s.handshake([SESSION_TYPE, kmsAction('alias/k')])
      const r = await s.response()
      const msg = `Failed to process action KMSEncryption: ${reason}`
      expect(r.Errors).toEqual([msg])
      expect((r.ProcessedClientActions as unknown[])[1]).toEqual({ActionType: 'KMSEncryption', ActionStatus: ActionStatus.Failed, Error: msg})
      expect(s.session.encrypted).toBe(false)
      s.closed('this session requires KMS encryption and the client did not set it up')
      const e = await s.session.ready.catch((x: unknown) => x)
      expect(e).toBeInstanceOf(SessionKmsError)
      expect((e as Error).message).toBe(`the KMS key alias/k that encrypts the session could not be used: ${reason}`)
    })
  }

  it('fails the opening when the agent sends a challenge without having asked for encryption', async () => {
    const s = scripted()
    s.handshake()
    await s.response()
    s.json(PayloadType.EncChallengeRequest, {Challenge: randomBytes(40).toString('base64')})
    const e = await s.session.ready.catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SessionError)
    expect((e as Error).message).toBe('the agent sent an encryption challenge, but encryption was not set up')
    expect(await s.session.done).toEqual({reason: 'disconnected', message: 'the agent sent an encryption challenge, but encryption was not set up'})
  })

  it('fails the opening on a handshake payload that is not JSON, naming the payload', async () => {
    const a = scripted()
    a.agent.sendStream(PayloadType.HandshakeRequest, Buffer.from('{not json'))
    await expect(a.session.ready).rejects.toThrow(/^handshake request: the payload is not JSON$/)
    const b = scripted()
    b.handshake()
    await b.response()
    b.agent.sendStream(PayloadType.EncChallengeRequest, Buffer.from('nope'))
    await expect(b.session.ready).rejects.toThrow(/^encryption challenge: the payload is not JSON$/)
  })

  it('handles what follows the handshake request only once its answer, which waits for KMS, is sent', async () => {
    const key = deferred<{Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array}>()
    const s = scripted({kms: kmsWith(() => key.promise).kms})
    let sentWhenReady = -1
    void s.session.ready.then(() => (sentWhenReady = s.session.stats.sent))
    s.handshake([SESSION_TYPE, kmsAction()])
    s.complete()
    await until('the agent has sent both', () => s.agent.pending === 0)
    expect(sentWhenReady).toBe(-1)
    key.resolve({Plaintext: randomBytes(64), CiphertextBlob: randomBytes(8)})
    await s.session.ready
    expect(sentWhenReady).toBe(1)
  })

  for (const how of ['closed', 'failed'] as const) {
    it(`drops what was queued behind the KMS call once the session is ${how}`, async () => {
      const dataKey = randomBytes(64)
      const key = deferred<{Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array}>()
      const s = scripted({kms: kmsWith(() => key.promise).kms})
      s.handshake([SESSION_TYPE, kmsAction()])
      s.agent.sendStream(PayloadType.Output, SessionCipher.fromDataKey(dataKey, 'agent').encrypt(Buffer.from('late output')))
      await until('the agent has sent both', () => s.agent.pending === 0)
      if (how === 'closed') s.session.close()
      else s.session.fail(new Error('gave up'))
      key.resolve({Plaintext: dataKey, CiphertextBlob: randomBytes(8)})
      expect(await s.session.done).toEqual(how === 'closed' ? {reason: 'closed'} : {reason: 'disconnected', message: 'gave up'})
      for (let i = 0; i < 10; i++) await tick()
      expect(s.out).toEqual([])
    })
  }
})

describe('client opening failures', () => {
  const closes: [number, string, typeof SessionError | typeof SessionRefusedError, string][] = [
    [4401, 'token refused', SessionRefusedError, 'the session was refused: token refused'],
    [1008, '', SessionRefusedError, 'the session was refused: the token was not accepted'],
    [1011, 'boom', SessionError, 'the session closed before it was ready (websocket code 1011: boom)'],
    [1001, '', SessionError, 'the session closed before it was ready (websocket code 1001)'],
  ]
  for (const [code, reason, type, message] of closes) {
    it(`a close with code ${code} before the handshake ends fails the opening: ${message}`, async () => {
      const s = scripted()
      s.agentSock.close(code, reason)
      const e = await s.session.ready.catch((x: unknown) => x)
      expect(e).toBeInstanceOf(type)
      if (type === SessionError) expect(e).not.toBeInstanceOf(SessionRefusedError)
      expect((e as Error).message).toBe(message)
      expect(await s.session.done).toEqual({reason: 'disconnected', message})
    })
  }

  it('a channel_closed during the handshake fails the opening with the agent words, or says the agent closed it', async () => {
    const cases: [(s: ReturnType<typeof scripted>) => void, string][] = [
      [(s) => s.closed('no such container: web'), 'no such container: web'],
      [(s) => s.agent.sendControl(MessageType.ChannelClosed, Buffer.from('{"MessageType":"channel_closed"}')), 'the agent closed the session during the handshake'],
      [(s) => s.agent.sendControl(MessageType.ChannelClosed, Buffer.from('plain words, not JSON')), 'plain words, not JSON'],
    ]
    for (const [close, message] of cases) {
      const s = scripted()
      close(s)
      const e = await s.session.ready.catch((x: unknown) => x)
      expect(e).toBeInstanceOf(SessionError)
      expect((e as Error).message).toBe(message)
    }
  })

  it('a socket error fails the opening, then ends an open session as disconnected, with the cause', async () => {
    const a = scripted()
    const cause = new Error('read ECONNRESET')
    a.clientSock.emit('error', cause)
    const e = await a.session.ready.catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SessionError)
    expect((e as Error).message).toBe("the session's connection failed: read ECONNRESET")
    expect((e as Error).cause).toBe(cause)
    const b = scripted()
    await b.open()
    b.clientSock.emit('error', cause)
    expect(await b.session.done).toEqual({reason: 'disconnected', message: "the session's connection failed: read ECONNRESET"})
  })
})

describe('client frames from the socket', () => {
  const request = () =>
    encodeMessage({
      messageType: 'output_stream_data',
      schemaVersion: 1,
      createdDate: 0,
      sequenceNumber: 0,
      flags: 1,
      messageId: '00000000-0000-0000-0000-000000000001',
      payloadType: PayloadType.HandshakeRequest,
      payload: Buffer.from(JSON.stringify({AgentVersion: '3', RequestedClientActions: [SESSION_TYPE]})),
    })

  it('ignores text frames: only binary frames carry the data channel', async () => {
    const s = scripted()
    s.clientSock.emit('message', request(), false)
    for (let i = 0; i < 10; i++) await tick()
    expect(s.session.stats.received).toBe(0)
    expect(s.frames).toEqual([])
  })

  it('reads a frame given as an ArrayBuffer or as fragments', async () => {
    const f = request()
    const a = scripted()
    a.clientSock.emit('message', f.buffer.slice(f.byteOffset, f.byteOffset + f.length), true)
    expect((await a.response()).ProcessedClientActions).toEqual([{ActionType: 'SessionType', ActionStatus: ActionStatus.Success}])
    const b = scripted()
    b.clientSock.emit('message', [f.subarray(0, 50), f.subarray(50)], true)
    expect((await b.response()).ProcessedClientActions).toEqual([{ActionType: 'SessionType', ActionStatus: ActionStatus.Success}])
  })
})

describe('client input and session end', () => {
  const inputs = (s: ReturnType<typeof scripted>) => s.ofType(PayloadType.Output).map((m) => m.payload.toString())

  it('sends a lone LF as CR in an interactive session, and nothing else changed', async () => {
    const s = scripted({interactive: true})
    await s.open()
    for (const k of ['\n', '\nx', 'a', '\r']) s.session.sendInput(Buffer.from(k))
    await until('four inputs', () => inputs(s).length === 4)
    expect(inputs(s)).toEqual(['\r', '\nx', 'a', '\r'])
    const p = scripted()
    await p.open()
    p.session.sendInput(Buffer.from('\n'))
    await until('one input', () => inputs(p).length === 1)
    expect(inputs(p)).toEqual(['\n'])
  })

  it('sends input in 1024-byte messages, and empty input as one empty message', async () => {
    const s = scripted()
    await s.open()
    s.session.sendInput(Buffer.alloc(2048, 0x61))
    s.session.sendInput(Buffer.alloc(0))
    s.session.sendInput(Buffer.alloc(1025, 0x62))
    await until('five inputs', () => inputs(s).length === 5)
    for (let i = 0; i < 5; i++) await tick()
    expect(s.ofType(PayloadType.Output).map((m) => m.payload.length)).toEqual([1024, 1024, 0, 1024, 1])
  })

  it('sends only real terminal sizes', async () => {
    const s = scripted()
    await s.open()
    s.session.resize(0, 24)
    s.session.resize(80, 0)
    s.session.resize(1, 1)
    s.session.sendInput(Buffer.from('end'))
    await until('the input after the sizes', () => inputs(s).length === 1)
    expect(s.ofType(PayloadType.Size).map((m) => JSON.parse(m.payload.toString()))).toEqual([{cols: 1, rows: 1}])
  })

  it('ends as terminated on the agent terminate flag, and ignores other flags', async () => {
    const a = scripted()
    await a.open()
    a.agent.sendStream(PayloadType.Flag, encodeUint32(PayloadFlag.DisconnectToPort))
    a.agent.sendStream(PayloadType.ExitCode, encodeUint32(0))
    expect(await a.session.done).toEqual({reason: 'exit', exitCode: 0})
    const b = scripted()
    await b.open()
    b.agent.sendStream(PayloadType.Flag, encodeUint32(PayloadFlag.TerminateSession))
    expect(await b.session.done).toEqual({reason: 'terminated'})
  })

  it('ignores control messages other than channel_closed, and ends as closed with the agent words on it', async () => {
    const a = scripted()
    await a.open()
    a.agent.sendControl(MessageType.PausePublication, Buffer.from('{}'))
    a.agent.sendStream(PayloadType.ExitCode, encodeUint32(3))
    expect(await a.session.done).toEqual({reason: 'exit', exitCode: 3})
    const b = scripted()
    await b.open()
    b.closed('the command was stopped')
    expect(await b.session.done).toEqual({reason: 'closed', message: 'the command was stopped'})
    const c = scripted()
    await c.open()
    c.closed('')
    expect(await c.session.done).toEqual({reason: 'closed'})
  })

  it('ends as closed when closed, and as disconnected when the socket closes once open', async () => {
    const a = scripted()
    await a.open()
    a.session.close()
    expect(await a.session.done).toEqual({reason: 'closed'})
    const b = scripted()
    await b.open()
    b.agentSock.close(1000)
    expect(await b.session.done).toEqual({reason: 'disconnected'})
  })

  it('terminate sends the terminate flag and ends as terminated once it is acknowledged', async () => {
    const s = scripted()
    await s.open()
    await s.session.terminate()
    expect(await s.session.done).toEqual({reason: 'terminated'})
    expect(s.ofType(PayloadType.Flag).map((m) => m.payload.readUInt32BE(0))).toEqual([PayloadFlag.TerminateSession])
  })

  it('terminate gives up waiting for the acknowledgement after 1 s', async () => {
    const s = scripted()
    await s.open()
    s.wire.deaf = true
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
    let back = false
    void s.session.terminate().then(() => (back = true))
    await vi.advanceTimersByTimeAsync(999)
    expect(back).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(back).toBe(true)
    expect(await s.session.done).toEqual({reason: 'terminated'})
  })

  it('terminate of an ended session returns at once', async () => {
    const s = scripted()
    await s.open()
    s.wire.deaf = true
    s.session.sendInput(Buffer.from('never acknowledged'))
    s.session.close()
    let back = false
    void s.session.terminate().then(() => (back = true))
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(back).toBe(true)
    expect(await s.session.done).toEqual({reason: 'closed'})
  })

  it('ends as disconnected when the channel gives up on an unacknowledged message', async () => {
    const s = scripted()
    await s.open()
    s.wire.deaf = true
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval', 'performance']})
    s.session.sendInput(Buffer.from('lost'))
    vi.advanceTimersByTime(400_000)
    expect(await s.session.done).toEqual({reason: 'disconnected', message: 'data channel: message 1 was not acknowledged after 300 resends'})
  })
})

describe('client socket upkeep', () => {
  class FakeSocket extends EventEmitter {
    readyState = 1
    pings = 0
    closes: number[] = []
    send() {}
    ping() {
      this.pings++
    }
    close(code: number) {
      this.closes.push(code)
    }
  }
  const session = (ws: FakeSocket, streamUrl = STREAM_URL) => {
    const s = new ClientSession(ws as unknown as WebSocket, {streamUrl, tokenValue: 't'})
    cleanups.push(() => s.close())
    return s
  }

  it('pings an open socket every 5 minutes, and stops once the session ends', () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    const ws = new FakeSocket()
    const s = session(ws)
    vi.advanceTimersByTime(5 * 60_000 - 1)
    expect(ws.pings).toBe(0)
    vi.advanceTimersByTime(1)
    expect(ws.pings).toBe(1)
    vi.advanceTimersByTime(5 * 60_000)
    expect(ws.pings).toBe(2)
    s.close()
    vi.advanceTimersByTime(15 * 60_000)
    expect(ws.pings).toBe(2)
  })

  it('does not ping a socket that is not open', () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    const ws = new FakeSocket()
    ws.readyState = 0
    session(ws)
    vi.advanceTimersByTime(15 * 60_000)
    expect(ws.pings).toBe(0)
  })

  it('closes a socket still connecting when the session ends, and leaves a closed one alone', () => {
    const connecting = new FakeSocket()
    connecting.readyState = 0
    session(connecting).close()
    expect(connecting.closes).toEqual([1000])
    const gone = new FakeSocket()
    gone.readyState = 3
    session(gone).close()
    expect(gone.closes).toEqual([])
  })

  it('has no customer message before the agent sends one', () => {
    expect(session(new FakeSocket()).customerMessage).toBe('')
  })

  it('takes the session id from the last part of the stream URL, and none from a URL it cannot read', () => {
    expect(session(new FakeSocket(), 'wss://ssmmessages.example/v1/data-channel/ecs-execute-%3Aabc?role=publish_subscribe').sessionId).toBe('ecs-execute-:abc')
    expect(session(new FakeSocket(), 'not a url').sessionId).toBe('')
  })
})
