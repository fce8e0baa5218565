// The local ECS in the daemon `pier local start` runs: tasks are real processes, `pier local stop`
// leaves none behind, and a SIGKILL during a burst of RunTasks loses no acknowledged task.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {isAlive, stopLocal} from '../../../src/local/launcher.js'
import {pier, requireBuild} from '../cli.js'
import {waitFor} from './helpers.js'

let dir: string
beforeEach(() => {
  requireBuild()
  dir = mkdtempSync(join(tmpdir(), 'pier-ecs-daemon-'))
})
afterEach(async () => {
  await stopLocal(dir, {timeoutMs: 10_000})
  rmSync(dir, {recursive: true, force: true})
  const left = sleepers()
  for (const pid of left) process.kill(pid, 'SIGKILL')
  expect(left, 'task processes left after pier local stop').toEqual([])
})

function sleepers(): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], {encoding: 'utf8'})
  return ps.split('\n').filter((l) => l.trim().endsWith(`sleep ${SLEEP}`)).map((l) => Number(l.trim().split(/\s+/)[0]))
}

const network = {awsvpcConfiguration: {subnets: ['subnet-1']}}
// A distinctive argument for this run's task processes, to find them with ps.
const SLEEP = `987.${process.pid}`
/** Room for every task of the burst, whatever this machine's size. */
const CAPACITY = {PIER_LOCAL_CPU: '65536', PIER_LOCAL_MEMORY: '131072'}

async function start(env: NodeJS.ProcessEnv = {}): Promise<{client: ECSClient; pid: number}> {
  const r = await pier(['local', 'start', '--port', '0', '--state-dir', dir], env)
  expect(r.code, r.stderr).toBe(0)
  const s = JSON.parse(readFileSync(join(dir, 'control-plane.json'), 'utf8'))
  return {
    client: new ECSClient({endpoint: s.endpoint, region: s.region, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}, maxAttempts: 1}),
    pid: s.pid,
  }
}

async function describeAll(client: ECSClient, arns: string[]): Promise<Task[]> {
  const out: Task[] = []
  for (let i = 0; i < arns.length; i += 100) out.push(...(await client.send(new DescribeTasksCommand({cluster: 'd', tasks: arns.slice(i, i + 100)}))).tasks!)
  return out
}

const pidOf = (t: Task) => Number(t.containers![0]!.runtimeId!.split('-').pop())

async function setup(client: ECSClient): Promise<void> {
  await client.send(new CreateClusterCommand({clusterName: 'd'}))
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'sleeper',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      // A distinctive argument, to find these processes with ps.
      containerDefinitions: [{name: 'app', image: 'busybox', command: ['sleep', SLEEP], stopTimeout: 2}],
    }),
  )
}

describe('ECS in the daemon', {timeout: 90_000}, () => {
  it('runs task processes, and pier local stop leaves none behind', async () => {
    const {client} = await start()
    await setup(client)
    const run = await client.send(new RunTaskCommand({cluster: 'd', taskDefinition: 'sleeper', count: 2, networkConfiguration: network}))
    const running = await waitFor(async () => {
      const ts = await describeAll(client, run.tasks!.map((t) => t.taskArn!))
      return ts.every((t) => t.lastStatus === 'RUNNING') && ts
    }, 20_000, 'tasks RUNNING')
    const pids = running.map(pidOf)
    expect(pids.every((p) => isAlive(p))).toBe(true)
    const stop = await pier(['local', 'stop', '--state-dir', dir])
    expect(stop.code, stop.stderr).toBe(0)
    expect(pids.some((p) => isAlive(p))).toBe(false)
  })

  it('loses no acknowledged RunTask when killed with SIGKILL in a burst of 100, orphans no process, and restores services', async () => {
    const first = await start(CAPACITY)
    await setup(first.client)
    await first.client.send(new CreateServiceCommand({cluster: 'd', serviceName: 'web', taskDefinition: 'sleeper', desiredCount: 2, networkConfiguration: network}))
    await waitFor(async () => (await first.client.send(new DescribeServicesCommand({cluster: 'd', services: ['web']}))).services![0]!.runningCount === 2, 20_000, 'service running')
    const acked: string[] = []
    const burst = Array.from({length: 100}, () =>
      first.client
        .send(new RunTaskCommand({cluster: 'd', taskDefinition: 'sleeper', networkConfiguration: network}))
        .then((out) => {
          for (const t of out.tasks ?? []) acked.push(t.taskArn!)
          if (acked.length === 40) process.kill(first.pid, 'SIGKILL')
        })
        .catch(() => undefined),
    )
    await Promise.all(burst)
    expect(acked.length).toBeGreaterThanOrEqual(40)
    await waitFor(() => !isAlive(first.pid), 5000, 'daemon gone')
    // Task processes the killed daemon had started, by their pid files' records.
    const second = await start(CAPACITY)
    const tasks = await describeAll(second.client, acked)
    expect(tasks.map((t) => t.taskArn).sort()).toEqual([...acked].sort())
    for (const t of tasks) {
      if (t.lastStatus === 'STOPPED') expect(t.stoppedReason).toBe('Task stopped because the local control plane restarted')
      else expect(['PENDING', 'RUNNING']).toContain(t.lastStatus)
    }
    await waitFor(async () => (await second.client.send(new DescribeServicesCommand({cluster: 'd', services: ['web']}))).services![0]!.runningCount === 2, 20_000, 'service back at 2')
    // With room for all, acknowledged tasks that never started have started now.
    await waitFor(async () => (await describeAll(second.client, acked)).every((t) => t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED'), 20_000, 'tasks settled')
    // Every task process alive belongs to a task the new daemon reports RUNNING: none was orphaned.
    const alive = sleepers()
    const serviceArns = (await second.client.send(new ListTasksCommand({cluster: 'd', serviceName: 'web'}))).taskArns!
    const all = await describeAll(second.client, [...acked, ...serviceArns])
    const runningPids = new Set(all.filter((t) => t.lastStatus === 'RUNNING').map(pidOf))
    const orphans = alive.filter((p) => !runningPids.has(p))
    const named = orphans.map((p) => all.find((t) => t.containers?.[0]?.runtimeId?.endsWith(`-${p}`)))
    expect(orphans, JSON.stringify(named.map((t) => t && {status: t.lastStatus, reason: t.stoppedReason}))).toEqual([])
    expect(runningPids.size).toBe(all.filter((t) => t.lastStatus === 'RUNNING').length)
  })
})
