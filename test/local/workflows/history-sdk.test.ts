// An execution's history read by clients Pier did not write: the SDK's SFNClient and Debian's AWS CLI,
// against the real frontend, the local ECS and the process driver (a task that exits 3, retried once).
import {execFile} from 'node:child_process'
import {CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent} from '@aws-sdk/client-sfn'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ProcessDriver} from '../../../src/local/agent/process-driver.js'
import {installEcs} from '../../../src/local/ecs/install.js'
import {createWorkflows} from '../../../src/local/workflows/index.js'
import {startControlPlane, type Harness} from '../helpers.js'
import {waitFor} from '../ecs/helpers.js'
import {AWS, requireAwsCli, skipAwsCli} from '../aws-cli.js'

let h: Harness
let sfn: SFNClient
let executionArn: string

beforeAll(async () => {
  h = await startControlPlane()
  installEcs(h.cp, {driver: (listener) => new ProcessDriver({stateDir: h.stateDir, listener, defaultStopTimeout: 2}), capacity: {cpu: 4096, memory: 8192}, stableAfterMs: 100, tickMs: 50})
  const scheduler = createWorkflows({stateDir: h.stateDir, region: h.config.region, accountId: '000000000000', api: h.cp.api, pollMs: 20, retryScale: 0.01})
  h.cp.register({json: scheduler.services})
  h.cp.onClose(() => scheduler.close())
  const ecs = new ECSClient(h.config)
  await ecs.send(new CreateClusterCommand({clusterName: 'jobs'}))
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'report',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{name: 'report', image: 'busybox', command: ['sh', '-c', 'echo report; exit 3']}],
    }),
  )
  sfn = new SFNClient(h.config)
  const definition = {
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Parameters: {Cluster: 'jobs', TaskDefinition: 'report', LaunchType: 'FARGATE', NetworkConfiguration: {AwsvpcConfiguration: {Subnets: ['subnet-1']}}},
        Retry: [{ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1}],
        End: true,
      },
    },
  }
  const {stateMachineArn} = await sfn.send(new CreateStateMachineCommand({name: 'report', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/sm'}))
  ;({executionArn} = await sfn.send(new StartExecutionCommand({stateMachineArn, name: 'pier-run-1', input: '{}'})) as {executionArn: string})
  await waitFor(async () => (await sfn.send(new DescribeExecutionCommand({executionArn}))).status !== 'RUNNING', 30_000, 'execution done')
}, 60_000)
afterAll(async () => {
  await h?.close()
})

describe('Step Functions execution history through clients Pier did not write', {timeout: 60_000}, () => {
  it('describes the failed execution as AWS does', async () => {
    const d = await sfn.send(new DescribeExecutionCommand({executionArn}))
    expect(d).toMatchObject({status: 'FAILED', error: 'States.TaskFailed', name: 'pier-run-1', input: '{}', inputDetails: {included: true}})
    expect(d.startDate).toBeInstanceOf(Date)
    expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime())
  })

  it('gives the SDK every event with its details: the submitted tasks, the exit code in the cause', async () => {
    const {events = [], nextToken} = await sfn.send(new GetExecutionHistoryCommand({executionArn}))
    expect(nextToken).toBeUndefined()
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'TaskStateEntered',
      'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed',
      'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed',
      'ExecutionFailed',
    ])
    expect(events[0]).toMatchObject({id: 1, previousEventId: 0, executionStartedEventDetails: {input: '{}', roleArn: 'arn:aws:iam::000000000000:role/sm'}})
    expect(events[0]!.timestamp).toBeInstanceOf(Date)
    const of = (type: string) => events.filter((e) => e.type === type)
    expect(of('TaskScheduled')[0]!.taskScheduledEventDetails).toMatchObject({resourceType: 'ecs', resource: 'runTask.sync', region: h.config.region})
    const arns = of('TaskSubmitted').map((e: HistoryEvent) => JSON.parse(e.taskSubmittedEventDetails!.output!).Tasks[0].TaskArn)
    expect(arns).toHaveLength(2)
    expect(new Set(arns).size).toBe(2)
    const failed = of('TaskFailed')[1]!.taskFailedEventDetails!
    expect(failed.error).toBe('States.TaskFailed')
    expect(JSON.parse(failed.cause!)).toMatchObject({TaskArn: arns[1], Containers: [{ExitCode: 3}]})
    expect(of('ExecutionFailed')[0]!.executionFailedEventDetails).toMatchObject({error: 'States.TaskFailed'})
  })

  it('pages the history newest first with maxResults and nextToken', async () => {
    const first = await sfn.send(new GetExecutionHistoryCommand({executionArn, reverseOrder: true, maxResults: 4}))
    expect(first.events!.map((e) => e.id)).toEqual([11, 10, 9, 8])
    const rest = await sfn.send(new GetExecutionHistoryCommand({executionArn, reverseOrder: true, maxResults: 100, nextToken: first.nextToken}))
    expect(rest.events!.map((e) => e.id)).toEqual([7, 6, 5, 4, 3, 2, 1])
    expect(rest.nextToken).toBeUndefined()
    const bare = await sfn.send(new GetExecutionHistoryCommand({executionArn, includeExecutionData: false, maxResults: 1}))
    expect(bare.events![0]!.executionStartedEventDetails).toEqual({roleArn: 'arn:aws:iam::000000000000:role/sm'})
    await expect(sfn.send(new GetExecutionHistoryCommand({executionArn, nextToken: 'nonsense'}))).rejects.toMatchObject({name: 'InvalidToken'})
  })

  it.skipIf(skipAwsCli)('is read by the AWS CLI', async () => {
    requireAwsCli()
    const env = {PATH: process.env.PATH, HOME: h.stateDir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', AWS_ACCESS_KEY_ID: h.config.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: h.config.credentials.secretAccessKey, AWS_DEFAULT_REGION: h.config.region}
    const out = await new Promise<{code: number; stdout: string; stderr: string}>((resolve) => {
      execFile(AWS, ['--endpoint-url', h.config.endpoint, '--output', 'json', 'stepfunctions', 'get-execution-history', '--execution-arn', executionArn, '--reverse-order'], {env}, (err, stdout, stderr) =>
        resolve({code: err ? 1 : 0, stdout, stderr}),
      )
    })
    expect(out.code, out.stderr).toBe(0)
    const events = JSON.parse(out.stdout).events
    expect(events[0]).toMatchObject({type: 'ExecutionFailed', executionFailedEventDetails: {error: 'States.TaskFailed'}})
    expect(events.find((e: any) => e.type === 'TaskSubmitted').taskSubmittedEventDetails).toMatchObject({resourceType: 'ecs', resource: 'runTask.sync'})
  })
})
