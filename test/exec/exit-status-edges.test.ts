// The exit-status wrapper's edges: what the command line may not contain, output passed on as soon as
// it arrives, line ends held across chunks and at the end, marker lines that are not start or end
// lines, the bounded preamble, stdin escaping at its limits; and the interactive script on a real
// terminal, where Ctrl-C ends the command but not the report of its status.
import {spawn} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {quoteWord, splitCommandLine} from '../../src/exec/command-line.js'
import {crlfToLf, exitStatusCommand, LineEnds, MarkedOutput, TerminalInput, type TerminalMode} from '../../src/exec/exit-status.js'

const M = 'pier-0123456789abcdef0123456789abcdef'

/** A MarkedOutput fed `chunks` one by one; every write is recorded as it happens. */
function feed(chunks: string[], opts: {finish?: boolean; onStart?: boolean} = {}) {
  const writes: string[] = []
  const modes: TerminalMode[] = []
  const o = new MarkedOutput(M, {
    write: (d) => writes.push(d.toString('latin1')),
    stdoutIsTerminal: false,
    ...(opts.onStart === false ? {} : {onStart: (m: TerminalMode) => modes.push(m)}),
  })
  const afterEach: string[] = []
  for (const c of chunks) {
    o.feed(Buffer.from(c, 'latin1'))
    afterEach.push(writes.join(''))
  }
  if (opts.finish !== false) o.finish()
  return {o, writes, text: writes.join(''), afterEach, modes}
}

describe('the command line', () => {
  it('never contains the marker whole, for pipes or a terminal', () => {
    for (const interactive of [false, true]) {
      const line = exitStatusCommand('echo hi', M, {interactive})
      expect(line).not.toContain(M)
      expect(line).toContain(M.slice(0, 19))
      expect(line).toContain(M.slice(19))
    }
  })
})

describe('MarkedOutput', () => {
  it('passes output on as it arrives, holding back only what may begin a marker, and never writes nothing', () => {
    const r = feed([`${M}:s:t\r\n`, 'prompt$ ', `x${M.slice(0, 8)}`, `${M.slice(8)}:e:0\r\n`], {finish: false})
    expect(r.afterEach).toEqual(['', 'prompt$ ', 'prompt$ x', 'prompt$ x'])
    expect(r.o.exitCode).toBe(0)
    expect(r.writes.every((w) => w.length > 0)).toBe(true)
    const p = feed([`${M}:s:p\n`, '', `${M}:e:0\n`])
    expect(p.writes).toEqual([])
  })

  it('on an interactive terminal (t) turns CRLF back into LF, as on a plain one', () => {
    expect(feed([`${M}:s:t\r\n`, 'a\r\nb\r\n', `${M}:e:0\r\n`]).text).toBe('a\nb\n')
  })

  it('keeps a CR that ends the output, whether the end line came or the session just ended', () => {
    expect(feed([`${M}:s:c\r\n`, `a\r${M}:e:0\r\n`]).text).toBe('a\r')
    const cut = feed([`${M}:s:c\r\n`, 'abc\r'])
    expect(cut.text).toBe('abc\r')
    expect(cut.o.exitCode).toBeUndefined()
  })

  it('knows when the end line has come, and ignores what follows it', () => {
    const r = feed([`${M}:s:p\n`, 'x'], {finish: false})
    expect(r.o.ended).toBe(false)
    r.o.feed(Buffer.from(`${M}:e:5\nafter\n`))
    expect(r.o.ended).toBe(true)
    r.o.feed(Buffer.from(`more ${M}:e:6\n`))
    r.o.finish()
    expect(r.text).toBe('x')
    expect(r.o.exitCode).toBe(5)
  })

  it('only a line that is exactly the marker, ":e:" and digits is an end line', () => {
    const r = feed([`${M}:s:p\n`, `${M}zz:e:5\n${M}:e:5x\n${M}:e:7\n`])
    expect(r.text).toBe(`${M}zz:e:5\n${M}:e:5x\n`)
    expect(r.o.exitCode).toBe(7)
  })

  it('drops marker lines before the start line that are not a start line', () => {
    const r = feed([`noise\n${M}:s:zz\n${M}:s:r\nhello`])
    expect(r.modes).toEqual(['r'])
    expect(r.o.mode).toBe('r')
    expect(r.text).toBe('hello')
    expect(r.o.preamble).toBe('noise\n')
  })

  it('works without an onStart callback', () => {
    const r = feed([`${M}:s:r\nhi${M}:e:1\n`], {onStart: false})
    expect(r.text).toBe('hi')
    expect(r.o.exitCode).toBe(1)
  })

  it('keeps what may have begun a marker in the preamble when the session ends before any start line', () => {
    const r = feed(['noise pier-01'])
    expect(r.text).toBe('')
    expect(r.o.started).toBe(false)
    expect(r.o.preamble).toBe('noise pier-01')
  })

  it('keeps only the last 4,096 characters of the preamble', () => {
    const noise = Array.from({length: 1000}, (_, i) => `line ${i}\n`).join('')
    const r = feed([noise])
    expect(r.o.preamble).toBe(noise.slice(-4096))
  })
})

