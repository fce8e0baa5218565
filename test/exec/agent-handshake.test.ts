// The agent side's handshake, driven by a scripted client: what it asks for, what it refuses and in
// which words, how long it waits, and what the client may send before the command starts.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import type {TerminalSize} from '../../src/exec/protocol.js'
import {ActionStatus, ActionType, MessageType, PayloadType} from '../../src/exec/protocol.js'
import {SessionCipher} from '../../src/exec/crypto.js'
import {jsonPayload} from '../../src/exec/handshake.js'
import {FAKE_CLOCK, openReady, openWire, turns} from './agent-wire.js'
import {FakeProcess} from './helpers.js'

beforeEach(() => vi.useFakeTimers({...FAKE_CLOCK, toFake: [...FAKE_CLOCK.toFake]}))
afterEach(() => vi.useRealTimers())

const accepted = {ActionType: ActionType.SessionType, ActionStatus: ActionStatus.Success}

/** A factory that records how it was called. */
function factory() {
  const calls: {size: TerminalSize | undefined; tty: boolean | undefined; at: number}[] = []
  const proc = new FakeProcess()
  const make = (size: TerminalSize | undefined, tty: boolean | undefined) => {
    calls.push({size, tty, at: Date.now()})
    return proc
  }
  return {calls, proc, make}
}

describe('handshake request', () => {
  it('asks for the session type it was given (InteractiveCommands by default), as the agent side of the stream', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    expect(w.json(PayloadType.HandshakeRequest)).toEqual({
      AgentVersion: expect.any(String),
      RequestedClientActions: [{ActionType: 'SessionType', ActionParameters: {SessionType: 'InteractiveCommands', Properties: {}}}],
    })
    expect(w.sent[0]!.m.messageType).toBe(MessageType.OutputStreamData)
    const w2 = openWire(new FakeProcess(), {sessionType: 'NonInteractiveCommands'})
    await turns()
    expect(w2.json<{RequestedClientActions: {ActionParameters: unknown}[]}>(PayloadType.HandshakeRequest).RequestedClientActions[0]!.ActionParameters).toEqual({
      SessionType: 'NonInteractiveCommands',
      Properties: {},
    })
  })

  it('reports how long the handshake took, in nanoseconds', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    await vi.advanceTimersByTimeAsync(40)
    w.respond()
    await turns()
    expect(w.json(PayloadType.HandshakeComplete)).toEqual({HandshakeTimeToComplete: 40e6, CustomerMessage: ''})
  })

  it('ignores text frames: only binary frames carry the stream', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    const response = jsonPayload({ClientVersion: '1', ProcessedClientActions: [accepted], Errors: null})
    w.agentSide.emit('message', w.raw(0, PayloadType.HandshakeResponse, response), false)
    await turns()
    expect(w.of(PayloadType.HandshakeComplete)).toHaveLength(0)
    w.respond()
    await turns()
    expect(w.of(PayloadType.HandshakeComplete)).toHaveLength(1)
  })
})

