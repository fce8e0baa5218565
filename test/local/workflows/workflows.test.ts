import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {LocalApi} from '../../../src/local/contracts.js'
import {createWorkflows, type LocalWorkflows} from '../../../src/local/workflows/index.js'
import {nextFire, parseSchedule} from '../../../src/local/workflows/schedule-expression.js'
import {registerWorkflowProviders} from '../../../src/local/cloudformation/providers/workflows.js'
import type {ResourceProvider} from '../../../src/local/cloudformation/provider.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

describe('schedule expressions', () => {
  it.each([
    ['cron(0 12 * * ? *)', '2026-11-30T05:40:00Z', '2026-11-30T12:00:00.000Z'],
    ['cron(15 10 ? * MON-FRI *)', '2026-11-28T00:00:00Z', '2026-11-30T10:15:00.000Z'],
    ['cron(0/15 * * * ? *)', '2026-11-30T05:40:00Z', '2026-11-30T05:45:00.000Z'],
    ['cron(0 0 L * ? *)', '2026-11-05T00:00:00Z', '2026-11-30T00:00:00.000Z'],
    ['cron(0 9 ? * MON#1 *)', '2026-11-30T00:00:00Z', '2026-12-07T09:00:00.000Z'],
    ['cron(0 0 1 JAN ? 2027)', '2026-11-30T00:00:00Z', '2027-01-01T00:00:00.000Z'],
  ])('%s after %s fires at %s', (expr, after, want) => {
    expect(iso(nextFire(parseSchedule(expr), at(after)))).toBe(want)
  })
  it('counts rates from the rule creation', () => {
    expect(nextFire(parseSchedule('rate(5 minutes)'), at('2026-11-30T05:41:00Z'), at('2026-11-30T05:40:00Z'))).toBe(at('2026-11-30T05:45:00Z'))
  })
  it.each(['rate(1 minutes)', 'rate(0 minutes)', 'cron(* * * * *)', 'cron(0 0 * * * *)', 'cron(61 * * * ? *)', 'every day'])('refuses %s', (expr) => {
    expect(() => parseSchedule(expr)).toThrow(/ScheduleExpression is not valid/)
  })
})