describe('LineEnds and crlfToLf', () => {
  it('leaves lone LFs and other bytes alone', () => {
    expect(crlfToLf(Buffer.from('x\ny\r\nz\r')).toString()).toBe('x\ny\nz\r')
  })

  it('holds a trailing CR until it knows what follows, writes no empty chunk, and starts afresh after finish', () => {
    const writes: string[] = []
    const l = new LineEnds((d) => writes.push(d.toString()))
    l.feed(Buffer.from('\r'))
    expect(writes).toEqual([])
    l.feed(Buffer.from('\na\r'))
    l.finish()
    l.feed(Buffer.from('b'))
    l.finish()
    expect(writes).toEqual(['\na', '\r', 'b'])
  })
})

describe('TerminalInput', () => {
  it('sends nothing for empty input', () => {
    const sent: Buffer[] = []
    new TerminalInput((d) => sent.push(d)).write(Buffer.alloc(0))
    expect(sent).toEqual([])
  })

  it('has room for the worst case: every byte escaped and a full line pushed', () => {
    const sent: Buffer[] = []
    new TerminalInput((d) => sent.push(Buffer.from(d))).write(Buffer.alloc(4000, 0x04))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.equals(Buffer.concat([Buffer.alloc(8000, '\x16\x04'), Buffer.from([0x04])]))).toBe(true)
  })

  it('takes a large chunk of stdin in one write', () => {
    const sent: Buffer[] = []
    const data = Buffer.alloc(1_200_000, 'y')
    new TerminalInput((d) => sent.push(d)).write(data)
    expect(sent).toHaveLength(1)
    // One end-of-file per 4,000 bytes, and one for the partial line at the end.
    expect(sent[0]!.length).toBe(data.length + Math.ceil(data.length / 4000))
  })
})

describe('the wrapper on a real shell', () => {
  /** Runs the wrapped command with /bin/sh, on a terminal from script(1) or on pipes; `onOutput` sees the output so far. */
  function run(command: string, opts: {interactive: boolean; tty: boolean; onOutput?: (text: string, stdin: NodeJS.WritableStream) => void}) {
    const argv = splitCommandLine(exitStatusCommand(command, M, {interactive: opts.interactive}))
    const child = opts.tty
      ? spawn('/usr/bin/script', ['-qfec', `exec ${argv.map(quoteWord).join(' ')}`, '/dev/null'], {env: {PATH: '/usr/bin:/bin', SHELL: '/bin/sh', TERM: 'xterm'}})
      : spawn(argv[0]!, argv.slice(1), {env: {PATH: '/usr/bin:/bin'}})
    let text = ''
    const o = new MarkedOutput(M, {
      write: (d) => {
        text += d.toString()
        opts.onOutput?.(text, child.stdin)
      },
      stdoutIsTerminal: false,
      onStart: () => {
        if (!opts.tty) child.stdin.end()
      },
    })
    child.stdout.on('data', (d: Buffer) => o.feed(d))
    child.stdin.on('error', () => {})
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000)
    return new Promise<{mode?: TerminalMode; code?: number; status: number | null; text: string}>((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer)
        o.finish()
        resolve({...(o.mode ? {mode: o.mode} : {}), ...(o.exitCode !== undefined ? {code: o.exitCode} : {}), status, text})
      }),
    )
  }

  it('interactive: reports the terminal it found, and the script exits with the command status', async () => {
    expect(await run('echo hi; exit 9', {interactive: true, tty: false})).toEqual({mode: 'p', code: 9, status: 9, text: 'hi\n'})
    expect(await run('echo hi; exit 9', {interactive: true, tty: true})).toMatchObject({mode: 't', code: 9, text: 'hi\n'})
  })

  it('for pipes: the script exits with the command status too', async () => {
    expect(await run('exit 5', {interactive: false, tty: false})).toEqual({mode: 'p', code: 5, status: 5, text: ''})
  })

  it('interactive: Ctrl-C ends the command, and its status still comes back', async () => {
    let sent = false
    const r = await run('echo ready; sleep 20; echo not reached', {
      interactive: true,
      tty: true,
      onOutput: (text, stdin) => {
        if (!sent && text.includes('ready\n')) {
          sent = true
          stdin.write('\x03')
        }
      },
    })
    expect(r.mode).toBe('t')
    expect(r.code).toBe(130)
    expect(r.text).not.toContain('not reached')
  })
})
