import {afterEach, describe, expect, it} from 'vitest'
import {expectServiceError, harness, NETWORK, taskDef, waitFor, type Harness} from './helpers.js'

let h: Harness
afterEach(async () => h?.close())

// Scheduler passes read the clock: waiting for reads, not for a fixed time, lets a "nothing happened"
// check see passes go by however busy the machine is.
let reads = 0
const passes = (n: number) => {
  const target = reads + n
  return waitFor(() => reads >= target, 10_000, `${n} scheduler passes`)
}

async function setup(extra = {}, driverOpts = {}) {
  h = await harness({clock: {now: () => (reads++, Date.now())}, ...extra}, driverOpts)
  await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE', 'FARGATE_SPOT']})
  await h.call('RegisterTaskDefinition', taskDef('web'))
}

const svc = async (name = 'web') => (await h.call('DescribeServices', {cluster: 'c1', services: [name]})).services[0]
const live = async (name = 'web') => {
  const arns = (await h.call('ListTasks', {cluster: 'c1', serviceName: name})).taskArns
  if (arns.length === 0) return []
  return (await h.call('DescribeTasks', {cluster: 'c1', tasks: arns})).tasks
}
const steady = (count: number, name = 'web') =>
  waitFor(async () => {
    const s = await svc(name)
    return s.runningCount === count && s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s
  }, 5000, `${name} steady at ${count}`)

