// A deployed Scheduled Job behind the narrow interfaces: its stack, its state machine, and one scripted
// execution whose history grows by two events per read, as on AWS while a run goes on.
import {AwsError} from '../../src/aws/errors.js'
import {fakeSsm} from './fake-ssm.js'

export interface ScriptedAttempt {
  /** The container's exit code; absent when the task never ran (see stoppedReason). */
  exitCode?: number
  stoppedReason?: string
  logs?: string[]
  /** RunTask failed: no task was submitted for this attempt. */
  notSubmitted?: boolean
  /** The task runs until it is stopped (by StopTask or the execution's end). */
  runsUntilStopped?: boolean
}

export interface JobScript {
  attempts: ScriptedAttempt[]
  end: {status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error?: string; cause?: string}
  retries?: number
  timeoutSeconds?: number
  deployed?: boolean
  stackStatus?: string
  withStateMachine?: boolean
  /** Called on each describeTasks, with its count (tests interrupt from here). */
  onDescribeTasks?: (n: number) => void
}

const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:demo-test-report-StateMachine'
const taskArn = (n: number) => `arn:aws:ecs:us-east-1:000000000000:task/demo-test-Cluster/t${n}`

export function fakeJobAws(script: JobScript) {
  const calls: {op: string; input: any}[] = []
  const history: any[] = []
  const stopped = new Set<number>()
  let revealed = 0
  let executionArn = ''
  let aborted = false
  const add = (type: string, details?: Record<string, unknown>) => {
    const key = type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`
    history.push({id: history.length + 1, previousEventId: history.length, timestamp: new Date(), type, ...(details ? {[key]: details} : {})})
  }
  const ecsRes = {resourceType: 'ecs', resource: 'runTask.sync'}
  const script_ = () => {
    add('ExecutionStarted', {input: '{}', roleArn: 'arn:aws:iam::000000000000:role/sm'})
    add('TaskStateEntered', {name: 'Run Fargate Task', input: '{}'})
    script.attempts.forEach((a, i) => {
      add('TaskScheduled', {...ecsRes, region: 'us-east-1', parameters: '{}'})
      add('TaskStarted', ecsRes)
      if (a.notSubmitted) return add('TaskFailed', {...ecsRes, error: script.end.error, cause: script.end.cause})
      add('TaskSubmitted', {...ecsRes, output: JSON.stringify({Failures: [], Tasks: [{TaskArn: taskArn(i + 1), ClusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/demo-test-Cluster'}]})})
      if (a.runsUntilStopped) return
      if (a.exitCode === 0) add('TaskSucceeded', {...ecsRes, output: '{}'})
      else add('TaskFailed', {...ecsRes, error: 'States.TaskFailed', cause: JSON.stringify({TaskArn: taskArn(i + 1), StoppedReason: a.stoppedReason})})
    })
    if (script.attempts.some((a) => a.runsUntilStopped)) return
    const type = {SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted'}[script.end.status]
    add(type, script.end.status === 'SUCCEEDED' ? {output: '{}'} : {error: script.end.error, cause: script.end.cause})
  }
  const done = () => revealed >= history.length && (aborted || !script.attempts.some((a) => a.runsUntilStopped))
  const record = (op: string, input: any) => calls.push({op, input})
  let describes = 0

  const aws = {
    region: 'us-east-1',
    poll: {minDelayMs: 1, maxDelayMs: 2},
    callCount: () => calls.length,
    // The application's records: no environment record, so the job runs with these clients.
    parameters: fakeSsm(),
    stacks: {
      async describeStacks({StackName}: any) {
        record('describeStacks', {StackName})
        if (script.deployed === false) throw new AwsError('ValidationError', 'cloudformation:DescribeStacks', `Stack with id ${StackName} does not exist`)
        return {Stacks: [{StackName, StackStatus: script.stackStatus ?? 'UPDATE_COMPLETE'}]}
      },
      async describeStackResources({StackName}: any) {
        record('describeStackResources', {StackName})
        return {
          StackResources: [
            {LogicalResourceId: 'TaskDefinition', ResourceType: 'AWS::ECS::TaskDefinition', PhysicalResourceId: 'arn:aws:ecs:us-east-1:000000000000:task-definition/demo-test-report:3', ResourceStatus: 'CREATE_COMPLETE'},
            ...(script.withStateMachine === false ? [] : [{LogicalResourceId: 'StateMachine', ResourceType: 'AWS::StepFunctions::StateMachine', PhysicalResourceId: STATE_MACHINE, ResourceStatus: 'CREATE_COMPLETE'}]),
          ],
        }
      },
    },
    stateMachines: {
      async describeStateMachine(input: any) {
        record('describeStateMachine', input)
        const task = {
          Type: 'Task',
          Resource: 'arn:aws:states:::ecs:runTask.sync',
          ...(script.timeoutSeconds ? {TimeoutSeconds: script.timeoutSeconds} : {}),
          ...(script.retries ? {Retry: [{ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: script.retries, BackoffRate: 1.5}]} : {}),
          End: true,
        }
        return {stateMachineArn: input.stateMachineArn, definition: JSON.stringify({StartAt: 'Run Fargate Task', States: {'Run Fargate Task': task}})}
      },
      async startExecution(input: any) {
        record('startExecution', input)
        executionArn = `arn:aws:states:us-east-1:000000000000:execution:demo-test-report-StateMachine:${input.name}`
        script_()
        return {executionArn, startDate: new Date('2026-11-30T06:00:00Z')}
      },
      async getExecutionHistory(input: any) {
        record('getExecutionHistory', input)
        revealed = Math.min(history.length, revealed + 2)
        return {events: history.slice(0, revealed)}
      },
      async describeExecution(input: any) {
        record('describeExecution', input)
        if (aborted) return {executionArn, status: 'ABORTED', error: 'Pier.Interrupted'}
        return done() ? {executionArn, ...script.end} : {executionArn, status: 'RUNNING'}
      },
      async stopExecution(input: any) {
        record('stopExecution', input)
        aborted = true
        add('ExecutionAborted', {error: input.error, cause: input.cause})
        script.attempts.forEach((_, i) => stopped.add(i + 1))
        return {stopDate: new Date()}
      },
    },
    ecs: {
      async describeTasks(input: any) {
        record('describeTasks', input)
        script.onDescribeTasks?.(++describes)
        return {
          tasks: input.tasks.map((arn: string) => {
            const n = Number(arn.split('/t').pop())
            const a = script.attempts[n - 1]!
            if (a.runsUntilStopped && !stopped.has(n)) return {taskArn: arn, lastStatus: 'RUNNING', containers: [{name: 'report'}]}
            const exitCode = a.runsUntilStopped ? 143 : a.exitCode
            return {taskArn: arn, lastStatus: 'STOPPED', stoppedReason: a.stoppedReason ?? 'Essential container in task exited', containers: [{name: 'report', ...(exitCode === undefined ? {} : {exitCode})}]}
          }),
        }
      },
      async stopTask(input: any) {
        record('stopTask', input)
        stopped.add(Number(input.task.split('/t').pop()))
        return {}
      },
    },
    logs: {
      async getLogEvents({logStreamName, nextToken}: any) {
        record('getLogEvents', {logStreamName})
        const n = Number(logStreamName.split('/t').pop())
        if (nextToken) return {events: [], nextForwardToken: nextToken}
        return {events: (script.attempts[n - 1]?.logs ?? []).map((message) => ({message})), nextForwardToken: 'f/1'}
      },
    },
  }
  return {aws: aws as never, raw: aws, calls, ops: () => calls.map((c) => c.op), STATE_MACHINE}
}
