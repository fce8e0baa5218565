// The rollout watcher's calls and edge cases: what it asks ECS and CloudWatch Logs for, answers with
// missing parts, which container it blames, and log settings it cannot use.
import {describe, expect, it} from 'vitest'

import {recorder} from '../../src/deploy/events.js'
import {RolloutWatcher} from '../../src/deploy/rollout.js'

const svc = {logicalId: 'Service', serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/demo-Cluster/demo-web', cluster: 'demo-Cluster'}
const awslogs = (name: string, options: Record<string, string> = {'awslogs-group': '/g', 'awslogs-stream-prefix': 'p'}) => ({name, logConfiguration: {logDriver: 'awslogs', options}})

function fake(opts: {services?: any; tasks?: any[]; taskDefinition?: any; logs?: string[]}) {
  const calls: {op: string; input: any}[] = []
  const ecs = {
    async describeServices(input: any) {
      calls.push({op: 'describeServices', input})
      return opts.services
    },
    async listTasks(input: any) {
      calls.push({op: 'listTasks', input})
      return {taskArns: (opts.tasks ?? []).map((t) => t.taskArn)}
    },
    async describeTasks(input: any) {
      calls.push({op: 'describeTasks', input})
      return {tasks: opts.tasks}
    },
    async describeTaskDefinition(input: any) {
      calls.push({op: 'describeTaskDefinition', input})
      return {taskDefinition: opts.taskDefinition}
    },
  }
  const logs = {
    async getLogEvents(input: any) {
      calls.push({op: 'getLogEvents', input})
      return {events: (opts.logs ?? []).map((message) => ({message}))}
    },
  }
  const {emit, events} = recorder()
  const watcher = new RolloutWatcher({ecs: ecs as any, logs: logs as any, emit, now: () => 0}, 'stack', svc)
  const told = () => events.filter((e) => e.code === 'rollout.task-stopped').map((e) => e.data as any)
  return {watcher, calls, told, input: (op: string) => calls.find((c) => c.op === op)?.input}
}

const deployment = {id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: 'td:2', desiredCount: 1, runningCount: 0}
const service = (d: any = deployment) => ({services: [{serviceName: 'demo-web', deployments: [d]}]})
const task = (id: string, over: Record<string, unknown> = {}) => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/demo-Cluster/${id}`, lastStatus: 'STOPPED', taskDefinitionArn: 'td:2', startedBy: 'ecs-svc/2', stoppedReason: 'exited', containers: [{name: 'web', exitCode: 1}], ...over,
})

describe('RolloutWatcher calls and edges', () => {
  it('asks ECS and Logs for exactly the service, its stopped tasks, their definition and the failed container’s stream', async () => {
    const f = fake({services: service(), tasks: [task('t1')], taskDefinition: {containerDefinitions: [awslogs('web')]}, logs: ['first\nsecond\n']})
    await f.watcher.poll()
    expect(f.input('describeServices')).toEqual({cluster: 'demo-Cluster', services: [svc.serviceArn]})
    expect(f.input('listTasks')).toEqual({cluster: 'demo-Cluster', serviceName: 'demo-web', desiredStatus: 'STOPPED'})
    expect(f.input('describeTasks')).toEqual({cluster: 'demo-Cluster', tasks: [task('t1').taskArn]})
    expect(f.input('describeTaskDefinition')).toEqual({taskDefinition: 'td:2'})
    expect(f.input('getLogEvents')).toEqual({logGroupName: '/g', logStreamName: 'p/web/t1', limit: 10, startFromHead: false})
    // Only a final newline is taken off a message.
    expect(f.told()[0].logLines).toEqual(['first\nsecond'])
  })

  it('knows nothing when ECS answers without services or deployments', async () => {
    for (const services of [{}, {services: [{serviceName: 'demo-web'}]}]) {
      const f = fake({services})
      expect(await f.watcher.poll()).toEqual({failures: 0, healthy: false, lastFailure: undefined})
      expect(f.input('listTasks')).toBeUndefined()
    }
  })

  it('describes no tasks when none stopped', async () => {
    const f = fake({services: service(), tasks: []})
    await f.watcher.poll()
    expect(f.input('listTasks')).toBeDefined()
    expect(f.input('describeTasks')).toBeUndefined()
  })

  it('counts a task of the same definition that ECS started for no deployment when the deployment has no start time', async () => {
    const f = fake({services: service(), tasks: [task('t1', {startedBy: 'someone'})], taskDefinition: {containerDefinitions: []}})
    expect((await f.watcher.poll()).failures).toBe(1)
  })

  it('blames the first container that failed, else the first with an exit code, else the first', async () => {
    const cases: [any[] | undefined, string | undefined, number | undefined][] = [
      [[{name: 'a'}, {name: 'b', exitCode: 0}, {name: 'c', exitCode: 2}], 'c', 2],
      [[{name: 'a'}, {name: 'b', exitCode: 0}], 'b', 0],
      [[{name: 'a'}, {name: 'b'}], 'a', undefined],
      [undefined, undefined, undefined],
    ]
    for (const [containers, container, exitCode] of cases) {
      const f = fake({services: service(), tasks: [task('t1', {containers})], taskDefinition: {containerDefinitions: []}})
      await f.watcher.poll()
      expect(f.told()[0]).toMatchObject({container, exitCode})
    }
  })

  it('reads no log for a task without a definition, a definition without containers, or a container without awslogs', async () => {
    const none = fake({services: service({...deployment, taskDefinition: undefined}), tasks: [task('t1', {taskDefinitionArn: undefined})]})
    await none.watcher.poll()
    expect(none.input('describeTaskDefinition')).toBeUndefined()
    expect(none.told()).toMatchObject([{taskId: 't1', logLines: []}])

    for (const taskDefinition of [undefined, {}, {containerDefinitions: [{name: 'web'}]}, {containerDefinitions: [{name: 'web', logConfiguration: {logDriver: 'awsfirelens', options: {'awslogs-group': '/g'}}}]}, {containerDefinitions: [awslogs('other')]}]) {
      const f = fake({services: service(), tasks: [task('t1')], taskDefinition})
      await f.watcher.poll()
      expect(f.input('getLogEvents')).toBeUndefined()
      expect(f.told()[0].logLines).toEqual([])
    }
  })

  it('reads a stream without a prefix as /<container>/<task>', async () => {
    const f = fake({services: service(), tasks: [task('t1')], taskDefinition: {containerDefinitions: [awslogs('web', {'awslogs-group': '/g'})]}})
    await f.watcher.poll()
    expect(f.input('getLogEvents')).toMatchObject({logGroupName: '/g', logStreamName: '/web/t1'})
  })
})
