// Step Functions in the local control plane: state machines and executions of the Amazon States
// Language subset Pier's Scheduled Jobs use (Task with ecs:runTask(.sync), Pass, Wait, Succeed,
// Fail; Parameters, ResultPath, TimeoutSeconds, Retry, Catch), behind the AWSStepFunctions JSON API.

import {randomUUID} from 'node:crypto'
import type {LocalApi} from '../contracts.js'
import {ServiceError, type JsonService} from '../frontend/types.js'
import {jsonServiceFromTable} from '../service-table.js'
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
  history: {timestamp: number; type: string; detail?: string}[]
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

const matches = (names: string[], error: string) => names.includes(error) || names.includes('States.ALL') || (names.includes('States.TaskFailed') && error.startsWith('ECS.'))

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
    const e: ExecutionRecord = {arn, stateMachineArn, name, status: 'RUNNING', startDate: Date.now(), input, taskArns: [], history: [{timestamp: Date.now(), type: 'ExecutionStarted'}]}
    this.store.executions.push(e)
    this.o.save()
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
    await this.stopTasks(e, 'Execution was aborted')
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

  private finish(e: ExecutionRecord, status: ExecutionRecord['status'], r: {output?: unknown; error?: string; cause?: string}): void {
    if (e.status !== 'RUNNING') return
    e.status = status
    e.stopDate = Date.now()
    if (r.output !== undefined) e.output = JSON.stringify(r.output)
    e.error = r.error
    e.cause = r.cause
    e.history.push({timestamp: Date.now(), type: `Execution${{SUCCEEDED: 'Succeeded', FAILED: 'Failed', TIMED_OUT: 'TimedOut', ABORTED: 'Aborted', RUNNING: ''}[status]}`, detail: r.cause})
    this.o.save()
  }

  private async stopTasks(e: ExecutionRecord, reason: string): Promise<void> {
    for (const taskArn of e.taskArns) {
      const cluster = taskArn.split(':task/')[1]?.split('/')[0]
      await this.o.api.json(ECS, 'StopTask', {cluster, task: taskArn, reason}).catch(() => undefined)
    }
  }

  private async run(m: StateMachineRecord, e: ExecutionRecord, signal: AbortSignal): Promise<void> {
    const def = JSON.parse(m.definition)
    const context = {Execution: {Id: e.arn, Name: e.name, StartTime: new Date(e.startDate).toISOString(), Input: JSON.parse(e.input)}, StateMachine: {Id: m.arn, Name: m.name}}
    let data: unknown = JSON.parse(e.input)
    let name: string | undefined = def.StartAt
    try {
      while (name) {
        const state = def.States[name]
        if (!state) throw new StateFailure('States.Runtime', `State '${name}' does not exist`)
        e.history.push({timestamp: Date.now(), type: `${state.Type}StateEntered`, detail: name})
        const r = await this.step(state, data, context, e, signal)
        if (signal.aborted) return
        data = r.data
        if (r.end) break
        name = state.Next
        if (!name && !state.End) break
      }
      this.finish(e, 'SUCCEEDED', {output: data})
    } catch (err) {
      if (signal.aborted) return
      const f = err instanceof StateFailure ? err : new StateFailure('States.Runtime', (err as Error).message)
      this.finish(e, f.error === 'States.Timeout' ? 'TIMED_OUT' : 'FAILED', {error: f.error, cause: f.cause})
    }
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

  private async task(state: any, data: unknown, context: unknown, e: ExecutionRecord, signal: AbortSignal): Promise<unknown> {
    const retriers: Retrier[] = state.Retry ?? []
    const attempts = new Map<Retrier, number>()
    for (;;) {
      try {
        const params = resolveParameters(state.Parameters ?? data, data, context)
        const result = await withTimeout(this.invoke(String(state.Resource), params, e, signal), state.TimeoutSeconds, async () => this.stopTasks(e, 'Task timed out'))
        return applyResultPath(data, result, state.ResultPath)
      } catch (err) {
        if (signal.aborted) throw err
        const f = err instanceof StateFailure ? err : new StateFailure('States.TaskFailed', (err as Error).message)
        const retrier = retriers.find((r) => matches(r.ErrorEquals, f.error))
        const n = retrier ? (attempts.get(retrier) ?? 0) : 0
        if (retrier && n < (retrier.MaxAttempts ?? 3)) {
          attempts.set(retrier, n + 1)
          e.history.push({timestamp: Date.now(), type: 'TaskRetry', detail: f.cause})
          const wait = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** n * 1000 * (this.o.retryScale ?? 1)
          await sleep(wait, signal)
          continue
        }
        const catcher = (state.Catch ?? []).find((c: any) => matches(c.ErrorEquals, f.error))
        if (catcher) throw f // Catch transitions are not used by Pier's state machines; fail with the error
        throw f
      }
    }
  }

  private async invoke(resource: string, params: unknown, e: ExecutionRecord, signal: AbortSignal): Promise<unknown> {
    const sync = resource.endsWith('.sync')
    if (!/^arn:aws:states:::ecs:runTask(\.sync)?$/.test(resource)) {
      throw new StateFailure('States.Runtime', `Task resource ${resource} is not supported by the local control plane`)
    }
    const input = camelKeys(params) as Record<string, unknown>
    delete input.platformVersion
    let out: any
    try {
      out = await this.o.api.json(ECS, 'RunTask', input)
    } catch (err) {
      throw new StateFailure(`ECS.${(err as {code?: string}).code ?? 'AmazonECSException'}`, (err as Error).message)
    }
    if (out.failures?.length) throw new StateFailure('ECS.AmazonECSException', JSON.stringify(out.failures))
    const taskArns: string[] = out.tasks.map((t: any) => t.taskArn)
    e.taskArns.push(...taskArns)
    this.o.save()
    if (!sync) return out
    for (;;) {
      await sleep(this.o.pollMs ?? 250, signal)
      const d = await this.o.api.json(ECS, 'DescribeTasks', {cluster: input.cluster, tasks: taskArns})
      const tasks: any[] = d.tasks ?? []
      if (tasks.length && tasks.every((t) => t.lastStatus === 'STOPPED')) {
        const failed = tasks.find((t) => t.containers?.some((c: any) => c.exitCode === undefined || c.exitCode !== 0))
        if (failed) throw new StateFailure('States.TaskFailed', JSON.stringify(failed))
        return {Tasks: tasks}
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

async function withTimeout<T>(p: Promise<T>, seconds: number | undefined, onTimeout: () => Promise<void>): Promise<T> {
  if (!seconds) return p
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void onTimeout().finally(() => reject(new StateFailure('States.Timeout', `The task did not finish within ${seconds} seconds`)))
    }, seconds * 1000)
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
    output: e.output,
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
    GetExecutionHistory: (i) => ({
      events: sfn.execution(i.executionArn).history.map((h, n) => ({timestamp: h.timestamp / 1000, type: h.type, id: n + 1, previousEventId: n})),
    }),
  }
  return jsonServiceFromTable('AWSStepFunctions', 'states', ops)
}
