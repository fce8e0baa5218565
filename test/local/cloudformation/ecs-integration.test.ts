// The ECS providers against the real local ECS (with a driver whose tasks the test controls): a stack
// with a cluster, a task definition and a two-task service deploys, updates with a rolling replacement,
// rolls back when the new version crashes, and deletes leaving no task behind.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {toJsonWire} from '../../../src/local/frontend/server.js'
import {harness as ecsHarness, type Harness as EcsHarness} from '../ecs/helpers.js'
import {fakeApi, harness, type Harness} from './helpers.js'

const template = (image: string, env = 'v1') => JSON.stringify({
  Resources: {
    Cluster: {Type: 'AWS::ECS::Cluster', Properties: {ClusterName: 'demo-test'}},
    TaskDef: {Type: 'AWS::ECS::TaskDefinition', Properties: {
      Family: 'demo-test-web', Cpu: '256', Memory: '512', NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [{Name: 'web', Image: image, Essential: true, PortMappings: [{ContainerPort: 8080}],
        Environment: [{Name: 'VERSION', Value: env}]}],
    }},
    Service: {Type: 'AWS::ECS::Service', Properties: {
      Cluster: {Ref: 'Cluster'}, ServiceName: 'web', TaskDefinition: {Ref: 'TaskDef'}, DesiredCount: 2, LaunchType: 'FARGATE',
      DeploymentConfiguration: {DeploymentCircuitBreaker: {Enable: true, Rollback: true}, MinimumHealthyPercent: 100, MaximumPercent: 200},
      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: ['subnet-1'], AssignPublicIp: 'ENABLED'}},
    }},
  },
  Outputs: {Service: {Value: {'Fn::GetAtt': ['Service', 'Name']}}},
})

let ecs: EcsHarness
let h: Harness
beforeEach(async () => {
  // Tasks must stay up 300 ms to count, so a version that crashes at once never completes a rollout
  // however slow the machine is.
  ecs = await ecsHarness({circuitBreaker: {minThreshold: 2}, stableAfterMs: 300}, {exitAfterStart: (spec) => (spec.containers[0]!.image.includes('crash') ? 1 : undefined)})
  const api = fakeApi()
  const json = api.json.bind(api)
  api.json = async (target, op, input) => {
    if (target !== 'AmazonEC2ContainerServiceV20141113') return json(target, op, input)
    // Through the wire shapes, as the control plane's LocalApi does.
    const out = await ecs.ecs.service.handle(op, JSON.parse(JSON.stringify(input)), api.context())
    return JSON.parse(toJsonWire(out ?? {}))
  }
  h = await harness({api})
})
afterEach(async () => {
  await h.close()
  await ecs.close()
})

async function runningTaskDefinitions(): Promise<string[]> {
  const {taskArns} = await ecs.call('ListTasks', {cluster: 'demo-test', desiredStatus: 'RUNNING'})
  if (taskArns.length === 0) return []
  const {tasks} = await ecs.call('DescribeTasks', {cluster: 'demo-test', tasks: taskArns})
  return tasks.filter((t: any) => t.lastStatus === 'RUNNING').map((t: any) => t.taskDefinitionArn.split('/').pop())
}

describe('ECS stack on the local ECS', () => {
  it('deploys, rolls, rolls back a crashing version and deletes', async () => {
    await h.call('CreateStack', {StackName: 'demo-test-web', TemplateBody: template('nginx')})
    const created = await h.settle('demo-test-web')
    expect(created.StackStatus).toBe('CREATE_COMPLETE')
    expect(created.Outputs[0].OutputValue).toBe('web')
    expect(await runningTaskDefinitions()).toEqual(['demo-test-web:1', 'demo-test-web:1'])

    await h.call('UpdateStack', {StackName: 'demo-test-web', TemplateBody: template('nginx', 'v2')})
    expect((await h.settle('demo-test-web')).StackStatus).toBe('UPDATE_COMPLETE')
    expect(await runningTaskDefinitions()).toEqual(['demo-test-web:2', 'demo-test-web:2'])
    const {taskDefinition: old} = await ecs.call('DescribeTaskDefinition', {taskDefinition: 'demo-test-web:1'})
    expect(old.status).toBe('INACTIVE')

    await h.call('UpdateStack', {StackName: 'demo-test-web', TemplateBody: template('crash', 'v3')})
    const rolledBack = await h.settle('demo-test-web')
    expect(rolledBack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const events = await h.events('demo-test-web')
    expect(events.find((e) => e.LogicalResourceId === 'Service' && e.ResourceStatus === 'UPDATE_FAILED').ResourceStatusReason)
      .toMatch(/^ECS Deployment Circuit Breaker was triggered: .*tasks failed to start\.$/)
    expect(events.some((e) => e.LogicalResourceId === 'Service' && /tasks running/.test(e.ResourceStatusReason ?? ''))).toBe(true)
    expect(await runningTaskDefinitions()).toEqual(['demo-test-web:2', 'demo-test-web:2'])

    await h.call('DeleteStack', {StackName: 'demo-test-web'})
    const deleted = await h.settle(created.StackId)
    expect(deleted.StackStatus).toBe('DELETE_COMPLETE')
    expect(ecs.driver.live.size).toBe(0)
    await expect(ecs.call('DescribeClusters', {clusters: ['demo-test']})).resolves.toMatchObject({clusters: [{status: 'INACTIVE'}]})
  }, 30_000)
})