describe('refusals', () => {
  it('ends a session whose client does not finish the handshake in time, and leaves no timer behind', async () => {
    const f = factory()
    const w = openWire(f.make, {handshakeTimeoutMs: 1000})
    await turns()
    await vi.advanceTimersByTimeAsync(999)
    await turns()
    expect(w.result).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    await turns()
    const message = 'the client did not complete the handshake in time'
    expect(w.result).toEqual({error: message})
    expect(w.closed().map((c) => c.Output)).toEqual([message])
    expect(w.closeCode).toBe(1000)
    expect(f.calls).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops its handshake timer when the client goes away first', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    w.clientSide.close()
    await turns()
    expect(w.result).toEqual({error: 'the client disconnected'})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ends the session when its connection fails', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    w.agentSide.emit('error', new Error('ECONNRESET'))
    await turns()
    expect(w.result).toEqual({error: 'the connection failed'})
  })

  it('ends the session when the client never acknowledges what the agent sends', async () => {
    const w = openWire(new FakeProcess(), {handshakeTimeoutMs: 10_000_000})
    w.deaf = true
    await vi.advanceTimersByTimeAsync(400_000)
    await turns()
    expect(w.result).toEqual({error: 'data channel: message 0 was not acknowledged after 300 resends'})
  })

  it('names the reasons a client gives for not accepting the session type', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    w.respond([{ActionType: ActionType.SessionType, ActionStatus: ActionStatus.Failed, Error: 'no shells here'}], ['old plugin'])
    await turns()
    const message = 'the client did not accept the session type: old plugin; no shells here'
    expect(w.result).toEqual({error: message})
    expect(w.closed().map((c) => c.Output)).toEqual([message])

    const bare = openWire(new FakeProcess())
    await turns()
    bare.respond([])
    await turns()
    expect(bare.result).toEqual({error: 'the client did not accept the session type'})
  })

  it('refuses a handshake response that is not JSON, without an unhandled rejection', async () => {
    const w = openWire(new FakeProcess())
    await turns()
    w.channel.sendStream(PayloadType.HandshakeResponse, Buffer.from('{not json'))
    await turns()
    const message = "the client's handshake response could not be read: handshake response: the payload is not JSON"
    expect(w.result).toEqual({error: message})
    expect(w.closed().map((c) => c.Output)).toEqual([message])
  })
})

