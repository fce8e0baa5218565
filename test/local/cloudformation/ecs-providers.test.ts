import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ServiceError} from '../../../src/local/frontend/types.js'
import {camelKey, toApiShape} from '../../../src/local/cloudformation/providers/case.js'
import {fakeApi, harness, type FakeApi, type Harness} from './helpers.js'

interface FakeDeployment {id: string; status: string; taskDefinition: string; desiredCount: number; runningCount: number;
  rolloutState: string; rolloutStateReason?: string; polls: number}

/** A scripted ECS: each DescribeServices moves a rollout one task forward; task definitions named *crash* fail. */
function fakeEcs(api: FakeApi) {
  const calls: {op: string; input: any}[] = []
  const services = new Map<string, {serviceName: string; status: string; desiredCount: number; deployments: FakeDeployment[]; events: any[]}>()
  let seq = 0
  const on = (op: string, fn: (i: any) => unknown) => api.handlers.set(`AmazonEC2ContainerServiceV20141113.${op}`, (i) => {
    calls.push({op, input: i})
    return fn(i)
  })
  const deployment = (taskDefinition: string, desiredCount: number): FakeDeployment =>
    ({id: `ecs-svc/${++seq}`, status: 'PRIMARY', taskDefinition, desiredCount, runningCount: 0, rolloutState: 'IN_PROGRESS', polls: 0})
  on('CreateCluster', (i) => ({cluster: {clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${i.clusterName}`, clusterName: i.clusterName}}))
  on('UpdateCluster', (i) => ({cluster: {clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${i.cluster}`}}))
  on('DeleteCluster', () => ({}))
  on('PutClusterCapacityProviders', () => ({}))
  on('RegisterTaskDefinition', (i) => ({taskDefinition: {taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/${i.family}:1`}}))
  on('DeregisterTaskDefinition', () => ({}))
  on('CreateService', (i) => {
    const arn = `arn:aws:ecs:us-east-1:000000000000:service/${i.cluster}/${i.serviceName}`
    const svc = {serviceName: i.serviceName, status: 'ACTIVE', desiredCount: i.desiredCount, deployments: [deployment(i.taskDefinition, i.desiredCount)], events: []}
    services.set(arn, svc)
    return {service: {serviceArn: arn, ...svc}}
  })
  on('UpdateService', (i) => {
    const svc = services.get(i.service)
    if (!svc) throw new ServiceError('ServiceNotFoundException', 'Service not found.')
    if (i.desiredCount !== undefined) svc.desiredCount = i.desiredCount
    const primary = svc.deployments[0]!
    if (i.taskDefinition && i.taskDefinition !== primary.taskDefinition) {
      primary.status = 'ACTIVE'
      svc.deployments.unshift(deployment(i.taskDefinition, svc.desiredCount))
    } else {
      primary.desiredCount = svc.desiredCount
      if (primary.runningCount !== primary.desiredCount) primary.rolloutState = 'IN_PROGRESS'
    }
    return {service: {serviceArn: i.service, ...svc}}
  })
  on('DescribeServices', (i) => {
    const svc = services.get(i.services[0])
    if (!svc) return {services: [], failures: [{arn: i.services[0], reason: 'MISSING'}]}
    if (svc.status === 'DRAINING') svc.status = 'INACTIVE'
    const d = svc.deployments[0]!
    d.polls++
    if (d.taskDefinition.includes('hang')) {
      // Tasks never start: only a cancellation ends the wait.
    } else if (d.taskDefinition.includes('crash')) {
      if (d.polls >= 2 && d.rolloutState !== 'FAILED') {
        d.rolloutState = 'FAILED'
        d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.'
        svc.events.unshift({id: `e${++seq}`, message: `(service ${svc.serviceName}) has stopped 1 running tasks: (task abc) Essential container in task exited (exit code 1).`})
      }
    } else if (d.runningCount < d.desiredCount) d.runningCount++
    else if (d.runningCount > d.desiredCount) d.runningCount--
    else {
      d.rolloutState = 'COMPLETED'
      svc.deployments = [d]
    }
    return {services: [{serviceArn: i.services[0], ...svc}]}
  })
  on('DeleteService', (i) => {
    services.get(i.service)!.status = 'DRAINING'
    return {service: {}}
  })
  return {calls, services}
}

const stack = (image: string, count = 2) => JSON.stringify({
  Parameters: {Count: {Type: 'Number', Default: String(count)}},
  Resources: {
    Cluster: {Type: 'AWS::ECS::Cluster', Properties: {ClusterSettings: [{Name: 'containerInsights', Value: 'enabled'}]}},
    Providers: {Type: 'AWS::ECS::ClusterCapacityProviderAssociations', Properties: {Cluster: {Ref: 'Cluster'},
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'], DefaultCapacityProviderStrategy: [{CapacityProvider: 'FARGATE', Weight: 1}]}},
    Logs: {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: '/copilot/demo-test-web', RetentionInDays: 30}},
    TaskDef: {Type: 'AWS::ECS::TaskDefinition', Properties: {
      Family: {'Fn::Sub': 'demo-test-web-${Image}'}, Cpu: 256, Memory: '512', NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [{
        Name: 'web', Image: image, Essential: 'true', PortMappings: [{ContainerPort: '80', Protocol: 'tcp'}],
        Environment: [{Name: 'COPILOT_ENVIRONMENT_NAME', Value: 'test'}],
        DockerLabels: {'pier.build.context': '/src/web', 'Some.Label': 'x'},
        LogConfiguration: {LogDriver: 'awslogs', Options: {'awslogs-group': {Ref: 'Logs'}, 'awslogs-stream-prefix': 'copilot'}},
        HealthCheck: {Command: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 10, Retries: '2'},
      }],
      Volumes: [{Name: 'data', EFSVolumeConfiguration: {FilesystemId: 'fs-1', AuthorizationConfig: {IAM: 'ENABLED'}}}],
    }},
    Service: {Type: 'AWS::ECS::Service', DependsOn: 'Providers', Properties: {
      Cluster: {Ref: 'Cluster'}, TaskDefinition: {Ref: 'TaskDef'}, DesiredCount: {Ref: 'Count'}, LaunchType: 'FARGATE',
      EnableExecuteCommand: true, PropagateTags: 'SERVICE',
      DeploymentConfiguration: {DeploymentCircuitBreaker: {Enable: true, Rollback: true}, MinimumHealthyPercent: 100, MaximumPercent: 200},
      NetworkConfiguration: {AwsvpcConfiguration: {AssignPublicIp: 'ENABLED', Subnets: ['subnet-1'], SecurityGroups: ['sg-1']}},
    }},
  },
  Outputs: {ServiceName: {Value: {'Fn::GetAtt': ['Service', 'Name']}}},
}).replace(/\$\{Image\}/, image.includes('crash') ? 'crash' : image.includes('hang') ? 'hang' : 'ok')

let h: Harness
let ecs: ReturnType<typeof fakeEcs>
beforeEach(async () => {
  const api = fakeApi()
  ecs = fakeEcs(api)
  h = await harness({api})
})
afterEach(async () => {
  await h.close()
})

describe('ECS providers', () => {
  it('converts CloudFormation property names to the API members', () => {
    expect(['Cpu', 'EFSVolumeConfiguration', 'IAM', 'FilesystemId', 'EnableECSManagedTags', 'AwsvpcConfiguration', 'SizeInGiB']
      .map(camelKey)).toEqual(['cpu', 'efsVolumeConfiguration', 'iam', 'fileSystemId', 'enableECSManagedTags', 'awsvpcConfiguration', 'sizeInGiB'])
    expect(toApiShape({DockerLabels: {'A.b': 1}, PortMappings: [{ContainerPort: '80'}], Essential: 'false'}))
      .toEqual({dockerLabels: {'A.b': '1'}, portMappings: [{containerPort: 80}], essential: false})
  })

  it('creates a cluster, task definition and a service that completes only at steady state', async () => {
    await h.call('CreateStack', {StackName: 'demo-test-web', TemplateBody: stack('nginx')})
    const s = await h.settle('demo-test-web')
    expect(s.StackStatus).toBe('CREATE_COMPLETE')
    const register = ecs.calls.find((c) => c.op === 'RegisterTaskDefinition')!.input
    expect(register).toEqual({
      family: 'demo-test-web-ok', cpu: '256', memory: '512', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{
        name: 'web', image: 'nginx', essential: true, portMappings: [{containerPort: 80, protocol: 'tcp'}],
        environment: [{name: 'COPILOT_ENVIRONMENT_NAME', value: 'test'}],
        dockerLabels: {'pier.build.context': '/src/web', 'Some.Label': 'x'},
        logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/copilot/demo-test-web', 'awslogs-stream-prefix': 'copilot'}},
        healthCheck: {command: ['CMD-SHELL', 'curl -f http://localhost/'], interval: 10, retries: 2},
      }],
      volumes: [{name: 'data', efsVolumeConfiguration: {fileSystemId: 'fs-1', authorizationConfig: {iam: 'ENABLED'}}}],
    })
    const cluster = ecs.calls.find((c) => c.op === 'CreateCluster')!.input
    expect(cluster.clusterName).toMatch(/^demo-test-web-Cluster-[A-Z0-9]{13}$/)
    expect(cluster.settings).toEqual([{name: 'containerInsights', value: 'enabled'}])
    const create = ecs.calls.find((c) => c.op === 'CreateService')!.input
    expect(create).toMatchObject({cluster: cluster.clusterName, desiredCount: 2, launchType: 'FARGATE', enableExecuteCommand: true,
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
      networkConfiguration: {awsvpcConfiguration: {assignPublicIp: 'ENABLED', subnets: ['subnet-1'], securityGroups: ['sg-1']}}})
    expect(h.api.logs.get('/copilot/demo-test-web')).toEqual({retention: 30})
    const events = await h.events('demo-test-web')
    const svcEvents = events.filter((e) => e.LogicalResourceId === 'Service')
    expect(svcEvents.map((e) => e.ResourceStatusReason).filter(Boolean)).toEqual(['1 of 2 tasks running', '2 of 2 tasks running'])
    expect(svcEvents.at(-1).ResourceStatus).toBe('CREATE_COMPLETE')
    expect(s.Outputs[0].OutputValue).toBe(create.serviceName)
  })

  it("fails a rollout with the circuit breaker's reason and rolls the service back", async () => {
    await h.call('CreateStack', {StackName: 'demo-test-web', TemplateBody: stack('nginx')})
    await h.settle('demo-test-web')
    ecs.calls.length = 0
    await h.call('UpdateStack', {StackName: 'demo-test-web', TemplateBody: stack('crash')})
    const s = await h.settle('demo-test-web')
    expect(s.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const events = await h.events('demo-test-web')
    const failed = events.find((e) => e.LogicalResourceId === 'Service' && e.ResourceStatus === 'UPDATE_FAILED')
    expect(failed.ResourceStatusReason).toBe('ECS Deployment Circuit Breaker was triggered: ECS deployment circuit breaker: tasks failed to start.')
    expect(events.some((e) => /exited \(exit code 1\)/.test(e.ResourceStatusReason ?? ''))).toBe(true)
    const updates = ecs.calls.filter((c) => c.op === 'UpdateService').map((c) => c.input.taskDefinition)
    expect(updates).toEqual([expect.stringContaining('demo-test-web-crash'), expect.stringContaining('demo-test-web-ok')])
    // The replaced task definition revision is cleaned up once the service is back on the old one.
    expect(ecs.calls.filter((c) => c.op === 'DeregisterTaskDefinition').map((c) => c.input.taskDefinition))
      .toEqual([expect.stringContaining('demo-test-web-crash')])
  })

  it('deletes a service that never stabilized when its stack rolls back', async () => {
    await h.call('CreateStack', {StackName: 'demo-test-web', TemplateBody: stack('crash')})
    expect((await h.settle('demo-test-web')).StackStatus).toBe('ROLLBACK_COMPLETE')
    const ops = ecs.calls.map((c) => c.op)
    expect(ops.indexOf('DeleteService')).toBeGreaterThan(ops.indexOf('CreateService'))
    expect(ops.indexOf('DeleteCluster')).toBeGreaterThan(ops.indexOf('DeleteService'))
    expect([...ecs.services.values()].map((s) => s.status)).toEqual(['INACTIVE'])
  })

  it('stops waiting for a rollout when the update is cancelled', async () => {
    await h.call('CreateStack', {StackName: 'demo-test-web', TemplateBody: stack('nginx')})
    await h.settle('demo-test-web')
    await h.call('UpdateStack', {StackName: 'demo-test-web', TemplateBody: stack('hang')})
    while (!ecs.calls.some((c) => c.op === 'UpdateService')) await new Promise((r) => setTimeout(r, 2))
    await h.call('CancelUpdateStack', {StackName: 'demo-test-web'})
    expect((await h.settle('demo-test-web')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const events = await h.events('demo-test-web')
    expect(events.find((e) => e.LogicalResourceId === 'Service' && e.ResourceStatus === 'UPDATE_FAILED').ResourceStatusReason).toBe('Resource update cancelled')
    expect(ecs.calls.filter((c) => c.op === 'UpdateService').map((c) => c.input.taskDefinition))
      .toEqual([expect.stringContaining('demo-test-web-hang'), expect.stringContaining('demo-test-web-ok')])
  })

  it('waits for a scale change, and deletes by scaling to zero first', async () => {
    await h.call('CreateStack', {StackName: 'demo-test-web', TemplateBody: stack('nginx')})
    await h.settle('demo-test-web')
    await h.call('UpdateStack', {StackName: 'demo-test-web', TemplateBody: stack('nginx'), Parameters: [{ParameterKey: 'Count', ParameterValue: '3'}]})
    expect((await h.settle('demo-test-web')).StackStatus).toBe('UPDATE_COMPLETE')
    const [svc] = [...ecs.services.values()]
    expect(svc!.deployments[0]!.runningCount).toBe(3)
    ecs.calls.length = 0
    await h.call('DeleteStack', {StackName: 'demo-test-web'})
    await h.cfn.idle()
    const ops = ecs.calls.map((c) => c.op).filter((op) => op !== 'DescribeServices')
    expect([...ops].sort()).toEqual(['DeleteCluster', 'DeleteService', 'DeregisterTaskDefinition', 'PutClusterCapacityProviders', 'UpdateService'])
    const at = (op: string) => ops.indexOf(op)
    expect(at('UpdateService')).toBeLessThan(at('DeleteService'))
    expect(at('DeleteService')).toBeLessThan(Math.min(at('DeregisterTaskDefinition'), at('PutClusterCapacityProviders')))
    expect(at('PutClusterCapacityProviders')).toBeLessThan(at('DeleteCluster'))
    expect(ecs.calls.find((c) => c.op === 'UpdateService')!.input.desiredCount).toBe(0)
    expect(svc!.status).toBe('INACTIVE')
    expect(h.api.logs.size).toBe(0)
  })
})
