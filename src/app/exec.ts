// Use case behind `pier svc exec` and `pier task exec`: find the task and container, check what ECS
// Exec needs, ask ECS for an exec session, open the data channel, and run the command on the terminal
// or as a pipe. ECS opens only terminal sessions and reports no exit code, so the command runs under a
// `/bin/sh -c` wrapper that reports its status in-band (src/exec/exit-status.ts); Pier ends with it.
import {UserError} from '../errors.js'
import {type ClientSession, dialSession, type DialOptions} from '../exec/client.js'
import {type CommandResult, runCommandSession} from '../exec/command-session.js'
import type {ExecKms} from '../exec/crypto.js'
import {SessionError, SessionKmsError, SessionRefusedError} from '../exec/errors.js'
import {exitStatusCommand, LineEnds, newMarker} from '../exec/exit-status.js'
import {type AttachResult, attachTerminal, pipeSession, processIo, type TerminalIo} from '../exec/terminal.js'
import {
  agentNotConnected,
  agentNotRunning,
  type ExecCheckDeps,
  type ExecCheckSubject,
  execNotEnabled,
  kmsKeyUnusable,
  kmsKeyUnusableByTask,
  taskRoleProblem,
} from './exec-checks.js'

/** The ECS calls exec needs (shapes as in the SDK, so an ECSClient wrapper fits). */
export interface EcsExecClient {
  listTasks(input: {cluster: string; serviceName?: string; desiredStatus?: 'RUNNING'}): Promise<{taskArns?: string[]}>
  describeTasks(input: {cluster: string; tasks: string[]}): Promise<{tasks?: EcsTask[]}>
  executeCommand(input: {cluster: string; task: string; container?: string; command: string; interactive: boolean}): Promise<{
    session?: {sessionId?: string; streamUrl?: string; tokenValue?: string}
  }>
  describeTaskDefinition?: ExecCheckDeps['describeTaskDefinition']
}

export interface EcsTask {
  taskArn?: string
  taskDefinitionArn?: string
  overrides?: {taskRoleArn?: string}
  lastStatus?: string
  enableExecuteCommand?: boolean
  startedAt?: Date
  containers?: {name?: string; runtimeId?: string; lastStatus?: string; managedAgents?: {name?: string; lastStatus?: string; reason?: string}[]}[]
}

export interface ExecRequest {
  cluster: string
  /** ECS service whose tasks to choose from; all running tasks of the cluster when absent. */
  service?: string
  /** A task id or its prefix. */
  taskId?: string
  container?: string
  /** Container chosen when none is named (the service's main container). */
  defaultContainer?: string
  command: string
  interactive: boolean
  /** How to describe the target in messages, e.g. "service web in environment test". */
  subject: string
  /** What to do to enable exec, for the error hint. */
  enableHint: string
  /** What to do to give the task role the permissions exec needs (default: name them). */
  roleHint?: string
}

export interface ExecEvent {
  level: 'info' | 'warn'
  code: 'exec.session.starting' | 'exec.session.ready' | 'exec.session.message' | 'exec.exit-code.unknown'
  message: string
  data?: Record<string, unknown>
}

export interface ExecDeps {
  ecs: EcsExecClient
  kms?: ExecKms
  io?: TerminalIo
  notify?: (event: ExecEvent) => void
  dial?: (opts: DialOptions) => Promise<ClientSession>
  /** The task role's policy statements, when they can be read (see exec-checks.ts). */
  roleStatements?: ExecCheckDeps['roleStatements']
}

const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)
const clusterNameOf = (cluster: string) => cluster.slice(cluster.lastIndexOf('/') + 1)
const SIGNAL_CODES: Record<string, number> = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143}

interface Target {
  task: EcsTask
  taskId: string
  container: string
  runtimeId: string | undefined
  check: ExecCheckSubject
}

