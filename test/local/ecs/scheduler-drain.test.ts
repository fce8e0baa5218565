// The service scheduler and load balancers: a task with targets drains before it stops, a deleted
// service stays DRAINING until its tasks have drained and stopped, a rollout completes only once the old
// tasks have drained, and a task's health is its own target's (matched by address and port), never
// another target's in the same group. "Nothing happened" checks count scheduler passes (each reads the
// clock), never a fixed sleep.
import {afterEach, describe, expect, it} from 'vitest'
import {countingClock, harness, NETWORK, taskDef, waitFor, type Harness, webService, webTasks} from './helpers.js'

let h: Harness
afterEach(async () => {
  if (!h) return
  h.targets.holdDeregistrations = false
  h.targets.releaseDeregistrations()
  h.driver.opts.holdStops = false
  h.driver.releaseStops()
  h.driver.opts.holdStarts = false
  h.driver.releaseStarts()
  await h.close()
})

// A minute ahead of the tasks' (real) start times: a task counts as up long enough at once.
const {clock, passes} = countingClock(() => Date.now() + 60_000)
const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/abc'
const svc = () => webService(h)
const messages = async (): Promise<string[]> => (await svc()).events.map((e: any) => e.message)
const describe1 = async (arn: string) => (await h.call('DescribeTasks', {cluster: 'c1', tasks: [arn]})).tasks[0]
const tasksOf = () => webTasks(h)
const steady = () =>
  waitFor(async () => {
    const s = await svc()
    return s.runningCount === 1 && s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s
  }, 10_000, 'web steady at 1')
const portOf = (t: any) => t.containers[0].networkBindings[0].hostPort as number

async function webBehindTargetGroup(driverOpts?: Parameters<typeof harness>[1]): Promise<void> {
  h = await harness({clock, stableAfterMs: 0}, driverOpts)
  h.targets.addGroup(tg)
  await h.call('CreateCluster', {clusterName: 'c1'})
  await h.call('RegisterTaskDefinition', taskDef('web'))
  await h.call('CreateService', {
    cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
    loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
  })
}

