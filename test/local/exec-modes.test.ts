// The local exec agent in its two modes, through the real broker and real processes: `aws` behaves as
// ECS's SSM agent (a terminal always, the command line split into words without a shell, no exit-code
// message, the command started right after the handshake whatever the client sends); `extended` lets
// the client choose pipes and reports the exit code.
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'

import {dialSession} from '../../src/exec/client.js'
import type {ExecProcess} from '../../src/local/agent/types.js'
import {createExecBroker, type ExecBroker} from '../../src/local/exec/broker.js'
import {execModeFromEnv} from '../../src/local/exec/index.js'
import {commandArgv, type ExecMode} from '../../src/local/exec/task-agent.js'
import {childProcess} from '../exec/helpers.js'

let server: Server | undefined
let broker: ExecBroker | undefined
const taskArn = 'arn:aws:ecs:us-east-1:000000000000:task/demo/t1'
let started: {argv: string[]; tty: boolean}[] = []

async function start(mode: ExecMode): Promise<void> {
  started = []
  server = createServer((_req, res) => res.writeHead(404).end())
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  broker = createExecBroker({
    driver: {
      exec(_t, _c, argv, o): ExecProcess {
        started.push({argv, tty: o.tty})
        return childProcess(argv, o) as ExecProcess
      },
    },
    endpoint: () => `http://127.0.0.1:${port}`,
    mode,
  })
  server.on('upgrade', (req, socket, head) => broker!.handleUpgrade(req, socket, head))
  broker.startAgent('t1')
}

afterEach(async () => {
  await broker?.close()
  server?.closeAllConnections()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = undefined
  broker = undefined
})

async function open(command: string) {
  const s = await broker!.createSession({taskArn, taskId: 't1', container: 'web', command, interactive: true})
  const session = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue})
  const out: Buffer[] = []
  const err: Buffer[] = []
  session.onStdout((d) => out.push(d))
  session.onStderr((d) => err.push(d))
  return {session, out: () => Buffer.concat(out).toString(), err: () => Buffer.concat(err).toString()}
}

describe('exec mode aws (the default)', () => {
  it('runs the command for a client that sends nothing after the handshake, on a terminal, with no exit-code message', async () => {
    await start('aws')
    const {session, out} = await open('sh -c "echo from-the-task; tty"')
    // Nothing is sent: no size, no input, no end-of-input.
    const r = await session.done
    expect(out()).toMatch(/^from-the-task\r\n\/dev\/pts\/\d+\r\n$/)
    expect(r.reason).toBe('closed')
    expect(r.exitCode).toBeUndefined()
    expect(started).toEqual([{argv: ['sh', '-c', 'echo from-the-task; tty'], tty: true}])
  })

  it('gives a terminal even to a client whose first message is input, merging stderr into the output', async () => {
    await start('aws')
    const {session, out, err} = await open('sh -c "echo out; echo err >&2; exit 3"')
    session.sendInput(Buffer.alloc(0))
    session.closeInput()
    const r = await session.done
    expect(out()).toBe('out\r\nerr\r\n')
    expect(err()).toBe('')
    expect(r.exitCode).toBeUndefined()
  })

  it('splits the command line into words as the SSM agent does: no shell, quotes kept together', async () => {
    expect(commandArgv(`echo $HOME 'a  b' "c \\"d\\"" e\\ f # comment`, 'aws')).toEqual(['echo', '$HOME', 'a  b', 'c "d"', 'e f'])
    expect(commandArgv('', 'aws')).toEqual(['sh'])
    expect(commandArgv('echo $HOME; exit 2', 'extended')).toEqual(['/bin/sh', '-c', 'echo $HOME; exit 2'])
    await start('aws')
    const {session, out} = await open(`echo $HOME 'a  b'`)
    await session.done
    expect(out()).toBe('$HOME a  b\r\n')
  })

  it('reads its mode from PIER_EXEC_MODE and refuses an unknown one', () => {
    expect(execModeFromEnv(undefined)).toBe('aws')
    expect(execModeFromEnv('extended')).toBe('extended')
    expect(() => execModeFromEnv('posix')).toThrow('PIER_EXEC_MODE must be aws or extended, not posix')
  })
})

describe('exec mode extended', () => {
  it('runs the command without a terminal for a client that sends input first, and reports the exit code', async () => {
    await start('extended')
    const {session, out, err} = await open('echo out; echo err >&2; exit 3')
    session.sendInput(Buffer.alloc(0))
    session.closeInput()
    expect(await session.done).toMatchObject({reason: 'exit', exitCode: 3})
    expect(out()).toBe('out\n')
    expect(err()).toBe('err\n')
    expect(started).toEqual([{argv: ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'], tty: false}])
  })

  it('still runs the command for a client that sends nothing, on a terminal', async () => {
    await start('extended')
    const {session, out} = await open('tty; exit 6')
    expect(await session.done).toMatchObject({exitCode: 6})
    expect(out()).toMatch(/^\/dev\/pts\/\d+\r\n$/)
    expect(started).toEqual([{argv: ['/bin/sh', '-c', 'tty; exit 6'], tty: true}])
  })
})
