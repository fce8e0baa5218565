// A service scaling out places its new tasks by base and weight counting the tasks it already runs, so
// that scaling in steps ends with the same split over capacity providers as placing them all at once.
import {afterEach, describe, expect, it} from 'vitest'
import {harness, NETWORK, taskDef, waitFor, type Harness} from './helpers.js'

let h: Harness
afterEach(async () => h?.close())

const strategy = [{capacityProvider: 'FARGATE', base: 2, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 3}]

async function split(): Promise<Record<string, number>> {
  const arns = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web', desiredStatus: 'RUNNING'})).taskArns
  const tasks = arns.length === 0 ? [] : (await h.call('DescribeTasks', {cluster: 'c1', tasks: arns})).tasks
  const out: Record<string, number> = {}
  for (const t of tasks) out[t.capacityProviderName] = (out[t.capacityProviderName] ?? 0) + 1
  return out
}

async function steadyAt(count: number): Promise<void> {
  await waitFor(async () => {
    const s = (await h.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0]
    return s.runningCount === count && s.pendingCount === 0 && s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED'
  }, 10_000, `web steady at ${count}`)
}

describe('service scale-out over a capacity provider strategy', () => {
  it('counts the running tasks: 2, then 6, then 10 split as placing 10 at once would', async () => {
    h = await harness()
    await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE', 'FARGATE_SPOT']})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK, capacityProviderStrategy: strategy})
    await steadyAt(2)
    expect(await split()).toEqual({FARGATE: 2})
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 6})
    await steadyAt(6)
    expect(await split()).toEqual({FARGATE: 3, FARGATE_SPOT: 3})
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 10})
    await steadyAt(10)
    expect(await split()).toEqual({FARGATE: 4, FARGATE_SPOT: 6})
  })

  it('uses the cluster’s default strategy when the service names none', async () => {
    h = await harness()
    await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{capacityProvider: 'FARGATE', base: 1, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 1}]})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await steadyAt(1)
    expect(await split()).toEqual({FARGATE: 1})
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 5})
    await steadyAt(5)
    expect(await split()).toEqual({FARGATE: 3, FARGATE_SPOT: 2})
  })

  it('counts the running tasks of each provider by its own name', async () => {
    h = await harness()
    await h.call('CreateCluster', {clusterName: 'c1', capacityProviders: ['FARGATE', 'FARGATE_SPOT']})
    await h.call('RegisterTaskDefinition', taskDef('web'))
    const oneToTwo = [{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 2}]
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 3, networkConfiguration: NETWORK, capacityProviderStrategy: oneToTwo})
    await steadyAt(3)
    expect(await split()).toEqual({FARGATE: 1, FARGATE_SPOT: 2})
    await h.call('UpdateService', {cluster: 'c1', service: 'web', desiredCount: 6})
    await steadyAt(6)
    expect(await split()).toEqual({FARGATE: 2, FARGATE_SPOT: 4})
  })
})
