// The service scheduler's choices a user of ECS sees: which tasks a scale-in stops first, tasks still
// stopping counted against maximumPercent, a task that cannot start counted as a deployment failure,
// what a deployment and its rollback record, and a paused control plane leaving services alone. Time is
// the injected clock's; "nothing happened" checks count scheduler passes (each reads the clock).
import {afterEach, describe, expect, it} from 'vitest'
import {countingClock, harness, NETWORK, taskDef, waitFor, type Harness, closeReleasingStops, webService, webTasks} from './helpers.js'

let h: Harness
afterEach(() => closeReleasingStops(h))

// Tests that need tasks counted healthy at once set the clock a minute ahead of the tasks' start times
// (the agent stamps them with the real time); stopped tasks stay visible for an hour of it.
let now = 1_000_000
const {clock, passes} = countingClock(() => now)
const svc = () => webService(h)
const tasksOf = (status?: string) => webTasks(h, status)
const idOf = (t: {taskArn: string}) => t.taskArn.split('/').pop()!
const describeTask = async (arn: string) => (await h.call('DescribeTasks', {cluster: 'c1', tasks: [arn]})).tasks[0]
const messages = async (): Promise<string[]> => (await svc()).events.map((e: any) => e.message)
const healthCheck = {healthCheck: {command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1}}

/** The web service of a task definition with a container health check, with what `service` adds to it
 * (desiredCount 1 unless given), on a harness with the scheduler's `deps` and the fake `driver`. */
async function checkedWeb(service: Record<string, unknown>, driver: Parameters<typeof harness>[1] = {}, deps: Parameters<typeof harness>[0] = {}): Promise<void> {
  h = await harness({clock, stableAfterMs: 0, ...deps}, driver)
  await h.call('CreateCluster', {clusterName: 'c1'})
  await h.call('RegisterTaskDefinition', taskDef('web', {}, healthCheck))
  await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, ...service})
}

