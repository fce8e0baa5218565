// A command's exit status through a terminal session. ECS opens only terminal sessions and its SSM
// agent reports no exit code, so Pier asks for `/bin/sh -c SCRIPT`: the script prints a start line
// carrying an unguessable marker, runs the command, then prints the marker with `$?` and exits with
// it. The client strips both lines from the output and ends with the status.
//
// For pipes the script also sets the terminal up first (`stty`): no echo, no signals from input bytes,
// no CR/LF translation either way, canonical input with only end-of-file and literal-next special, so
// binary output arrives as it was written and stdin reaches the command with its end passed on.
// The start line says how the terminal ended up: r (set up), c (stty missing: a plain terminal),
// p (no terminal at all: the local control plane's extended mode), t (interactive, left as it is).
import {randomBytes} from 'node:crypto'

import {quoteWord} from './command-line.js'

export type TerminalMode = 'r' | 'c' | 'p' | 't'

const STTY_FOR_PIPES =
  'stty -echo -isig -ixon -icrnl -inlcr -igncr -opost icanon iexten erase undef kill undef werase undef rprnt undef eol undef eol2 undef lnext ^V eof ^D'

/** A fresh marker: 128 random bits, printed as two halves so the command line never contains it whole. */
export function newMarker(): string {
  return `pier-${randomBytes(16).toString('hex')}`
}

/** The ECS command line that runs `command` and reports its status in-band. */
export function exitStatusCommand(command: string, marker: string, opts: {interactive: boolean}): string {
  const half = Math.ceil(marker.length / 2)
  const token = `${quoteWord(marker.slice(0, half))} ${quoteWord(marker.slice(half))}`
  const terminal = opts.interactive
    ? 'if [ -t 0 ]; then m=t; else m=p; fi'
    : `if [ -t 0 ]; then ${STTY_FOR_PIPES} 2>/dev/null && m=r || m=c; else m=p; fi`
  const script = [
    terminal,
    `printf '%s%s:s:%s\\n' ${token} "$m"`,
    // Ctrl-C on an interactive terminal ends the command, not the script that reports its status.
    'trap : INT',
    // A subshell, so `exit` or `exec` in the command still lets the status line be printed.
    `(\n${command}\n)`,
    'r=$?',
    `printf '%s%s:e:%s\\n' ${token} "$r"`,
    'exit "$r"',
  ].join('\n')
  return `/bin/sh -c ${quoteWord(script)}`
}

const CR = 0x0d
const LF = 0x0a

/**
 * Reads the session's output: drops what comes before the start line (an agent's complaint that
 * /bin/sh is missing, say), passes the command's output on, and keeps the status from the end line.
 * On a terminal that still translates line ends (modes c and t) CRLF becomes LF unless Pier's own
 * stdout is a terminal.
 */
export class MarkedOutput {
  mode: TerminalMode | undefined
  exitCode: number | undefined
  /** What arrived before the start line (bounded), for a message when the wrapper did not run. */
  preamble = ''
  private state: 'before' | 'running' | 'after' = 'before'
  private pending: Buffer = Buffer.alloc(0)
  private lineEnds: LineEnds | undefined
  private readonly token: Buffer

  constructor(
    marker: string,
    private readonly opts: {write: (data: Buffer) => void; stdoutIsTerminal: boolean; onStart?: (mode: TerminalMode) => void},
  ) {
    this.token = Buffer.from(marker)
  }

  get started(): boolean {
    return this.state !== 'before'
  }

  get ended(): boolean {
    return this.state === 'after'
  }

  feed(data: Buffer): void {
    if (this.state === 'after') return
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data
    if (this.state === 'before') this.findStart()
    if (this.state === 'running') this.scan()
  }

  /** The session ended: pass on what is held back. */
  finish(): void {
    if (this.state === 'running') {
      const rest = this.pending
      this.pending = Buffer.alloc(0)
      this.emit(rest, true)
    } else if (this.state === 'before') {
      this.keepPreamble(this.pending)
      this.pending = Buffer.alloc(0)
    }
  }

  private findStart(): void {
    const at = this.pending.indexOf(this.token)
    if (at < 0) {
      // Keep only what could still be the start of the marker; the rest is preamble.
      const hold = this.partialTokenAt(this.pending)
      this.keepPreamble(this.pending.subarray(0, hold))
      this.pending = this.pending.subarray(hold)
      return
    }
    this.keepPreamble(this.pending.subarray(0, at))
    this.pending = this.pending.subarray(at)
    const line = this.markerLine()
    if (line === undefined) return
    const m = /^:s:([rcpt])$/.exec(line.text)?.[1] as TerminalMode | undefined
    this.pending = this.pending.subarray(line.next)
    if (!m) return this.findStart()
    this.mode = m
    this.state = 'running'
    this.opts.onStart?.(m)
  }