describe('services', () => {
  it('reaches desired count, says so in ECS words, and replaces a stopped task', async () => {
    await setup()
    const created = await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK, launchType: 'FARGATE'})
    expect(created.service).toMatchObject({serviceName: 'web', status: 'ACTIVE', desiredCount: 2, launchType: 'FARGATE'})
    expect(created.service.deployments[0]).toMatchObject({status: 'PRIMARY', rolloutState: 'IN_PROGRESS'})
    expect(created.service.deployments[0].id).toMatch(/^ecs-svc\/\d{19}$/)
    const s = await steady(2)
    const messages = s.events.map((e: any) => e.message)
    expect(messages[0]).toBe('(service web) has reached a steady state.')
    expect(messages).toContain(`(service web) (deployment ${s.deployments[0].id}) deployment completed.`)
    expect(messages.some((m: string) => /^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/.test(m))).toBe(true)
    const tasks = await live()
    expect(tasks[0].group).toBe('service:web')
    expect(tasks[0].startedBy).toBe(s.deployments[0].id)
    h.driver.exit(tasks[0].taskArn.split('/').pop(), 1)
    await waitFor(async () => {
      const now = await live()
      return now.length === 2 && now.every((t: any) => t.taskArn !== tasks[0].taskArn && t.lastStatus === 'RUNNING')
    })
    expect((await svc()).deployments[0].failedTasks).toBe(1)
  })

  it('rolls a new task definition within minimum/maximum percent', async () => {
    await setup()
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 4, networkConfiguration: NETWORK,
      deploymentConfiguration: {minimumHealthyPercent: 50, maximumPercent: 100},
    })
    await steady(4)
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {environment: [{name: 'V', value: '2'}]}))
    // Watch every change: never more than 4 tasks, never fewer than 2 running.
    let maxLive = 0
    let minRunning = Infinity
    const watch = setInterval(() => {
      const all = Object.values((h.ecs as any).listener.tasks) as any[]
      const active = all.filter((t) => t.lastStatus !== 'STOPPED')
      maxLive = Math.max(maxLive, active.length)
      minRunning = Math.min(minRunning, active.filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length)
    }, 1)
    const up = await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})
    expect(up.service.deployments.map((d: any) => d.status)).toEqual(['PRIMARY', 'ACTIVE'])
    const s = await waitFor(async () => {
      const x = await svc()
      return x.deployments.length === 1 && x.deployments[0].taskDefinition.endsWith('web:2') && x.deployments[0].rolloutState === 'COMPLETED' && x
    })
    clearInterval(watch)
    expect(s.runningCount).toBe(4)
    expect(maxLive).toBeLessThanOrEqual(4)
    expect(minRunning).toBeGreaterThanOrEqual(2)
    expect((await live()).every((t: any) => t.taskDefinitionArn.endsWith('web:2'))).toBe(true)
  })

  it('starts new tasks before stopping old ones with 100/200 and forceNewDeployment', async () => {
    await setup()
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK})
    await steady(2)
    const before = (await live()).map((t: any) => t.taskArn)
    let minRunning = Infinity
    const watch = setInterval(() => {
      const all = Object.values((h.ecs as any).listener.tasks) as any[]
      minRunning = Math.min(minRunning, all.filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length)
    }, 1)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', forceNewDeployment: true})
    await waitFor(async () => {
      const now = await live()
      return now.length === 2 && now.every((t: any) => !before.includes(t.taskArn) && t.lastStatus === 'RUNNING')
    })
    clearInterval(watch)
    expect(minRunning).toBeGreaterThanOrEqual(2)
  })

  it('scales with desiredCount alone without a new deployment', async () => {
    await setup()
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    const first = await steady(1)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 3})
    const s = await waitFor(async () => {
      const x = await svc()
      return x.runningCount === 3 && x
    })
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0].id).toBe(first.deployments[0].id)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 1})
    await waitFor(async () => (await live()).length === 1)
  })

  it('fails a deployment whose tasks keep failing and rolls back to the last completed task definition', async () => {
    await setup({circuitBreaker: {minThreshold: 2}}, {exitAfterStart: (spec: any) => (spec.taskDefinition === 'web:2' ? 1 : undefined)})
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    const first = await steady(2)
    await h.call('RegisterTaskDefinition', taskDef('web', {}, {command: ['false']}))
    await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})
    const s = await waitFor(async () => {
      const x = await svc()
      return x.deployments.length === 1 && x.deployments[0].rolloutState === 'COMPLETED' && x.deployments[0].id !== first.deployments[0].id && x
    }, 5000, 'rollback completed')
    expect(s.taskDefinition).toMatch(/web:1$/)
    expect(s.deployments[0].taskDefinition).toMatch(/web:1$/)
    const messages = s.events.map((e: any) => e.message)
    const failed = messages.find((m: string) => m.includes('deployment failed: tasks failed to start.'))
    expect(failed).toMatch(/^\(service web\) \(deployment ecs-svc\/\d{19}\) deployment failed: tasks failed to start\.$/)
    expect(messages.some((m: string) => m.includes('rolling back to deployment'))).toBe(true)
    expect((await live()).every((t: any) => t.taskDefinitionArn.endsWith('web:1') && t.lastStatus === 'RUNNING')).toBe(true)
  })

  it('marks the deployment FAILED without rollback and keeps the old tasks serving', async () => {
    await setup({circuitBreaker: {minThreshold: 2}}, {exitAfterStart: (spec: any) => (spec.taskDefinition === 'web:2' ? 1 : undefined)})
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: false}},
    })
    await steady(2)
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('UpdateService', {cluster: 'c1', service: 'web', taskDefinition: 'web:2'})
    const s = await waitFor(async () => {
      const x = await svc()
      return x.deployments[0].rolloutState === 'FAILED' && x
    })
    expect(s.deployments[0]).toMatchObject({status: 'PRIMARY', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'})
    expect(s.deployments[0].failedTasks).toBeGreaterThanOrEqual(2)
    await passes(20)
    const tasks = await live()
    expect(tasks.filter((t: any) => t.taskDefinitionArn.endsWith('web:1') && t.lastStatus === 'RUNNING')).toHaveLength(2)
  })

  it('registers tasks in target groups and waits for healthy targets before stopping old tasks', async () => {
    await setup()
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/abc'
    h.targets.addGroup(tg)
    await expectServiceError(
      h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, loadBalancers: [{targetGroupArn: tg + 'x', containerName: 'app', containerPort: 8080}]}),
      'InvalidParameterException',
      /does not exist/,
    )
    await expectServiceError(
      h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 80}]}),
      'InvalidParameterException',
      'The container app did not have a container port 80 defined.',
    )
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
    })
    await steady(1)
    const [old] = await live()
    const oldPort = old.containers[0].networkBindings[0].hostPort
    expect(h.targets.health(tg)).toEqual([{target: {id: '127.0.0.1', port: oldPort}, state: 'healthy'}])
    h.targets.initialState = 'initial'
    await h.call('UpdateService', {cluster: 'c1', service: 'web', forceNewDeployment: true})
    await waitFor(() => h.targets.health(tg).length === 2)
    await passes(20)
    // The new target is not healthy yet: the old task keeps serving.
    expect((await live()).some((t: any) => t.taskArn === old.taskArn)).toBe(true)
    h.targets.setAll(tg, 'healthy')
    await waitFor(async () => !(await live()).some((t: any) => t.taskArn === old.taskArn))
    await waitFor(() => h.targets.log.includes(`deregister 127.0.0.1:${oldPort}`))
    const s = await steady(1)
    const messages = s.events.map((e: any) => e.message)
    expect(messages).toContain(`(service web) registered 1 targets in (target-group ${tg})`)
    expect(messages).toContain('(service web) has begun draining connections on 1 tasks.')
    expect(messages).toContain(`(service web) deregistered 1 targets in (target-group ${tg})`)
  })

  it('counts a task healthy as soon as its target passes checks, and an unchecked one only once it has stayed up', async () => {
    // No periodic tick within the test: only the health change (or a task change) may move the service.
    await setup({stableAfterMs: 60_000, tickMs: 60_000})
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/fast'
    h.targets.addGroup(tg)
    h.targets.initialState = 'initial'
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}]})
    await waitFor(() => h.targets.health(tg).length === 1)
    expect((await svc()).deployments[0].rolloutState).toBe('IN_PROGRESS')
    h.targets.setAll(tg, 'healthy')
    await steady(1)

    await h.call('CreateService', {cluster: 'c1', serviceName: 'plain', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc('plain')).runningCount === 1)
    const woken = passes(1)
    h.targets.setAll(tg, 'healthy') // wakes the scheduler: the unchecked task is still too young
    await woken
    expect((await svc('plain')).deployments[0].rolloutState).toBe('IN_PROGRESS')
  })

  it('replaces a task that fails ELB health checks', async () => {
    await setup()
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/abc'
    h.targets.addGroup(tg)
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
    })
    await steady(1)
    const [first] = await live()
    h.targets.setAll(tg, 'unhealthy')
    const stopped = await waitFor(async () => {
      const d = (await h.call('DescribeTasks', {cluster: 'c1', tasks: [first.taskArn]})).tasks[0]
      return d.lastStatus === 'STOPPED' && d
    })
    expect(stopped.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${tg})`)
    await steady(1)
  })

  it('places service tasks by base and weight over the strategy', async () => {
    await setup()
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 6, networkConfiguration: NETWORK,
      capacityProviderStrategy: [{capacityProvider: 'FARGATE', base: 2, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 3}],
    })
    await steady(6)
    const providers = (await live()).map((t: any) => t.capacityProviderName).sort()
    expect(providers).toEqual(['FARGATE', 'FARGATE', 'FARGATE', 'FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE_SPOT'])
  })

  it('deletes a service: refuses while scaled up without force, drains, then INACTIVE', async () => {
    await setup()
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await steady(1)
    await expectServiceError(h.call('DeleteService', {cluster: 'c1', service: 'web'}), 'InvalidParameterException', 'The service cannot be stopped while it is scaled above 0.')
    await expectServiceError(h.call('DeleteCluster', {cluster: 'c1'}), 'ClusterContainsServicesException')
    const out = await h.call('DeleteService', {cluster: 'c1', service: 'web', force: true})
    expect(out.service.status).toBe('DRAINING')
    await waitFor(async () => (await svc()).status === 'INACTIVE')
    expect((await h.call('ListServices', {cluster: 'c1'})).serviceArns).toEqual([])
    await expectServiceError(h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 1}), 'ServiceNotActiveException', 'Service was not ACTIVE.')
    await expectServiceError(h.call('UpdateService', {cluster: 'c1', service: 'nope', desiredCount: 1}), 'ServiceNotFoundException', 'Service not found.')
    // The name can be used again once the old service is INACTIVE.
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 0, networkConfiguration: NETWORK})
    await expectServiceError(
      h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 0, networkConfiguration: NETWORK}),
      'InvalidParameterException',
      'Creation of service was not idempotent.',
    )
  })

  it('lists and describes services, with missing ones as failures', async () => {
    await setup()
    await h.call('CreateService', {cluster: 'c1', serviceName: 'a', taskDefinition: 'web', desiredCount: 0, networkConfiguration: NETWORK, tags: [{key: 'k', value: 'v'}]})
    await h.call('CreateService', {cluster: 'c1', serviceName: 'b', taskDefinition: 'web', desiredCount: 0, networkConfiguration: NETWORK})
    const list = await h.call('ListServices', {cluster: 'c1', maxResults: 1})
    expect(list.serviceArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:service/c1/a'])
    expect((await h.call('ListServices', {cluster: 'c1', nextToken: list.nextToken})).serviceArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:service/c1/b'])
    const d = await h.call('DescribeServices', {cluster: 'c1', services: ['a', 'zzz'], include: ['TAGS']})
    expect(d.services[0].tags).toEqual([{key: 'k', value: 'v'}])
    expect(d.services[0].deploymentConfiguration).toEqual({minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: {enable: false, rollback: false}})
    expect(d.failures).toEqual([{arn: 'arn:aws:ecs:us-east-1:000000000000:service/c1/zzz', reason: 'MISSING'}])
  })
})
