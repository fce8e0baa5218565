// Following a job's execution: its history says which task each attempt submitted (a retry submits a
// new one); each task is followed through `followTasks` (logs, exit code); the execution's end says
// how the run went. Ctrl-C once stops the execution and its task; twice stops following.
import type {HistoryEvent} from '@aws-sdk/client-sfn'

import {event} from '../deploy/events.js'
import {manualInterrupts} from '../deploy/interrupts.js'
import {backoff, wakeableSleep} from '../deploy/timing.js'
import type {AppContext} from './context.js'
import {followTasks} from './follow-tasks.js'

export interface AttemptResult {
  attempt: number
  taskArn: string
  exitCode?: number
  stoppedReason?: string
}

export interface ExecutionOutcome {
  /** The execution's status when Pier stopped following: SUCCEEDED, FAILED, TIMED_OUT, ABORTED (RUNNING if detached). */
  status: string
  taskArns: string[]
  attempts: AttemptResult[]
  /** What `pier job run --follow` exits with: the container's exit code, 1 with a reason, 130 when stopped. */
  exitCode: number
  /** Why the run failed when no container exit code says it (a timeout, a task that did not start). */
  reason?: string
  detached?: boolean
}

/** What the state machine's definition says about a run: its timeouts and how many attempts it makes. */
export interface JobShape {
  maxAttempts: number
  /** The Retry's first interval and backoff: the wait before attempt n+1 is interval * backoff^(n-1). */
  retryIntervalSeconds?: number
  backoffRate?: number
  taskTimeoutSeconds?: number
  executionTimeoutSeconds?: number
}

const END = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted'])