  private scan(): void {
    const at = this.pending.indexOf(this.token)
    if (at < 0) {
      // Hold back a tail that may be the beginning of the marker.
      const hold = this.partialTokenAt(this.pending)
      this.emit(this.pending.subarray(0, hold), false)
      this.pending = this.pending.subarray(hold)
      return
    }
    const line = this.markerLine()
    if (!line) {
      this.emit(this.pending.subarray(0, at), false)
      this.pending = this.pending.subarray(at)
      return
    }
    const code = /^:e:(\d+)$/.exec(line.text)?.[1]
    this.emit(this.pending.subarray(0, line.at), code !== undefined)
    if (code === undefined) {
      // Not an end line (the command printed the marker itself?): pass it on as output.
      this.emit(this.pending.subarray(line.at, line.next), false)
      this.pending = this.pending.subarray(line.next)
      return this.scan()
    }
    this.exitCode = Number(code)
    this.state = 'after'
    this.pending = Buffer.alloc(0)
  }

  /** The first complete marker line in `pending`: where it starts, its text after the marker, where the next line starts. */
  private markerLine(): {at: number; text: string; next: number} | undefined {
    const at = this.pending.indexOf(this.token)
    if (at < 0) return undefined
    const nl = this.pending.indexOf(LF, at)
    if (nl < 0) return undefined
    const end = nl > 0 && this.pending[nl - 1] === CR ? nl - 1 : nl
    return {at, text: this.pending.subarray(at + this.token.length, end).toString('latin1'), next: nl + 1}
  }

  private partialTokenAt(buf: Buffer): number {
    const max = Math.min(buf.length, this.token.length - 1)
    for (let n = max; n > 0; n--) {
      if (buf.subarray(buf.length - n).equals(this.token.subarray(0, n))) return buf.length - n
    }
    return buf.length
  }

  private emit(data: Buffer, final: boolean): void {
    const translate = (this.mode === 'c' || this.mode === 't') && !this.opts.stdoutIsTerminal
    if (!translate) {
      if (data.length > 0) this.opts.write(data)
      return
    }
    this.lineEnds ??= new LineEnds(this.opts.write)
    this.lineEnds.feed(data)
    if (final) this.lineEnds.finish()
  }

  private keepPreamble(data: Buffer): void {
    if (data.length === 0) return
    this.preamble = (this.preamble + data.toString('utf8')).slice(-4096)
  }
}

/** A terminal's CRLF line ends back to LF, across chunk boundaries. */
export class LineEnds {
  private heldCr = false

  constructor(private readonly write: (data: Buffer) => void) {}

  feed(data: Buffer): void {
    let d = this.heldCr ? Buffer.concat([Buffer.from([CR]), data]) : data
    this.heldCr = d.length > 0 && d[d.length - 1] === CR
    if (this.heldCr) d = d.subarray(0, d.length - 1)
    if (d.length > 0) this.write(crlfToLf(d))
  }

  finish(): void {
    if (this.heldCr) this.write(Buffer.from([CR]))
    this.heldCr = false
  }
}

export function crlfToLf(data: Buffer): Buffer {
  if (data.indexOf(CR) < 0) return Buffer.from(data)
  const out = Buffer.allocUnsafe(data.length)
  let n = 0
  for (let i = 0; i < data.length; i++) {
    if (data[i] === CR && data[i + 1] === LF) continue
    out[n++] = data[i]!
  }
  return out.subarray(0, n)
}

const EOF_CHAR = 0x04
const LNEXT_CHAR = 0x16
/** Below the kernel's 4,096-byte limit of one line of canonical input. */
const MAX_LINE = 4000

/**
 * stdin for a command on a canonical terminal: the end-of-file and literal-next bytes in the data
 * are escaped with literal-next; a line is pushed to the command with end-of-file when it grows long or
 * when a chunk ends mid-line (end-of-file on a non-empty line hands it over without ending input);
 * end-of-input is end-of-file on an empty line.
 */
export class TerminalInput {
  private lineLength = 0

  constructor(private readonly send: (data: Buffer) => void) {}

  write(data: Buffer): void {
    const out = Buffer.allocUnsafe(data.length * 2 + Math.ceil(data.length / MAX_LINE) + 1)
    let n = 0
    for (const b of data) {
      if (b === EOF_CHAR || b === LNEXT_CHAR) out[n++] = LNEXT_CHAR
      out[n++] = b
      if (b === LF) this.lineLength = 0
      else if (++this.lineLength >= MAX_LINE) {
        out[n++] = EOF_CHAR
        this.lineLength = 0
      }
    }
    if (this.lineLength > 0) {
      out[n++] = EOF_CHAR
      this.lineLength = 0
    }
    if (n > 0) this.send(out.subarray(0, n))
  }

  end(): void {
    this.send(Buffer.from([EOF_CHAR]))
  }
}
