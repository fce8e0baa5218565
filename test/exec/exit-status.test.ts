// The exit-status wrapper: the marker lines are found however the output is cut, the terminal's
// artefacts go, stdin is escaped for a canonical terminal; and the script itself works on a real
// terminal with dash and with BusyBox, with and without stty.
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {quoteWord, splitCommandLine} from '../../src/exec/command-line.js'
import {exitStatusCommand, MarkedOutput, TerminalInput, type TerminalMode} from '../../src/exec/exit-status.js'

const M = 'pier-0123456789abcdef0123456789abcdef'

function parse(chunks: Buffer[], stdoutIsTerminal = false) {
  const out: Buffer[] = []
  const modes: TerminalMode[] = []
  const o = new MarkedOutput(M, {write: (d) => out.push(d), stdoutIsTerminal, onStart: (m) => modes.push(m)})
  for (const c of chunks) o.feed(c)
  o.finish()
  return {text: Buffer.concat(out).toString('latin1'), code: o.exitCode, modes, preamble: o.preamble, started: o.started}
}

function cutEverywhere(s: string): Buffer[][] {
  const b = Buffer.from(s, 'latin1')
  const cuts: Buffer[][] = [[b]]
  for (let i = 1; i < b.length; i++) cuts.push([b.subarray(0, i), b.subarray(i)])
  cuts.push([...b].map((x) => Buffer.from([x])))
  return cuts
}

describe('MarkedOutput', () => {
  it('finds the start and end lines wherever the stream is cut, and passes exactly the output between', () => {
    const stream = `agent noise\r\n${M}:s:r\nhello\nno newline at end${M}:e:42\ntrailing`
    for (const chunks of cutEverywhere(stream)) {
      expect(parse(chunks)).toMatchObject({text: 'hello\nno newline at end', code: 42, modes: ['r'], preamble: 'agent noise\r\n'})
    }
  })

  it('turns CRLF back into LF on a plain terminal when stdout is not one, and leaves it otherwise', () => {
    const stream = `${M}:s:c\r\na\r\nb\r\r\n${M}:e:0\r\n`
    for (const chunks of cutEverywhere(stream)) expect(parse(chunks).text).toBe('a\nb\r\n')
    expect(parse([Buffer.from(stream)], true).text).toBe('a\r\nb\r\r\n')
    // A set-up terminal does not translate: a CR the command wrote stays.
    expect(parse([Buffer.from(`${M}:s:r\na\r\n${M}:e:0\n`)]).text).toBe('a\r\n')
  })

  it('reports no start when the wrapper never ran, and no code when the end line never came', () => {
    expect(parse([Buffer.from('exec: "/bin/sh": stat /bin/sh: no such file or directory\r\n')])).toMatchObject({started: false, code: undefined, text: ''})
    expect(parse([Buffer.from(`${M}:s:p\npartial ${M.slice(0, 10)}`)])).toMatchObject({started: true, code: undefined, text: `partial ${M.slice(0, 10)}`})
    // The marker without a status is output, not an end line.
    expect(parse([Buffer.from(`${M}:s:p\n${M}:x\n${M}:e:3\n`)])).toMatchObject({text: `${M}:x\n`, code: 3})
  })
})

describe('TerminalInput', () => {
  it('escapes end-of-file and literal-next, hands over partial lines, splits long lines, and ends with end-of-file', () => {
    const sent: Buffer[] = []
    const input = new TerminalInput((d) => sent.push(Buffer.from(d)))
    input.write(Buffer.from('a\x04b\x16c\n'))
    input.write(Buffer.from('partial'))
    input.write(Buffer.alloc(8001, 'x'))
    input.end()
    expect(sent[0]!.toString('latin1')).toBe('a\x16\x04b\x16\x16c\n')
    expect(sent[1]!.toString('latin1')).toBe('partial\x04')
    expect(sent[2]!.toString('latin1')).toBe(`${'x'.repeat(4000)}\x04${'x'.repeat(4000)}\x04x\x04`)
    expect(sent[3]!.toString('latin1')).toBe('\x04')
  })
})

