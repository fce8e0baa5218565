// Test helpers for exec: processes behind the agent side, an agent-side websocket server, and a
// websocket proxy that drops, duplicates, reorders and delays binary frames.
import {spawn} from 'node:child_process'
import type {AddressInfo} from 'node:net'
import {afterEach, beforeEach, vi} from 'vitest'
import WebSocket, {WebSocketServer} from 'ws'

import {runAgentSession, type AgentSessionOptions, type AgentSessionResult, type SessionProcess} from '../../src/exec/agent.js'

type Cb<T> = (v: T) => void

/** A process whose output the test scripts. */
export class FakeProcess implements SessionProcess {
  readonly input: Buffer[] = []
  readonly sizes: {cols: number; rows: number}[] = []
  readonly signals: string[] = []
  stdinClosed = false
  private out: Cb<Buffer>[] = []
  private err: Cb<Buffer>[] = []
  private exit: Cb<number>[] = []
  write(d: Buffer) {
    this.input.push(Buffer.from(d))
  }
  closeStdin() {
    this.stdinClosed = true
  }
  resize(cols: number, rows: number) {
    this.sizes.push({cols, rows})
  }
  signal(sig: NodeJS.Signals) {
    this.signals.push(sig)
  }
  onStdout(cb: Cb<Buffer>) {
    this.out.push(cb)
  }
  onStderr(cb: Cb<Buffer>) {
    this.err.push(cb)
  }
  onExit(cb: Cb<number>) {
    this.exit.push(cb)
  }
  emitStdout(d: Buffer) {
    for (const cb of this.out) cb(d)
  }
  emitStderr(d: Buffer) {
    for (const cb of this.err) cb(d)
  }
  emitExit(code: number) {
    for (const cb of this.exit) cb(code)
  }
}

const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`

/** A real child process running `argv` (a string is run by `sh -c`): as it is without a terminal, under `script(1)` with one. */
export function childProcess(argv: string[] | string, opts: {tty: boolean; cols?: number; rows?: number}): SessionProcess {
  const words = typeof argv === 'string' ? ['sh', '-c', argv] : argv
  const size = opts.tty ? `stty cols ${opts.cols ?? 80} rows ${opts.rows ?? 24} 2>/dev/null; ` : ''
  const child = opts.tty
    ? spawn('script', ['-qfec', `${size}exec ${words.map(quote).join(' ')}`, '/dev/null'], {stdio: 'pipe', detached: true, env: {...process.env, TERM: 'xterm'}})
    : spawn(words[0]!, words.slice(1), {stdio: 'pipe', detached: true})
  const exits: Cb<number>[] = []
  child.on('close', (code, sig) => {
    for (const cb of exits) cb(code ?? (sig ? 128 + 9 : 1))
  })
  child.stdin.on('error', () => {})
  return {
    write: (d) => child.stdin.write(d),
    closeStdin: () => child.stdin.end(),
    resize: () => {},
    signal: (sig) => {
      // The whole process group, so a shell's children go too.
      try {
        process.kill(-child.pid!, sig)
      } catch {
        /* already gone */
      }
    },
    onStdout: (cb) => child.stdout.on('data', cb),
    onStderr: (cb) => child.stderr.on('data', cb),
    onExit: (cb) => exits.push(cb),
  }
}

export interface AgentServer {
  url: string
  token: string
  results: Promise<AgentSessionResult>[]
  close(): Promise<void>
}

/** A websocket server playing the agent side directly (no broker): checks the token, runs the session. */
export async function startAgentServer(
  makeProcess: (size: {cols: number; rows: number} | undefined) => SessionProcess,
  opts: Partial<AgentSessionOptions> = {},
): Promise<AgentServer> {
  const wss = new WebSocketServer({port: 0, host: '127.0.0.1', perMessageDeflate: false})
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const port = (wss.address() as AddressInfo).port
  const token = 'test-token'
  const results: Promise<AgentSessionResult>[] = []
  wss.on('connection', (ws) => {
    ws.once('message', (data, isBinary) => {
      const open = JSON.parse(String(data)) as {TokenValue: string}
      if (isBinary || open.TokenValue !== token) return ws.close(4401, 'token refused')
      results.push(runAgentSession(ws, makeProcess, {sessionId: 'sess-1', targetId: 'ecs:c_t_r', ...opts}))
    })
  })
  return {
    url: `ws://127.0.0.1:${port}/v1/data-channel/sess-1`,
    token,
    results,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => r())
      }),
  }
}

