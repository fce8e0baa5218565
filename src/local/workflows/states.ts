// Step Functions in the local control plane: state machines and executions of the Amazon States
// Language subset Pier's Scheduled Jobs use (Task with ecs:runTask(.sync), Pass, Wait, Succeed,
// Fail; Parameters, ResultPath, TimeoutSeconds, Retry, Catch), behind the AWSStepFunctions JSON API.
// Executions record the history AWS records (see history.ts), so `job run` follows one the same way.

import {randomUUID} from 'node:crypto'
import type {LocalApi} from '../contracts.js'
import {ServiceError, type JsonService} from '../frontend/types.js'
import {jsonServiceFromTable} from '../service-table.js'
import {historyPage, payload, pascalKeys, taskResource, type HistoryEvent} from './history.js'
import {applyResultPath, camelKeys, resolveParameters} from './json-path.js'

const ECS = 'AmazonEC2ContainerServiceV20141113'

export interface StateMachineRecord {
  arn: string
  name: string
  definition: string
  roleArn: string
  type: string
  createdAt: number
}

export interface ExecutionRecord {
  arn: string
  stateMachineArn: string
  name: string
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'
  startDate: number
  stopDate?: number
  input: string
  output?: string
  error?: string
  cause?: string
  /** ECS tasks this execution started (stopped when it is aborted). */
  taskArns: string[]
  history: HistoryEvent[]
}

export interface StatesStore {
  machines: StateMachineRecord[]
  executions: ExecutionRecord[]
}

class StateFailure extends Error {
  constructor(readonly error: string, override readonly cause: string) {
    super(`${error}: ${cause}`)
  }
}

interface Retrier {
  ErrorEquals: string[]
  IntervalSeconds?: number
  MaxAttempts?: number
  BackoffRate?: number
}

// As on AWS, States.ALL matches every error but States.Runtime and States.DataLimitExceeded (not retriable).
const matches = (names: string[], error: string) =>
  names.includes(error) || (names.includes('States.ALL') && error !== 'States.Runtime' && error !== 'States.DataLimitExceeded') || (names.includes('States.TaskFailed') && error.startsWith('ECS.'))

export interface StatesOptions {
  region: string
  accountId: string
  api: LocalApi
  store: StatesStore
  save(): void
  /** ECS task status poll interval for .sync integrations. */
  pollMs?: number
  /** Scales Retry intervals (1 = as written); tests shorten them. */
  retryScale?: number
}

export class LocalStepFunctions {
  private readonly aborts = new Map<string, AbortController>()
  constructor(private readonly o: StatesOptions) {}

  get store(): StatesStore {
    return this.o.store
  }

