// Connecting a session to the local terminal. Interactive: raw mode (so Ctrl-C, Ctrl-D and arrows
// reach the remote shell as bytes), the size sent at start and on every resize, and the terminal
// restored however the session ends (exit, error, signal). Non-interactive: stdin piped up, stdout
// and stderr streamed down, and the remote exit code handed back.
import type {ClientSession, SessionResult} from './client.js'

export interface TerminalIo {
  stdin: NodeJS.ReadableStream & {isTTY?: boolean; setRawMode?: (raw: boolean) => unknown}
  stdout: NodeJS.WritableStream & {columns?: number; rows?: number; isTTY?: boolean}
  stderr: NodeJS.WritableStream
  /** Where SIGWINCH, SIGTERM, SIGHUP and SIGINT arrive (the process). */
  signals: NodeJS.EventEmitter
}

export function processIo(): TerminalIo {
  return {stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signals: process}
}

const ENDING_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const
const SIGNAL_CODES: Record<string, number> = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143}

/** What a session's end means for Pier's exit code: the remote code, or 128+n when a signal ended it. */
export interface AttachResult extends SessionResult {
  signal?: string
}

/** Where a session's output goes (default the terminal's stdout) and how its input goes up (default as it is). */
export interface SessionStreams {
  stdout?: (data: Buffer) => void
  input?: {data(data: Buffer): void; end(): void}
}

function wire(session: ClientSession, io: TerminalIo, cleanup: () => void, streams: SessionStreams = {}): {ended: Promise<AttachResult>} {
  session.onStdout(streams.stdout ?? ((d) => io.stdout.write(d)))
  session.onStderr((d) => io.stderr.write(d))
  let signalled: string | undefined
  const onSignal = (sig: string) => {
    if (signalled) return
    signalled = sig
    cleanup()
    void session.terminate()
  }
  const handlers = ENDING_SIGNALS.map((sig) => {
    const h = () => onSignal(sig)
    io.signals.on(sig, h)
    return [sig, h] as const
  })
  const ended = session.done.then((r) => {
    for (const [sig, h] of handlers) io.signals.off(sig, h)
    cleanup()
    return signalled ? {...r, signal: signalled, exitCode: SIGNAL_CODES[signalled] ?? 1} : r
  })
  return {ended}
}

/** Runs an interactive session on a terminal until it ends. */
export async function attachTerminal(session: ClientSession, io: TerminalIo = processIo(), streams: SessionStreams = {}): Promise<AttachResult> {
  const {stdin, stdout} = io
  const wasRaw = Boolean((stdin as {isRaw?: boolean}).isRaw)
  let restored = false
  // The first message is the size: it tells the agent side to give the command a terminal.
  const sendSize = () => session.resize(stdout.columns || 80, stdout.rows || 24)
  const onData = (d: Buffer) => session.sendInput(Buffer.from(d))
  const restore = () => {
    if (restored) return
    restored = true
    stdin.off('data', onData)
    stdout.off('resize', sendSize)
    io.signals.off('SIGWINCH', sendSize)
    io.signals.off('exit', restore)
    if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(wasRaw)
    stdin.pause()
  }
  // Last line of defence: an exception that escapes everything still leaves a usable terminal.
  io.signals.once('exit', restore)
  if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(true)
  const {ended} = wire(session, io, restore, streams)
  sendSize()
  stdout.on('resize', sendSize)
  if (!stdout.isTTY) io.signals.on('SIGWINCH', sendSize)
  stdin.on('data', onData)
  stdin.resume()
  try {
    return await ended
  } finally {
    restore()
  }
}

/** Runs a non-interactive session: stdin is piped to the command; its end is signalled. */
export async function pipeSession(session: ClientSession, io: TerminalIo = processIo(), opts: SessionStreams & {stdin?: boolean} = {}): Promise<AttachResult> {
  const {stdin} = io
  const forward = opts.stdin ?? !stdin.isTTY
  const input = opts.input ?? {data: (d: Buffer) => session.sendInput(d), end: () => session.closeInput()}
  const onData = (d: Buffer) => input.data(Buffer.from(d))
  const onEnd = () => input.end()
  const stop = () => {
    stdin.off('data', onData)
    stdin.off('end', onEnd)
    if (forward) stdin.pause()
  }
  const {ended} = wire(session, io, stop, opts)
  // First message: input, not a terminal size, so the command runs without a terminal.
  session.sendInput(Buffer.alloc(0))
  if (forward) {
    stdin.on('data', onData)
    stdin.once('end', onEnd)
    stdin.resume()
  } else {
    input.end()
  }
  try {
    return await ended
  } finally {
    stop()
  }
}