export interface Faults {
  drop: number
  duplicate: number
  reorder: number
  /** Maximum extra delay in ms applied to a delayed frame. */
  delayMs: number
  delay: number
  seed: number
}

export interface FaultProxy {
  url(path: string): string
  counts: {dropped: number; duplicated: number; reordered: number; delayed: number; forwarded: number}
  close(): Promise<void>
}

/** Seeded PRNG (mulberry32) so a failing run can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Forwards websocket frames to `target`, corrupting the order and delivery of binary frames. */
export async function startFaultProxy(target: string, faults: Faults): Promise<FaultProxy> {
  const wss = new WebSocketServer({port: 0, host: '127.0.0.1', perMessageDeflate: false})
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const port = (wss.address() as AddressInfo).port
  const random = rng(faults.seed)
  const counts = {dropped: 0, duplicated: 0, reordered: 0, delayed: 0, forwarded: 0}
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  wss.on('connection', (down, req) => {
    const up = new WebSocket(`${target}${req.url ?? ''}`, {perMessageDeflate: false})
    const early: {data: Buffer; binary: boolean}[] = []
    const pipe = (to: WebSocket) => {
      let held: Buffer | undefined
      const put = (d: Buffer) => {
        if (to.readyState === WebSocket.OPEN) to.send(d, {binary: true})
      }
      return (data: Buffer) => {
        const r = random()
        if (r < faults.drop) {
          counts.dropped++
          return
        }
        counts.forwarded++
        if (r < faults.drop + faults.duplicate) {
          counts.duplicated++
          put(data)
          later(Math.floor(random() * faults.delayMs), () => put(data))
          return
        }
        if (r < faults.drop + faults.duplicate + faults.reorder && !held) {
          counts.reordered++
          held = data // sent after the next frame
          later(faults.delayMs, () => {
            if (held === data) {
              held = undefined
              put(data)
            }
          })
          return
        }
        if (r < faults.drop + faults.duplicate + faults.reorder + faults.delay) {
          counts.delayed++
          later(Math.floor(random() * faults.delayMs), () => put(data))
          return
        }
        put(data)
        if (held) {
          const h = held
          held = undefined
          put(h)
        }
      }
    }
    const toUp = pipe(up)
    const toDown = pipe(down)
    down.on('message', (data, binary) => {
      const d = data as Buffer
      if (up.readyState !== WebSocket.OPEN) early.push({data: d, binary})
      else if (binary) toUp(d)
      else up.send(d, {binary: false})
    })
    up.on('open', () => {
      for (const e of early.splice(0)) e.binary ? toUp(e.data) : up.send(e.data, {binary: false})
    })
    up.on('message', (data, binary) => (binary ? toDown(data as Buffer) : down.send(data as Buffer, {binary: false})))
    up.on('close', (code, reason) => later(faults.delayMs + 5, () => down.close(code === 1005 ? 1000 : code, reason)))
    down.on('close', () => up.close())
    up.on('error', () => down.terminate())
    down.on('error', () => up.terminate())
  })
  return {
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    counts,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t)
        for (const c of wss.clients) c.terminate()
        wss.close(() => r())
      }),
  }
}

/** Deterministic pseudo-random bytes. */
export function pattern(length: number, seed = 7): Buffer {
  const r = rng(seed)
  const b = Buffer.alloc(length)
  for (let i = 0; i < length; i++) b[i] = Math.floor(r() * 256)
  return b
}

/** Fake timers for each test of the file, with a clock that `advance` moves with them (a channel's `now`). */
export function useFakeClock(): {now: () => number; advance: (ms: number) => void} {
  let clock = 0
  beforeEach(() => {
    vi.useFakeTimers()
    clock = 0
  })
  afterEach(() => vi.useRealTimers())
  return {
    now: () => clock,
    advance: (ms) => {
      clock += ms
      vi.advanceTimersByTime(ms)
    },
  }
}