export async function execInTask(req: ExecRequest, deps: ExecDeps): Promise<number> {
  const target = await preflight(req, deps)
  const io = deps.io ?? processIo()
  const marker = newMarker()
  const wrapped = exitStatusCommand(req.command, marker, {interactive: req.interactive})
  const session = await startSession(req, deps, target, wrapped)
  const result = await runCommandSession(session, io, {marker, interactive: req.interactive})
  if (result.signal) throw endedBySignal(target, result)
  if (result.exitCode !== undefined) return result.exitCode
  if (result.reason === 'disconnected') throw connectionLost(target, result)
  if (result.started) {
    throw new UserError(`The exec session in task ${target.taskId} closed before the command reported its exit code${result.message ? `: ${result.message}` : ''}.`, {
      hint: 'The task may have stopped or the command was ended from outside; check the task with `pier svc status`, then run the command again.',
    })
  }
  // The wrapper never ran: the image has no /bin/sh. Run the command as given; its status stays unknown.
  deps.notify?.({
    level: 'warn',
    code: 'exec.exit-code.unknown',
    message: `Container ${target.container} has no /bin/sh, so Pier runs the command as given and cannot know its exit code: it exits 0 when the session closes.`,
    ...(result.preamble.trim() ? {data: {output: result.preamble.trim()}} : {}),
  })
  const plain = await startSession(req, deps, target, req.command)
  // On AWS this is a terminal: its CRLF line ends go back to LF when stdout is not a terminal.
  const lineEnds = io.stdout.isTTY ? undefined : new LineEnds((d) => io.stdout.write(d))
  const streams = lineEnds ? {stdout: (d: Buffer) => lineEnds.feed(d)} : {}
  const r: AttachResult = req.interactive ? await attachTerminal(plain, io, streams) : await pipeSession(plain, io, streams)
  lineEnds?.finish()
  if (r.signal) throw endedBySignal(target, r)
  if (r.reason === 'disconnected') throw connectionLost(target, r)
  return r.exitCode ?? 0
}

/** Finds the task and container, and stops with the reason when ECS Exec cannot work there. */
async function preflight(req: ExecRequest, deps: ExecDeps): Promise<Target> {
  const task = await findTask(req, deps.ecs)
  const taskId = taskIdOf(task.taskArn!)
  const check: ExecCheckSubject = {taskId, subject: req.subject, enableHint: req.enableHint, ...(req.roleHint ? {roleHint: req.roleHint} : {})}
  if (task.enableExecuteCommand === false) throw execNotEnabled(check)
  const container = pickContainer(task, req)
  const agent = container.managedAgents?.find((a) => a.name === 'ExecuteCommandAgent')
  if (agent && agent.lastStatus !== 'RUNNING') {
    throw (await taskRoleProblem(task, check, checkDeps(deps))) ?? agentNotRunning(check, container.name!, agent.lastStatus, agent.reason)
  }
  deps.notify?.({level: 'info', code: 'exec.session.starting', message: `Starting a session in task ${taskId}, container ${container.name}.`, data: {taskArn: task.taskArn, container: container.name}})
  return {task, taskId, container: container.name!, runtimeId: container.runtimeId, check}
}

function checkDeps(deps: ExecDeps): ExecCheckDeps {
  return {
    ...(deps.ecs.describeTaskDefinition ? {describeTaskDefinition: (input) => deps.ecs.describeTaskDefinition!(input)} : {}),
    ...(deps.roleStatements ? {roleStatements: deps.roleStatements} : {}),
  }
}

function endedBySignal(t: Target, r: AttachResult): UserError {
  return new UserError(`The exec session in task ${t.taskId} was ended by ${r.signal} before the command finished.`, {
    hint: 'The command may have stopped part-way in the task: check what it did before running it again.',
    exitCode: r.exitCode ?? SIGNAL_CODES[r.signal!] ?? 1,
  })
}

function connectionLost(t: Target, r: AttachResult | CommandResult): UserError {
  return new UserError(`The connection to the exec session in task ${t.taskId} was lost before the command finished${r.message ? `: ${r.message}` : ''}.`, {
    hint: 'Check that the task is still running and the network holds; the command may have stopped part-way, so check what it did before running it again.',
  })
}

async function findTask(req: ExecRequest, ecs: EcsExecClient): Promise<EcsTask> {
  const listed = await ecs.listTasks({cluster: req.cluster, ...(req.service ? {serviceName: req.service} : {}), desiredStatus: 'RUNNING'})
  let arns = listed.taskArns ?? []
  if (req.taskId) arns = arns.filter((a) => taskIdOf(a).startsWith(req.taskId!))
  const tasks = arns.length === 0 ? [] : ((await ecs.describeTasks({cluster: req.cluster, tasks: arns})).tasks ?? []).filter((t) => t.lastStatus === 'RUNNING')
  if (tasks.length === 0) {
    throw new UserError(req.taskId ? `No running task of ${req.subject} has an id starting with "${req.taskId}".` : `No task of ${req.subject} is running.`, {
      hint: req.taskId ? 'Leave out --task-id to pick a running task, or check the id with `pier svc status`.' : 'Deploy it or wait for a task to start, then run the command again.',
    })
  }
  if (req.taskId && tasks.length > 1) {
    throw new UserError(`The task id prefix "${req.taskId}" matches ${tasks.length} running tasks of ${req.subject}.`, {
      hint: `Give more of the id: ${tasks.map((t) => taskIdOf(t.taskArn!)).join(', ')}.`,
    })
  }
  // Newest first: a task that just replaced an old one is the one users mean.
  return [...tasks].sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0))[0]!
}

