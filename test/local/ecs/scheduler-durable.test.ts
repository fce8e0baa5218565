// What the service scheduler changes on its own (events, the steady state, a failed deployment, a
// deleted service's end) reaches the disk without a clean shutdown: a copy of the state directory,
// read as a crash would leave it, holds the service as it is in memory.
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import {afterEach, describe, expect, it} from 'vitest'
import {EcsStore, type EcsState, type ServiceRecord} from '../../../src/local/cluster/state.js'
import {harness, NETWORK, taskDef, waitFor, type Harness, closeReleasingStops, webService} from './helpers.js'

let h: Harness
afterEach(() => closeReleasingStops(h))

const arn = 'arn:aws:ecs:us-east-1:000000000000:service/c1/web'
const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/abc'
const svc = () => webService(h)
const memory = () => (h.ecs.listener as any).deps.store.state as EcsState
const inMemory = (): ServiceRecord => memory().services[arn]!

/** The state as the disk holds it now (the journal replayed over the snapshot, as after a crash). */
function diskState(): EcsState {
  const copy = mkdtempSync(join(tmpdir(), 'pier-ecs-copy-'))
  try {
    cpSync(join(h.stateDir, 'ecs'), join(copy, 'ecs'), {recursive: true})
    const store = new EcsStore(copy)
    const state = store.state
    store.close()
    return state
  } finally {
    rmSync(copy, {recursive: true, force: true})
  }
}
const onDisk = (): ServiceRecord | undefined => diskState().services[arn]

/** Waits until the disk holds the service and the tasks as memory does (undefined fields are not written). */
const written = (what: string) =>
  waitFor(() => {
    const plain = (st: EcsState) => JSON.parse(JSON.stringify({services: st.services, tasks: st.tasks}))
    return isDeepStrictEqual(plain(diskState()), plain(memory()))
  }, 5000, `${what} on disk`)

async function setup(extra = {}, driverOpts = {}): Promise<void> {
  h = await harness({stableAfterMs: 0, ...extra}, driverOpts)
  await h.call('CreateCluster', {clusterName: 'c1'})
  await h.call('RegisterTaskDefinition', taskDef('web'))
}

describe('service scheduler: changes reach the disk', () => {
  it('writes the steady state, its end while health checks fail in the grace period, and its return', async () => {
    await setup()
    h.targets.addGroup(tg)
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK, healthCheckGracePeriodSeconds: 3600,
      loadBalancers: [{targetGroupArn: tg, containerName: 'app', containerPort: 8080}],
    })
    await waitFor(() => inMemory().steadyAnnouncedAt !== undefined)
    await written('the steady state')
    expect(onDisk()!.deployments[0]!.rolloutState).toBe('COMPLETED')
    // Failing checks within the grace period: the task stays, but the service is no longer steady.
    h.targets.setAll(tg, 'unhealthy')
    await waitFor(() => inMemory().steadyAnnouncedAt === undefined)
    await written('the end of the steady state')
    expect(onDisk()!.steadyAnnouncedAt).toBeUndefined()
    h.targets.setAll(tg, 'healthy')
    await waitFor(async () => (await svc()).events.filter((e: any) => e.message === '(service web) has reached a steady state.').length === 2)
    await written('the second steady state')
  })

  it('writes a deployment the circuit breaker failed, with nothing to roll back to', async () => {
    // A clock behind the tasks' start times: a RUNNING task never counts as up long enough.
    await setup({circuitBreaker: {minThreshold: 1}, clock: {now: () => 1_000_000}})
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    await waitFor(async () => (await svc()).runningCount === 1)
    await written('the running service')
    h.driver.exit(h.driver.started[0]!.taskId, 1)
    await waitFor(() => inMemory().deployments[0]!.rolloutState === 'FAILED')
    await written('the failed deployment')
    expect(onDisk()!.deployments[0]).toMatchObject({rolloutState: 'FAILED', failedTasks: 1, halted: true})
  })

  it('writes that a task cannot be placed', async () => {
    await setup({capacity: {cpu: 256, memory: 512}})
    await h.call('RegisterTaskDefinition', taskDef('web', {cpu: '512', memory: '1024'}))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web:2', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(() => inMemory().events.length === 1)
    await written('the unplaceable task')
    expect(onDisk()!.events[0]!.message).toMatch(/^\(service web\) was unable to place a task\./)
  })

  it('writes a deleted service’s stop of its tasks, then its end', async () => {
    await setup({}, {holdStops: true})
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK})
    await waitFor(() => inMemory().steadyAnnouncedAt !== undefined)
    await written('the steady service')
    await h.call('DeleteService', {cluster: 'c1', service: 'web', force: true})
    await waitFor(() => h.driver.stopped.length === 1)
    await written('the stop of the task')
    // Still DRAINING: its task has not stopped yet.
    expect(onDisk()!.status).toBe('DRAINING')
    expect(onDisk()!.events[0]!.message).toMatch(/^\(service web\) has stopped 1 running tasks: /)
    h.driver.opts.holdStops = false
    h.driver.releaseStops()
    await waitFor(() => inMemory().status === 'INACTIVE')
    await written('the inactive service')
    expect(onDisk()!.deployments.map((d) => d.status)).toEqual(['INACTIVE'])
  })
})
