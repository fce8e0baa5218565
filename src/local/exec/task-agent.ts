// The exec agent of one task, as Fargate's SSM agent: it keeps polling the control plane for new
// sessions (no port is ever opened towards the task), opens each session's data channel from its side,
// and runs the command in the task through the driver once the handshake completes.
//
// Two behaviours (`pier local start --exec-mode`): `aws`, as ECS: every session is a terminal, the
// command line is split into words and run without a shell, and no exit code is reported; `extended`:
// the client chooses a terminal or pipes, the command line runs under `/bin/sh -c`, stderr stays apart
// and the exit code is reported.
import {runAgentSession} from '../../exec/agent.js'
import {splitCommandLine} from '../../exec/command-line.js'
import type {AgentKms} from '../../exec/crypto.js'
import type {FrameSocket} from '../../exec/socket.js'
import type {ExecProcess, TaskDriver} from '../agent/types.js'

export type ExecMode = 'aws' | 'extended'

export interface AgentAssignment {
  sessionId: string
  taskId: string
  container: string
  command: string
  interactive: boolean
  targetId: string
  /** The token that admits the agent to the session's data channel. */
  tokenValue: string
  /** Ask the client for KMS encryption with this key. */
  kms?: AgentKms
  mode: ExecMode
}

export interface TaskExecAgentDeps {
  taskId: string
  /** Long-polls for sessions assigned to this task; resolves with none on timeout or stop. */
  poll(taskId: string, signal: AbortSignal): Promise<AgentAssignment[]>
  /** Opens the agent's side of a session's data channel. */
  connect(sessionId: string, tokenValue: string): FrameSocket
  driver(): Pick<TaskDriver, 'exec'>
}

export class TaskExecAgent {
  private readonly abort = new AbortController()
  private readonly sockets = new Set<FrameSocket>()
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
    for (const ws of this.sockets) ws.close(1001, 'the task stopped')
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
    let ws: FrameSocket
    try {
      ws = this.deps.connect(s.sessionId, s.tokenValue)
    } catch {
      return
    }
    this.sockets.add(ws)
    ws.on('close', () => this.sockets.delete(ws))
    ws.on('error', () => {})
    const aws = s.mode === 'aws'
    await runAgentSession(ws, (size, tty) => this.start(s, size, tty), {
      sessionId: s.sessionId,
      targetId: s.targetId,
      sessionType: s.interactive ? 'InteractiveCommands' : 'NonInteractiveCommands',
      // ECS asks for interactive sessions only: a terminal always on AWS; extended lets the client choose.
      terminal: aws ? 'always' : s.interactive ? 'client' : undefined,
      reportExitCode: !aws,
      endInputOnFlag: !aws,
      ...(s.kms ? {kms: s.kms} : {}),
    })
  }

  private start(s: AgentAssignment, size: {cols: number; rows: number} | undefined, tty: boolean | undefined): ExecProcess {
    const argv = commandArgv(s.command, s.mode)
    return this.deps.driver().exec(s.taskId, s.container, argv, {tty: tty ?? s.interactive, ...(size ? {cols: size.cols, rows: size.rows} : {})})
  }
}

/** The program and arguments a session's command line stands for (an empty line opens `sh`, as the SSM agent does). */
export function commandArgv(command: string, mode: ExecMode): string[] {
  if (command.trim() === '') return ['sh']
  if (mode === 'extended') return ['/bin/sh', '-c', command]
  const words = splitCommandLine(command)
  return words.length > 0 ? words : ['sh']
}
