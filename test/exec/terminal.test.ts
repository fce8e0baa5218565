import {EventEmitter} from 'node:events'
import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'

import type {ClientSession, SessionResult} from '../../src/exec/client.js'
import {attachTerminal, pipeSession, type TerminalIo} from '../../src/exec/terminal.js'

/** A session stand-in that records what the terminal side does with it. */
function fakeSession() {
  let end!: (r: SessionResult) => void
  const calls: unknown[][] = []
  const out: ((d: Buffer) => void)[] = []
  const session = {
    done: new Promise<SessionResult>((r) => (end = r)),
    sendInput: (d: Buffer) => calls.push(['input', d.toString()]),
    resize: (c: number, r: number) => calls.push(['resize', c, r]),
    closeInput: () => calls.push(['closeInput']),
    terminate: async () => {
      calls.push(['terminate'])
      end({reason: 'terminated'})
    },
    onStdout: (cb: (d: Buffer) => void) => out.push(cb),
    onStderr: () => {},
  }
  return {session: session as unknown as ClientSession, calls, end: (r: SessionResult) => end(r), output: (s: string) => out.forEach((cb) => cb(Buffer.from(s)))}
}

function tty() {
  const stdin = Object.assign(new PassThrough(), {isTTY: true, isRaw: false, modes: [] as boolean[]})
  ;(stdin as any).setRawMode = (raw: boolean) => {
    stdin.isRaw = raw
    stdin.modes.push(raw)
  }
  const stdout = Object.assign(new PassThrough(), {isTTY: true, columns: 120, rows: 40})
  const signals = new EventEmitter()
  const io: TerminalIo = {stdin, stdout, stderr: new PassThrough(), signals}
  return {io, stdin, stdout, signals}
}

describe('attachTerminal', () => {
  it('goes raw, sends the size first and on resize, forwards keys, and restores the terminal', async () => {
    const {session, calls, end, output} = fakeSession()
    const t = tty()
    const printed: string[] = []
    t.stdout.on('data', (d) => printed.push(d.toString()))
    const attached = attachTerminal(session, t.io)
    expect(t.stdin.isRaw).toBe(true)
    t.stdin.write('\x03')
    await new Promise((r) => setImmediate(r))
    t.stdout.columns = 90
    t.stdout.emit('resize')
    output('prompt$ ')
    end({reason: 'exit', exitCode: 2})
    expect(await attached).toEqual({reason: 'exit', exitCode: 2})
    expect(calls).toEqual([
      ['resize', 120, 40],
      ['input', '\x03'],
      ['resize', 90, 40],
    ])
    expect(printed.join('')).toBe('prompt$ ')
    expect(t.stdin.modes).toEqual([true, false])
  })

  it('restores the terminal and ends the session on SIGTERM, with exit code 143', async () => {
    const {session, calls} = fakeSession()
    const t = tty()
    const attached = attachTerminal(session, t.io)
    t.signals.emit('SIGTERM')
    expect(t.stdin.isRaw).toBe(false)
    expect(await attached).toMatchObject({signal: 'SIGTERM', exitCode: 143})
    expect(calls.at(-1)).toEqual(['terminate'])
  })

  it('restores the terminal when the process exits unexpectedly', () => {
    const {session} = fakeSession()
    const t = tty()
    void attachTerminal(session, t.io)
    t.signals.emit('exit')
    expect(t.stdin.modes).toEqual([true, false])
  })
})

describe('pipeSession', () => {
  it('announces itself with input, pipes stdin and signals its end', async () => {
    const {session, calls, end} = fakeSession()
    const stdin = new PassThrough()
    const piped = pipeSession(session, {stdin, stdout: new PassThrough(), stderr: new PassThrough(), signals: new EventEmitter()})
    stdin.end('abc')
    await new Promise((r) => setTimeout(r, 10))
    end({reason: 'exit', exitCode: 0})
    await piped
    expect(calls).toEqual([['input', ''], ['input', 'abc'], ['closeInput']])
  })
})
