// Use case behind `pier svc exec` and `pier task exec`: find the task and container, ask ECS for an
// exec session, open the data channel, and run it on the terminal or as a pipe. Returns the exit code
// Pier should end with (the remote command's, when the agent reports it).
import {UserError} from '../errors.js'
import {type ClientSession, dialSession, type DialOptions} from '../exec/client.js'
import type {ExecKms} from '../exec/crypto.js'
import {SessionError, SessionRefusedError} from '../exec/errors.js'
import {type AttachResult, attachTerminal, pipeSession, processIo, type TerminalIo} from '../exec/terminal.js'

/** The ECS calls exec needs (shapes as in the SDK, so an ECSClient wrapper fits). */
export interface EcsExecClient {
  listTasks(input: {cluster: string; serviceName?: string; desiredStatus?: 'RUNNING'}): Promise<{taskArns?: string[]}>
  describeTasks(input: {cluster: string; tasks: string[]}): Promise<{tasks?: EcsTask[]}>
  executeCommand(input: {cluster: string; task: string; container?: string; command: string; interactive: boolean}): Promise<{
    session?: {sessionId?: string; streamUrl?: string; tokenValue?: string}
  }>
}

export interface EcsTask {
  taskArn?: string
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
}

export interface ExecEvent {
  level: 'info' | 'warn'
  code: 'exec.session.starting' | 'exec.session.ready' | 'exec.session.message'
  message: string
  data?: Record<string, unknown>
}

export interface ExecDeps {
  ecs: EcsExecClient
  kms?: ExecKms
  io?: TerminalIo
  notify?: (event: ExecEvent) => void
  dial?: (opts: DialOptions) => Promise<ClientSession>
}

const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1)
const clusterNameOf = (cluster: string) => cluster.slice(cluster.lastIndexOf('/') + 1)

export async function execInTask(req: ExecRequest, deps: ExecDeps): Promise<number> {
  const task = await findTask(req, deps.ecs)
  const taskArn = task.taskArn!
  const taskId = taskIdOf(taskArn)
  if (task.enableExecuteCommand === false) {
    throw new UserError(`Exec is not enabled on task ${taskId} of ${req.subject}: it was started without ECS Exec.`, {hint: req.enableHint})
  }
  const container = pickContainer(task, req)
  const agent = container.managedAgents?.find((a) => a.name === 'ExecuteCommandAgent')
  if (agent && agent.lastStatus !== 'RUNNING') {
    throw agentNotConnected(taskId, container.name!, `its exec agent is ${agent.lastStatus?.toLowerCase() ?? 'not running'}${agent.reason ? ` (${agent.reason})` : ''}`)
  }
  deps.notify?.({level: 'info', code: 'exec.session.starting', message: `Starting a session in task ${taskId}, container ${container.name}.`, data: {taskArn, container: container.name}})
  const session = await startSession(req, deps, task, container.name!, container.runtimeId)
  deps.notify?.({
    level: 'info',
    code: 'exec.session.ready',
    message: `Session ${session.sessionId} open${session.encrypted ? ', encrypted with KMS' : ''}.`,
    data: {sessionId: session.sessionId, encrypted: session.encrypted},
  })
  if (session.customerMessage) deps.notify?.({level: 'info', code: 'exec.session.message', message: session.customerMessage})
  const io = deps.io ?? processIo()
  const result: AttachResult = req.interactive ? await attachTerminal(session, io) : await pipeSession(session, io)
  if (result.signal) return result.exitCode ?? 1
  if (result.exitCode !== undefined) return result.exitCode
  if (result.reason === 'disconnected') {
    throw new UserError(`The exec session in task ${taskId} ended unexpectedly${result.message ? `: ${result.message}` : ''}.`, {
      hint: 'Check that the task is still running, then run the command again.',
    })
  }
  return 0
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

function agentNotConnected(taskId: string, container: string, why: string): UserError {
  return new UserError(`The exec agent of task ${taskId} (container ${container}) is not connected: ${why}.`, {
    hint: 'Wait a few seconds after the task starts and try again. On AWS, the task role needs the ssmmessages permissions that exec uses.',
  })
}

async function startSession(req: ExecRequest, deps: ExecDeps, task: EcsTask, container: string, runtimeId: string | undefined): Promise<ClientSession> {
  const taskArn = task.taskArn!
  const taskId = taskIdOf(taskArn)
  let session: {sessionId?: string; streamUrl?: string; tokenValue?: string} | undefined
  try {
    // ECS only opens interactive sessions; whether the command gets a terminal follows this client
    // (a terminal size first means yes, input first means no), so piped runs keep stderr and binary output.
    session = (await deps.ecs.executeCommand({cluster: req.cluster, task: taskArn, container, command: req.command, interactive: true})).session
  } catch (e) {
    // Pier's AWS errors keep the AWS code in `code`; raw SDK errors carry it in `name`.
    const err = e as {name?: string; code?: string; message?: string; cause?: {message?: string}}
    const code = err.code ?? err.name
    const message = err.cause?.message ?? err.message ?? ''
    if (code === 'TargetNotConnectedException') throw agentNotConnected(taskId, container, message || 'the target is not connected')
    if (code === 'InvalidParameterException' && /not enabled/i.test(message)) {
      throw new UserError(`Exec is not enabled on task ${taskId} of ${req.subject}, or its exec agent is not running yet: ${message}`, {hint: req.enableHint})
    }
    if (code === 'AccessDeniedException') {
      throw new UserError(`ECS refused ExecuteCommand: ${message}`, {hint: 'Your credentials need the ecs:ExecuteCommand permission on this cluster.'})
    }
    throw e
  }
  if (!session?.streamUrl || !session.tokenValue) throw new UserError('ECS ExecuteCommand returned no session to connect to.', {hint: 'Run the command again.'})
  try {
    return await (deps.dial ?? dialSession)({
      streamUrl: session.streamUrl,
      tokenValue: session.tokenValue,
      interactive: req.interactive,
      targetId: `ecs:${clusterNameOf(req.cluster)}_${taskId}_${runtimeId ?? `${taskId}-${container}`}`,
      ...(deps.kms ? {kms: deps.kms} : {}),
    })
  } catch (e) {
    if (e instanceof SessionRefusedError) {
      throw new UserError(`The exec session was refused: ${e.reason}.`, {hint: 'Run the command again: session tokens are single-use and expire after a minute.'})
    }
    if (e instanceof SessionError) throw new UserError(`The exec session could not be opened: ${e.message}.`, {hint: 'Check that the task is still running, then run the command again.'})
    throw e
  }
}
