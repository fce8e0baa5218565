import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'
import {afterEach, describe, expect, it} from 'vitest'

import {dialSession} from '../../src/exec/client.js'
import type {AgentKms, ExecKms} from '../../src/exec/crypto.js'
import {SessionError, SessionRefusedError} from '../../src/exec/errors.js'
import {type AgentServer, childProcess, FakeProcess, type FaultProxy, pattern, startAgentServer, startFaultProxy} from './helpers.js'

let server: AgentServer | undefined
let proxy: FaultProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await server?.close()
  proxy = undefined
  server = undefined
})

function collect(session: {onStdout(cb: (d: Buffer) => void): void; onStderr(cb: (d: Buffer) => void): void}) {
  const out: Buffer[] = []
  const err: Buffer[] = []
  session.onStdout((d) => out.push(d))
  session.onStderr((d) => err.push(d))
  return {out: () => Buffer.concat(out), err: () => Buffer.concat(err)}
}

/** A stand-in for KMS: the "ciphertext" is the data key sealed with a master key and bound to the context. */
function fakeKmsPair(): {client: ExecKms; agent: AgentKms; contexts: Record<string, string>[]} {
  const master = randomBytes(32)
  const contexts: Record<string, string>[] = []
  const aad = (ctx: Record<string, string>) => Buffer.from(JSON.stringify(Object.entries(ctx).sort()))
  return {
    contexts,
    client: {
      async generateDataKey({NumberOfBytes, EncryptionContext}) {
        contexts.push(EncryptionContext)
        const key = randomBytes(NumberOfBytes)
        const iv = randomBytes(12)
        const c = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(EncryptionContext))
        const body = Buffer.concat([c.update(key), c.final()])
        return {Plaintext: key, CiphertextBlob: Buffer.concat([iv, c.getAuthTag(), body])}
      },
    },
    agent: {
      keyId: 'alias/pier-exec',
      async decrypt(blob, ctx) {
        const d = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12)).setAAD(aad(ctx))
        d.setAuthTag(blob.subarray(12, 28))
        return Buffer.concat([d.update(blob.subarray(28)), d.final()])
      },
    },
  }
}

describe('exec session', () => {
  it('streams output and stderr and reports the exit code', async () => {
    const proc = new FakeProcess()
    server = await startAgentServer(() => {
      setTimeout(() => {
        proc.emitStdout(Buffer.from('hello\n'))
        proc.emitStderr(Buffer.from('oops\n'))
        proc.emitExit(3)
      }, 5)
      return proc
    })
    const session = await dialSession({streamUrl: server.url, tokenValue: server.token})
    const io = collect(session)
    const result = await session.done
    expect(result).toEqual({reason: 'exit', exitCode: 3})
    expect(io.out().toString()).toBe('hello\n')
    expect(io.err().toString()).toBe('oops\n')
    expect(await server.results[0]).toEqual({exitCode: 3})
  })

  it('carries input, terminal sizes and end of input to the process', async () => {
    const proc = new FakeProcess()
    server = await startAgentServer(() => proc)
    const session = await dialSession({streamUrl: server.url, tokenValue: server.token, interactive: true})
    session.resize(120, 40)
    session.sendInput(Buffer.from('ls'))
    session.sendInput(Buffer.from('\n'))
    session.sendInput(Buffer.alloc(3000, 0x61))
    session.closeInput()
    await expect.poll(() => proc.stdinClosed).toBe(true)
    expect(proc.sizes).toEqual([{cols: 120, rows: 40}])
    // A lone LF becomes CR (interactive), and long input arrives whole.
    expect(Buffer.concat(proc.input).toString()).toBe(`ls\r${'a'.repeat(3000)}`)
    proc.emitExit(0)
    expect((await session.done).exitCode).toBe(0)
  })

  it('refuses a wrong token', async () => {
    server = await startAgentServer(() => new FakeProcess())
    await expect(dialSession({streamUrl: server.url, tokenValue: 'nope'})).rejects.toBeInstanceOf(SessionRefusedError)
  })

  it('encrypts the session with a KMS data key after the challenge', async () => {
    const kms = fakeKmsPair()
    const proc = new FakeProcess()
    server = await startAgentServer(() => proc, {kms: kms.agent})
    const session = await dialSession({streamUrl: server.url, tokenValue: server.token, kms: kms.client, targetId: 'ecs:c_t_r'})
    expect(session.encrypted).toBe(true)
    expect(kms.contexts).toEqual([{'aws:ssm:SessionId': 'sess-1', 'aws:ssm:TargetId': 'ecs:c_t_r'}])
    const io = collect(session)
    session.sendInput(Buffer.from('secret input'))
    await expect.poll(() => Buffer.concat(proc.input).toString()).toBe('secret input')
    proc.emitStdout(Buffer.from('secret output'))
    proc.emitExit(5)
    expect((await session.done).exitCode).toBe(5)
    expect(io.out().toString()).toBe('secret output')
  })

  it('fails clearly when the agent requires KMS and the client has no KMS client', async () => {
    const kms = fakeKmsPair()
    let started = false
    server = await startAgentServer(() => ((started = true), new FakeProcess()), {kms: kms.agent})
    const err = await dialSession({streamUrl: server.url, tokenValue: server.token}).catch((e) => e)
    expect(err).toBeInstanceOf(SessionError)
    expect(err.message).toMatch(/KMS encryption/)
    expect(started).toBe(false)
  })

  it('runs a real command: stdout, stderr, stdin and a non-zero exit code', async () => {
    server = await startAgentServer(() => childProcess('read line; echo "got $line"; echo err >&2; exit 7', {tty: false}))
    const session = await dialSession({streamUrl: server.url, tokenValue: server.token})
    const io = collect(session)
    session.sendInput(Buffer.from('piped\n'))
    session.closeInput()
    expect(await session.done).toEqual({reason: 'exit', exitCode: 7})
    expect(io.out().toString()).toBe('got piped\n')
    expect(io.err().toString()).toBe('err\n')
  })

  it('delivers 1 MB intact and in order through drops, duplicates, reordering and delays', async () => {
    const data = pattern(1024 * 1024)
    const upstream = pattern(64 * 1024, 11)
    const proc = new FakeProcess()
    server = await startAgentServer(() => {
      let i = 0
      let n = 1
      const emit = () => {
        const size = 1 + ((n++ * 7919) % 24_000)
        proc.emitStdout(data.subarray(i, i + size))
        i += size
        if (i < data.length) setImmediate(emit)
      }
      setImmediate(emit)
      return proc
    }, {chunkSize: 4096})
    proxy = await startFaultProxy(server.url.replace(/\/v1.*/, ''), {drop: 0.05, duplicate: 0.05, reorder: 0.05, delay: 0.1, delayMs: 15, seed: 42})
    const session = await dialSession({streamUrl: proxy.url('/v1/data-channel/sess-1'), tokenValue: server.token})
    const io = collect(session)
    session.sendInput(upstream)
    await expect.poll(() => io.out().length, {timeout: 20_000}).toBe(data.length)
    await expect.poll(() => Buffer.concat(proc.input).length, {timeout: 20_000}).toBe(upstream.length)
    proc.emitExit(0)
    expect((await session.done).exitCode).toBe(0)
    expect(io.out().equals(data)).toBe(true)
    expect(Buffer.concat(proc.input).equals(upstream)).toBe(true)
    expect(proxy.counts.dropped).toBeGreaterThan(10)
    expect(proxy.counts.duplicated).toBeGreaterThan(10)
    expect(proxy.counts.reordered).toBeGreaterThan(10)
    expect(session.stats.duplicates).toBeGreaterThan(0)
  })
})