  machine(arn: string): StateMachineRecord {
    const m = this.store.machines.find((x) => x.arn === arn)
    if (!m) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`)
    return m
  }

  createStateMachine(input: {name: string; definition: string; roleArn?: string; type?: string}): StateMachineRecord {
    let parsed: any
    try {
      parsed = JSON.parse(input.definition)
    } catch {
      throw new ServiceError('InvalidDefinition', 'Invalid State Machine Definition: the definition is not valid JSON')
    }
    if (!parsed?.StartAt || !parsed.States?.[parsed.StartAt]) {
      throw new ServiceError('InvalidDefinition', "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: StartAt does not name a state'")
    }
    const arn = `arn:aws:states:${this.o.region}:${this.o.accountId}:stateMachine:${input.name}`
    const existing = this.store.machines.find((m) => m.arn === arn)
    if (existing) throw new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`)
    const m = {arn, name: input.name, definition: input.definition, roleArn: input.roleArn ?? '', type: input.type ?? 'STANDARD', createdAt: Date.now()}
    this.store.machines.push(m)
    this.o.save()
    return m
  }

  updateStateMachine(arn: string, definition: string): void {
    this.machine(arn).definition = definition
    this.o.save()
  }

  deleteStateMachine(arn: string): void {
    this.store.machines = this.store.machines.filter((m) => m.arn !== arn)
    this.o.save()
  }

  startExecution(stateMachineArn: string, name: string = randomUUID(), input = '{}'): ExecutionRecord {
    const m = this.machine(stateMachineArn)
    const arn = `arn:aws:states:${this.o.region}:${this.o.accountId}:execution:${m.name}:${name}`
    if (this.store.executions.some((e) => e.arn === arn)) throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`)
    try {
      JSON.parse(input)
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid execution input: not valid JSON')
    }
    const e: ExecutionRecord = {arn, stateMachineArn, name, status: 'RUNNING', startDate: Date.now(), input, taskArns: [], history: []}
    this.store.executions.push(e)
    this.record(e, 'ExecutionStarted', {...payload('input', input), roleArn: m.roleArn})
    const abort = new AbortController()
    this.aborts.set(arn, abort)
    void this.run(m, e, abort.signal).finally(() => this.aborts.delete(arn))
    return e
  }

  execution(arn: string): ExecutionRecord {
    const e = this.store.executions.find((x) => x.arn === arn)
    if (!e) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`)
    return e
  }

  async stopExecution(arn: string, error?: string, cause?: string): Promise<void> {
    const e = this.execution(arn)
    if (e.status !== 'RUNNING') return
    this.finish(e, 'ABORTED', {error, cause})
    this.aborts.get(arn)?.abort()
    await this.stopTasks(e.taskArns, 'Execution was aborted')
  }

  /** After a restart: executions that were running cannot be resumed; they fail with a reason. */
  recover(): void {
    for (const e of this.store.executions.filter((x) => x.status === 'RUNNING')) {
      this.finish(e, 'FAILED', {error: 'States.Runtime', cause: 'The local control plane restarted while the execution was running'})
    }
  }

  close(): void {
    for (const a of this.aborts.values()) a.abort()
  }

  private record(e: ExecutionRecord, type: string, details?: Record<string, unknown>): void {
    e.history.push({timestamp: Date.now(), type, ...(details ? {details} : {})})
    this.o.save()
  }

  private finish(e: ExecutionRecord, status: ExecutionRecord['status'], r: {output?: unknown; error?: string; cause?: string}): void {
    if (e.status !== 'RUNNING') return
    e.status = status
    e.stopDate = Date.now()
    if (r.output !== undefined) e.output = JSON.stringify(r.output)
    e.error = r.error
    e.cause = r.cause
    const failure = {...(r.error !== undefined ? {error: r.error} : {}), ...(r.cause !== undefined ? {cause: r.cause} : {})}
    if (status === 'SUCCEEDED') this.record(e, 'ExecutionSucceeded', payload('output', e.output ?? '{}'))
    else this.record(e, `Execution${{FAILED: 'Failed', TIMED_OUT: 'TimedOut', ABORTED: 'Aborted', RUNNING: ''}[status]}`, failure)
  }

  private async stopTasks(taskArns: string[], reason: string): Promise<void> {
    for (const taskArn of taskArns) {
      const cluster = taskArn.split(':task/')[1]?.split('/')[0]
      await this.o.api.json(ECS, 'StopTask', {cluster, task: taskArn, reason}).catch(() => undefined)
    }
  }

  private async run(m: StateMachineRecord, e: ExecutionRecord, signal: AbortSignal): Promise<void> {
    const def = JSON.parse(m.definition)
    const context = {Execution: {Id: e.arn, Name: e.name, StartTime: new Date(e.startDate).toISOString(), Input: JSON.parse(e.input)}, StateMachine: {Id: m.arn, Name: m.name}}
    // The state machine's own TimeoutSeconds bounds the whole execution (a Task's bounds one attempt).
    const limit = Number(def.TimeoutSeconds) > 0 ? setTimeout(() => void this.timeOut(e, Number(def.TimeoutSeconds)), Number(def.TimeoutSeconds) * 1000) : undefined
    let data: unknown = JSON.parse(e.input)
    let name: string | undefined = def.StartAt
    try {
      while (name) {
        const state = def.States[name]
        if (!state) throw new StateFailure('States.Runtime', `State '${name}' does not exist`)
        this.record(e, `${state.Type}StateEntered`, {name, ...payload('input', data)})
        const r = await this.step(state, data, context, e, signal)
        if (signal.aborted) return
        data = r.data
        this.record(e, `${state.Type}StateExited`, {name, ...payload('output', data)})
        if (r.end) break
        name = state.Next
        if (!name && !state.End) break
      }
      this.finish(e, 'SUCCEEDED', {output: data})
    } catch (err) {
      if (signal.aborted) return
      const f = err instanceof StateFailure ? err : new StateFailure('States.Runtime', (err as Error).message)
      this.finish(e, 'FAILED', {error: f.error, cause: f.cause})
    } finally {
      clearTimeout(limit)
    }
  }

  private async timeOut(e: ExecutionRecord, seconds: number): Promise<void> {
    if (e.status !== 'RUNNING') return
    this.finish(e, 'TIMED_OUT', {error: 'States.Timeout', cause: `The execution did not finish within ${seconds} seconds`})
    this.aborts.get(e.arn)?.abort()
    await this.stopTasks(e.taskArns, 'Execution timed out')
  }

  private async step(state: any, data: unknown, context: unknown, e: ExecutionRecord, signal: AbortSignal): Promise<{data: unknown; end?: boolean}> {
    switch (state.Type) {
      case 'Pass':
        return {data: applyResultPath(data, state.Result ?? data, state.ResultPath)}
      case 'Succeed':
        return {data, end: true}
      case 'Fail':
        throw new StateFailure(state.Error ?? 'States.Fail', state.Cause ?? '')
      case 'Wait':
        await sleep(Number(state.Seconds ?? 0) * 1000, signal)
        return {data}
      case 'Task':
        return {data: await this.task(state, data, context, e, signal)}
      default:
        throw new StateFailure('States.Runtime', `State type ${state.Type} is not supported by the local control plane`)
    }
  }

  /** A Task state: one attempt after another (as Retry allows), each recorded as AWS records it. */
  private async task(state: any, data: unknown, context: unknown, e: ExecutionRecord, signal: AbortSignal): Promise<unknown> {
    const retriers: Retrier[] = state.Retry ?? []
    const attempts = new Map<Retrier, number>()
    const resource = taskResource(String(state.Resource))
    const timeout = Number(state.TimeoutSeconds) > 0 ? Number(state.TimeoutSeconds) : undefined
    for (;;) {
      const attempt = new AbortController()
      const abortAttempt = () => attempt.abort()
      signal.addEventListener('abort', abortAttempt, {once: true})
      const started: string[] = []
      try {
        const params = resolveParameters(state.Parameters ?? data, data, context)
        this.record(e, 'TaskScheduled', {...resource, region: this.o.region, parameters: JSON.stringify(params), ...(timeout ? {timeoutInSeconds: timeout} : {})})
        const result = await withTimeout(this.invoke(String(state.Resource), params, e, started, attempt.signal), timeout)
        this.record(e, 'TaskSucceeded', {...resource, ...payload('output', result)})
        return applyResultPath(data, result, state.ResultPath)
      } catch (err) {
        if (signal.aborted) throw err
        const f = err instanceof StateFailure ? err : new StateFailure('States.TaskFailed', (err as Error).message)
        if (f.error === 'States.Timeout') {
          attempt.abort()
          await this.stopTasks(started, 'Task timed out')
        }
        this.record(e, f.error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed', {...resource, error: f.error, cause: f.cause})
        const retrier = retriers.find((r) => matches(r.ErrorEquals, f.error))
        const n = retrier ? (attempts.get(retrier) ?? 0) : 0
        if (retrier && n < (retrier.MaxAttempts ?? 3)) {
          attempts.set(retrier, n + 1)
          const wait = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** n * 1000 * (this.o.retryScale ?? 1)
          await sleep(wait, signal)
          continue
        }
        throw f // Catch transitions are not used by Pier's state machines: the execution fails with the error
      } finally {
        attempt.abort()
        signal.removeEventListener('abort', abortAttempt)
      }
    }
  }

  private async invoke(resourceArn: string, params: unknown, e: ExecutionRecord, started: string[], signal: AbortSignal): Promise<unknown> {
    const sync = resourceArn.endsWith('.sync')
    if (!/^arn:aws:states:::ecs:runTask(\.sync)?$/.test(resourceArn)) {
      throw new StateFailure('States.Runtime', `Task resource ${resourceArn} is not supported by the local control plane`)
    }
    const resource = taskResource(resourceArn)
    const input = camelKeys(params) as Record<string, unknown>
    delete input.platformVersion
    this.record(e, 'TaskStarted', resource)
    let out: any
    try {
      out = await this.o.api.json(ECS, 'RunTask', input)
    } catch (err) {
      throw new StateFailure(`ECS.${(err as {code?: string}).code ?? 'AmazonECSException'}`, (err as Error).message)
    }
    if (out.failures?.length) throw new StateFailure('ECS.AmazonECSException', JSON.stringify(pascalKeys(out.failures)))
    const taskArns: string[] = out.tasks.map((t: any) => t.taskArn)
    started.push(...taskArns)
    e.taskArns.push(...taskArns)
    const response = pascalKeys({failures: out.failures ?? [], tasks: out.tasks})
    if (!sync) return response
    if (signal.aborted) throw new Error('aborted')
    this.record(e, 'TaskSubmitted', {...resource, ...payload('output', response)})
    for (;;) {
      await sleep(this.o.pollMs ?? 250, signal)
      const d = await this.o.api.json(ECS, 'DescribeTasks', {cluster: input.cluster, tasks: taskArns})
      const tasks: any[] = d.tasks ?? []
      if (tasks.length && tasks.every((t) => t.lastStatus === 'STOPPED')) {
        // Like AWS: the task that failed (a container without exit code 0) is the cause; otherwise the task is the output.
        const failed = tasks.find((t) => t.containers?.some((c: any) => c.exitCode === undefined || c.exitCode !== 0))
        if (failed) throw new StateFailure('States.TaskFailed', JSON.stringify(pascalKeys(failed)))
        return tasks.length === 1 ? pascalKeys(tasks[0]) : pascalKeys({tasks})
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'))
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      reject(new Error('aborted'))
    }, {once: true})
  })
}

