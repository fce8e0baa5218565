// The local ECS end to end: the real frontend (SigV4, JSON 1.1), the real process driver, the AWS SDK's
// ECS and Logs clients, and Debian's AWS CLI as a client Pier did not write.
import {execFile} from 'node:child_process'
import {CloudWatchLogsClient, GetLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ProcessDriver} from '../../../src/local/agent/process-driver.js'
import {installEcs} from '../../../src/local/ecs/install.js'
import {startControlPlane, type Harness} from '../helpers.js'
import {waitFor} from './helpers.js'
import {AWS, requireAwsCli, skipAwsCli} from '../aws-cli.js'

let h: Harness
let driver: ProcessDriver
let ecs: ECSClient
let logs: CloudWatchLogsClient
const network = {awsvpcConfiguration: {subnets: ['subnet-1'], assignPublicIp: 'DISABLED' as const}}
const execRole = 'arn:aws:iam::000000000000:role/exec'

beforeAll(async () => {
  h = await startControlPlane()
  ;({driver} = installEcs(h.cp, {
    driver: (listener) => new ProcessDriver({stateDir: h.stateDir, listener, defaultStopTimeout: 2}),
    capacity: {cpu: 8 * 1024, memory: 16 * 1024},
    stableAfterMs: 100,
    tickMs: 50,
  }))
  ecs = new ECSClient(h.config)
  logs = new CloudWatchLogsClient(h.config)
  await ecs.send(new CreateClusterCommand({clusterName: 'e2e'}))
})
afterAll(async () => {
  await h?.close()
})

async function stoppedTask(arn: string): Promise<Task> {
  return waitFor(async () => {
    const t = (await ecs.send(new DescribeTasksCommand({cluster: 'e2e', tasks: [arn]}))).tasks![0]!
    return t.lastStatus === 'STOPPED' && t
  }, 15_000, 'task STOPPED')
}

describe('ECS through the SDK and the process driver', {timeout: 60_000}, () => {
  it('runs a task to STOPPED with its exit code, and its output is in CloudWatch Logs', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'hello',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn: execRole,
        containerDefinitions: [
          {
            name: 'app',
            image: 'public.ecr.aws/docker/library/busybox:latest',
            command: ['sh', '-c', 'echo hi; exit 3'],
            logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/e2e/hello', 'awslogs-stream-prefix': 'pier', 'awslogs-region': 'us-east-1', 'awslogs-create-group': 'true'}},
          },
        ],
      }),
    )
    const run = await ecs.send(new RunTaskCommand({cluster: 'e2e', taskDefinition: 'hello', launchType: 'FARGATE', networkConfiguration: network}))
    expect(run.tasks![0]!.lastStatus).toBe('PENDING')
    expect(run.tasks![0]!.createdAt).toBeInstanceOf(Date)
    const t = await stoppedTask(run.tasks![0]!.taskArn!)
    expect(t.stopCode).toBe('EssentialContainerExited')
    expect(t.containers![0]!.exitCode).toBe(3)
    expect(t.startedAt!.getTime()).toBeLessThanOrEqual(t.stoppedAt!.getTime())
    const id = t.taskArn!.split('/').pop()
    const events = await waitFor(async () => {
      const out = await logs.send(new GetLogEventsCommand({logGroupName: '/e2e/hello', logStreamName: `pier/app/${id}`, startFromHead: true})).catch(() => undefined)
      return out?.events?.length && out.events
    }, 10_000, 'log events')
    expect(events.map((e) => e.message)).toEqual(['hi'])
  })

  it('injects secrets from SSM, and stops a task whose secret is missing with ECS reason', async () => {
    const ssm = new SSMClient(h.config)
    await ssm.send(new PutParameterCommand({Name: '/e2e/token', Value: 'tok-123', Type: 'SecureString'}))
    const register = (family: string, valueFrom: string) =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          executionRoleArn: execRole,
          containerDefinitions: [
            {
              name: 'app',
              image: 'busybox',
              command: ['sh', '-c', 'echo "token=$TOKEN"'],
              secrets: [{name: 'TOKEN', valueFrom}],
              logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/e2e/secret', 'awslogs-stream-prefix': 'p', 'awslogs-create-group': 'true'}},
            },
          ],
        }),
      )
    await register('secret-ok', '/e2e/token')
    await register('secret-missing', 'arn:aws:ssm:us-east-1:000000000000:parameter/e2e/missing')
    const ok = await ecs.send(new RunTaskCommand({cluster: 'e2e', taskDefinition: 'secret-ok', networkConfiguration: network}))
    const okTask = await stoppedTask(ok.tasks![0]!.taskArn!)
    expect(okTask.containers![0]!.exitCode).toBe(0)
    const id = okTask.taskArn!.split('/').pop()
    const events = await waitFor(async () => {
      const out = await logs.send(new GetLogEventsCommand({logGroupName: '/e2e/secret', logStreamName: `p/app/${id}`, startFromHead: true})).catch(() => undefined)
      return out?.events?.length && out.events
    }, 10_000, 'log events')
    expect(events[0]!.message).toBe('token=tok-123')
    const bad = await ecs.send(new RunTaskCommand({cluster: 'e2e', taskDefinition: 'secret-missing', networkConfiguration: network}))
    const badTask = await stoppedTask(bad.tasks![0]!.taskArn!)
    expect(badTask.stopCode).toBe('TaskFailedToStart')
    expect(badTask.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets or registry auth: /)
  })

  it('keeps a service at its count with real processes, and deleting it stops them', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'svc',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'], portMappings: [{containerPort: 8080}]}],
      }),
    )
    await ecs.send(new CreateServiceCommand({cluster: 'e2e', serviceName: 'svc', taskDefinition: 'svc', desiredCount: 2, networkConfiguration: network}))
    const s = await waitFor(async () => {
      const x = (await ecs.send(new DescribeServicesCommand({cluster: 'e2e', services: ['svc']}))).services![0]!
      return x.runningCount === 2 && x.deployments![0]!.rolloutState === 'COMPLETED' && x
    }, 20_000, 'service steady')
    expect(s.events![0]!.message).toBe('(service svc) has reached a steady state.')
    const arns = (await ecs.send(new ListTasksCommand({cluster: 'e2e', serviceName: 'svc'}))).taskArns!
    const tasks = (await ecs.send(new DescribeTasksCommand({cluster: 'e2e', tasks: arns}))).tasks!
    const ports = tasks.map((t) => t.containers![0]!.networkBindings![0]!.hostPort)
    // Two tasks listening on the same container port do not collide.
    expect(new Set(ports).size).toBe(2)
    await ecs.send(new DeleteServiceCommand({cluster: 'e2e', service: 'svc', force: true}))
    await waitFor(async () => (await ecs.send(new DescribeServicesCommand({cluster: 'e2e', services: ['svc']}))).services![0]!.status === 'INACTIVE', 20_000, 'INACTIVE')
    for (const t of tasks) expect((await stoppedTask(t.taskArn!)).stopCode).toBe('ServiceSchedulerInitiated')
  })

  it('answers errors in the ECS shape through the SDK', async () => {
    const err = await ecs.send(new RunTaskCommand({cluster: 'nope', taskDefinition: 'hello', networkConfiguration: network})).catch((e) => e)
    expect(err.name).toBe('ClusterNotFoundException')
    expect(err.message).toBe('Cluster not found.')
  })
})

