// The service scheduler and health: a container health check decides when a task counts as healthy
// and stops a task that fails it (essential containers only), the ELB grace period protects a young task
// to the millisecond, a task failing two target groups is one failure, and repeated failures throttle
// launches with a doubling delay and ECS's event. Time is the injected clock's; "nothing
// happened" checks count scheduler passes (each reads the clock), never a fixed sleep.
import {afterEach, describe, expect, it} from 'vitest'
import {countingClock, harness, NETWORK, taskDef, waitFor, type Harness, webService, webTasks} from './helpers.js'

let h: Harness
afterEach(async () => h?.close())

let now = 1_000_000
const {clock, passes} = countingClock(() => now)
const svc = () => webService(h)
const tasksOf = (status?: string) => webTasks(h, status)
const healthCheck = {healthCheck: {command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1}}

/** A service with a 60 s grace period behind a target group whose checks fail, and its first task,
 * registered. Tests set the clock first (the agent stamps a task's start with the real time). */
async function failingBehindGracePeriod() {
  h = await harness({clock, stableAfterMs: 0})
  await h.call('CreateCluster', {clusterName: 'c1'})
  await h.call('RegisterTaskDefinition', taskDef('web'))
  const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/abc'
  h.targets.addGroup(tg)
  h.targets.initialState = 'unhealthy'
  await h.call('CreateService', {
    cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, healthCheckGracePeriodSeconds: 60,
    loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
  })
  await waitFor(() => h.targets.health(tg).length === 1)
  const [first] = await tasksOf()
  return {tg, first}
}

