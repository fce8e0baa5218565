// `job run` over a scripted job: it starts the job's state machine, follows each attempt's task from
// the execution's history, and ends with the container's exit code or the reason the run failed.
import {describe, expect, it} from 'vitest'

import {appContext} from '../../src/app/context.js'
import {formatSeconds} from '../../src/app/job-follow.js'
import {runJob} from '../../src/app/job-run.js'
import {UserError} from '../../src/errors.js'
import {recorder} from '../../src/deploy/events.js'
import {manualInterrupts} from '../../src/deploy/interrupts.js'
import {instantTiming} from '../deploy/fake-aws.js'
import {fakeJobAws, type JobScript} from './fake-job.js'

function setup(script: JobScript) {
  const fake = fakeJobAws(script)
  const {emit, events} = recorder()
  const interrupts = manualInterrupts()
  const ctx = appContext({aws: fake.aws, emit, timing: instantTiming, interrupts, cwd: '/tmp'})
  const logs: string[] = []
  const run = (follow = true) => runJob(ctx, {app: 'demo', name: 'report', env: 'test', follow, onLog: (l) => logs.push(l)})
  const messages = () => events.map((e) => e.message)
  return {fake, run, logs, messages, interrupts}
}

describe('pier job run', () => {
  it('starts an execution of the job\'s state machine and, without --follow, returns it', async () => {
    const {fake, run, messages} = setup({attempts: [{exitCode: 0}], end: {status: 'SUCCEEDED'}})
    const r = await run(false)
    const start = fake.calls.find((c) => c.op === 'startExecution')!.input
    expect(start).toEqual({stateMachineArn: fake.STATE_MACHINE, name: expect.stringMatching(/^pier-run-20261130T060000Z-[0-9a-f]{4}$/), input: '{}'})
    expect(r).toEqual({executionArn: expect.stringContaining(`:execution:demo-test-report-StateMachine:${start.name}`), stateMachineArn: fake.STATE_MACHINE, startDate: '2026-11-30T06:00:00.000Z'})
    expect(fake.ops()).not.toContain('getExecutionHistory')
    expect(fake.ops()).not.toContain('runTask')
    expect(messages()[0]).toMatch(/^Started job report: execution pier-run-/)
  })

  it('follows the task to exit code 0 and prints its logs', async () => {
    const {run, logs, messages} = setup({attempts: [{exitCode: 0, logs: ['report ran']}], end: {status: 'SUCCEEDED'}})
    const r = await run()
    expect(r).toMatchObject({status: 'SUCCEEDED', exitCode: 0, taskArns: [expect.stringMatching(/task\/demo-test-Cluster\/t1$/)], attempts: [{attempt: 1, exitCode: 0}]})
    expect(r.reason).toBeUndefined()
    expect(logs).toEqual(['report ran'])
    expect(messages()).toEqual(expect.arrayContaining(['Task t1 started.', 'Task t1 stopped with exit code 0.', expect.stringMatching(/^Execution pier-run-\S+ succeeded\.$/)]))
  })

  it('returns the container\'s exit code when the job fails', async () => {
    const {run} = setup({attempts: [{exitCode: 7}], end: {status: 'FAILED', error: 'States.TaskFailed', cause: '{"StoppedReason":"Essential container in task exited"}'}})
    const r = await run()
    expect(r).toMatchObject({status: 'FAILED', exitCode: 7})
    expect(r.reason).toBeUndefined()
  })

  it('follows every attempt a retry starts, saying which attempt it is', async () => {
    const {run, logs, messages} = setup({retries: 2, attempts: [{exitCode: 1, logs: ['try 1']}, {exitCode: 1, logs: ['try 2']}, {exitCode: 0, logs: ['try 3']}], end: {status: 'SUCCEEDED'}})
    const r = await run()
    expect(r).toMatchObject({status: 'SUCCEEDED', exitCode: 0, attempts: [{attempt: 1, exitCode: 1}, {attempt: 2, exitCode: 1}, {attempt: 3, exitCode: 0}]})
    expect(r.taskArns).toHaveLength(3)
    expect(logs).toEqual(['try 1', 'try 2', 'try 3'])
    expect(messages()).toEqual(expect.arrayContaining(['Attempt 1 of 3: task t1 started.', 'Attempt 2 of 3: task t2 started.', 'Attempt 3 of 3: task t3 started.', 'Attempt 1 failed: Step Functions starts attempt 2 of 3 in about 10s.', 'Attempt 2 failed: Step Functions starts attempt 3 of 3 in about 15s.', expect.stringMatching(/succeeded after 3 attempts\.$/)]))
  })

  it('numbers attempts by the state machine\'s, when an attempt could not start a task', async () => {
    const {run, messages} = setup({retries: 1, attempts: [{notSubmitted: true}, {exitCode: 0, logs: ['second try']}], end: {status: 'SUCCEEDED'}})
    const r = await run()
    expect(r).toMatchObject({status: 'SUCCEEDED', exitCode: 0, attempts: [{attempt: 2, exitCode: 0}]})
    expect(messages()).toEqual(expect.arrayContaining(['Attempt 2 of 2: task t2 started.', expect.stringMatching(/succeeded after 2 attempts\.$/)]))
  })

  it('exits with the last attempt\'s exit code when every attempt failed', async () => {
    const {run} = setup({retries: 1, attempts: [{exitCode: 4}, {exitCode: 7}], end: {status: 'FAILED', error: 'States.TaskFailed', cause: '{}'}})
    expect(await run()).toMatchObject({status: 'FAILED', exitCode: 7, attempts: [{exitCode: 4}, {exitCode: 7}]})
  })

  it('says the job exceeded its timeout, with exit code 1', async () => {
    const {run, messages} = setup({timeoutSeconds: 1800, attempts: [{exitCode: 143}], end: {status: 'FAILED', error: 'States.Timeout', cause: ''}})
    const r = await run()
    expect(r).toMatchObject({status: 'FAILED', exitCode: 1, reason: 'the job exceeded its timeout of 30m'})
    expect(messages().at(-1)).toMatch(/failed\.$/)
  })

  it('says why when the task never ran, or RunTask failed', async () => {
    const pull = setup({attempts: [{stoppedReason: 'CannotPullContainerError: pull access denied'}], end: {status: 'FAILED', error: 'States.TaskFailed', cause: JSON.stringify({StoppedReason: 'CannotPullContainerError: pull access denied'})}})
    expect(await pull.run()).toMatchObject({exitCode: 1, reason: 'its task stopped: CannotPullContainerError: pull access denied'})
    const denied = setup({retries: 1, attempts: [{exitCode: 3}, {notSubmitted: true}], end: {status: 'FAILED', error: 'ECS.AccessDeniedException', cause: 'not authorized to perform ecs:RunTask'}})
    expect(await denied.run()).toMatchObject({exitCode: 1, reason: 'ECS could not start its task: not authorized to perform ecs:RunTask', attempts: [{exitCode: 3}]})
  })

  it('stops the execution and its task on the first Ctrl-C, and exits 130', async () => {
    let s!: ReturnType<typeof setup>
    s = setup({attempts: [{runsUntilStopped: true}], end: {status: 'ABORTED'}, onDescribeTasks: (n) => n === 3 && s.interrupts.interrupt()})
    const r = await s.run()
    expect(r).toMatchObject({status: 'ABORTED', exitCode: 130})
    expect(r.detached).toBeUndefined()
    const stop = s.fake.calls.find((c) => c.op === 'stopExecution')!.input
    expect(stop).toMatchObject({executionArn: r.executionArn, error: 'Pier.Interrupted'})
    expect(s.fake.calls.find((c) => c.op === 'stopTask')!.input).toMatchObject({task: expect.stringMatching(/\/t1$/)})
    expect(s.messages()).toEqual(expect.arrayContaining([expect.stringMatching(/^Stopping execution pier-run-\S+ and its task/), expect.stringMatching(/was stopped\.$/)]))
  })

  it('stops following on a second Ctrl-C and leaves the execution to its end', async () => {
    let s!: ReturnType<typeof setup>
    s = setup({attempts: [{runsUntilStopped: true}], end: {status: 'ABORTED'}, onDescribeTasks: () => s.interrupts.interrupt()})
    // The fake stops the task with the execution: keep it running to see the detach.
    s.fake.raw.stateMachines.stopExecution = async () => ({stopDate: new Date()})
    const r = await s.run()
    expect(r).toMatchObject({exitCode: 130, detached: true, status: 'RUNNING'})
    expect(s.messages()).toEqual(expect.arrayContaining([expect.stringMatching(/goes on: aws stepfunctions describe-execution --execution-arn arn:aws:states:/)]))
  })

  it('refuses a job that is not deployed, or whose stack has no state machine', async () => {
    const missing = setup({deployed: false, attempts: [], end: {status: 'SUCCEEDED'}})
    await expect(missing.run()).rejects.toThrow(UserError)
    await expect(missing.run()).rejects.toThrow(/^Job report is not deployed in environment test\.$/)
    const old = setup({withStateMachine: false, attempts: [], end: {status: 'SUCCEEDED'}})
    const err = await old.run().catch((e: UserError) => e)
    expect(err).toBeInstanceOf(UserError)
    expect((err as UserError).message).toMatch(/has no state machine to run/)
    expect((err as UserError).hint).toMatch(/pier job deploy --name report --env test/)
    expect(old.fake.ops()).not.toContain('startExecution')
    const failed = setup({stackStatus: 'ROLLBACK_COMPLETE', attempts: [], end: {status: 'SUCCEEDED'}})
    await expect(failed.run()).rejects.toThrow('Job report is not deployed in environment test: its stack demo-test-report is ROLLBACK_COMPLETE.')
  })
})

describe('formatSeconds', () => {
  it.each([
    [1800, '30m'],
    [5400, '1h30m'],
    [3600, '1h'],
    [45, '45s'],
    [90, '1m30s'],
    [0, '0s'],
    [22.5, '23s'],
    [59.6, '1m'],
  ])('%d s is %s', (s, text) => expect(formatSeconds(s)).toBe(text))
})
