// The exec broker: the local stand-in for SSM's message gateway. ECS ExecuteCommand asks it for a
// session; the client dials the session's stream URL with a single-use token that expires within a
// minute; the task's exec agent, which keeps polling the broker, joins the same session from its side;
// the broker relays frames between the two, holding early frames until the other side arrives.
import {randomBytes, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'
import WebSocket, {WebSocketServer} from 'ws'

import type {AgentKms} from '../../exec/crypto.js'
import {CLOSE_TOKEN_REFUSED} from '../../exec/errors.js'
import {type FrameSocket, memorySocketPair, OPEN} from '../../exec/socket.js'
import type {AgentListener, TaskDriver} from '../agent/types.js'
import type {ExecSessions} from '../contracts.js'
import {ServiceError} from '../frontend/types.js'
import {type AgentAssignment, type ExecMode, TaskExecAgent} from './task-agent.js'

export interface ExecBrokerOptions {
  /** The driver that runs commands in tasks (a function when the driver is built after the broker). */
  driver: Pick<TaskDriver, 'exec'> | (() => Pick<TaskDriver, 'exec'>)
  /** Base URL of the control plane, e.g. http://127.0.0.1:4566; stream URLs use it with ws://. */
  endpoint: () => string
  /** When given, every session asks the client for KMS encryption with this key. */
  kms?: AgentKms
  /** Per session instead: the key to ask for (e.g. from the cluster's exec configuration), or none. */
  kmsFor?: (req: {taskArn: string; taskId: string; container: string}) => Promise<AgentKms | undefined>
  /** The container runtime id ECS reports (part of the SSM target id bound into KMS encryption). */
  runtimeIdOf?: (taskArn: string, container: string) => string | undefined | Promise<string | undefined>
  /** `aws` (default): sessions behave as ECS's; `extended`: the client may choose pipes and gets stderr and the exit code. */
  mode?: ExecMode
  /** Lifetime of a session token; at most 60 s. */
  tokenTtlMs?: number
  /** How long one agent poll waits for a session before returning none. */
  pollTimeoutMs?: number
  now?: () => number
}

export interface ExecBroker extends ExecSessions {
  /** For the frontend: an HTTP upgrade on a `/exec/` path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** The task's exec agent starts polling (a task with exec enabled reached RUNNING). */
  startAgent(taskId: string): void
  stopAgent(taskId: string): Promise<void>
  agentConnected(taskId: string): boolean
  /** Wraps the driver's listener: starts a task's agent when it runs, stops it when it stops. */
  trackTasks(listener: AgentListener): AgentListener
  close(): Promise<void>
}

interface Side {
  token: string
  used: boolean
  ws?: FrameSocket
  /** Frames for this side that arrived before it connected. */
  backlog: Buffer[]
}

interface Session {
  id: string
  taskId: string
  expiresAt: number
  client: Side
  agent: Side
  timer: NodeJS.Timeout
}

interface Poller {
  queue: AgentAssignment[]
  wake?: () => void
}

const MAX_TTL = 60_000

export function createExecBroker(opts: ExecBrokerOptions): ExecBroker {
  const now = opts.now ?? Date.now
  const ttl = Math.min(opts.tokenTtlMs ?? MAX_TTL, MAX_TTL)
  const driver = typeof opts.driver === 'function' ? opts.driver : () => opts.driver as Pick<TaskDriver, 'exec'>
  const sessions = new Map<string, Session>()
  const pollers = new Map<string, Poller>()
  const agents = new Map<string, TaskExecAgent>()
  const wss = new WebSocketServer({noServer: true, perMessageDeflate: false})
  const streamBase = () => `${opts.endpoint().replace(/^http/, 'ws').replace(/\/$/, '')}/exec/`

  function poller(taskId: string): Poller {
    let p = pollers.get(taskId)
    if (!p) pollers.set(taskId, (p = {queue: []}))
    return p
  }

  function poll(taskId: string, signal: AbortSignal): Promise<AgentAssignment[]> {
    const p = poller(taskId)
    if (p.queue.length > 0) return Promise.resolve(p.queue.splice(0))
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        if (p.wake === done) p.wake = undefined
        resolve(p.queue.splice(0))
      }
      const timer = setTimeout(done, opts.pollTimeoutMs ?? 20_000)
      signal.addEventListener('abort', done)
      p.wake = done
    })
  }

  function endSession(s: Session, code = 1000, reason = ''): void {
    if (!sessions.delete(s.id)) return
    clearTimeout(s.timer)
    for (const side of [s.client, s.agent]) {
      if (side.ws && side.ws.readyState === OPEN) side.ws.close(code, reason)
    }
  }

  function tokenMatches(expected: string, given: unknown): boolean {
    if (typeof given !== 'string') return false
    const a = Buffer.from(expected)
    const b = Buffer.from(given)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  /** Checks a side's token; marks it used. Returns why it is refused, or the session. */
  function claim(sessionId: string, role: 'client' | 'agent', token: unknown): Session | string {
    const s = sessions.get(sessionId)
    if (!s) return 'the session does not exist or has expired'
    const side = role === 'client' ? s.client : s.agent
    if (!tokenMatches(side.token, token)) return 'the token is not valid for this session'
    if (side.used) return 'the token was already used'
    if (now() > s.expiresAt) {
      endSession(s)
      return 'the token has expired'
    }
    side.used = true
    if (role === 'client') clearTimeout(s.timer)
    return s
  }

  /** Relays frames between the two sides; a side that is not there yet gets them when it arrives. */
  function attach(ws: FrameSocket, s: Session, role: 'client' | 'agent'): void {
    const side = role === 'client' ? s.client : s.agent
    const other = role === 'client' ? s.agent : s.client
    side.ws = ws
    for (const frame of side.backlog.splice(0)) ws.send(frame)
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return
      if (other.ws?.readyState === OPEN) other.ws.send(data)
      else if (!other.used) other.backlog.push(data)
    })
    ws.on('close', () => endSession(s))
  }

  /** A client's websocket: its first frame carries the token. */
  function admit(ws: WebSocket, sessionId: string, first: string): void {
    let token: unknown
    try {
      token = (JSON.parse(first) as {TokenValue?: unknown}).TokenValue
    } catch {
      return ws.close(CLOSE_TOKEN_REFUSED, 'the first frame must be the JSON open message with the token')
    }
    const s = claim(sessionId, 'client', token)
    if (typeof s === 'string') return ws.close(CLOSE_TOKEN_REFUSED, s)
    attach(ws as unknown as FrameSocket, s, 'client')
  }

  /** The in-process agent's side of a session: an in-memory socket instead of a loopback websocket. */
  function connectAgent(sessionId: string, token: string): FrameSocket {
    const s = claim(sessionId, 'agent', token)
    if (typeof s === 'string') throw new Error(`exec agent refused: ${s}`)
    const [brokerEnd, agentEnd] = memorySocketPair()
    attach(brokerEnd, s, 'agent')
    return agentEnd
  }

  return {
    async createSession(req) {
      if (!agentConnected(req.taskId)) {
        throw new ServiceError(
          'TargetNotConnectedException',
          `The execute command failed because the exec agent of task ${req.taskId} is not connected. Check that the task is running with exec enabled.`,
        )
      }
      const id = `ecs-execute-command-${randomBytes(9).toString('hex')}`
      const cluster = /:task\/([^/]+)\//.exec(req.taskArn)?.[1] ?? 'default'
      const runtimeId = (await opts.runtimeIdOf?.(req.taskArn, req.container)) ?? `${req.taskId}-${req.container}`
      const kms = (await opts.kmsFor?.(req)) ?? opts.kms
      const s: Session = {
        id,
        taskId: req.taskId,
        expiresAt: now() + ttl,
        client: {token: randomBytes(32).toString('base64url'), used: false, backlog: []},
        agent: {token: randomBytes(32).toString('base64url'), used: false, backlog: []},
        // A session nobody opens in time is dropped with its tokens.
        timer: setTimeout(() => endSession(s), ttl + 50),
      }
      s.timer.unref()
      sessions.set(id, s)
      const p = poller(req.taskId)
      p.queue.push({
        sessionId: id,
        taskId: req.taskId,
        container: req.container,
        command: req.command,
        interactive: req.interactive,
        targetId: `ecs:${cluster}_${req.taskId}_${runtimeId}`,
        ...(kms ? {kms} : {}),
        tokenValue: s.agent.token,
        mode: opts.mode ?? 'aws',
      })
      p.wake?.()
      return {sessionId: id, streamUrl: `${streamBase()}${id}`, tokenValue: s.client.token}
    },

    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://local')
      const m = /^\/exec\/([A-Za-z0-9_-]+)$/.exec(url.pathname)
      if (!m) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const timer = setTimeout(() => ws.close(CLOSE_TOKEN_REFUSED, 'no open message with a token'), 10_000)
        ws.once('message', (data, isBinary) => {
          clearTimeout(timer)
          if (isBinary) return ws.close(CLOSE_TOKEN_REFUSED, 'the first frame must be the JSON open message with the token')
          admit(ws, m[1]!, String(data))
        })
        ws.on('error', () => ws.terminate())
      })
    },

    startAgent,
    stopAgent,
    agentConnected,

    trackTasks(listener) {
      return {
        onTaskChange(report) {
          if (report.lastStatus === 'RUNNING') startAgent(report.taskId)
          else if (report.lastStatus === 'STOPPED') void stopAgent(report.taskId)
          listener.onTaskChange(report)
        },
        onLog: (...args) => listener.onLog(...args),
      }
    },

    async close() {
      for (const s of [...sessions.values()]) endSession(s, 1001, 'the control plane is shutting down')
      await Promise.all([...agents.keys()].map((id) => stopAgent(id)))
      wss.close()
    },
  }

  function startAgent(taskId: string): void {
    if (agents.get(taskId)?.running) return
    agents.set(taskId, new TaskExecAgent({taskId, poll, connect: connectAgent, driver}))
  }

  async function stopAgent(taskId: string): Promise<void> {
    const a = agents.get(taskId)
    if (!a) return
    agents.delete(taskId)
    await a.stop()
    pollers.delete(taskId)
    for (const s of [...sessions.values()]) if (s.taskId === taskId) endSession(s, 1000, 'the task stopped')
  }

  function agentConnected(taskId: string): boolean {
    return agents.get(taskId)?.running === true
  }
}