export async function followExecution(
  ctx: AppContext,
  input: {executionArn: string; stateMachineArn: string; executionName: string; job: string; logGroup: string; onLog: (line: string) => void},
): Promise<ExecutionOutcome> {
  const delays = backoff(ctx.aws.poll, ctx.timing.random)
  const waker = wakeableSleep(ctx.timing)
  const forwarded = manualInterrupts()
  const attempts: AttemptResult[] = []
  let current: {taskArn: string; cluster: string} | undefined
  let stopping: Promise<void> | undefined
  let detached = false
  const stop = async () => {
    ctx.emit(event('step', `Stopping execution ${input.executionName} and its task (Ctrl-C again to stop following).`, {name: `execution ${input.executionName}`, status: 'start'}, 'warn'))
    try {
      await ctx.aws.stateMachines.stopExecution({executionArn: input.executionArn, error: 'Pier.Interrupted', cause: 'Stopped with Ctrl-C during `pier job run`.'})
      if (current) await ctx.aws.ecs.stopTask({cluster: current.cluster, task: current.taskArn, reason: 'Stopped with Ctrl-C during pier job run'}).catch(() => undefined)
    } catch (error) {
      ctx.emit(event('step', `Could not stop execution ${input.executionName}: ${(error as Error).message}`, {name: `execution ${input.executionName}`, status: 'failed'}, 'warn'))
    }
  }

  const off = ctx.interrupts?.onInterrupt(() => {
    if (!stopping) stopping = stop()
    else {
      detached = true
      forwarded.interrupt()
    }
    waker.wake()
  })
  let history: HistoryEvent[] = []
  let shape: JobShape = {maxAttempts: 0}
  try {
    shape = await jobShape(ctx, input.stateMachineArn)
    while (!detached) {
      history = await readHistory(ctx, input.executionArn)
      const next = submittedTasks(history)[attempts.length]
      if (next) {
        const n = next.attempt
        const id = next.taskArn.split('/').pop() ?? next.taskArn
        const which = shape.maxAttempts > 1 || n > 1 ? `Attempt ${n}${shape.maxAttempts >= n ? ` of ${shape.maxAttempts}` : ''}: task` : 'Task'
        ctx.emit(event('step', `${which} ${id} started.`, {name: `task ${id}`, status: 'start', detail: next.taskArn}))
        current = next
        const f = await followTasks({aws: ctx.aws, emit: ctx.emit, timing: ctx.timing, interrupts: forwarded, onLog: input.onLog}, {cluster: next.cluster, taskArns: [next.taskArn], logGroup: input.logGroup, streamPrefix: 'copilot', container: input.job})
        if (f.detached) break
        attempts.push({attempt: n, taskArn: next.taskArn, exitCode: f.tasks[0]?.exitCode, stoppedReason: f.tasks[0]?.stoppedReason})
        if (f.exitCode !== 0 && n < shape.maxAttempts && !stopping) {
          const wait = (shape.retryIntervalSeconds ?? 1) * (shape.backoffRate ?? 2) ** (n - 1)
          ctx.emit(event('step', `Attempt ${n} failed: Step Functions starts attempt ${n + 1} of ${shape.maxAttempts} in about ${formatSeconds(wait)}.`, {name: `task ${id}`, status: 'failed'}, 'warn'))
        }
        delays.reset()
        continue
      }
      if (history.some((e) => END.has(e.type ?? ''))) break
      await waker.sleep(delays.next())
    }
  } finally {
    off?.()
  }
  await stopping
  const taskArns = submittedTasks(history).map((t) => t.taskArn)
  if (detached) {
    const text = `Stopped following; execution ${input.executionName} goes on: aws stepfunctions describe-execution --execution-arn ${input.executionArn}`
    ctx.emit(event('output', text, {text, stream: 'stderr'}, 'warn'))
    return {status: 'RUNNING', taskArns, attempts, exitCode: 130, detached: true}
  }
  const d = await ctx.aws.stateMachines.describeExecution({executionArn: input.executionArn})
  const scheduled = history.filter((e) => e.type === 'TaskScheduled').length
  const o = outcome({status: d.status ?? 'FAILED', error: d.error, cause: d.cause}, attempts, shape, {interrupted: Boolean(stopping), lastAttemptStartedNoTask: scheduled > (attempts.at(-1)?.attempt ?? 0)})
  const ok = o.exitCode === 0
  ctx.emit(event('step', `Execution ${input.executionName} ${ok ? 'succeeded' : o.status === 'ABORTED' ? 'was stopped' : 'failed'}${scheduled > 1 ? ` after ${scheduled} attempts` : ''}.`, {name: `execution ${input.executionName}`, status: ok ? 'done' : 'failed', detail: o.reason}, ok ? 'info' : 'error'))
  return {...o, taskArns, attempts}
}

/** The exit code and reason of an ended execution, from its status and the last attempt's container. */
export function outcome(
  d: {status: string; error?: string; cause?: string},
  attempts: AttemptResult[],
  shape: JobShape,
  o: {interrupted: boolean; lastAttemptStartedNoTask: boolean},
): {status: string; exitCode: number; reason?: string} {
  const last = o.lastAttemptStartedNoTask ? undefined : attempts.at(-1)
  if (d.status === 'SUCCEEDED') return {status: d.status, exitCode: last?.exitCode ?? 0}
  if (d.status === 'ABORTED') return o.interrupted ? {status: d.status, exitCode: 130} : {status: d.status, exitCode: 1, reason: `the execution was stopped${d.cause ? `: ${d.cause}` : ''}`}
  if (d.status === 'TIMED_OUT' || d.error === 'States.Timeout') {
    const seconds = d.status === 'TIMED_OUT' ? (shape.executionTimeoutSeconds ?? shape.taskTimeoutSeconds) : shape.taskTimeoutSeconds
    return {status: d.status, exitCode: 1, reason: `the job exceeded its timeout${seconds ? ` of ${formatSeconds(seconds)}` : ''}`}
  }
  if (last?.exitCode !== undefined && last.exitCode !== 0) return {status: d.status, exitCode: last.exitCode}
  return {status: d.status, exitCode: 1, reason: failureReason(d.error, d.cause, last)}
}

