import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {dialSession} from '../../src/exec/client.js'
import type {ExecKms} from '../../src/exec/crypto.js'
import {SessionRefusedError} from '../../src/exec/errors.js'
import type {ExecProcess} from '../../src/local/agent/types.js'
import {createExecBroker, type ExecBroker} from '../../src/local/exec/broker.js'
import {createKms, type LocalKms} from '../../src/local/kms/index.js'
import {childProcess} from '../exec/helpers.js'

let server: Server
let broker: ExecBroker
let clock = 0
let execCalls: {taskId: string; container: string; argv: string[]; tty: boolean}[]
let signals: string[]
let exits: number[]
let dir: string

async function start(extra: {kms?: LocalKms; keyArn?: string} = {}) {
  server = createServer((_req, res) => res.writeHead(404).end())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  broker = createExecBroker({
    driver: {
      exec(taskId, container, argv, o): ExecProcess {
        execCalls.push({taskId, container, argv, tty: o.tty})
        const p = childProcess(argv, o) as ExecProcess
        p.onExit((code) => exits.push(code))
        return {...p, signal: (sig) => (signals.push(sig), p.signal(sig))}
      },
    },
    endpoint: () => `http://127.0.0.1:${port}`,
    // These tests check what extended mode adds: pipes, stderr apart and the exit code.
    mode: 'extended',
    now: () => clock,
    ...(extra.kms ? {kms: {keyId: extra.keyArn!, decrypt: (b, c) => extra.kms!.decrypt(b, c)}} : {}),
  })
  server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
}

const taskArn = 'arn:aws:ecs:us-east-1:000000000000:task/demo/t1'

beforeEach(() => {
  clock = 1_000_000
  execCalls = []
  signals = []
  exits = []
  dir = mkdtempSync(join(tmpdir(), 'pier-exec-'))
})
afterEach(async () => {
  await broker?.close()
  server?.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(dir, {recursive: true, force: true})
})

describe('exec broker', () => {
  it('runs a command in the task through the polling agent and returns its exit code', async () => {
    await start()
    broker.startAgent('t1')
    const s = await broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'echo "in $0"; exit 4', interactive: false})
    expect(s.streamUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/exec\/ecs-execute-command-/)
    const session = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue})
    const out: Buffer[] = []
    session.onStdout((d) => out.push(d))
    expect(await session.done).toMatchObject({exitCode: 4})
    expect(Buffer.concat(out).toString()).toBe('in /bin/sh\n')
    expect(execCalls).toEqual([{taskId: 't1', container: 'web', argv: ['/bin/sh', '-c', 'echo "in $0"; exit 4'], tty: false}])
  })

  it('refuses a token that was already used', async () => {
    await start()
    broker.startAgent('t1')
    const s = await broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'sleep 5', interactive: false})
    const first = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue})
    const again = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue}).catch((e) => e)
    expect(again).toBeInstanceOf(SessionRefusedError)
    expect(again.message).toMatch(/already used/)
    await first.terminate()
  })

  it('refuses an expired token and a wrong one, and never starts the command', async () => {
    await start()
    broker.startAgent('t1')
    const s = await broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'true', interactive: false})
    const wrong = await dialSession({streamUrl: s.streamUrl, tokenValue: 'x'.repeat(43)}).catch((e) => e)
    expect(wrong).toBeInstanceOf(SessionRefusedError)
    expect(wrong.message).toMatch(/not valid/)
    clock += 61_000
    const late = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue}).catch((e) => e)
    expect(late).toBeInstanceOf(SessionRefusedError)
    expect(late.message).toMatch(/expired/)
    expect(execCalls).toEqual([])
  })

  it('hangs up the command when the client goes away, and ends the session when the task stops', async () => {
    await start()
    broker.startAgent('t1')
    const s1 = await broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'sleep 30', interactive: false})
    const first = await dialSession({streamUrl: s1.streamUrl, tokenValue: s1.tokenValue})
    first.sendInput(Buffer.alloc(0))
    await expect.poll(() => execCalls.length).toBe(1)
    first.close()
    await expect.poll(() => signals).toContain('SIGHUP')
    await expect.poll(() => exits.length).toBe(1)

    const s2 = await broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'sleep 30', interactive: false})
    const second = await dialSession({streamUrl: s2.streamUrl, tokenValue: s2.tokenValue})
    second.sendInput(Buffer.alloc(0))
    await expect.poll(() => execCalls.length).toBe(2)
    await broker.stopAgent('t1')
    expect(await second.done).toMatchObject({reason: 'disconnected'})
    await expect.poll(() => exits.length).toBe(2)
  })

  it('answers TargetNotConnectedException when the task has no exec agent', async () => {
    await start()
    await expect(broker.createSession({taskArn, taskId: 't2', container: 'web', command: 'true', interactive: false})).rejects.toMatchObject({
      code: 'TargetNotConnectedException',
    })
  })

  it('starts and stops agents as tasks run and stop', async () => {
    await start()
    const seen: string[] = []
    const listener = broker.trackTasks({onTaskChange: (r) => seen.push(r.lastStatus), onLog: () => {}})
    listener.onTaskChange({taskId: 't1', lastStatus: 'RUNNING', containers: [], at: 0})
    expect(broker.agentConnected('t1')).toBe(true)
    listener.onTaskChange({taskId: 't1', lastStatus: 'STOPPED', containers: [], at: 0})
    await expect.poll(() => broker.agentConnected('t1')).toBe(false)
    expect(seen).toEqual(['RUNNING', 'STOPPED'])
  })

  it('encrypts the session with the local KMS when the agent asks for it', async () => {
    const kms = createKms({stateDir: dir, region: 'us-east-1', accountId: '000000000000'})
    const keyArn = kms.ensureKey('alias/pier/exec')
    await start({kms, keyArn})
    broker.startAgent('t1')
    const clientKms: ExecKms = {
      async generateDataKey(input) {
        const out = (await kms.service.handle('GenerateDataKey', input, {requestId: 'r', region: 'us-east-1', accountId: '0', accessKeyId: 'a'})) as any
        return {Plaintext: Buffer.from(out.Plaintext, 'base64'), CiphertextBlob: Buffer.from(out.CiphertextBlob, 'base64')}
      },
    }
    const s = await broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'cat; echo done', interactive: false})
    const session = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue, kms: clientKms, targetId: 'ecs:demo_t1_t1-web'})
    expect(session.encrypted).toBe(true)
    const out: Buffer[] = []
    session.onStdout((d) => out.push(d))
    session.sendInput(Buffer.from('through kms\n'))
    session.closeInput()
    expect(await session.done).toMatchObject({exitCode: 0})
    expect(Buffer.concat(out).toString()).toBe('through kms\ndone\n')
  })
})