describe('KMS encryption', () => {
  const key = Buffer.alloc(64, 7)
  const sealed = Buffer.from('sealed data key')
  function kms() {
    const contexts: Record<string, string>[] = []
    return {
      contexts,
      agent: {
        keyId: 'alias/pier-exec',
        async decrypt(blob: Buffer, ctx: Record<string, string>) {
          contexts.push(ctx)
          if (!blob.equals(sealed)) throw new Error('InvalidCiphertextException')
          return key
        },
      },
    }
  }
  const kmsAccepted = {ActionType: ActionType.KMSEncryption, ActionStatus: ActionStatus.Success, ActionResult: {KMSCipherTextKey: sealed.toString('base64')}}

  /** Answers the handshake with the data key; returns the client's cipher. */
  async function encrypt(w: ReturnType<typeof openWire>) {
    await turns()
    w.respond([accepted, kmsAccepted])
    await turns()
    return SessionCipher.fromDataKey(key, 'client')
  }

  it('refuses a client that did not set encryption up, with the reasons it gave', async () => {
    const k = kms()
    const w = openWire(new FakeProcess(), {kms: k.agent})
    await turns()
    w.respond([accepted, {ActionType: ActionType.KMSEncryption, ActionStatus: ActionStatus.Failed, Error: 'no key'}], ['no KMS client'])
    await turns()
    expect(w.result).toEqual({error: 'this session requires KMS encryption and the client did not set it up: no KMS client; no key'})
    const bare = openWire(new FakeProcess(), {kms: k.agent})
    await turns()
    bare.respond([accepted])
    await turns()
    expect(bare.result).toEqual({error: 'this session requires KMS encryption and the client did not set it up'})
    expect(bare.closed().map((c) => c.Output)).toEqual(['this session requires KMS encryption and the client did not set it up'])
  })

  it('binds the data key to the session and an empty target when none is given, then encrypts every stream', async () => {
    const k = kms()
    const proc = new FakeProcess()
    const w = openWire(proc, {kms: k.agent})
    const cipher = await encrypt(w)
    expect(k.contexts).toEqual([{'aws:ssm:SessionId': 'sess-1', 'aws:ssm:TargetId': ''}])
    const challenge = JSON.parse(w.of(PayloadType.EncChallengeRequest)[0]!.payload.toString()) as {Challenge: string}
    w.channel.sendStream(PayloadType.EncChallengeResponse, jsonPayload({Challenge: cipher.encrypt(cipher.decrypt(Buffer.from(challenge.Challenge, 'base64'))).toString('base64')}))
    await turns()
    expect(w.of(PayloadType.HandshakeComplete)).toHaveLength(1)
    w.cipher = cipher
    w.input('typed')
    await turns()
    expect(Buffer.concat(proc.input).toString()).toBe('typed')
    proc.emitStdout(Buffer.from('out'))
    await turns()
    proc.emitStderr(Buffer.from('err'))
    proc.emitExit(4)
    await vi.advanceTimersByTimeAsync(50)
    await turns()
    expect(w.text(PayloadType.Output)).toBe('out')
    expect(w.text(PayloadType.StdErr)).toBe('err')
    expect(w.open(w.of(PayloadType.ExitCode)[0]!).readUInt32BE(0)).toBe(4)
    expect(w.result).toEqual({exitCode: 4})
    expect(w.closed()).toEqual([expect.objectContaining({DestinationId: '', SessionId: 'sess-1', MessageType: 'channel_closed', Output: '', SchemaVersion: 1})])
  })

  it('refuses a wrong or unreadable answer to the encryption challenge, and starts nothing', async () => {
    for (const answer of [(c: SessionCipher) => jsonPayload({Challenge: c.encrypt(Buffer.alloc(64)).toString('base64')}), () => Buffer.from('garbage')]) {
      const f = factory()
      const w = openWire(f.make, {kms: kms().agent})
      const cipher = await encrypt(w)
      w.channel.sendStream(PayloadType.EncChallengeResponse, answer(cipher))
      await turns()
      expect(w.result).toEqual({error: 'the encryption challenge failed'})
      expect(w.closed().map((c) => c.Output)).toEqual(['the encryption challenge failed'])
      expect(f.calls).toEqual([])
    }
  })

  it('ends the session when input cannot be decrypted, and hangs the command up', async () => {
    const proc = new FakeProcess()
    const w = openWire(proc, {kms: kms().agent})
    const cipher = await encrypt(w)
    const challenge = JSON.parse(w.of(PayloadType.EncChallengeRequest)[0]!.payload.toString()) as {Challenge: string}
    w.channel.sendStream(PayloadType.EncChallengeResponse, jsonPayload({Challenge: cipher.encrypt(cipher.decrypt(Buffer.from(challenge.Challenge, 'base64'))).toString('base64')}))
    await turns()
    w.channel.sendStream(PayloadType.Output, Buffer.from('not sealed with the session key'))
    await turns()
    const message = "the client's input could not be decrypted: Unsupported state or unable to authenticate data"
    expect(w.result).toEqual({error: message})
    expect(w.closed().map((c) => c.Output)).toEqual([message])
    expect(proc.input).toEqual([])
    expect(proc.signals).toEqual(['SIGHUP'])
  })

  it('keeps input sent before the challenge is answered for the command', async () => {
    const proc = new FakeProcess()
    const w = openWire(proc, {kms: kms().agent})
    const cipher = await encrypt(w)
    w.cipher = cipher
    w.input('early')
    const challenge = JSON.parse(w.of(PayloadType.EncChallengeRequest)[0]!.payload.toString()) as {Challenge: string}
    w.channel.sendStream(PayloadType.EncChallengeResponse, jsonPayload({Challenge: cipher.encrypt(cipher.decrypt(Buffer.from(challenge.Challenge, 'base64'))).toString('base64')}))
    await turns()
    expect(Buffer.concat(proc.input).toString()).toBe('early')
  })
})

