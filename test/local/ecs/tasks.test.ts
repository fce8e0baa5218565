import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {expectServiceError, harness, NETWORK, taskDef, waitFor, type Harness} from './helpers.js'

let h: Harness
beforeEach(async () => {
  h = await harness()
  await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE', 'FARGATE_SPOT']})
  await h.call('RegisterTaskDefinition', taskDef('job'))
})
afterEach(async () => h.close())

const describeTask = async (arn: string) => (await h.call('DescribeTasks', {cluster: 'c1', tasks: [arn]})).tasks[0]

describe('RunTask', () => {
  it('returns PENDING at once, then RUNNING and STOPPED with the exit code', async () => {
    const out = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', launchType: 'FARGATE', networkConfiguration: NETWORK, startedBy: 'me'})
    expect(out.failures).toEqual([])
    const t = out.tasks[0]
    expect(t.lastStatus).toBe('PENDING')
    expect(t.desiredStatus).toBe('RUNNING')
    expect(t.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/c1\/[0-9a-f]{32}$/)
    expect(t.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:000000000000:task-definition/job:1')
    expect(t.group).toBe('family:job')
    expect(t.attachments[0].type).toBe('ElasticNetworkInterface')
    const running = await waitFor(async () => {
      const d = await describeTask(t.taskArn)
      return d.lastStatus === 'RUNNING' && d
    })
    expect(running.startedAt).toBeGreaterThan(0)
    expect(running.containers[0].runtimeId).toBeTruthy()
    expect(running.containers[0].networkBindings[0].containerPort).toBe(8080)
    expect(running.attachments[0].details.find((d: any) => d.name === 'privateIPv4Address').value).toBe('127.0.0.1')
    h.driver.exit(t.taskArn.split('/').pop(), 3)
    const stopped = await waitFor(async () => {
      const d = await describeTask(t.taskArn)
      return d.lastStatus === 'STOPPED' && d
    })
    expect(stopped.stopCode).toBe('EssentialContainerExited')
    expect(stopped.stoppedReason).toBe('Essential container in task exited')
    expect(stopped.containers[0].exitCode).toBe(3)
    expect(stopped.stoppedAt).toBeGreaterThanOrEqual(stopped.startedAt)
  })

  it('applies container overrides and passes the spec to the driver', async () => {
    h.secrets.values.set('/app/token', 's3cret')
    await h.call('RegisterTaskDefinition', taskDef('job', {}, {environment: [{name: 'A', value: '1'}], secrets: [{name: 'TOKEN', valueFrom: '/app/token'}]}))
    await h.call('RunTask', {
      cluster: 'c1',
      taskDefinition: 'job:2',
      networkConfiguration: NETWORK,
      overrides: {containerOverrides: [{name: 'app', command: ['echo', 'hi'], environment: [{name: 'B', value: '2'}]}], cpu: '512', memory: '1024'},
    })
    const spec = await waitFor(() => h.driver.started[0])
    expect(spec.containers[0]!.command).toEqual(['echo', 'hi'])
    expect(spec.containers[0]!.environment).toEqual({A: '1', B: '2', TOKEN: 's3cret'})
    expect(spec.cpu).toBe(512)
    expect(spec.memory).toBe(1024)
    expect(spec.taskDefinition).toBe('job:2')
  })

  it('stops a task whose secret is missing with ResourceInitializationError', async () => {
    await h.call('RegisterTaskDefinition', taskDef('job', {}, {secrets: [{name: 'TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/missing'}]}))
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    const stopped = await waitFor(async () => {
      const d = await describeTask(tasks[0].taskArn)
      return d.lastStatus === 'STOPPED' && d
    })
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets or registry auth: /)
    expect(stopped.stoppedReason).toContain('parameter/missing')
    expect(h.driver.started).toHaveLength(0)
  })

  it('is idempotent with a client token', async () => {
    const input = {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, count: 2, clientToken: 'tok-1'}
    const a = await h.call('RunTask', input)
    const b = await h.call('RunTask', input)
    expect(b.tasks.map((t: any) => t.taskArn)).toEqual(a.tasks.map((t: any) => t.taskArn))
    expect((await h.call('ListTasks', {cluster: 'c1'})).taskArns).toHaveLength(2)
    await expectServiceError(h.call('RunTask', {...input, count: 1}), 'ClientException', /client token/)
  })

  it('validates its input with ECS exceptions', async () => {
    await expectServiceError(h.call('RunTask', {cluster: 'nope', taskDefinition: 'job', networkConfiguration: NETWORK}), 'ClusterNotFoundException', 'Cluster not found.')
    await expectServiceError(h.call('RunTask', {cluster: 'c1', taskDefinition: 'nope', networkConfiguration: NETWORK}), 'ClientException', 'Unable to describe task definition.')
    await expectServiceError(h.call('RunTask', {cluster: 'c1', taskDefinition: 'job'}), 'InvalidParameterException', /Network Configuration must be provided/)
    await expectServiceError(h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, count: 11}), 'InvalidParameterException')
    await expectServiceError(
      h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, launchType: 'FARGATE', capacityProviderStrategy: [{capacityProvider: 'FARGATE', weight: 1}]}),
      'InvalidParameterException',
      /Specifying both a launch type and capacity provider strategy/,
    )
    await expectServiceError(
      h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, overrides: {containerOverrides: [{name: 'ghost'}]}}),
      'InvalidParameterException',
      /ghost is not a container/,
    )
    await expectServiceError(
      h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, overrides: {cpu: '256', memory: '4096'}}),
      'ClientException',
      'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.',
    )
  })

  it('places tasks over a capacity provider strategy and names the provider', async () => {
    const {tasks} = await h.call('RunTask', {
      cluster: 'c1',
      taskDefinition: 'job',
      networkConfiguration: NETWORK,
      count: 4,
      capacityProviderStrategy: [{capacityProvider: 'FARGATE', base: 1, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 2}],
    })
    expect(tasks.map((t: any) => t.capacityProviderName).sort()).toEqual(['FARGATE', 'FARGATE', 'FARGATE_SPOT', 'FARGATE_SPOT'])
  })

  it('keeps tasks PENDING until capacity frees, and refuses one that can never fit', async () => {
    await h.restart({capacity: {cpu: 512, memory: 1024}})
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, count: 3})
    await waitFor(() => h.driver.started.length === 2)
    const third = tasks[2].taskArn
    expect((await describeTask(third)).lastStatus).toBe('PENDING')
    expect(h.ecs.capacityUsage().free.cpu).toBe(0)
    await h.call('StopTask', {cluster: 'c1', task: tasks[0].taskArn})
    await waitFor(async () => (await describeTask(third)).lastStatus === 'RUNNING')
    await h.call('RegisterTaskDefinition', taskDef('big', {cpu: '1024', memory: '2048'}))
    const out = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'big', networkConfiguration: NETWORK})
    expect(out.tasks).toEqual([])
    expect(out.failures[0].reason).toBe('RESOURCE:CPU')
  })

  it('stops a task on request with UserInitiated and the given reason', async () => {
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    await waitFor(async () => (await describeTask(tasks[0].taskArn)).lastStatus === 'RUNNING')
    const out = await h.call('StopTask', {cluster: 'c1', task: tasks[0].taskArn, reason: 'done here'})
    expect(out.task.desiredStatus).toBe('STOPPED')
    const stopped = await waitFor(async () => {
      const d = await describeTask(tasks[0].taskArn)
      return d.lastStatus === 'STOPPED' && d
    })
    expect(stopped.stopCode).toBe('UserInitiated')
    expect(stopped.stoppedReason).toBe('done here')
    expect(h.driver.stopped[0]).toMatchObject({stopCode: 'UserInitiated', reason: 'done here'})
    await expectServiceError(h.call('StopTask', {cluster: 'c1', task: 'ffffffffffffffffffffffffffffffff'}), 'InvalidParameterException')
  })

  it('carries out a stop that arrives while the driver is still starting the task', async () => {
    await h.restart({}, {startDelayMs: 50, autoRun: false})
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    await new Promise((r) => setTimeout(r, 10))
    await h.call('StopTask', {cluster: 'c1', task: tasks[0].taskArn})
    const stopped = await waitFor(async () => {
      const d = await describeTask(tasks[0].taskArn)
      return d.lastStatus === 'STOPPED' && d
    })
    expect(stopped.stopCode).toBe('UserInitiated')
    expect(h.driver.live.size).toBe(0)
    expect(h.driver.stopped.map((s) => s.taskId)).toContain(tasks[0].taskArn.split('/').pop())
  })

  it('lists tasks by family, startedBy and desired status; describes missing ones as failures', async () => {
    await h.call('RegisterTaskDefinition', taskDef('other'))
    const a = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, startedBy: 'alice'})
    await h.call('RunTask', {cluster: 'c1', taskDefinition: 'other', networkConfiguration: NETWORK})
    expect((await h.call('ListTasks', {cluster: 'c1'})).taskArns).toHaveLength(2)
    expect((await h.call('ListTasks', {cluster: 'c1', family: 'other'})).taskArns).toHaveLength(1)
    expect((await h.call('ListTasks', {cluster: 'c1', startedBy: 'alice'})).taskArns).toEqual([a.tasks[0].taskArn])
    await h.call('StopTask', {cluster: 'c1', task: a.tasks[0].taskArn})
    expect((await h.call('ListTasks', {cluster: 'c1', desiredStatus: 'STOPPED'})).taskArns).toEqual([a.tasks[0].taskArn])
    const page = await h.call('ListTasks', {cluster: 'c1', desiredStatus: 'RUNNING', maxResults: 1})
    expect(page.taskArns).toHaveLength(1)
    const d = await h.call('DescribeTasks', {cluster: 'c1', tasks: ['0123456789abcdef0123456789abcdef']})
    expect(d.failures[0].reason).toBe('MISSING')
  })

  it('writes awslogs output to <prefix>/<container>/<taskId>', async () => {
    await h.call(
      'RegisterTaskDefinition',
      taskDef('job', {}, {logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/pier/app', 'awslogs-stream-prefix': 'pier', 'awslogs-region': 'us-east-1'}}}),
    )
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    const id = tasks[0].taskArn.split('/').pop()
    await waitFor(async () => (await describeTask(tasks[0].taskArn)).lastStatus === 'RUNNING')
    h.driver.log(id, 'app', 'hello')
    expect(h.logs.streams.get(`/pier/app|pier/app/${id}`)).toEqual(['hello'])
  })

  it('interrupts spot tasks with SpotInterruption', async () => {
    const {tasks} = await h.call('RunTask', {
      cluster: 'c1',
      taskDefinition: 'job',
      networkConfiguration: NETWORK,
      capacityProviderStrategy: [{capacityProvider: 'FARGATE_SPOT', weight: 1}],
    })
    await waitFor(async () => (await describeTask(tasks[0].taskArn)).lastStatus === 'RUNNING')
    expect(h.ecs.interruptSpotTasks()).toEqual([tasks[0].taskArn])
    const stopped = await waitFor(async () => {
      const d = await describeTask(tasks[0].taskArn)
      return d.lastStatus === 'STOPPED' && d
    })
    expect(stopped.stopCode).toBe('SpotInterruption')
    expect(stopped.stoppedReason).toBe('Your Spot Task was interrupted.')
  })
})