describe('the wrapper on real shells', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pier-wrapper-'))
  const busybox = join(dir, 'busybox')
  const bare = join(dir, 'bare')
  mkdirSync(busybox)
  mkdirSync(bare)
  for (const applet of ['sh', 'stty', 'cat', 'printf', 'head', 'echo']) symlinkSync('/usr/bin/busybox', join(busybox, applet))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  /** Runs the wrapped command as the SSM agent would: split into words, on a terminal from script(1). */
  function runWrapped(command: string, opts: {shell: string; path: string; stdin: Buffer; tty: boolean}) {
    const argv = splitCommandLine(exitStatusCommand(command, M, {interactive: false}))
    expect(argv[0]).toBe('/bin/sh')
    argv[0] = opts.shell
    const child = opts.tty
      ? spawn('/usr/bin/script', ['-qfec', `exec ${argv.map(quoteWord).join(' ')}`, '/dev/null'], {env: {PATH: opts.path, SHELL: '/bin/sh'}})
      : spawn(argv[0]!, argv.slice(1), {env: {PATH: opts.path}})
    const out: Buffer[] = []
    const o = new MarkedOutput(M, {
      write: (d) => out.push(d),
      stdoutIsTerminal: false,
      onStart: (mode) => {
        if (mode === 'p') child.stdin.end(opts.stdin)
        else {
          const input = new TerminalInput((d) => child.stdin.write(d))
          input.write(opts.stdin)
          input.end()
        }
      },
    })
    child.stdout.on('data', (d: Buffer) => o.feed(d))
    child.stdin.on('error', () => {})
    return new Promise<{mode?: TerminalMode; code?: number; out: Buffer}>((resolve) =>
      child.on('close', () => {
        o.finish()
        resolve({...(o.mode ? {mode: o.mode} : {}), ...(o.exitCode !== undefined ? {code: o.exitCode} : {}), out: Buffer.concat(out)})
      }),
    )
  }

  const stdin = Buffer.concat([Buffer.from('line\x03\x04\x16\x1a\x7f\x15\r\n'), Buffer.alloc(5000, 'y'), Buffer.from('\nend')])
  const cases = [
    {name: 'dash with stty', shell: '/bin/sh', path: '/usr/bin:/bin', tty: true, mode: 'r'},
    {name: 'BusyBox sh and stty', shell: join(busybox, 'sh'), path: busybox, tty: true, mode: 'r'},
    {name: 'no terminal', shell: '/bin/sh', path: '/usr/bin:/bin', tty: false, mode: 'p'},
  ] as const
  it.each(cases)('passes stdin and the exit status through: $name', async (c) => {
    const r = await runWrapped("cat; printf 'tail\\001\\r\\n'; exit 9", {shell: c.shell, path: c.path, stdin, tty: c.tty})
    expect(r.mode).toBe(c.mode)
    expect(r.code).toBe(9)
    expect(r.out.toString('latin1')).toBe(`${stdin.toString('latin1')}tail\x01\r\n`)
  })

  it('without stty, reports a plain terminal and still brings the exit status home', async () => {
    const r = await runWrapped("/bin/echo done; exit 3", {shell: '/bin/sh', path: bare, stdin: Buffer.alloc(0), tty: true})
    expect(r.mode).toBe('c')
    expect(r.code).toBe(3)
    expect(r.out.toString()).toBe('done\n')
  })

  it('keeps the status when the command exits the shell or replaces it', async () => {
    expect((await runWrapped('exit 4', {shell: '/bin/sh', path: '/usr/bin:/bin', stdin: Buffer.alloc(0), tty: false})).code).toBe(4)
    expect((await runWrapped("exec sh -c 'exit 6'", {shell: '/bin/sh', path: '/usr/bin:/bin', stdin: Buffer.alloc(0), tty: false})).code).toBe(6)
  })
})
