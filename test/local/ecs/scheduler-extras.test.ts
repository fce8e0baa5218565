import {afterEach, describe, expect, it} from 'vitest'
import type {DiscoveryRegistry} from '../../../src/local/contracts.js'
import {harness, NETWORK, taskDef, waitFor, type Harness, webService} from './helpers.js'

let h: Harness
afterEach(async () => h?.close())

const svc = () => webService(h)

describe('service scheduler extras', () => {
  it('registers each RUNNING task in Cloud Map and deregisters it when it stops', async () => {
    const calls: string[] = []
    const discovery: DiscoveryRegistry = {
      async registerInstance(arn, id, addr) {
        calls.push(`register ${arn} ${id} ${addr.ip}:${addr.port}`)
      },
      async deregisterInstance(arn, id) {
        calls.push(`deregister ${arn} ${id}`)
      },
      hostsFor: () => '',
    }
    h = await harness({discovery})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    const registry = 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-1'
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      serviceRegistries: [{registryArn: registry, containerName: 'app', containerPort: 8080}],
    })
    await waitFor(() => calls.length === 1)
    const [task] = (await h.call('DescribeTasks', {cluster: 'c1', tasks: (await h.call('ListTasks', {cluster: 'c1'})).taskArns})).tasks
    const id = task.taskArn.split('/').pop()
    expect(calls[0]).toBe(`register ${registry} ${id} 127.0.0.1:${task.containers[0].networkBindings[0].hostPort}`)
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 0})
    await waitFor(() => calls.includes(`deregister ${registry} ${id}`))
  })

  it('backs off launches after repeated failures, by the injected clock', async () => {
    let now = 1_000_000
    // Every scheduler pass reads the clock: counting the reads tells how many passes went by, however
    // slowly the machine runs them.
    let reads = 0
    h = await harness({clock: {now: () => (reads++, now)}, throttle: {baseMs: 10_000, maxMs: 60_000}, stableAfterMs: 0}, {exitAfterStart: () => 1})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(async () => (await svc()).deployments[0].failedTasks >= 2)
    // Let the stopped task's report settle, then note the launches so far.
    const settle = reads + 20
    await waitFor(() => reads >= settle)
    const started = h.driver.started.length
    // The clock stands still: no launch while the back-off lasts, over many scheduler passes.
    const passes = reads + 50
    await waitFor(() => reads >= passes)
    expect(h.driver.started.length).toBe(started)
    // The back-off ends exactly 10 s after the second failure.
    now += 10_000
    await waitFor(() => h.driver.started.length > started)
  })

  it('backs off only after failures in a row: a healthy task in between starts the count again', async () => {
    // The clock stands a minute ahead of the tasks' start times: a RUNNING task counts as up at once.
    const now = Date.now() + 60_000
    let reads = 0
    h = await harness({clock: {now: () => (reads++, now)}, throttle: {baseMs: 10_000, maxMs: 60_000}, stableAfterMs: 0})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    for (let crash = 1; crash <= 3; crash++) {
      const task = await waitFor(async () => {
        const arns = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web'})).taskArns
        const [t] = arns.length === 1 ? (await h.call('DescribeTasks', {cluster: 'c1', tasks: arns})).tasks : []
        return t?.lastStatus === 'RUNNING' && t
      })
      // A scheduler pass sees it healthy before it crashes.
      const seen = reads + 5
      await waitFor(() => reads >= seen)
      h.driver.exit(task.taskArn.split('/').pop(), 1)
      // With the clock standing still, a back-off would hold the replacement back for good.
      await waitFor(async () => (await svc()).deployments[0].failedTasks === crash)
    }
    await waitFor(async () => (await svc()).runningCount === 1)
    expect((await svc()).events.some((e: any) => e.message.includes('is unable to consistently start tasks'))).toBe(false)
  })

  it('says when it cannot place a task that can never fit', async () => {
    h = await harness({capacity: {cpu: 256, memory: 512}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('web', {cpu: '512', memory: '1024'}))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    const s = await waitFor(async () => {
      const x = await svc()
      return x.events.length > 0 && x
    })
    expect(s.events[0].message).toBe(
      '(service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.',
    )
    expect(s.runningCount + s.pendingCount).toBe(0)
  })

  it('replaces interrupted spot tasks of a service', async () => {
    h = await harness()
    await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE_SPOT']})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK,
      capacityProviderStrategy: [{capacityProvider: 'FARGATE_SPOT', weight: 1}],
    })
    await waitFor(async () => (await svc()).runningCount === 2)
    const interrupted = h.ecs.interruptSpotTasks({count: 1})
    expect(interrupted).toHaveLength(1)
    await waitFor(async () => {
      const arns = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web'})).taskArns
      return arns.length === 2 && !arns.includes(interrupted[0]) && (await svc()).runningCount === 2
    })
    // A spot interruption is not a deployment failure.
    expect((await svc()).deployments[0].failedTasks).toBe(0)
  })
})