describe('service scheduler: rollout choices', () => {
  it('stops a task not yet healthy before healthy ones when scaling in, then the newest', async () => {
    now = 1_000_000
    await checkedWeb({}, {autoHealthy: false})
    await waitFor(async () => (await svc()).runningCount === 1)
    for (const desiredCount of [2, 3]) {
      now += 1_000
      await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount})
      await waitFor(async () => (await svc()).runningCount === desiredCount)
    }
    const [oldest, middle, newest] = [...(await tasksOf())].sort((a: any, b: any) => a.createdAt - b.createdAt)
    expect(new Set([oldest.createdAt, middle.createdAt, newest.createdAt]).size).toBe(3)
    // The oldest task's health check has not passed yet; the two newer ones are healthy.
    h.driver.setHealth(idOf(middle), 'HEALTHY')
    h.driver.setHealth(idOf(newest), 'HEALTHY')
    await waitFor(async () => (await tasksOf()).filter((t: any) => t.healthStatus === 'HEALTHY').length === 2)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 2})
    await waitFor(async () => (await tasksOf()).length === 2)
    expect((await tasksOf()).map((t: any) => t.taskArn).sort()).toEqual([middle.taskArn, newest.taskArn].sort())
    expect((await tasksOf('STOPPED')).map((t: any) => t.taskArn)).toEqual([oldest.taskArn])
    // Both healthy: the newer goes.
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 1})
    await waitFor(async () => (await tasksOf()).length === 1)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([middle.taskArn])
    // A scale-in is no failure of the deployment.
    expect((await svc()).deployments[0].failedTasks).toBe(0)
  })

  it('counts tasks still stopping against maximumPercent: a 0/100 rollout starts new tasks only as old ones stop', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0}, {holdStops: true})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK,
      deploymentConfiguration: {minimumHealthyPercent: 0, maximumPercent: 100},
    })
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const old = (await tasksOf()).map((t: any) => t.taskArn).sort()
    await h.call('UpdateService', {cluster: 'c1', service: 'web', forceNewDeployment: true})
    // Both old tasks are asked to stop at once (a minimum of 0 allows it); they take their time.
    await waitFor(() => h.driver.stopped.length === 2)
    await passes(30)
    // Two tasks exist while they stop: with a maximum of 100% of 2, nothing new may start yet.
    expect(h.driver.started).toHaveLength(2)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([])
    expect((await tasksOf('STOPPED')).map((t: any) => t.taskArn).sort()).toEqual(old)
    expect((await tasksOf('STOPPED')).every((t: any) => t.lastStatus === 'RUNNING')).toBe(true)
    h.driver.opts.holdStops = false
    expect(h.driver.releaseStops()).toBe(2)
    const s = await waitFor(async () => {
      const x = await svc()
      return x.runningCount === 2 && x.deployments.length === 1 && x.deployments[0].rolloutState === 'COMPLETED' && x
    })
    expect(h.driver.started).toHaveLength(4)
    expect((await tasksOf()).every((t: any) => t.startedBy === s.deployments[0].id)).toBe(true)
  })

  it('replaces a task that failed its health check only once it has stopped, with a maximum of 100%', async () => {
    now = 1_000_000
    await checkedWeb({deploymentConfiguration: {minimumHealthyPercent: 0, maximumPercent: 100}}, {holdStops: true})
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const [first] = await tasksOf()
    h.driver.setHealth(idOf(first), 'UNHEALTHY')
    await waitFor(() => h.driver.stopped.length === 1)
    await passes(30)
    expect(h.driver.started).toHaveLength(1)
    expect((await svc()).deployments[0].failedTasks).toBe(1)
    h.driver.opts.holdStops = false
    h.driver.releaseStops()
    await waitFor(async () => (await tasksOf()).some((t: any) => t.taskArn !== first.taskArn && t.lastStatus === 'RUNNING'))
    expect(h.driver.started).toHaveLength(2)
  })

  it('counts a task that fails to start as a failure of its deployment, and rolls back on the threshold', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0}, {failStart: (spec) => (spec.taskDefinition === 'web:2' ? 'pull access denied for nope' : undefined)})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const good = (await svc()).deployments[0].id
    // A task a user stops is no failure of the deployment.
    const [userStopped] = await tasksOf()
    await h.call('StopTask', {cluster: 'c1', task: userStopped.taskArn, reason: 'by hand'})
    await waitFor(async () => (await svc()).runningCount === 1 && (await tasksOf()).every((t: any) => t.taskArn !== userStopped.taskArn))
    expect((await svc()).deployments[0].failedTasks).toBe(0)

    await h.call('RegisterTaskDefinition', taskDef('web', {}, {image: 'nope'}))
    const bad = (await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})).service.deployments[0].id
    const failed = await waitFor(async () => (await messages()).find((m) => m.includes('deployment failed')))
    // ECS's threshold for 1 desired task is 3 failed tasks, one launch at a time.
    expect(failed).toBe(`(service web) (deployment ${bad}) deployment failed: tasks failed to start.`)
    const notStarted = (await tasksOf('STOPPED')).filter((t: any) => t.taskDefinitionArn.endsWith('web:2'))
    expect(notStarted).toHaveLength(3)
    for (const t of notStarted) expect(t).toMatchObject({stopCode: 'TaskFailedToStart', stoppedReason: 'CannotStartContainerError: pull access denied for nope'})
    const s = await waitFor(async () => {
      const x = await svc()
      return x.deployments.length === 1 && x.deployments[0].rolloutState === 'COMPLETED' && x.deployments[0].id !== good && x
    })
    expect(s.taskDefinition).toMatch(/web:1$/)
    expect(await messages()).toContain(`(service web) (deployment ${bad}) rolling back to deployment ${s.deployments[0].id}.`)
    // Three failures in a row, but no back-off configured (a base of 0): nothing said about throttling.
    expect((await messages()).some((m) => m.includes('is unable to consistently start tasks'))).toBe(false)
  })

  it('leaves a completed deployment alone when its tasks later crash', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0, circuitBreaker: {minThreshold: 1}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    // The circuit breaker watches a deployment only while it is in progress.
    for (let crash = 1; crash <= 3; crash++) {
      const [t] = await waitFor(async () => {
        const list = await tasksOf()
        return list.length === 1 && list[0].lastStatus === 'RUNNING' && list
      })
      h.driver.exit(idOf(t), 1)
      await waitFor(async () => (await svc()).deployments[0].failedTasks === crash)
    }
    await waitFor(async () => (await svc()).runningCount === 1)
    const s = await svc()
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0]).toMatchObject({rolloutState: 'COMPLETED', failedTasks: 3})
    const all = await messages()
    expect(all.some((m) => m.includes('deployment failed'))).toBe(false)
  })

  it('does not roll back to the task definition that just failed', async () => {
    now = Date.now() + 60_000
    let broken = false
    h = await harness({clock, stableAfterMs: 0, circuitBreaker: {minThreshold: 1}}, {failStart: () => (broken ? 'image not found' : undefined)})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const [serving] = await tasksOf()
    // The same task definition, redeployed after its image went away.
    broken = true
    const bad = (await h.call('UpdateService', {cluster: 'c1', service: 'web', forceNewDeployment: true})).service.deployments[0].id
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'FAILED')
    await passes(30)
    const s = await svc()
    expect(s.deployments.map((d: any) => [d.id, d.status, d.rolloutState])).toEqual([
      [bad, 'PRIMARY', 'FAILED'],
      [expect.any(String), 'ACTIVE', 'COMPLETED'],
    ])
    expect((await messages()).some((m) => m.includes('rolling back'))).toBe(false)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([serving.taskArn])
  })

  it('names the last completed deployment in the rollback deployment’s reason', async () => {
    now = 1_000_000
    // The rollback's task has a health check that only the test passes: the rollback stays in progress.
    await checkedWeb({deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}}}, {autoHealthy: false, exitAfterStart: (spec) => (spec.taskDefinition === 'web:3' ? 1 : undefined)}, {circuitBreaker: {minThreshold: 1}})
    // Two completed deployments: the rollback names the later one.
    const first = await waitFor(async () => (await tasksOf()).find((t: any) => t.lastStatus === 'RUNNING'))
    h.driver.setHealth(idOf(first), 'HEALTHY')
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {...healthCheck, environment: [{name: 'V', value: '2'}]}))
    const second = (await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})).service.deployments[0].id
    const next = await waitFor(async () => (await tasksOf()).find((t: any) => t.taskDefinitionArn.endsWith('web:2') && t.lastStatus === 'RUNNING'))
    h.driver.setHealth(idOf(next), 'HEALTHY')
    await waitFor(async () => {
      const x = await svc()
      return x.deployments.length === 1 && x.deployments[0].rolloutState === 'COMPLETED'
    })

    await h.call('RegisterTaskDefinition', taskDef('web', {}, {...healthCheck, command: ['false']}))
    const bad = (await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:3'})).service.deployments[0].id
    const rollback = await waitFor(async () => {
      const d = (await svc()).deployments[0]
      return d.id !== bad && d
    })
    expect(rollback).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${second}.`,
    })
    expect(rollback.taskDefinition).toMatch(/web:2$/)
    expect(rollback.id).toMatch(/^ecs-svc\/\d{19}$/)
    expect(rollback.id).not.toBe(second)
    expect(await messages()).toContain(`(service web) (deployment ${bad}) rolling back to deployment ${rollback.id}.`)
    const back = await waitFor(async () => (await tasksOf()).find((t: any) => t.startedBy === rollback.id && t.lastStatus === 'RUNNING'))
    h.driver.setHealth(idOf(back), 'HEALTHY')
    const done = await waitFor(async () => {
      const d = (await svc()).deployments
      return d.length === 1 && d[0].rolloutState === 'COMPLETED' && d[0]
    })
    expect(done.rolloutStateReason).toBe(`ECS deployment ${rollback.id} completed.`)
  })

  it('records the launch type and network configuration in each deployment, and launches with them', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0})
    await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE', 'FARGATE_SPOT']})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, launchType: 'FARGATE'})
    const first = (await svc()).deployments[0]
    expect(first).toMatchObject({launchType: 'FARGATE', networkConfiguration: NETWORK})
    expect(first.capacityProviderStrategy).toBeUndefined()
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const subnetOf = (t: any) => t.attachments[0].details.find((d: any) => d.name === 'subnetId').value
    expect((await tasksOf()).map(subnetOf)).toEqual(['subnet-1'])

    const moved = {awsvpcConfiguration: {subnets: ['subnet-2'], assignPublicIp: 'ENABLED'}}
    const spot = [{capacityProvider: 'FARGATE_SPOT', weight: 1}]
    await h.call('UpdateService', {cluster: 'c1', service: 'web', networkConfiguration: moved, capacityProviderStrategy: spot})
    const s = await waitFor(async () => {
      const x = await svc()
      return x.deployments.length === 1 && x.deployments[0].id !== first.id && x.deployments[0].rolloutState === 'COMPLETED' && x
    })
    expect(s.deployments[0]).toMatchObject({networkConfiguration: moved, capacityProviderStrategy: spot})
    expect(s.deployments[0].launchType).toBeUndefined()
    const [task] = await tasksOf()
    expect(subnetOf(task)).toBe('subnet-2')
    expect(task.capacityProviderName).toBe('FARGATE_SPOT')
  })

  it('leaves a service alone while paused for shutdown: no task recorded or stopped, whatever it is asked', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const before = (await tasksOf()).map((t: any) => t.taskArn).sort()
    const eventsBefore = (await svc()).events.length
    await h.ecs.pause()
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 3})
    await passes(30)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 1})
    await passes(30)
    expect((await tasksOf()).map((t: any) => t.taskArn).sort()).toEqual(before)
    expect((await tasksOf()).every((t: any) => t.lastStatus === 'RUNNING')).toBe(true)
    expect(h.driver.stopped).toEqual([])
    expect((await svc()).events).toHaveLength(eventsBefore)
    // The next run makes the service what it was last asked to be.
    await h.restart()
    await waitFor(async () => {
      const x = await svc()
      return x.runningCount === 1 && x.pendingCount === 0
    })
  })

  it('stops old tasks that are not healthy at once in a rollout, and keeps the healthy ones the minimum needs', async () => {
    now = 1_000_000
    await checkedWeb({desiredCount: 2, deploymentConfiguration: {minimumHealthyPercent: 50, maximumPercent: 200}}, {autoHealthy: false})
    await waitFor(async () => (await svc()).runningCount === 2)
    // In the order the scheduler sees them: the first healthy, the second never.
    const [healthy, unhealthy] = Object.values((h.ecs.listener as any).tasks) as any[]
    h.driver.setHealth(healthy.taskId, 'HEALTHY')
    await waitFor(async () => (await tasksOf()).some((t: any) => t.healthStatus === 'HEALTHY'))
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {...healthCheck, environment: [{name: 'V', value: '2'}]}))
    const next = (await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})).service.deployments[0].id
    await waitFor(async () => (await tasksOf()).filter((t: any) => t.startedBy === next && t.lastStatus === 'RUNNING').length === 2)
    await passes(30)
    // The new tasks are not healthy yet: the old healthy task is the 50% that must stay; the other went.
    const live = await tasksOf()
    expect(live.filter((t: any) => t.startedBy !== next).map((t: any) => t.taskArn)).toEqual([healthy.taskArn])
    expect((await tasksOf('STOPPED')).map((t: any) => t.taskArn)).toEqual([unhealthy.taskArn])
    const s = await svc()
    expect(s.deployments.map((d: any) => [d.status, d.runningCount])).toEqual([['PRIMARY', 2], ['ACTIVE', 1]])
    for (const t of live.filter((x: any) => x.startedBy === next)) h.driver.setHealth(idOf(t), 'HEALTHY')
    await waitFor(async () => {
      const x = await svc()
      return x.deployments.length === 1 && x.deployments[0].rolloutState === 'COMPLETED'
    })
    expect((await tasksOf()).every((t: any) => t.startedBy === next)).toBe(true)
  })

  it('counts a crash of an old deployment’s task against that deployment, not the one rolling out', async () => {
    now = 1_000_000
    await checkedWeb({desiredCount: 2, deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}}}, {autoHealthy: false}, {circuitBreaker: {minThreshold: 1}})
    await waitFor(async () => (await svc()).runningCount === 2)
    // One task healthy, one not yet: the first deployment is still in progress when the next starts.
    const [old] = await tasksOf()
    h.driver.setHealth(idOf(old), 'HEALTHY')
    await waitFor(async () => (await tasksOf()).some((t: any) => t.healthStatus === 'HEALTHY'))
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {...healthCheck, environment: [{name: 'V', value: '2'}]}))
    const next = (await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})).service.deployments[0].id
    await waitFor(async () => (await tasksOf()).filter((t: any) => t.startedBy === next && t.lastStatus === 'RUNNING').length === 2)
    h.driver.exit(idOf(old), 1)
    await waitFor(async () => (await svc()).deployments.length === 1)
    await passes(30)
    const s = await svc()
    expect(s.deployments[0]).toMatchObject({id: next, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 0})
    expect((await messages()).some((m) => m.includes('deployment failed'))).toBe(false)
  })

  it('stops a task still waiting for capacity first when scaling in, and says nothing of draining without targets', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0, capacity: {cpu: 256, memory: 512}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).runningCount === 1)
    const [running] = await tasksOf()
    // Room for one task: the second waits PENDING.
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 2})
    const waiting = await waitFor(async () => (await tasksOf()).find((t: any) => t.lastStatus === 'PENDING'))
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 1})
    await waitFor(async () => (await describeTask(waiting.taskArn)).lastStatus === 'STOPPED')
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([running.taskArn])
    expect(await describeTask(waiting.taskArn)).toMatchObject({stopCode: 'ServiceSchedulerInitiated', stoppedReason: expect.stringMatching(/^Scaling activity initiated by/)})
    const all = await messages()
    expect(all.some((m) => m.includes('draining'))).toBe(false)
    expect(all.filter((m) => / has (started|stopped) 0 /.test(m))).toEqual([])
  })
})
