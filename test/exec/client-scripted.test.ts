// The client side of a session against an agent the test scripts message by message (over the
// in-memory socket pair): the handshake answers it gives, its KMS encryption, and the ways an opening
// fails and the words it fails with.
import {createHash, randomBytes} from 'node:crypto'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {type DialOptions} from '../../src/exec/client.js'
import {SessionCipher} from '../../src/exec/crypto.js'
import {SessionError, SessionKmsError, SessionRefusedError} from '../../src/exec/errors.js'
import {ActionStatus, MessageType, PayloadType, PIER_CLIENT_VERSION} from '../../src/exec/protocol.js'
import {closeAll, deferred, kmsAction, kmsWith, scripted, SESSION_TYPE, tick, until} from './scripted-agent.js'

afterEach(() => {
  vi.useRealTimers()
  closeAll()
})

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

