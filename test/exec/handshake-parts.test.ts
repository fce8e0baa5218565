// The pieces under a session: the handshake payloads as the agent builds and reads them, the session
// cipher's key halves and its refusals, the error names, and the in-memory socket pair's closing.
import {createCipheriv, createDecipheriv, createHash, randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {SessionCipher} from '../../src/exec/crypto.js'
import {SessionError, SessionKmsError, SessionRefusedError} from '../../src/exec/errors.js'
import {handshakeRequest, jsonPayload, kmsEncryptionResult, parseJson, readHandshakeResponse} from '../../src/exec/handshake.js'
import {ActionStatus} from '../../src/exec/protocol.js'
import {CLOSED, memorySocketPair} from '../../src/exec/socket.js'

const sessionType = (status: number, extra = {}) => ({ActionType: 'SessionType', ActionStatus: status, ...extra})
const kms = (status: number, extra = {}) => ({ActionType: 'KMSEncryption', ActionStatus: status, ...extra})

describe('handshake payloads', () => {
  it('asks for KMS encryption only when a key is given', () => {
    const session = {SessionType: 'InteractiveCommands' as const, Properties: {}}
    expect(handshakeRequest('3.3.0.0', session)).toEqual({AgentVersion: '3.3.0.0', RequestedClientActions: [{ActionType: 'SessionType', ActionParameters: session}]})
    expect(handshakeRequest('3.3.0.0', session, 'alias/k').RequestedClientActions[1]).toEqual({ActionType: 'KMSEncryption', ActionParameters: {KMSKeyId: 'alias/k'}})
  })

  it('answers KMS with the ciphertext key and its SHA-256, both base64', () => {
    const key = randomBytes(48)
    expect(kmsEncryptionResult(key)).toEqual({KMSCipherTextKey: key.toString('base64'), KMSCipherTextHash: createHash('sha256').update(key).digest('base64')})
  })

  it('round-trips JSON payloads and names a payload that is not JSON', () => {
    expect(parseJson(jsonPayload({a: 'é'}), 'x')).toEqual({a: 'é'})
    expect(() => parseJson(Buffer.from('{'), 'handshake response')).toThrow(/^handshake response: the payload is not JSON$/)
  })

  it('reads the session type as accepted only when the client says it succeeded', () => {
    expect(readHandshakeResponse({ClientVersion: '1', ProcessedClientActions: [sessionType(ActionStatus.Success)], Errors: null})).toEqual({failures: [], sessionTypeAccepted: true})
    expect(readHandshakeResponse({ClientVersion: '1', ProcessedClientActions: [], Errors: null}).sessionTypeAccepted).toBe(false)
    expect(readHandshakeResponse({ClientVersion: '1', ProcessedClientActions: [sessionType(ActionStatus.Failed)], Errors: null}).sessionTypeAccepted).toBe(false)
    expect(readHandshakeResponse({ClientVersion: '1', ProcessedClientActions: [kms(ActionStatus.Success)], Errors: null}).sessionTypeAccepted).toBe(false)
    expect(readHandshakeResponse({ClientVersion: '1', Errors: null} as never)).toEqual({failures: [], sessionTypeAccepted: false})
  })

  it('collects the failures: the listed errors, then those of failed actions, once each', () => {
    const r = readHandshakeResponse({
      ClientVersion: '1',
      ProcessedClientActions: [
        sessionType(ActionStatus.Success, {Error: 'not a failure'}),
        kms(ActionStatus.Failed, {Error: 'Failed to process action KMSEncryption: denied'}),
        {ActionType: 'Port', ActionStatus: ActionStatus.Unsupported, Error: 'Unsupported action Port'},
        {ActionType: 'Other', ActionStatus: ActionStatus.Failed},
      ],
      Errors: ['Failed to process action KMSEncryption: denied', 'listed only'],
    })
    expect(r.failures).toEqual(['Failed to process action KMSEncryption: denied', 'listed only', 'Unsupported action Port'])
  })

  it('takes the ciphertext key only from a KMS action that succeeded with one', () => {
    const key = randomBytes(40)
    const result = {KMSCipherTextKey: key.toString('base64'), KMSCipherTextHash: 'h'}
    const read = (actions: unknown[]) => readHandshakeResponse({ClientVersion: '1', ProcessedClientActions: actions as never, Errors: null})
    expect(read([sessionType(1), kms(ActionStatus.Success, {ActionResult: result})]).ciphertextKey?.equals(key)).toBe(true)
    expect(read([sessionType(1), kms(ActionStatus.Failed, {ActionResult: result})])).toEqual({failures: [], sessionTypeAccepted: true})
    expect(read([sessionType(1, {ActionResult: result})])).toEqual({failures: [], sessionTypeAccepted: true})
    expect(read([sessionType(1), kms(ActionStatus.Success)])).toEqual({failures: [], sessionTypeAccepted: true})
    expect(read([sessionType(1), kms(ActionStatus.Success, {ActionResult: {}})])).toEqual({failures: [], sessionTypeAccepted: true})
  })
})

describe('SessionCipher', () => {
  const sealWith = (key: Buffer, plain: Buffer) => {
    const nonce = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', key, nonce)
    const body = Buffer.concat([c.update(plain), c.final()])
    return Buffer.concat([nonce, body, c.getAuthTag()])
  }
  const openWith = (key: Buffer, sealed: Buffer) => {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
    d.setAuthTag(sealed.subarray(sealed.length - 16))
    return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()])
  }

  it('uses bytes 32-63 of the data key from client to agent and bytes 0-31 from agent to client', () => {
    const dataKey = randomBytes(64)
    const client = SessionCipher.fromDataKey(dataKey, 'client')
    const agent = SessionCipher.fromDataKey(dataKey, 'agent')
    expect(openWith(dataKey.subarray(32), client.encrypt(Buffer.from('up'))).toString()).toBe('up')
    expect(openWith(dataKey.subarray(0, 32), agent.encrypt(Buffer.from('down'))).toString()).toBe('down')
    expect(client.decrypt(sealWith(dataKey.subarray(0, 32), Buffer.from('to client'))).toString()).toBe('to client')
    expect(agent.decrypt(sealWith(dataKey.subarray(32), Buffer.from('to agent'))).toString()).toBe('to agent')
  })

  it('refuses a data key that is not 64 bytes, and a payload too short to hold a nonce and a tag', () => {
    expect(() => SessionCipher.fromDataKey(randomBytes(32), 'client')).toThrow(/^data key has 32 bytes: the session needs 64$/)
    const c = SessionCipher.fromDataKey(randomBytes(64), 'client')
    expect(() => c.decrypt(Buffer.alloc(27))).toThrow(/^encrypted payload too short$/)
    expect(() => c.decrypt(Buffer.alloc(10))).toThrow(/^encrypted payload too short$/)
  })
})

