// The crash test, end to end: the daemon started by `pier local start` is killed with SIGKILL in
// the middle of a burst of RunTasks, then started again. Every task that RunTask acknowledged is there
// (RUNNING or PENDING, or STOPPED with a reason), no task process of the killed run survives, and the
// service returns to its desired count.
import {CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand} from '@aws-sdk/client-ecs'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {isAlive, stopLocal} from '../../src/local/launcher.js'
import {pier, processesMentioning, requireBuild} from './cli.js'

let dir: string
beforeAll(() => {
  requireBuild()
  dir = mkdtempSync(join(tmpdir(), 'pier-crash-'))
})
afterAll(async () => {
  await stopLocal(dir, {timeoutMs: 10_000})
  for (const pid of processesMentioning(join(dir, 'gate'))) process.kill(-pid, 'SIGKILL')
  rmSync(dir, {recursive: true, force: true})
})

async function start(): Promise<{ecs: ECSClient; pid: number}> {
  const r = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
  expect(r.code, r.stderr).toBe(0)
  const s = JSON.parse((await pier(['local', 'status', '--json', '--state-dir', dir])).stdout)
  const ecs = new ECSClient({endpoint: s.endpoint, region: s.region, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}, maxAttempts: 1})
  return {ecs, pid: s.pid}
}

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}

const NETWORK = {awsvpcConfiguration: {subnets: ['subnet-1']}}

describe('a SIGKILL during a burst of RunTasks', {timeout: 180_000}, () => {
  it('loses no acknowledged task, leaves no orphan and restores the service', async () => {
    const gate = join(dir, 'gate')
    const first = await start()
    await first.ecs.send(new CreateClusterCommand({clusterName: 'c1'}))
    // The jobs wait for their own gate; the service's tasks for the other, which never opens.
    for (const family of ['job', 'web']) {
      await first.ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [{name: 'app', image: 'busybox', essential: true, command: ['sh', '-c', `while [ ! -f ${gate}-${family} ]; do sleep 0.2; done`]}],
        }),
      )
    }
    await first.ecs.send(new CreateServiceCommand({cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK}))

    const acked: string[] = []
    let killed = false
    const burst = Array.from({length: 100}, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 5))
      try {
        const out = await first.ecs.send(new RunTaskCommand({cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, launchType: 'FARGATE'}))
        acked.push(...(out.tasks ?? []).map((t) => t.taskArn!))
      } catch (err) {
        if (!killed) throw err
      }
      if (acked.length >= 40 && !killed) {
        killed = true
        process.kill(first.pid, 'SIGKILL')
      }
    })
    await Promise.all(burst)
    expect(killed).toBe(true)
    await until(async () => !isAlive(first.pid))
    // Task processes outlive their control plane's SIGKILL (own process groups): the restart must end them.
    const survivors = processesMentioning(gate)
    expect(survivors.length).toBeGreaterThan(0)
    first.ecs.destroy()

    const second = await start()
    try {
      for (const pid of survivors) expect(isAlive(pid), `task process ${pid} of the killed run`).toBe(false)
      const tasks = []
      for (let i = 0; i < acked.length; i += 100) {
        tasks.push(...((await second.ecs.send(new DescribeTasksCommand({cluster: 'c1', tasks: acked.slice(i, i + 100)}))).tasks ?? []))
      }
      expect(tasks.map((t) => t.taskArn).sort()).toEqual([...acked].sort())
      for (const t of tasks) {
        if (t.lastStatus === 'STOPPED') expect(t.stoppedReason).toBeTruthy()
        else expect(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING']).toContain(t.lastStatus)
      }
      // The local capacity is the machine's: let the jobs finish so the service's tasks find room.
      writeFileSync(`${gate}-job`, '')
      await until(async () => {
        const s = (await second.ecs.send(new DescribeServicesCommand({cluster: 'c1', services: ['web']}))).services?.[0]
        return s?.runningCount === 2 && s
      }, 60_000)
    } finally {
      second.ecs.destroy()
    }
    const stop = await pier(['local', 'stop', '--state-dir', dir])
    expect(stop.code, stop.stderr).toBe(0)
    expect(processesMentioning(gate)).toEqual([])
  })
})