function failureReason(error: string | undefined, cause: string | undefined, last: AttemptResult | undefined): string {
  // A task that failed to start: Step Functions gives the task (PascalCase) as the cause.
  let task: {StoppedReason?: string} | undefined
  try {
    task = cause ? JSON.parse(cause) : undefined
  } catch {
    task = undefined
  }
  const stopped = task?.StoppedReason ?? last?.stoppedReason
  if (stopped) return `its task stopped: ${stopped}`
  if (error?.startsWith('ECS.')) return `ECS could not start its task: ${cause ?? error}`
  return [error, cause].filter(Boolean).join(': ') || 'the execution failed without a reason'
}

/** 1800 -> "30m", 5400 -> "1h30m", 45 -> "45s": the manifest's own way of writing a duration. */
export function formatSeconds(seconds: number): string {
  const total = Math.round(seconds)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`
}

async function readHistory(ctx: AppContext, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = []
  let nextToken: string | undefined
  do {
    const page = await ctx.aws.stateMachines.getExecutionHistory({executionArn, maxResults: 1000, nextToken})
    events.push(...(page.events ?? []))
    nextToken = page.nextToken
  } while (nextToken)
  return events
}

/** The task each attempt submitted, in order, from the RunTask response in TaskSubmitted's output;
 * an attempt is numbered by the TaskScheduled events before it (one whose RunTask failed has no task). */
export function submittedTasks(history: HistoryEvent[]): {attempt: number; taskArn: string; cluster: string}[] {
  const out: {attempt: number; taskArn: string; cluster: string}[] = []
  let attempt = 0
  for (const e of history) {
    if (e.type === 'TaskScheduled') attempt++
    if (e.type !== 'TaskSubmitted' || !e.taskSubmittedEventDetails?.output) continue
    let response: {Tasks?: {TaskArn?: string; ClusterArn?: string}[]}
    try {
      response = JSON.parse(e.taskSubmittedEventDetails.output)
    } catch {
      continue
    }
    const task = response.Tasks?.find((t) => t.TaskArn)
    if (!task?.TaskArn) continue
    // A task ARN names its cluster: arn:aws:ecs:region:account:task/CLUSTER/ID.
    out.push({attempt: Math.max(attempt, out.length + 1), taskArn: task.TaskArn, cluster: task.ClusterArn ?? task.TaskArn.split(':task/')[1]?.split('/')[0] ?? 'default'})
  }
  return out
}

/** The run's shape from the definition; without permission to read it, runs are still followed. */
async function jobShape(ctx: AppContext, stateMachineArn: string): Promise<JobShape> {
  let definition: any
  try {
    definition = JSON.parse((await ctx.aws.stateMachines.describeStateMachine({stateMachineArn})).definition ?? '{}')
  } catch {
    return {maxAttempts: 0}
  }
  const states: any[] = Object.values(definition?.States ?? {})
  const task = states.find((s) => s?.Type === 'Task' && /ecs:runTask/.test(String(s.Resource)))
  const retriers = (task?.Retry ?? []) as {MaxAttempts?: number; IntervalSeconds?: number; BackoffRate?: number}[]
  const retrier = retriers.reduce<(typeof retriers)[number] | undefined>((a, r) => ((r.MaxAttempts ?? 3) > (a?.MaxAttempts ?? 3) || !a ? r : a), undefined)
  const positive = (n: unknown) => (Number(n) > 0 ? Number(n) : undefined)
  return {
    maxAttempts: 1 + (retrier ? (retrier.MaxAttempts ?? 3) : 0),
    retryIntervalSeconds: positive(retrier?.IntervalSeconds),
    backoffRate: positive(retrier?.BackoffRate),
    taskTimeoutSeconds: positive(task?.TimeoutSeconds),
    executionTimeoutSeconds: positive(definition?.TimeoutSeconds),
  }
}