function pickContainer(task: EcsTask, req: ExecRequest) {
  const containers = task.containers ?? []
  const names = containers.map((c) => c.name).join(', ')
  const wanted = req.container ?? req.defaultContainer
  const found = wanted ? containers.find((c) => c.name === wanted) : containers[0]
  if (found) return found
  if (!req.container && containers[0]) return containers[0]
  throw new UserError(`Container "${wanted}" is not part of task ${taskIdOf(task.taskArn!)}.`, {hint: `Pass one of its containers with --container: ${names}.`})
}

async function startSession(req: ExecRequest, deps: ExecDeps, t: Target, command: string): Promise<ClientSession> {
  const taskArn = t.task.taskArn!
  let session: {sessionId?: string; streamUrl?: string; tokenValue?: string} | undefined
  try {
    // ECS opens only interactive sessions (a terminal); the wrapped command copes with that.
    session = (await deps.ecs.executeCommand({cluster: req.cluster, task: taskArn, container: t.container, command, interactive: true})).session
  } catch (e) {
    // Pier's AWS errors keep the AWS code in `code`; raw SDK errors carry it in `name`.
    const err = e as {name?: string; code?: string; message?: string; cause?: {message?: string}}
    const code = err.code ?? err.name
    const message = err.cause?.message ?? err.message ?? ''
    if (code === 'TargetNotConnectedException') {
      throw (await taskRoleProblem(t.task, t.check, checkDeps(deps))) ?? agentNotConnected(t.check, t.container, message || 'the target is not connected')
    }
    if (code === 'InvalidParameterException' && /not enabled/i.test(message)) {
      throw new UserError(`Exec is not enabled on task ${t.taskId} of ${req.subject}, or its exec agent is not running yet: ${message}`, {hint: req.enableHint})
    }
    if (code === 'AccessDeniedException') {
      throw new UserError(`ECS refused ExecuteCommand: ${message}`, {hint: 'Your credentials need the ecs:ExecuteCommand permission on this cluster.'})
    }
    throw e
  }
  if (!session?.streamUrl || !session.tokenValue) throw new UserError('ECS ExecuteCommand returned no session to connect to.', {hint: 'Run the command again.'})
  let open: ClientSession
  try {
    open = await (deps.dial ?? dialSession)({
      streamUrl: session.streamUrl,
      tokenValue: session.tokenValue,
      interactive: req.interactive,
      targetId: `ecs:${clusterNameOf(req.cluster)}_${t.taskId}_${t.runtimeId ?? `${t.taskId}-${t.container}`}`,
      ...(deps.kms ? {kms: deps.kms} : {}),
    })
  } catch (e) {
    if (e instanceof SessionRefusedError) {
      throw new UserError(`The exec session was refused: ${e.reason}.`, {hint: 'Run the command again: session tokens are single-use and expire after a minute.'})
    }
    if (e instanceof SessionKmsError) throw kmsKeyUnusable(req.cluster, e.keyId, e.reason)
    if (e instanceof SessionError && /data key could not be decrypted/.test(e.message)) throw kmsKeyUnusableByTask(t.check, e.message)
    if (e instanceof SessionError) throw new UserError(`The exec session could not be opened: ${e.message}.`, {hint: 'Check that the task is still running, then run the command again.'})
    throw e
  }
  deps.notify?.({
    level: 'info',
    code: 'exec.session.ready',
    message: `Session ${open.sessionId} open${open.encrypted ? ', encrypted with KMS' : ''}.`,
    data: {sessionId: open.sessionId, encrypted: open.encrypted},
  })
  if (open.customerMessage) deps.notify?.({level: 'info', code: 'exec.session.message', message: open.customerMessage})
  return open
}