/** ECS as seen by the scheduler: tasks that stop with the exit codes queued in `exits`. */
function fakeEcs(exits: number[], runForMs = 20) {
  const tasks = new Map<string, any>()
  const calls: string[] = []
  let n = 0
  const api: LocalApi = {
    context: () => ({requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'}),
    async json(_prefix, op, input: any) {
      calls.push(op)
      if (op === 'RunTask') {
        const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/demo-test/${++n}`
        const exit = exits.shift()
        const task = {taskArn, lastStatus: 'RUNNING', containers: [{name: 'report'}], input}
        tasks.set(taskArn, task)
        if (exit !== undefined) setTimeout(() => Object.assign(task, {lastStatus: 'STOPPED', containers: [{name: 'report', exitCode: exit}]}), runForMs)
        return {tasks: [task], failures: []}
      }
      if (op === 'DescribeTasks') return {tasks: input.tasks.map((a: string) => tasks.get(a))}
      if (op === 'StopTask') {
        Object.assign(tasks.get(input.task), {lastStatus: 'STOPPED', containers: [{name: 'report', exitCode: 137}]})
        return {}
      }
      throw new Error(op)
    },
  }
  return {api, calls, tasks}
}

const definition = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Parameters: {Cluster: 'demo-test', TaskDefinition: 'report:1', LaunchType: 'FARGATE', 'Group.$': '$$.Execution.Name', NetworkConfiguration: {AwsvpcConfiguration: {Subnets: ['subnet-1']}}},
        End: true,
        ...extra,
      },
    },
  })

async function settle(s: LocalWorkflows, arn: string, ms = 5000) {
  const end = Date.now() + ms
  while (s.sfn.execution(arn).status === 'RUNNING') {
    if (Date.now() > end) throw new Error('execution did not finish')
    await new Promise((r) => setTimeout(r, 10))
  }
  return s.sfn.execution(arn)
}

describe('state machines and schedules', () => {
  let dir: string
  let s: LocalWorkflows | undefined
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pier-sched-'))
  })
  afterEach(() => {
    s?.close()
    rmSync(dir, {recursive: true, force: true})
  })
  const open = (api: LocalApi) => (s = createWorkflows({stateDir: dir, region: 'us-east-1', accountId: '000000000000', api, pollMs: 5, retryScale: 0.01, tickMs: 10_000}))

  it('runs the job task and succeeds when the container exits 0, passing ECS camelCase input', async () => {
    const ecs = fakeEcs([0])
    const sched = open(ecs.api)
    const m = sched.sfn.createStateMachine({name: 'demo-test-report', definition: definition()})
    const e = sched.sfn.startExecution(m.arn, 'manual-1')
    expect((await settle(sched, e.arn)).status).toBe('SUCCEEDED')
    const task = [...ecs.tasks.values()][0]
    expect(task.input).toMatchObject({cluster: 'demo-test', taskDefinition: 'report:1', group: 'manual-1', networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1']}}})
  })

  it('retries a failing job as many times as Retry says, then fails with the task', async () => {
    const ecs = fakeEcs([1, 1, 1])
    const sched = open(ecs.api)
    const m = sched.sfn.createStateMachine({name: 'j', definition: definition({Retry: [{ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1}]})})
    const done = await settle(sched, sched.sfn.startExecution(m.arn).arn)
    expect(done).toMatchObject({status: 'FAILED', error: 'States.TaskFailed'})
    expect(ecs.calls.filter((c) => c === 'RunTask')).toHaveLength(3)
  })

  it('stops the task after the state\'s TimeoutSeconds and fails with States.Timeout, as AWS does', async () => {
    const ecs = fakeEcs([]) // never stops by itself
    const sched = open(ecs.api)
    const m = sched.sfn.createStateMachine({name: 't', definition: definition({TimeoutSeconds: 1})})
    const done = await settle(sched, sched.sfn.startExecution(m.arn).arn)
    expect(done).toMatchObject({status: 'FAILED', error: 'States.Timeout'})
    expect(done.history.map((h) => h.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskTimedOut', 'ExecutionFailed'])
    expect(ecs.calls).toContain('StopTask')
  })

  it('times the whole execution out after the state machine\'s TimeoutSeconds', async () => {
    const ecs = fakeEcs([])
    const sched = open(ecs.api)
    const def = {...JSON.parse(definition()), TimeoutSeconds: 1}
    const m = sched.sfn.createStateMachine({name: 'whole', definition: JSON.stringify(def)})
    const done = await settle(sched, sched.sfn.startExecution(m.arn).arn)
    expect(done).toMatchObject({status: 'TIMED_OUT', error: 'States.Timeout'})
    expect(done.history.at(-1)).toMatchObject({type: 'ExecutionTimedOut', details: {error: 'States.Timeout'}})
    await new Promise((r) => setTimeout(r, 20))
    expect(ecs.calls).toContain('StopTask')
  })

  it('records each attempt as AWS does: scheduled, started, submitted with the task, failed with the task as cause', async () => {
    const ecs = fakeEcs([5, 0])
    const sched = open(ecs.api)
    const m = sched.sfn.createStateMachine({name: 'h', roleArn: 'arn:aws:iam::0:role/sm', definition: definition({Retry: [{ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2}]})})
    const done = await settle(sched, sched.sfn.startExecution(m.arn, 'run-1', '{"a":1}').arn)
    expect(done.status).toBe('SUCCEEDED')
    const types = done.history.map((h) => h.type)
    expect(types).toEqual([
      'ExecutionStarted', 'TaskStateEntered',
      'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed',
      'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded',
      'TaskStateExited', 'ExecutionSucceeded',
    ])
    const at = (type: string, n = 0) => done.history.filter((h) => h.type === type)[n]!.details as any
    expect(at('ExecutionStarted')).toEqual({input: '{"a":1}', inputDetails: {truncated: false}, roleArn: 'arn:aws:iam::0:role/sm'})
    expect(at('TaskScheduled')).toMatchObject({resourceType: 'ecs', resource: 'runTask.sync', region: 'us-east-1'})
    expect(JSON.parse(at('TaskScheduled').parameters)).toMatchObject({Cluster: 'demo-test', TaskDefinition: 'report:1', Group: 'run-1'})
    const submitted = JSON.parse(at('TaskSubmitted', 1).output)
    expect(submitted.Tasks[0].TaskArn).toBe('arn:aws:ecs:us-east-1:000000000000:task/demo-test/2')
    expect(at('TaskFailed')).toMatchObject({resourceType: 'ecs', resource: 'runTask.sync', error: 'States.TaskFailed'})
    expect(JSON.parse(at('TaskFailed').cause).Containers[0].ExitCode).toBe(5)
    expect(JSON.parse(at('TaskSucceeded').output).TaskArn).toBe('arn:aws:ecs:us-east-1:000000000000:task/demo-test/2')
    expect(at('TaskStateEntered')).toMatchObject({name: 'Run', input: '{"a":1}'})
    expect(at('ExecutionSucceeded').output).toBe(done.output)
  })

  it('does not retry States.Runtime on States.ALL, as AWS does not', async () => {
    const ecs = fakeEcs([])
    const sched = open(ecs.api)
    const def = JSON.parse(definition({Retry: [{ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3}]}))
    def.States.Run.Resource = 'arn:aws:states:::lambda:invoke'
    const m = sched.sfn.createStateMachine({name: 'rt', definition: JSON.stringify(def)})
    const done = await settle(sched, sched.sfn.startExecution(m.arn).arn)
    expect(done).toMatchObject({status: 'FAILED', error: 'States.Runtime'})
    expect(done.history.filter((h) => h.type === 'TaskScheduled')).toHaveLength(1)
  })

  it('records an aborted execution and stops its task', async () => {
    const ecs = fakeEcs([])
    const sched = open(ecs.api)
    const m = sched.sfn.createStateMachine({name: 'a', definition: definition()})
    const e = sched.sfn.startExecution(m.arn)
    const end = Date.now() + 5000
    while (!e.history.some((h) => h.type === 'TaskSubmitted') && Date.now() < end) await new Promise((r) => setTimeout(r, 5))
    await sched.sfn.stopExecution(e.arn, 'Pier.Interrupted', 'stopped by the user')
    expect(e).toMatchObject({status: 'ABORTED', error: 'Pier.Interrupted'})
    expect(e.history.at(-1)).toMatchObject({type: 'ExecutionAborted', details: {error: 'Pier.Interrupted', cause: 'stopped by the user'}})
    expect(ecs.calls).toContain('StopTask')
  })

  it('fires a scheduled rule through CloudFormation providers, and fails running executions after a restart', async () => {
    const ecs = fakeEcs([0, 0])
    const sched = open(ecs.api)
    const providers = new Map<string, ResourceProvider>()
    registerWorkflowProviders({register: (t, p) => providers.set(t, p), get: (t) => providers.get(t)}, sched)
    const ctx = {stackName: 'demo-test-report', stackId: 'x', logicalId: 'Rule', region: 'us-east-1', accountId: '0', api: ecs.api, tags: {}, signal: new AbortController().signal, progress() {}}
    const sm = await providers.get('AWS::StepFunctions::StateMachine')!.create({DefinitionString: definition().replace('report:1', '${TaskDef}'), DefinitionSubstitutions: {TaskDef: 'report:7'}}, ctx)
    const rule = await providers.get('AWS::Events::Rule')!.create({ScheduleExpression: 'rate(1 minute)', Targets: [{Id: 'job', Arn: sm.physicalId, RoleArn: 'r'}]}, ctx)
    const r = sched.events.rule(rule.physicalId)
    expect(r.nextAt! - Date.now()).toBeLessThanOrEqual(60_000)
    r.nextAt = Date.now() - 1
    await sched.events.tick()
    const started = r.firings[0]!.started!
    expect((await settle(sched, started)).status).toBe('SUCCEEDED')
    expect([...ecs.tasks.values()][0].input.taskDefinition).toBe('report:7')
    await expect(providers.get('AWS::Events::Rule')!.create({ScheduleExpression: 'cron(bad)', Targets: []}, {...ctx, logicalId: 'Bad'})).rejects.toThrow(/ScheduleExpression is not valid/)
    // A restart while an execution runs: it ends FAILED with the reason, never stays RUNNING.
    const long = sched.sfn.startExecution(sm.physicalId, 'long')
    await new Promise((res) => setTimeout(res, 5))
    sched.close()
    s = undefined
    const reopened = open(fakeEcs([]).api)
    expect(reopened.sfn.execution(long.arn)).toMatchObject({status: 'FAILED', cause: expect.stringMatching(/restarted/)})
    expect(reopened.events.rules).toHaveLength(1)
    await providers.get('AWS::Events::Rule')!.delete(rule.physicalId, {}, ctx)
  })
})
