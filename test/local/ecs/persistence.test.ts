import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {buildSync} from 'esbuild'
import {afterEach, describe, expect, it} from 'vitest'
import {RESTART_REASON} from '../../../src/local/cluster/task-manager.js'
import {harness, NETWORK, taskDef, waitFor, type Harness} from './helpers.js'

let h: Harness | undefined
const dirs: string[] = []
afterEach(async () => {
  await h?.close()
  h = undefined
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

const describeAll = async (arns: string[]) => {
  const out: any[] = []
  for (let i = 0; i < arns.length; i += 100) out.push(...(await h!.call('DescribeTasks', {cluster: 'c1', tasks: arns.slice(i, i + 100)})).tasks)
  return out
}

describe('persistence', () => {
  it('keeps everything across a restart: started tasks stop with a reason, services recover their count', async () => {
    h = await harness()
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('job'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'job', desiredCount: 2, networkConfiguration: NETWORK})
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    await waitFor(async () => (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0].runningCount === 2)
    const before = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web'})).taskArns
    await h.restart()
    const [standalone] = await describeAll([tasks[0].taskArn])
    expect(standalone).toMatchObject({lastStatus: 'STOPPED', stoppedReason: RESTART_REASON, stopCode: 'TerminationNotice'})
    const s = await waitFor(async () => {
      const x = (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0]
      return x.runningCount === 2 && x
    })
    expect(s.taskDefinition).toMatch(/job:1$/)
    const after = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web'})).taskArns
    expect(after.some((a: string) => before.includes(a))).toBe(false)
    expect((await describeAll(before)).every((t) => t.lastStatus === 'STOPPED' && t.stoppedReason === RESTART_REASON)).toBe(true)
  })

  it('does not count tasks lost to a restart as deployment failures', async () => {
    h = await harness({circuitBreaker: {minThreshold: 1}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('job'))
    await h.call('CreateService', {
      cluster: 'c1', serviceName: 'web', taskDefinition: 'job', desiredCount: 3, networkConfiguration: NETWORK,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}},
    })
    await waitFor(async () => (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0].deployments[0].rolloutState === 'COMPLETED')
    await h.restart()
    const s = await waitFor(async () => {
      const x = (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0]
      return x.runningCount === 3 && x
    })
    expect(s.deployments).toHaveLength(1)
    expect(s.deployments[0]).toMatchObject({rolloutState: 'COMPLETED', failedTasks: 0})
  })

  it('starts nothing once paused for shutdown; what waits starts on the next run', async () => {
    // Every scheduler tick reads the clock (to prune stopped tasks), paused or not: counting the reads
    // tells how many ticks went by, however slowly the machine runs them.
    let reads = 0
    h = await harness({clock: {now: () => (reads++, Date.now())}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('job'))
    await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'job', desiredCount: 2, networkConfiguration: NETWORK})
    await waitFor(async () => (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0].runningCount === 2)
    const serviceTasks = (await h.call('ListTasks', {cluster: 'c1', serviceName: 'web'})).taskArns
    await h.ecs.pause()
    const started = h.driver.started.length
    await h.driver.shutdown()
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    // The service's tasks are reported stopped (what would make the scheduler replace them), then many
    // ticks go by, each of which would have started a replacement or the waiting task.
    await waitFor(async () => (await describeAll(serviceTasks)).every((t) => t.lastStatus === 'STOPPED'))
    const ticks = reads + 30
    await waitFor(() => reads >= ticks, 10_000, '30 scheduler ticks')
    // The scheduler did not replace the stopped service tasks, and RunTask's task waits.
    expect(h.driver.started.length).toBe(started)
    expect((await describeAll([tasks[0].taskArn]))[0].lastStatus).toBe('PENDING')
    await h.restart()
    await waitFor(async () => (await describeAll([tasks[0].taskArn]))[0].lastStatus === 'RUNNING')
    await waitFor(async () => (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0].runningCount === 2)
  })

  it('starts after a restart the acknowledged tasks that were still waiting for capacity', async () => {
    h = await harness({capacity: {cpu: 256, memory: 512}})
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('job'))
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, count: 2})
    await waitFor(async () => (await describeAll([tasks[0].taskArn]))[0].lastStatus === 'RUNNING')
    expect((await describeAll([tasks[1].taskArn]))[0].lastStatus).toBe('PENDING')
    await h.restart()
    const [first, second] = await describeAll(tasks.map((t: any) => t.taskArn))
    expect(first.lastStatus).toBe('STOPPED')
    await waitFor(async () => (await describeAll([second.taskArn]))[0].lastStatus === 'RUNNING')
  })

  it('loses no acknowledged RunTask when killed with SIGKILL in a burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pier-ecs-crash-'))
    dirs.push(dir)
    const bundle = join(dir, 'child.mjs')
    buildSync({
      entryPoints: [fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    })
    const stateDir = join(dir, 'state')
    const child = spawn(process.execPath, [bundle, stateDir], {stdio: ['ignore', 'pipe', 'inherit']})
    const acked: string[] = []
    let buf = ''
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => resolve())
      child.on('error', reject)
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString()
        let nl
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          if (line.startsWith('ack ')) acked.push(line.slice(4))
          if (acked.length >= 60 || line === 'done') child.kill('SIGKILL')
        }
      })
    })
    expect(acked.length).toBeGreaterThanOrEqual(60)
    h = await harness({}, {}, stateDir)
    const tasks = await describeAll(acked)
    expect(tasks.map((t) => t.taskArn).sort()).toEqual([...acked].sort())
    for (const t of tasks) {
      if (t.lastStatus === 'STOPPED') expect(t.stoppedReason).toBe(RESTART_REASON)
      else expect(['PENDING', 'RUNNING']).toContain(t.lastStatus)
    }
    await waitFor(async () => (await h!.call('DescribeServices', {cluster: 'c1', services: ['web']})).services[0].runningCount === 3)
  })
})