describe('session errors', () => {
  it('carry their own names and words', () => {
    const refused = new SessionRefusedError('HTTP 403')
    expect([refused.name, refused.message, refused.reason]).toEqual(['SessionRefusedError', 'the session was refused: HTTP 403', 'HTTP 403'])
    expect(new SessionError('broke').name).toBe('SessionError')
    const k = new SessionKmsError('alias/k', 'denied')
    expect([k.name, k.message]).toEqual(['SessionKmsError', 'the KMS key alias/k that encrypts the session could not be used: denied'])
    expect(k).toBeInstanceOf(SessionError)
  })
})

describe('memorySocketPair', () => {
  const tick = () => new Promise<void>((r) => setImmediate(r))
  const closes = (s: NodeJS.EventEmitter) => {
    const seen: [number, string][] = []
    s.on('close', (code: number, reason: Buffer) => seen.push([code, reason.toString()]))
    return seen
  }

  it('closes both ends once, with the code and an empty reason by default', async () => {
    const [a, b] = memorySocketPair()
    const ca = closes(a)
    const cb = closes(b)
    a.close()
    await tick()
    expect(ca).toEqual([[1000, '']])
    expect(cb).toEqual([[1000, '']])
    expect([a.readyState, b.readyState]).toEqual([CLOSED, CLOSED])
  })

  it('terminate closes with 1006', async () => {
    const [a, b] = memorySocketPair()
    const cb = closes(b)
    a.terminate()
    await tick()
    expect(cb).toEqual([[1006, '']])
  })

  it('when both ends close at once, each reports its close once', async () => {
    const [a, b] = memorySocketPair()
    const ca = closes(a)
    const cb = closes(b)
    a.close(1000, 'a')
    b.close(1001, 'b')
    await tick()
    await tick()
    expect(ca).toEqual([[1000, 'a']])
    expect(cb).toEqual([[1001, 'b']])
  })

  it('an end nobody listens to for close still closes when its peer does, and sends nothing after', async () => {
    const [a, b] = memorySocketPair()
    const got: string[] = []
    a.on('message', (d: Buffer) => got.push(`a: ${d}`))
    b.on('message', (d: Buffer) => got.push(`b: ${d}`))
    b.close()
    await tick()
    expect(a.readyState).toBe(CLOSED)
    a.send(Buffer.from('after close'))
    b.send(Buffer.from('after close'))
    await tick()
    expect(got).toEqual([])
  })
})