describe('before the command starts', () => {
  it('starts a given process at once, replaying a terminal size and input sent before the handshake completed', async () => {
    const proc = new FakeProcess()
    const w = openWire(proc, {terminal: 'client', size: {cols: 80, rows: 24}})
    await turns()
    w.size(100, 30)
    w.input('ls\r')
    w.respond()
    await turns()
    expect(proc.sizes).toEqual([{cols: 100, rows: 30}])
    expect(Buffer.concat(proc.input).toString()).toBe('ls\r')
    // Already running: what it prints right away is not lost.
    proc.emitStdout(Buffer.from('prompt$ '))
    await turns()
    expect(w.text(PayloadType.Output)).toBe('prompt$ ')
  })

  it('terminal "client" with a given process: it runs right after the handshake, without waiting for the client', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc, {terminal: 'client'})
    proc.emitStdout(Buffer.from('banner'))
    await turns()
    expect(w.text(PayloadType.Output)).toBe('banner')
  })

  it('gives a factory the size it was told, and resizes only a process it was handed', async () => {
    const f = factory()
    await openReady(f.make, {size: {cols: 90, rows: 20}})
    expect(f.calls).toEqual([{size: {cols: 90, rows: 20}, tty: undefined, at: expect.any(Number)}])
    expect(f.proc.sizes).toEqual([])
  })

  it('terminal "client": a size sent first means a terminal at that size, started without waiting', async () => {
    const f = factory()
    const w = openWire(f.make, {terminal: 'client'})
    await turns()
    const t0 = Date.now()
    w.size(100, 30)
    w.input('x')
    w.respond()
    await turns()
    expect(f.calls).toEqual([{size: {cols: 100, rows: 30}, tty: true, at: t0}])
    expect(Buffer.concat(f.proc.input).toString()).toBe('x')
  })

  it('terminal "client": input sent first means no terminal, even with a size after it', async () => {
    const f = factory()
    const w = openWire(f.make, {terminal: 'client'})
    await turns()
    w.input('data')
    w.size(100, 30)
    w.respond()
    await turns()
    expect(f.calls).toEqual([{size: {cols: 100, rows: 30}, tty: false, at: expect.any(Number)}])
    expect(Buffer.concat(f.proc.input).toString()).toBe('data')
  })

  it('terminal "client": the first message after the handshake decides, and no timer is left waiting', async () => {
    const piped = factory()
    const w = await openReady(piped.make, {terminal: 'client'})
    w.input('data')
    await turns()
    expect(piped.calls).toEqual([{size: undefined, tty: false, at: expect.any(Number)}])
    expect(Buffer.concat(piped.proc.input).toString()).toBe('data')
    expect(vi.getTimerCount()).toBe(0)

    const tty = factory()
    const w2 = await openReady(tty.make, {terminal: 'client'})
    w2.size(120, 40)
    await turns()
    expect(tty.calls).toEqual([{size: {cols: 120, rows: 40}, tty: true, at: expect.any(Number)}])
  })

  it('terminal "client": a silent client gets a terminal after the wait; one that leaves while waiting gets nothing', async () => {
    const f = factory()
    await openReady(f.make, {terminal: 'client', firstMessageWaitMs: 300, size: {cols: 70, rows: 10}})
    await vi.advanceTimersByTimeAsync(299)
    expect(f.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(f.calls).toEqual([{size: {cols: 70, rows: 10}, tty: true, at: expect.any(Number)}])

    const gone = factory()
    const w = await openReady(gone.make, {terminal: 'client'})
    w.clientSide.close()
    await turns()
    expect(w.result).toEqual({error: 'the client disconnected'})
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(gone.calls).toEqual([])
  })

  it('a command that cannot start: its reason on stderr, or in the output on a terminal, and exit code 126', async () => {
    const fail = () => {
      throw new Error('exec: "bash": executable file not found in $PATH')
    }
    const w = await openReady(fail)
    await vi.advanceTimersByTimeAsync(50)
    await turns()
    expect(w.text(PayloadType.StdErr)).toBe('exec: "bash": executable file not found in $PATH\n')
    expect(w.of(PayloadType.Output)).toHaveLength(0)
    expect(w.result).toEqual({exitCode: 126})

    const t = await openReady(fail, {terminal: 'always'})
    await vi.advanceTimersByTimeAsync(50)
    await turns()
    expect(t.text(PayloadType.Output)).toBe('exec: "bash": executable file not found in $PATH\n')
    expect(t.of(PayloadType.StdErr)).toHaveLength(0)
    expect(t.result).toEqual({exitCode: 126})
  })
})