describe('service scheduler and health', () => {
  it('counts a task with a container health check only once HEALTHY, and replaces one that turns UNHEALTHY', async () => {
    now = 1_000_000
    h = await harness({clock, stableAfterMs: 0}, {autoHealthy: false})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web', {}, healthCheck))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).runningCount === 1)
    await passes(30)
    // RUNNING, health UNKNOWN: the deployment is not complete however long it runs.
    expect((await svc()).deployments[0].rolloutState).toBe('IN_PROGRESS')
    const [first] = await tasksOf()
    const id = first.taskArn.split('/').pop()
    h.driver.setHealth(id, 'HEALTHY')
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')

    h.driver.setHealth(id, 'UNHEALTHY')
    const stopped = await waitFor(async () => (await tasksOf('STOPPED')).find((t: any) => t.taskArn === first.taskArn))
    expect(stopped).toMatchObject({stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed container health checks'})
    const s = await svc()
    expect(s.deployments[0].failedTasks).toBe(1)
    expect(s.events.map((e: any) => e.message)).toContain(`(service web) has stopped 1 running tasks: (task ${id}).`)
    // A replacement starts.
    await waitFor(async () => (await tasksOf()).some((t: any) => t.taskArn !== first.taskArn && t.lastStatus === 'RUNNING'))
  })

  it('leaves a task failing ELB health checks alone during the grace period, then replaces it', async () => {
    // The agent stamps a task's start with the real time: the clock starts there.
    now = Date.now()
    const {tg, first} = await failingBehindGracePeriod()
    now += 59_000
    await passes(30)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([first.taskArn])
    expect((await svc()).deployments[0].failedTasks).toBe(0)
    // Its replacement registers healthy, so that only the first task fails.
    h.targets.initialState = 'healthy'
    now += 5_000
    const stopped = await waitFor(async () => (await tasksOf('STOPPED')).find((t: any) => t.taskArn === first.taskArn))
    expect(stopped.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${tg})`)
    const s = await svc()
    expect(s.deployments[0].failedTasks).toBe(1)
    expect(s.events.map((e: any) => e.message)).toContain(`(service web) (task ${first.taskArn.split('/').pop()}) failed ELB health checks in (target-group ${tg}).`)
  })

  it('doubles the launch delay after each further failure, and says so on the third failure in a row', async () => {
    now = 1_000_000
    h = await harness({clock, throttle: {baseMs: 10_000, maxMs: 60_000}, stableAfterMs: 0}, {exitAfterStart: () => 1})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).deployments[0].failedTasks >= 2)
    const throttled = '(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
    expect((await svc()).events.map((e: any) => e.message)).not.toContain(throttled)
    // Two failures: 10 s. The third failure, 10 s later, makes it 20 s.
    now += 10_001
    await waitFor(async () => (await svc()).deployments[0].failedTasks >= 3)
    await passes(20)
    const started = h.driver.started.length
    expect((await svc()).events.filter((e: any) => e.message === throttled)).toHaveLength(1)
    now += 10_001
    await passes(30)
    expect(h.driver.started.length).toBe(started)
    now += 10_000
    await waitFor(() => h.driver.started.length > started)
  })

  it('fails a deployment at exactly the threshold of failed tasks, then launches nothing more', async () => {
    now = 1_000_000
    h = await harness({clock, circuitBreaker: {minThreshold: 3, maxThreshold: 200}, stableAfterMs: 0}, {exitAfterStart: () => 1})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    const failed = await waitFor(async () => {
      const d = (await svc()).deployments[0]
      return d.rolloutState === 'FAILED' && d
    })
    // Nothing to roll back to (the first deployment never completed): the deployment halts.
    expect(failed.failedTasks).toBe(3)
    expect(failed.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.')
    await passes(20)
    const started = h.driver.started.length
    await passes(30)
    expect(h.driver.started.length).toBe(started)
    const s = await svc()
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0].failedTasks).toBe(3)
  })

  it('announces a steady state once per steady period', async () => {
    // A task counts as healthy once it has run stableAfterMs by this clock since its (real) start: an
    // hour ahead, every task started here has.
    now = Date.now() + 3_600_000
    h = await harness({clock, stableAfterMs: 0})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    const steady = '(service web) has reached a steady state.'
    const count = async () => (await svc()).events.filter((e: any) => e.message === steady).length
    await waitFor(async () => (await count()) === 1)
    await passes(30)
    expect(await count()).toBe(1)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 2})
    await waitFor(async () => (await svc()).runningCount === 2)
    await waitFor(async () => (await count()) === 2)
    await passes(30)
    expect(await count()).toBe(2)
    // The deployment completed once, with the first steady state.
    const s = await svc()
    expect(s.events.filter((e: any) => e.message.endsWith('deployment completed.'))).toHaveLength(1)
    expect(s.deployments[0].rolloutStateReason).toBe(`ECS deployment ${s.deployments[0].id} completed.`)
  })

  it('cannot place a task too large in CPU alone, or in memory alone', async () => {
    now = 1_000_000
    for (const [capacity, size] of [
      [{cpu: 256, memory: 8192}, {cpu: '512', memory: '1024'}],
      [{cpu: 4096, memory: 512}, {cpu: '256', memory: '1024'}],
    ] as const) {
      h = await harness({clock, capacity})
      await h.call('CreateCluster', {clusterName: 'c1'})
      await h.call('RegisterTaskDefinition', taskDef('web', size))
      await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
      await waitFor(async () => (await svc()).events.some((e: any) => e.message.includes('was unable to place a task')))
      expect(h.driver.started).toEqual([])
      await h.close()
    }
  })

  it('says it cannot place a task at most once a minute', async () => {
    now = 1_000_000
    h = await harness({clock, capacity: {cpu: 256, memory: 512}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web', {cpu: '512', memory: '1024'}))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    const unable = async () => (await svc()).events.filter((e: any) => e.message.includes('was unable to place a task')).length
    await waitFor(async () => (await unable()) === 1)
    now += 60_000
    await passes(30)
    expect(await unable()).toBe(1)
    now += 1
    await waitFor(async () => (await unable()) === 2)
  })

  it('stops the newest tasks first when a service scales in', async () => {
    now = Date.now() + 3_600_000
    h = await harness({clock, stableAfterMs: 0})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).runningCount === 1)
    const [oldest] = await tasksOf()
    for (const desiredCount of [2, 3]) {
      now += 1_000
      await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount})
      await waitFor(async () => (await svc()).runningCount === desiredCount)
    }
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 1})
    await waitFor(async () => (await tasksOf()).length === 1)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([oldest.taskArn])
  })

  it('fails a task on ELB health checks exactly when the grace period ends', async () => {
    now = Date.now()
    const {tg, first} = await failingBehindGracePeriod()
    const startedAt = Math.round(first.startedAt * 1000)
    now = startedAt + 59_999
    await passes(30)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([first.taskArn])
    h.targets.initialState = 'healthy'
    now = startedAt + 60_000
    await waitFor(async () => (await tasksOf('STOPPED')).some((t: any) => t.taskArn === first.taskArn))
    expect((await svc()).deployments[0].failedTasks).toBe(1)
  })

  it('counts a task without health checks as healthy exactly once it has run stableAfterMs', async () => {
    now = Date.now()
    h = await harness({clock, stableAfterMs: 10_000})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    const first = await waitFor(async () => (await tasksOf()).find((t: any) => t.lastStatus === 'RUNNING'))
    const startedAt = Math.round(first.startedAt * 1000)
    now = startedAt + 9_999
    await passes(30)
    expect((await svc()).deployments[0].rolloutState).toBe('IN_PROGRESS')
    now = startedAt + 10_000
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
  })

  it('waits only for the health checks of essential containers', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0}, {autoHealthy: false})
    await h.call('CreateCluster', {clusterName: 'c1'})
    // A sidecar that is not essential has a health check that never passes.
    await h.call('RegisterTaskDefinition', {
      ...taskDef('web'),
      containerDefinitions: [
        {name: 'app', image: 'busybox', command: ['sh', '-c', 'sleep 1000'], portMappings: [{containerPort: 8080}]},
        {name: 'sidecar', image: 'busybox', command: ['sh', '-c', 'sleep 1000'], essential: false, ...healthCheck},
      ],
    })
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    expect((await tasksOf())[0].containers.find((c: any) => c.name === 'sidecar').healthStatus).toBe('UNKNOWN')
    // Made essential, its check decides: the next deployment waits for it, however long its task runs.
    await h.call('RegisterTaskDefinition', {
      ...taskDef('web'),
      containerDefinitions: [
        {name: 'app', image: 'busybox', command: ['sh', '-c', 'sleep 1000'], portMappings: [{containerPort: 8080}]},
        {name: 'sidecar', image: 'busybox', command: ['sh', '-c', 'sleep 1000'], ...healthCheck},
      ],
    })
    await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})
    await waitFor(async () => (await tasksOf()).some((t: any) => t.taskDefinitionArn.endsWith('web:2') && t.lastStatus === 'RUNNING'))
    await passes(30)
    const s = await svc()
    expect(s.deployments.map((d: any) => d.rolloutState)).toEqual(['IN_PROGRESS', 'COMPLETED'])
  })

  it('counts a task failing the checks of two target groups as one failure', async () => {
    now = Date.now() + 60_000
    h = await harness({clock, stableAfterMs: 0})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {portMappings: [{containerPort: 8080}, {containerPort: 9090}]}))
    const [web, admin] = ['web', 'admin'].map((n) => `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${n}/abc`)
    h.targets.addGroup(web!)
    h.targets.addGroup(admin!)
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      loadBalancers: [{targetGroupArn: web, containerName: 'app', containerPort: 8080}, {targetGroupArn: admin, containerName: 'app', containerPort: 9090}],
    })
    await waitFor(async () => (await svc()).deployments[0].rolloutState === 'COMPLETED')
    const [first] = await tasksOf()
    // Both checks fail at once (and the task's targets take their time to drain); its replacement
    // registers healthy.
    h.targets.holdDeregistrations = true
    h.targets.setAll(web!, 'unhealthy')
    h.targets.setAll(admin!, 'unhealthy')
    await waitFor(async () => (await svc()).events.some((e: any) => e.message === '(service web) has begun draining connections on 1 tasks.'))
    await passes(30)
    const s = await svc()
    expect(s.deployments[0].failedTasks).toBe(1)
    expect(s.events.filter((e: any) => e.message.includes('failed ELB health checks'))).toEqual([
      expect.objectContaining({message: `(service web) (task ${first.taskArn.split('/').pop()}) failed ELB health checks in (target-group ${web}).`}),
    ])
    h.targets.holdDeregistrations = false
    expect(h.targets.releaseDeregistrations()).toBe(2)
    await waitFor(async () => (await tasksOf('STOPPED')).some((t: any) => t.taskArn === first.taskArn))
  })
})