async function withTimeout<T>(p: Promise<T>, seconds: number | undefined): Promise<T> {
  if (!seconds) return p
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StateFailure('States.Timeout', `The task did not finish within ${seconds} seconds`)), seconds * 1000)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const epoch = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000)

export function createStatesService(sfn: LocalStepFunctions): JsonService {
  const describe = (e: ExecutionRecord) => ({
    executionArn: e.arn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epoch(e.startDate),
    stopDate: epoch(e.stopDate),
    input: e.input,
    inputDetails: {included: true},
    ...(e.output !== undefined ? {output: e.output, outputDetails: {included: true}} : {}),
    error: e.error,
    cause: e.cause,
  })
  const ops: Record<string, (i: any) => unknown> = {
    CreateStateMachine: (i) => {
      const m = sfn.createStateMachine(i)
      return {stateMachineArn: m.arn, creationDate: epoch(m.createdAt)}
    },
    DescribeStateMachine: (i) => {
      const m = sfn.machine(i.stateMachineArn)
      return {stateMachineArn: m.arn, name: m.name, status: 'ACTIVE', definition: m.definition, roleArn: m.roleArn, type: m.type, creationDate: epoch(m.createdAt)}
    },
    ListStateMachines: () => ({stateMachines: sfn.store.machines.map((m) => ({stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: epoch(m.createdAt)}))}),
    DeleteStateMachine: (i) => (sfn.deleteStateMachine(i.stateMachineArn), {}),
    StartExecution: (i) => {
      const e = sfn.startExecution(i.stateMachineArn, i.name, i.input)
      return {executionArn: e.arn, startDate: epoch(e.startDate)}
    },
    DescribeExecution: (i) => describe(sfn.execution(i.executionArn)),
    StopExecution: async (i) => {
      await sfn.stopExecution(i.executionArn, i.error, i.cause)
      return {stopDate: Date.now() / 1000}
    },
    ListExecutions: (i) => {
      sfn.machine(i.stateMachineArn)
      const list = sfn.store.executions
        .filter((e) => e.stateMachineArn === i.stateMachineArn && (!i.statusFilter || e.status === i.statusFilter))
        .sort((a, b) => b.startDate - a.startDate)
        .slice(0, i.maxResults || 100)
      return {executions: list.map((e) => ({executionArn: e.arn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: epoch(e.startDate), stopDate: epoch(e.stopDate)}))}
    },
    GetExecutionHistory: (i) => historyPage(sfn.execution(i.executionArn).history, i),
  }
  return jsonServiceFromTable('AWSStepFunctions', 'states', ops)
}