describe.skipIf(skipAwsCli)('ECS through the AWS CLI', {timeout: 120_000}, () => {
  beforeAll(() => requireAwsCli())
  const aws = (...args: string[]): Promise<{code: number; out: any; stderr: string}> =>
    new Promise((resolve) => {
      const env = {
        PATH: process.env.PATH,
        HOME: h.stateDir,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
        AWS_REGION: h.config.region,
        AWS_ACCESS_KEY_ID: h.config.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: h.config.credentials.secretAccessKey,
      }
      execFile(AWS, ['--endpoint-url', h.config.endpoint, '--output', 'json', 'ecs', ...args], {env}, (err, stdout, stderr) => {
        let out: unknown = stdout
        try {
          out = stdout.trim() ? JSON.parse(stdout) : {}
        } catch {
          // plain text
        }
        resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, out, stderr})
      })
    })

  it('creates a cluster, registers a task definition, runs a task and sees it STOPPED with its exit code', async () => {
    const c = await aws('create-cluster', '--cluster-name', 'cli')
    expect(c.code, c.stderr).toBe(0)
    expect(c.out.cluster.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/cli')
    const td = await aws(
      'register-task-definition',
      '--family', 'cli-job',
      '--requires-compatibilities', 'FARGATE',
      '--network-mode', 'awsvpc',
      '--cpu', '256',
      '--memory', '512',
      '--container-definitions', JSON.stringify([{name: 'app', image: 'busybox', command: ['sh', '-c', 'echo from-cli; exit 7']}]),
    )
    expect(td.code, td.stderr).toBe(0)
    expect(td.out.taskDefinition.revision).toBe(1)
    const run = await aws(
      'run-task', '--cluster', 'cli', '--task-definition', 'cli-job', '--launch-type', 'FARGATE',
      '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=DISABLED}',
    )
    expect(run.code, run.stderr).toBe(0)
    const arn = run.out.tasks[0].taskArn
    const t = await waitFor(async () => {
      const d = (await ecs.send(new DescribeTasksCommand({cluster: 'cli', tasks: [arn]}))).tasks![0]!
      return d.lastStatus === 'STOPPED' && d
    }, 15_000)
    expect(t.containers![0]!.exitCode).toBe(7)
    const d = await aws('describe-tasks', '--cluster', 'cli', '--tasks', arn)
    expect(d.code, d.stderr).toBe(0)
    expect(d.out.tasks[0]).toMatchObject({lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{name: 'app', exitCode: 7}]})
  })
})
