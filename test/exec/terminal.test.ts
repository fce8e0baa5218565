import {EventEmitter} from 'node:events'
import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'

import type {ClientSession, SessionResult} from '../../src/exec/client.js'
import {attachTerminal, pipeSession, processIo, type TerminalIo} from '../../src/exec/terminal.js'

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

describe('attachTerminal, its edges', () => {
  const flush = () => new Promise((r) => setImmediate(r))

  it('once the session ends, leaves no listener behind and forwards nothing more', async () => {
    const {session, calls, end} = fakeSession()
    const t = tty()
    const attached = attachTerminal(session, t.io)
    end({reason: 'exit', exitCode: 0})
    await attached
    t.stdin.write('typed after the end')
    t.stdout.emit('resize')
    t.signals.emit('SIGWINCH')
    await flush()
    expect(calls).toEqual([['resize', 120, 40]])
    expect(t.stdin.listenerCount('data')).toBe(0)
    expect(t.stdout.listenerCount('resize')).toBe(0)
    for (const sig of ['SIGWINCH', 'exit', 'SIGTERM', 'SIGHUP', 'SIGINT']) expect(t.signals.listenerCount(sig)).toBe(0)
  })

  it('leaves raw mode alone on a stdin that is not a terminal', async () => {
    const {session, end} = fakeSession()
    const plain = tty()
    const noRaw = {...plain.io, stdin: new PassThrough()}
    const attached = attachTerminal(session, noRaw)
    end({reason: 'exit', exitCode: 0})
    expect(await attached).toEqual({reason: 'exit', exitCode: 0})
    const second = fakeSession()
    const t = tty()
    t.stdin.isTTY = false
    const again = attachTerminal(second.session, t.io)
    second.end({reason: 'exit', exitCode: 1})
    await again
    expect(t.stdin.modes).toEqual([])
  })

  it('follows SIGWINCH for the size only when stdout is not a terminal (a terminal says resize)', async () => {
    const a = fakeSession()
    const t = tty()
    t.stdout.isTTY = false as true
    const attached = attachTerminal(a.session, t.io)
    t.stdout.rows = 50
    t.signals.emit('SIGWINCH')
    a.end({reason: 'exit', exitCode: 0})
    await attached
    t.signals.emit('SIGWINCH')
    expect(a.calls).toEqual([
      ['resize', 120, 40],
      ['resize', 120, 50],
    ])
    expect(t.signals.listenerCount('SIGWINCH')).toBe(0)
    const b = fakeSession()
    const u = tty()
    const attachedB = attachTerminal(b.session, u.io)
    u.signals.emit('SIGWINCH')
    b.end({reason: 'exit', exitCode: 0})
    await attachedB
    expect(b.calls).toEqual([['resize', 120, 40]])
  })

  it('the first ending signal decides the exit code; later ones change nothing', async () => {
    const {session, calls} = fakeSession()
    const t = tty()
    const attached = attachTerminal(session, t.io)
    t.signals.emit('SIGHUP')
    t.signals.emit('SIGINT')
    expect(await attached).toMatchObject({signal: 'SIGHUP', exitCode: 129})
    expect(calls.filter((c) => c[0] === 'terminate')).toHaveLength(1)
  })
})

describe('pipeSession, its edges', () => {
  const flush = () => new Promise((r) => setImmediate(r))
  const io = (stdin: PassThrough & {isTTY?: boolean}) => ({stdin, stdout: new PassThrough(), stderr: new PassThrough(), signals: new EventEmitter()})

  it('does not read a terminal stdin: it ends the input at once and leaves stdin as it was', async () => {
    const {session, calls, end} = fakeSession()
    const stdin = Object.assign(new PassThrough(), {isTTY: true})
    const piped = pipeSession(session, io(stdin))
    stdin.write('keys')
    await flush()
    end({reason: 'exit', exitCode: 0})
    await piped
    expect(calls).toEqual([['input', ''], ['closeInput']])
    expect(stdin.isPaused()).toBe(false)
  })

  it('once the session ends, stops reading stdin and leaves no listener behind', async () => {
    const {session, calls, end} = fakeSession()
    const stdin = new PassThrough()
    const before = {data: stdin.listenerCount('data'), end: stdin.listenerCount('end')}
    const piped = pipeSession(session, io(stdin))
    stdin.write('abc')
    await flush()
    end({reason: 'exit', exitCode: 0})
    await piped
    stdin.write('after the end')
    await flush()
    expect(calls).toEqual([['input', ''], ['input', 'abc']])
    expect(stdin.isPaused()).toBe(true)
    expect({data: stdin.listenerCount('data'), end: stdin.listenerCount('end')}).toEqual(before)
  })
})

describe('processIo', () => {
  it('is the process own streams and signals', () => {
    const p = processIo()
    expect([p.stdin, p.stdout, p.stderr, p.signals]).toEqual([process.stdin, process.stdout, process.stderr, process])
    expect(p.stdin).toBe(process.stdin)
    expect(p.signals).toBe(process)
  })
})
