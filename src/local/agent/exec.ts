// ECS Exec inside a task: a program with its arguments, run in the container's working directory with
// the task's environment (and its mount namespace, so discovery names resolve). With a TTY it runs
// under script(1), which gives it a pseudo-terminal without a native addon; stty sizes the terminal.
// Both drivers spawn through `startExec`: the process driver on the host, the container driver with
// `podman exec` as the program.

import {spawn, spawnSync} from 'node:child_process'
import {readFileSync, readlinkSync} from 'node:fs'
import {constants} from 'node:os'

import type {ExecProcess} from './types.js'

export interface ExecTarget {
  /** The container's working directory, as the driver maps it (the image's WORKDIR). */
  cwd: string
  /** The task's environment for this container. */
  env: Record<string, string>
  /** Pid of a process in the task's mount namespace, when the task has its own. */
  mountNamespacePid?: number
}

export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

export function execArgv(argv: string[], target: ExecTarget, tty: {cols?: number; rows?: number} | undefined): string[] {
  let out: string[]
  if (tty) {
    const size = tty.cols && tty.rows ? `stty cols ${tty.cols} rows ${tty.rows} 2>/dev/null; ` : ''
    out = ['script', '-qfec', `${size}exec ${argv.map(shellQuote).join(' ')}`, '/dev/null']
  } else {
    out = argv
  }
  // Entering a mount namespace moves to its root directory: --wd keeps the container's working directory.
  if (target.mountNamespacePid) out = ['nsenter', '-t', String(target.mountNamespacePid), '-m', `--wd=${target.cwd}`, '--', ...out]
  return out
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** The pseudo-terminal of the first descendant of `pid` whose stdin is one. */
function findPty(pid: number): string | undefined {
  const queue = children(pid)
  while (queue.length) {
    const p = queue.shift()!
    try {
      const fd0 = readlinkSync(`/proc/${p}/fd/0`)
      if (fd0.startsWith('/dev/pts/')) return fd0
    } catch {
      // exited meanwhile
    }
    queue.push(...children(p))
  }
  return undefined
}

export function startExec(
  argv: string[],
  target: ExecTarget,
  opts: {tty: boolean; cols?: number; rows?: number},
  track: {started(pid: number): void; ended(pid: number): void},
): ExecProcess {
  const env = {...target.env}
  if (opts.tty) {
    env.SHELL = '/bin/sh'
    // What the SSM agent sets for a terminal session.
    env.TERM ??= 'xterm-256color'
    env.LANG ??= 'C.UTF-8'
  }
  const [program, ...args] = execArgv(argv, target, opts.tty ? {cols: opts.cols, rows: opts.rows} : undefined)
  const child = spawn(program!, args, {cwd: target.cwd, env, stdio: 'pipe', detached: true})
  const out: Buffer[] = []
  const err: Buffer[] = []
  let onOut: ((d: Buffer) => void) | undefined
  let onErr: ((d: Buffer) => void) | undefined
  const exitCallbacks: ((code: number) => void)[] = []
  let exitCode: number | undefined
  if (child.pid) track.started(child.pid)
  child.stdout.on('data', (d: Buffer) => (onOut ? onOut(d) : out.push(d)))
  child.stderr.on('data', (d: Buffer) => (onErr ? onErr(d) : err.push(d)))
  child.stdin.on('error', () => {})
  const finish = (code: number): void => {
    if (exitCode !== undefined) return
    exitCode = code
    if (child.pid) track.ended(child.pid)
    for (const cb of exitCallbacks) cb(code)
  }
  child.once('error', (e) => {
    const msg = Buffer.from(`exec: ${e.message}\n`)
    if (onErr) onErr(msg)
    else err.push(msg)
    finish(126)
  })
  child.once('close', (code, signal) => finish(code ?? 128 + signalNumber(signal)))

  // A size can arrive before script(1) has made the terminal (the command starts right after the
  // handshake): keep trying for a second.
  let wanted: {cols: number; rows: number} | undefined
  let sizeTimer: NodeJS.Timeout | undefined
  const applySize = (tries: number): void => {
    if (!wanted || exitCode !== undefined || !child.pid) return
    const pty = findPty(child.pid)
    if (pty) spawnSync('stty', ['-F', pty, 'cols', String(wanted.cols), 'rows', String(wanted.rows)], {stdio: 'ignore'})
    else if (tries > 0) sizeTimer = setTimeout(() => applySize(tries - 1), 20).unref()
  }

  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig)
    } catch {
      // already gone
    }
  }
  return {
    write: (data) => {
      if (child.stdin.writable) child.stdin.write(data)
    },
    closeStdin: () => child.stdin.end(),
    resize: (cols, rows) => {
      if (!opts.tty || !child.pid) return
      wanted = {cols, rows}
      if (sizeTimer) clearTimeout(sizeTimer)
      applySize(50)
    },
    signal: signalGroup,
    onStdout: (cb) => {
      onOut = cb
      for (const d of out.splice(0)) cb(d)
    },
    onStderr: (cb) => {
      onErr = cb
      for (const d of err.splice(0)) cb(d)
    },
    onExit: (cb) => {
      if (exitCode !== undefined) cb(exitCode)
      else exitCallbacks.push(cb)
    },
  }
}

/** Number of a signal, for Docker-style exit codes (128 + n). */
export function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? constants.signals[signal] ?? 0 : 0
}