describe('service scheduler: draining and target health', () => {
  it('keeps a deleted service DRAINING while its task drains, then stops the task and makes the service INACTIVE', async () => {
    await webBehindTargetGroup()
    await steady()
    const [task] = await tasksOf()
    h.targets.holdDeregistrations = true
    const out = await h.call('DeleteService', {cluster: 'c1', service: 'web', force: true})
    expect(out.service.status).toBe('DRAINING')
    await waitFor(async () => (await messages()).includes('(service web) has begun draining connections on 1 tasks.'))
    await passes(30)
    // Still serving while its connections drain: RUNNING, not asked to stop yet, asked to drain once.
    expect((await describe1(task.taskArn))).toMatchObject({lastStatus: 'RUNNING', desiredStatus: 'RUNNING'})
    const s = await svc()
    expect(s.status).toBe('DRAINING')
    expect(s.deployments.map((d: any) => d.status)).toEqual(['PRIMARY'])
    const all = await messages()
    expect(all.filter((m) => m.startsWith('(service web) has begun draining'))).toHaveLength(1)
    expect(all).toContain(`(service web) has stopped 1 running tasks: (task ${task.taskArn.split('/').pop()}).`)
    expect(h.driver.stopped).toEqual([])

    expect(h.targets.releaseDeregistrations()).toBe(1)
    const stopped = await waitFor(async () => {
      const t = await describe1(task.taskArn)
      return t.lastStatus === 'STOPPED' && t
    })
    expect(stopped).toMatchObject({stopCode: 'ServiceSchedulerInitiated', stoppedReason: expect.stringMatching(/^Scaling activity initiated by \(deployment ecs-svc\/\d{19}\)$/)})
    const gone = await waitFor(async () => {
      const x = await svc()
      return x.status === 'INACTIVE' && x
    })
    expect(gone.deployments.map((d: any) => d.status)).toEqual(['INACTIVE'])
    expect(await messages()).toContain(`(service web) deregistered 1 targets in (target-group ${tg})`)
    expect(h.targets.health(tg)).toEqual([])
  })

  it('makes a deleted service INACTIVE when its draining task exits by itself', async () => {
    await webBehindTargetGroup()
    await steady()
    const [task] = await tasksOf()
    h.targets.holdDeregistrations = true
    await h.call('DeleteService', {cluster: 'c1', service: 'web', force: true})
    await waitFor(async () => (await messages()).includes('(service web) has begun draining connections on 1 tasks.'))
    h.driver.exit(task.taskArn.split('/').pop(), 0)
    await waitFor(async () => (await svc()).status === 'INACTIVE')
    expect((await describe1(task.taskArn)).lastStatus).toBe('STOPPED')
  })

  it('registers a task in its target group once, however often it reports', async () => {
    h = await harness({clock, stableAfterMs: 0}, {autoHealthy: false})
    h.targets.addGroup(tg)
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {healthCheck: {command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1}}))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
    })
    const [task] = await waitFor(async () => {
      const t = await tasksOf()
      return t.length === 1 && t[0].lastStatus === 'RUNNING' && t
    })
    // The container's health check passes: a second RUNNING report.
    h.driver.setHealth(task.taskArn.split('/').pop(), 'HEALTHY')
    await steady()
    await passes(30)
    expect(h.targets.log.filter((l) => l.startsWith('register'))).toHaveLength(1)
    expect((await messages()).filter((m) => m.startsWith('(service web) registered'))).toEqual([`(service web) registered 1 targets in (target-group ${tg})`])
  })

  it('keeps a deleted service without targets DRAINING until its task has stopped', async () => {
    h = await harness({clock, stableAfterMs: 0}, {holdStops: true})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await steady()
    const [task] = await tasksOf()
    await h.call('DeleteService', {cluster: 'c1', service: 'web', force: true})
    // The task takes its time to stop (a process that handles SIGTERM slowly).
    await waitFor(() => h.driver.stopped.length === 1)
    await passes(30)
    expect((await describe1(task.taskArn))).toMatchObject({lastStatus: 'RUNNING', desiredStatus: 'STOPPED'})
    expect((await svc()).status).toBe('DRAINING')
    expect((await h.call('ListServices', {cluster: 'c1'})).serviceArns).toHaveLength(1)
    h.driver.opts.holdStops = false
    h.driver.releaseStops()
    await waitFor(async () => (await svc()).status === 'INACTIVE')
    expect((await describe1(task.taskArn)).lastStatus).toBe('STOPPED')
  })

  it('completes a rollout only once the old task has drained and stopped', async () => {
    await webBehindTargetGroup()
    const first = await steady()
    const steadyEvents = async () => (await messages()).filter((m) => m === '(service web) has reached a steady state.').length
    expect(await steadyEvents()).toBe(1)
    const [old] = await tasksOf()
    h.targets.holdDeregistrations = true
    const next = (await h.call('UpdateService', {cluster: 'c1', service: 'web', forceNewDeployment: true})).service.deployments[0].id
    await waitFor(async () => (await messages()).includes('(service web) has begun draining connections on 1 tasks.'))
    await passes(30)
    // The new task is RUNNING and healthy; the old one still drains: its deployment is still listed
    // and the new one is not complete.
    const s = await svc()
    expect(s.deployments.map((d: any) => [d.id, d.status])).toEqual([[next, 'PRIMARY'], [first.deployments[0].id, 'ACTIVE']])
    expect(s.deployments[0]).toMatchObject({rolloutState: 'IN_PROGRESS', runningCount: 1})
    expect(s.deployments[1]).toMatchObject({runningCount: 1})
    expect((await describe1(old.taskArn)).lastStatus).toBe('RUNNING')
    expect(await steadyEvents()).toBe(1)
    expect((await messages()).filter((m) => m.startsWith('(service web) has begun draining'))).toHaveLength(1)

    h.targets.holdDeregistrations = false
    h.targets.releaseDeregistrations()
    const done = await steady()
    expect(done.deployments[0]).toMatchObject({id: next, rolloutStateReason: `ECS deployment ${next} completed.`})
    expect((await describe1(old.taskArn)).lastStatus).toBe('STOPPED')
    await waitFor(async () => (await steadyEvents()) === 2)
  })

  it('judges a task by its own target, not by another target of the group on the same address or port', async () => {
    await webBehindTargetGroup()
    await steady()
    const [old] = await tasksOf()
    h.targets.initialState = 'initial'
    await h.call('UpdateService', {cluster: 'c1', service: 'web', forceNewDeployment: true})
    const next = await waitFor(async () => (await tasksOf()).find((t: any) => t.taskArn !== old.taskArn && t.lastStatus === 'RUNNING' && h.targets.health(tg).length === 2))
    const [oldPort, newPort] = [portOf(old), portOf(next)]
    expect(h.targets.health(tg).map((x) => x.target.port).sort()).toEqual([oldPort, newPort].sort())
    // Other targets, listed before the tasks' own: another host on the tasks' ports, another port on
    // their host. All unhealthy; none is a task's.
    for (const port of [oldPort, newPort]) h.targets.set(tg, '10.0.0.9', port, 'unhealthy', {first: true})
    h.targets.set(tg, '127.0.0.1', 1, 'unhealthy', {first: true})
    await passes(30)
    // The old task is not failed for them, and the new one is not healthy before its own target is.
    expect((await describe1(old.taskArn)).lastStatus).toBe('RUNNING')
    expect((await svc()).deployments[0].rolloutState).toBe('IN_PROGRESS')
    h.targets.set(tg, '127.0.0.1', newPort, 'healthy')
    const done = await steady()
    expect(done.deployments[0].failedTasks).toBe(0)
    expect((await tasksOf()).map((t: any) => t.taskArn)).toEqual([next.taskArn])
    expect((await describe1(old.taskArn)).stoppedReason).toMatch(/^Scaling activity initiated by/)
    expect((await messages()).some((m) => m.includes('failed ELB health checks'))).toBe(false)
  })

  it('never registers a task that was asked to stop while it was starting', async () => {
    await webBehindTargetGroup({holdStarts: true})
    // Its image is still being pulled when the service scales to 0.
    await waitFor(() => h.driver.startsHeld === 1)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 0})
    const arn: string = await waitFor(async () => (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web', desiredStatus: 'STOPPED'})).taskArns[0])
    h.driver.opts.holdStarts = false
    h.driver.releaseStarts()
    await waitFor(async () => (await describe1(arn)).lastStatus === 'STOPPED')
    await waitFor(() => h.driver.stopped.length === 1)
    // It reported RUNNING on its way to being stopped: no traffic was ever sent to it.
    expect(h.targets.log).toEqual([])
    expect((await messages()).filter((m) => m.includes('registered'))).toEqual([])
  })

  it('keeps scheduling a service whose task’s target was removed from the group by hand', async () => {
    await webBehindTargetGroup()
    await steady()
    const [task] = await tasksOf()
    const [own] = h.targets.health(tg)
    h.targets.groups.get(tg)!.delete(`${own!.target.id}:${own!.target.port}`)
    for (const l of h.targets.listeners) l()
    await passes(30)
    expect((await describe1(task.taskArn)).lastStatus).toBe('RUNNING')
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 2})
    await waitFor(async () => (await svc()).runningCount === 2)
    expect((await svc()).deployments[0].failedTasks).toBe(0)
  })

  it('runs a service with load balancers when no target registry is attached: tasks count once up long enough', async () => {
    h = await harness({clock, stableAfterMs: 0, targets: undefined})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, healthCheckGracePeriodSeconds: 0,
      loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
    })
    await steady()
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 0})
    await waitFor(async () => (await tasksOf()).length === 0)
    expect((await messages()).some((m) => m.includes('draining'))).toBe(false)
    expect(h.targets.log).toEqual([])
  })
})
