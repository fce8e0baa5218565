// The rollout watcher against a scripted ECS: when a deployment counts as healthy, the progress it
// reports (once per change), and each stopped task of the newest deployment told once, with the
// container that failed, its exit code and the last lines of its log.
import {describe, expect, it} from 'vitest'

import {recorder} from '../../src/deploy/events.js'
import {RolloutWatcher, serviceFromPhysicalId} from '../../src/deploy/rollout.js'

const svc = {logicalId: 'Service', serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/demo-Cluster/demo-web', cluster: 'demo-Cluster'}

function fake(opts: {deployments?: any[][]; tasks?: any[]; logs?: Record<string, string[]> | 'fail'; containers?: any[]} = {}) {
  const calls: string[] = []
  let poll = 0
  const ecs = {
    async describeServices() {
      const deployments = opts.deployments?.[Math.min(poll++, opts.deployments.length - 1)]
      return {services: deployments ? [{serviceName: 'demo-web', deployments}] : []}
    },
    async listTasks() {
      // desiredStatus STOPPED: also tasks still on their way down.
      return {taskArns: (opts.tasks ?? []).filter((t) => t.lastStatus !== 'RUNNING').map((t) => t.taskArn)}
    },
    async describeTasks({tasks}: {tasks: string[]}) {
      calls.push(`describeTasks ${tasks.length}`)
      return {tasks: (opts.tasks ?? []).filter((t) => tasks.includes(t.taskArn))}
    },
    async describeTaskDefinition() {
      calls.push('describeTaskDefinition')
      return {taskDefinition: {containerDefinitions: opts.containers ?? [
        {name: 'web', logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/copilot/demo-web', 'awslogs-stream-prefix': 'copilot'}}},
        {name: 'sidecar', logConfiguration: {logDriver: 'awsfirelens', options: {}}},
      ]}}
    },
  }
  const logs = {
    async getLogEvents({logGroupName, logStreamName}: {logGroupName: string; logStreamName: string}) {
      calls.push(`getLogEvents ${logGroupName} ${logStreamName}`)
      if (opts.logs === 'fail') throw new Error('ResourceNotFoundException')
      return {events: (opts.logs?.[logStreamName] ?? []).map((message) => ({message}))}
    },
  }
  const {emit, events} = recorder()
  const watcher = new RolloutWatcher({ecs: ecs as any, logs: logs as any, emit, now: () => 0}, 'demo-web-stack', svc)
  return {watcher, events, calls}
}

const primary = (over: Record<string, unknown> = {}) => ({id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: 'td:2', desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks: 0, rolloutState: 'IN_PROGRESS', createdAt: new Date(1000), ...over})
const active = {id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: 'td:1', desiredCount: 2, runningCount: 2}
const stopped = (id: string, over: Record<string, unknown> = {}) => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/demo-Cluster/${id}`, lastStatus: 'STOPPED', taskDefinitionArn: 'td:2', startedBy: 'ecs-svc/2', stoppedReason: 'Essential container in task exited',
  stoppedAt: new Date(5000), stopCode: 'EssentialContainerExited', containers: [{name: 'web', exitCode: 1}], ...over,
})

describe('serviceFromPhysicalId', () => {
  it('reads the cluster from a service ARN, else takes the fallback, else nothing', () => {
    expect(serviceFromPhysicalId('S', svc.serviceArn)).toEqual(svc.serviceArn ? {logicalId: 'S', serviceArn: svc.serviceArn, cluster: 'demo-Cluster'} : undefined)
    expect(serviceFromPhysicalId('S', 'demo-web', 'c1')).toEqual({logicalId: 'S', serviceArn: 'demo-web', cluster: 'c1'})
    expect(serviceFromPhysicalId('S', 'demo-web')).toBeUndefined()
    expect(serviceFromPhysicalId('S', '', 'c1')).toBeUndefined()
    expect(serviceFromPhysicalId('S', `${svc.serviceArn}/extra`, 'c1')).toEqual({logicalId: 'S', serviceArn: `${svc.serviceArn}/extra`, cluster: 'c1'})
  })
})

describe('when a rollout is healthy', () => {
  it.each([
    ['completed', [primary({rolloutState: 'COMPLETED', runningCount: 0})], true],
    ['all running, only deployment', [primary({runningCount: 2})], true],
    ['more than desired running', [primary({runningCount: 3})], true],
    ['one short', [primary({runningCount: 1})], false],
    ['running, but an old deployment remains', [primary({runningCount: 2}), active], false],
    ['nothing desired', [primary({desiredCount: 0, runningCount: 0})], false],
    ['no counts at all', [primary({desiredCount: undefined, runningCount: undefined})], false],
  ])('%s: %s', async (_name, deployments, healthy) => {
    const {watcher} = fake({deployments: [deployments]})
    expect((await watcher.poll()).healthy).toBe(healthy)
  })

  it('knows nothing of a service that is not there or has no primary deployment', async () => {
    const none = fake({})
    expect(await none.watcher.poll()).toEqual({failures: 0, healthy: false, lastFailure: undefined})
    expect(none.events).toEqual([])
    const noPrimary = fake({deployments: [[active]]})
    expect((await noPrimary.watcher.poll()).healthy).toBe(false)
    expect(noPrimary.events).toEqual([])
  })
})

describe('progress', () => {
  it('reports the counts in a sentence and as data, once per change', async () => {
    const {watcher, events} = fake({deployments: [[primary({runningCount: 1, pendingCount: 1})], [primary({runningCount: 1, pendingCount: 1})], [primary({runningCount: 2, failedTasks: 3})]]})
    await watcher.poll()
    await watcher.poll()
    await watcher.poll()
    const progress = events.filter((e) => e.code === 'rollout.progress')
    expect(progress.map((e) => e.message)).toEqual(['demo-web: 1/2 running, 1 pending, 0 failed', 'demo-web: 2/2 running, 0 pending, 3 failed'])
    expect(progress[0]!.data).toEqual({stack: 'demo-web-stack', logicalId: 'Service', service: 'demo-web', cluster: 'demo-Cluster', running: 1, desired: 2, pending: 1, failed: 0, rolloutState: 'IN_PROGRESS', rolloutStateReason: undefined})
    expect(progress[0]!.level).toBe('info')
  })

  it('counts missing numbers as zero, and failures it saw when ECS counts fewer', async () => {
    const {watcher, events} = fake({deployments: [[primary({runningCount: undefined, desiredCount: undefined, pendingCount: undefined, failedTasks: undefined})], [primary({failedTasks: 0, runningCount: 1})]], tasks: [stopped('t1')]})
    await watcher.poll()
    await watcher.poll()
    const progress = events.filter((e) => e.code === 'rollout.progress').map((e) => e.message)
    expect(progress).toEqual(['demo-web: 0/0 running, 0 pending, 0 failed', 'demo-web: 1/2 running, 0 pending, 1 failed'])
  })
})

describe('stopped tasks', () => {
  it('tells each stopped task of the newest deployment once, oldest first, with exit code and last log line', async () => {
    const tasks = [
      stopped('late', {stoppedAt: new Date(9000), containers: [{name: 'sidecar', exitCode: 0}, {name: 'web', exitCode: 2}]}),
      stopped('early', {stoppedAt: new Date(7000)}),
      stopped('old-deployment', {taskDefinitionArn: 'td:1', startedBy: 'ecs-svc/1'}),
      stopped('before-deployment', {startedBy: 'someone', createdAt: new Date(500)}),
      stopped('same-definition-after', {startedBy: 'someone', createdAt: new Date(1000), stoppedAt: new Date(8000), containers: [{name: 'web'}]}),
      {...stopped('stopping'), lastStatus: 'DEACTIVATING'},
    ]
    const {watcher, events, calls} = fake({deployments: [[primary()]], tasks, logs: {'copilot/web/late': ['booting\n', 'Error: no DB\n'], 'copilot/web/early': []}})
    const status = await watcher.poll()
    const told = events.filter((e) => e.code === 'rollout.task-stopped')
    expect(told.map((e) => (e.data as any).taskId)).toEqual(['early', 'same-definition-after', 'late'])
    expect(told[2]!.message).toBe('demo-web: task late stopped: Essential container in task exited, exit code 2')
    expect(told[2]!.level).toBe('error')
    expect(told[2]!.data).toEqual({
      stack: 'demo-web-stack', logicalId: 'Service', service: 'demo-web', taskId: 'late', stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited',
      stoppedAt: new Date(9000).toISOString(), container: 'web', exitCode: 2, logLines: ['booting', 'Error: no DB'], failures: 3,
    })
    expect(told[1]!.message).toBe('demo-web: task same-definition-after stopped: Essential container in task exited')
    expect(status).toEqual({failures: 3, healthy: false, lastFailure: 'task late stopped: Essential container in task exited, exit code 2 (last log line: Error: no DB)'})
    // The task definition is read once for its log settings.
    expect(calls.filter((c) => c === 'describeTaskDefinition')).toHaveLength(1)
    await watcher.poll()
    expect(events.filter((e) => e.code === 'rollout.task-stopped')).toHaveLength(3)
    // Only the task still on its way down is described again.
    expect(calls.filter((c) => c.startsWith('describeTasks'))).toEqual(['describeTasks 6', 'describeTasks 1'])
  })

  it('falls back to the container’s reason, then to "stopped", and reads no log without a log driver', async () => {
    const tasks = [
      stopped('a', {stoppedReason: undefined, containers: [{name: 'sidecar', exitCode: 0, reason: 'OutOfMemoryError'}]}),
      stopped('b', {stoppedReason: undefined, stoppedAt: new Date(6000), containers: []}),
    ]
    const {watcher, events, calls} = fake({deployments: [[primary()]], tasks})
    const status = await watcher.poll()
    const told = events.filter((e) => e.code === 'rollout.task-stopped')
    expect(told.map((e) => e.message)).toEqual(['demo-web: task a stopped: OutOfMemoryError, exit code 0', 'demo-web: task b stopped: stopped'])
    expect(calls.some((c) => c.startsWith('getLogEvents'))).toBe(false)
    expect(status.lastFailure).toBe('task b stopped: stopped')
  })

  it('tells a stop without log lines when the log stream cannot be read', async () => {
    const {watcher, events} = fake({deployments: [[primary()]], tasks: [stopped('t')], logs: 'fail'})
    const status = await watcher.poll()
    expect((events.find((e) => e.code === 'rollout.task-stopped')!.data as any).logLines).toEqual([])
    expect(status.lastFailure).toBe('task t stopped: Essential container in task exited, exit code 1')
  })
})
