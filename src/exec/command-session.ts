// Runs a command wrapped by exitStatusCommand over an open session: output through MarkedOutput,
// stdin held until the start line says what the command reads from (a set-up terminal, a plain one,
// or a pipe) and then sent the way that needs. See exit-status.ts.
import type {ClientSession} from './client.js'
import {MarkedOutput, type TerminalMode, TerminalInput} from './exit-status.js'
import {type AttachResult, attachTerminal, pipeSession, type TerminalIo} from './terminal.js'

export interface CommandResult extends AttachResult {
  /** The start line came: /bin/sh ran the wrapper, so the command ran too. */
  started: boolean
  /** Output before the start line, e.g. why the wrapper could not run. */
  preamble: string
}

/** stdin chunks and their end, queued until the terminal mode is known. */
class InputGate {
  private queue: (Buffer | 'end')[] | undefined = []
  private target: {data(d: Buffer): void; end(): void} | undefined

  constructor(private readonly session: ClientSession) {}

  open(mode: TerminalMode): void {
    if (mode === 'p') {
      this.target = {data: (d) => this.session.sendInput(d), end: () => this.session.closeInput()}
    } else {
      const input = new TerminalInput((d) => this.session.sendInput(d))
      this.target = {data: (d) => input.write(d), end: () => input.end()}
    }
    for (const item of this.queue ?? []) this.pass(item)
    this.queue = undefined
  }

  data(d: Buffer): void {
    this.pass(d)
  }

  end(): void {
    this.pass('end')
  }

  private pass(item: Buffer | 'end'): void {
    if (!this.target) return void this.queue!.push(item)
    if (item === 'end') this.target.end()
    else this.target.data(item)
  }
}

export async function runCommandSession(session: ClientSession, io: TerminalIo, opts: {marker: string; interactive: boolean}): Promise<CommandResult> {
  const gate = new InputGate(session)
  const output = new MarkedOutput(opts.marker, {
    write: (d) => io.stdout.write(d),
    stdoutIsTerminal: Boolean(io.stdout.isTTY),
    onStart: (mode) => gate.open(mode),
  })
  const feed = (d: Buffer) => output.feed(d)
  const r = opts.interactive ? await attachTerminal(session, io, {stdout: feed}) : await pipeSession(session, io, {stdout: feed, input: gate})
  output.finish()
  const result: CommandResult = {...r, started: output.started, preamble: output.preamble}
  if (r.signal) return result
  // The status line is the command's; an agent's exit code (extended mode) is only a fallback.
  const exitCode = output.exitCode ?? (output.started ? r.exitCode : undefined)
  if (exitCode === undefined) delete result.exitCode
  else result.exitCode = exitCode
  return result
}
