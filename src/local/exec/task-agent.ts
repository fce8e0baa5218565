// The exec agent of one task, as Fargate's SSM agent: it keeps polling the control plane for new
// sessions (no port is ever opened towards the task), dials each session's data channel outwards,
// and runs the command in the task through the driver once the handshake completes.
import WebSocket from 'ws'

import {runAgentSession} from '../../exec/agent.js'
import type {AgentKms} from '../../exec/crypto.js'
import type {ExecProcess, TaskDriver} from '../agent/types.js'

export interface AgentAssignment {
  sessionId: string
  taskId: string
  container: string
  command: string
  interactive: boolean
  targetId: string
  /** Data channel URL for the agent side and the token that admits it. */
  streamUrl: string
  tokenValue: string
}

export interface TaskExecAgentDeps {
  taskId: string
  /** Long-polls for sessions assigned to this task; resolves with none on timeout or stop. */
  poll(taskId: string, signal: AbortSignal): Promise<AgentAssignment[]>
  driver(): Pick<TaskDriver, 'exec'>
  kms?: AgentKms
}

export class TaskExecAgent {
  private readonly abort = new AbortController()
  private readonly sockets = new Set<WebSocket>()
  lastPollAt = 0
  private readonly loop: Promise<void>

  constructor(private readonly deps: TaskExecAgentDeps) {
    this.loop = this.run()
  }

  get running(): boolean {
    return !this.abort.signal.aborted
  }

  async stop(): Promise<void> {
    this.abort.abort()
    for (const ws of this.sockets) ws.terminate()
    await this.loop
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      this.lastPollAt = Date.now()
      let sessions: AgentAssignment[]
      try {
        sessions = await this.deps.poll(this.deps.taskId, this.abort.signal)
      } catch {
        if (this.abort.signal.aborted) return
        await new Promise((r) => setTimeout(r, 200))
        continue
      }
      for (const s of sessions) void this.serve(s)
    }
  }

  private async serve(s: AgentAssignment): Promise<void> {
    const ws = new WebSocket(s.streamUrl, {perMessageDeflate: false})
    this.sockets.add(ws)
    ws.on('close', () => this.sockets.delete(ws))
    ws.on('error', () => {})
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true))
      ws.once('error', () => resolve(false))
    })
    if (!opened) return
    ws.send(JSON.stringify({MessageSchemaVersion: '1.0', TokenValue: s.tokenValue, ClientId: `agent-${s.taskId}`}))
    await runAgentSession(ws, (size) => this.start(s, size), {
      sessionId: s.sessionId,
      targetId: s.targetId,
      sessionType: s.interactive ? 'InteractiveCommands' : 'NonInteractiveCommands',
      ...(this.deps.kms ? {kms: this.deps.kms} : {}),
    })
  }

  private start(s: AgentAssignment, size: {cols: number; rows: number} | undefined): ExecProcess {
    return this.deps.driver().exec(s.taskId, s.container, s.command, {tty: s.interactive, ...(size ? {cols: size.cols, rows: size.rows} : {})})
  }
}