describe('ExecuteCommand', () => {
  it('refuses when exec was not enabled, opens a session when it was', async () => {
    const sessions: unknown[] = []
    await h.restart({
      exec: {
        async createSession(req) {
          sessions.push(req)
          return {sessionId: 's-1', streamUrl: 'ws://127.0.0.1:1/s-1', tokenValue: 't'}
        },
      },
    })
    const off = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    await waitFor(async () => (await describeTask(off.tasks[0].taskArn)).lastStatus === 'RUNNING')
    await expectServiceError(
      h.call('ExecuteCommand', {cluster: 'c1', task: off.tasks[0].taskArn, command: 'sh', interactive: true}),
      'InvalidParameterException',
      /^The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running/,
    )
    const on = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, enableExecuteCommand: true})
    const running = await waitFor(async () => {
      const d = await describeTask(on.tasks[0].taskArn)
      return d.lastStatus === 'RUNNING' && d
    })
    expect(running.enableExecuteCommand).toBe(true)
    expect(running.containers[0].managedAgents[0]).toMatchObject({name: 'ExecuteCommandAgent', lastStatus: 'RUNNING'})
    const out = await h.call('ExecuteCommand', {cluster: 'c1', task: on.tasks[0].taskArn, command: 'sh', interactive: true})
    expect(out).toMatchObject({containerName: 'app', interactive: true, taskArn: on.tasks[0].taskArn, session: {sessionId: 's-1', tokenValue: 't'}})
    expect(out.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/c1')
    expect(sessions[0]).toMatchObject({container: 'app', command: 'sh', interactive: true})
  })
})
