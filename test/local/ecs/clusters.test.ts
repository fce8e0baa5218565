import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {expectServiceError, harness, NETWORK, taskDef, type Harness} from './helpers.js'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => h.close())

describe('clusters', () => {
  it('creates (idempotently), describes, lists and deletes clusters', async () => {
    const a = await h.call('CreateCluster', {clusterName: 'app-test', tags: [{key: 'env', value: 'test'}]})
    expect(a.cluster).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/app-test',
      clusterName: 'app-test',
      status: 'ACTIVE',
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      settings: [{name: 'containerInsights', value: 'disabled'}],
    })
    const again = await h.call('CreateCluster', {clusterName: 'app-test'})
    expect(again.cluster.clusterArn).toBe(a.cluster.clusterArn)
    await h.call('CreateCluster', {})
    expect((await h.call('ListClusters')).clusterArns).toEqual([
      'arn:aws:ecs:us-east-1:000000000000:cluster/app-test',
      'arn:aws:ecs:us-east-1:000000000000:cluster/default',
    ])
    const d = await h.call('DescribeClusters', {clusters: ['app-test', 'ghost'], include: ['TAGS']})
    expect(d.clusters[0].tags).toEqual([{key: 'env', value: 'test'}])
    expect(d.failures).toEqual([{arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost', reason: 'MISSING'}])
    const del = await h.call('DeleteCluster', {cluster: a.cluster.clusterArn})
    expect(del.cluster.status).toBe('INACTIVE')
    expect((await h.call('DescribeClusters', {clusters: ['app-test']})).clusters[0].status).toBe('INACTIVE')
    await expectServiceError(h.call('DeleteCluster', {cluster: 'app-test'}), 'ClusterNotFoundException', 'Cluster not found.')
    await expectServiceError(h.call('CreateCluster', {clusterName: 'bad name!'}), 'InvalidParameterException')
  })

  it('updates cluster settings', async () => {
    await h.call('CreateCluster', {clusterName: 'c1'})
    const out = await h.call('UpdateCluster', {cluster: 'c1', settings: [{name: 'containerInsights', value: 'enabled'}]})
    expect(out.cluster.settings).toEqual([{name: 'containerInsights', value: 'enabled'}])
    await expectServiceError(h.call('UpdateClusterSettings', {cluster: 'c1', settings: [{name: 'other', value: 'x'}]}), 'InvalidParameterException')
    await expectServiceError(h.call('UpdateCluster', {cluster: 'ghost'}), 'ClusterNotFoundException')
  })

  it('refuses to delete a cluster with running tasks', async () => {
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('job'))
    await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    await expectServiceError(h.call('DeleteCluster', {cluster: 'c1'}), 'ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.')
  })

  it('sets capacity providers and a default strategy, used by RunTask without one', async () => {
    await h.call('CreateCluster', {clusterName: 'c1'})
    await h.call('RegisterTaskDefinition', taskDef('job'))
    const out = await h.call('PutClusterCapacityProviders', {
      cluster: 'c1',
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{capacityProvider: 'FARGATE_SPOT', weight: 1}],
    })
    expect(out.cluster.capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT'])
    const run = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK})
    expect(run.tasks[0].capacityProviderName).toBe('FARGATE_SPOT')
    await expectServiceError(
      h.call('PutClusterCapacityProviders', {cluster: 'c1', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{capacityProvider: 'FARGATE_SPOT', weight: 1}]}),
      'InvalidParameterException',
    )
    const cps = await h.call('DescribeCapacityProviders', {})
    expect(cps.capacityProviders.map((c: any) => [c.name, c.status])).toEqual([['FARGATE', 'ACTIVE'], ['FARGATE_SPOT', 'ACTIVE']])
    expect(cps.capacityProviders[0].capacityProviderArn).toBe('arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE')
  })
})

describe('task definitions', () => {
  it('registers revisions, describes, lists, lists families and deregisters', async () => {
    const r1 = await h.call('RegisterTaskDefinition', {...taskDef('web'), tags: [{key: 'a', value: 'b'}]})
    expect(r1.taskDefinition).toMatchObject({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
      family: 'web',
      revision: 1,
      status: 'ACTIVE',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      compatibilities: ['EC2', 'FARGATE'],
    })
    expect(r1.taskDefinition.containerDefinitions[0]).toMatchObject({name: 'app', essential: true, portMappings: [{containerPort: 8080, hostPort: 8080, protocol: 'tcp'}]})
    await h.call('RegisterTaskDefinition', {...taskDef('web'), cpu: '1 vCPU', memory: '2 GB'})
    await h.call('RegisterTaskDefinition', taskDef('worker'))
    const latest = await h.call('DescribeTaskDefinition', {taskDefinition: 'web', include: ['TAGS']})
    expect(latest.taskDefinition.revision).toBe(2)
    expect(latest.taskDefinition.cpu).toBe('1024')
    expect((await h.call('DescribeTaskDefinition', {taskDefinition: 'web:1', include: ['TAGS']})).tags).toEqual([{key: 'a', value: 'b'}])
    expect((await h.call('ListTaskDefinitions', {familyPrefix: 'web'})).taskDefinitionArns).toEqual([
      'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
      'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2',
    ])
    expect((await h.call('ListTaskDefinitionFamilies', {})).families).toEqual(['web', 'worker'])
    const dereg = await h.call('DeregisterTaskDefinition', {taskDefinition: 'web:2'})
    expect(dereg.taskDefinition.status).toBe('INACTIVE')
    expect((await h.call('DescribeTaskDefinition', {taskDefinition: 'web'})).taskDefinition.revision).toBe(1)
    expect((await h.call('ListTaskDefinitions', {status: 'INACTIVE'})).taskDefinitionArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:task-definition/web:2'])
    // Revisions are never reused.
    expect((await h.call('RegisterTaskDefinition', taskDef('web'))).taskDefinition.revision).toBe(3)
    await expectServiceError(h.call('DescribeTaskDefinition', {taskDefinition: 'nope'}), 'ClientException', 'Unable to describe task definition.')
    await expectServiceError(h.call('DeregisterTaskDefinition', {taskDefinition: 'web'}), 'ClientException', /Invalid revision number/)
  })

  it.each([
    [{cpu: '256', memory: '4096'}, 'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.'],
    [{networkMode: 'bridge'}, 'Fargate only supports network mode ‘awsvpc’.'],
    [{cpu: undefined}, "Fargate requires that 'cpu' be defined at the task level."],
    [{containerDefinitions: []}, 'Container list cannot be empty.'],
    [{containerDefinitions: [{name: 'a', image: ''}]}, 'Container.image should not be null or empty.'],
    [{containerDefinitions: [{name: 'a', image: 'x'}, {name: 'a', image: 'y'}]}, 'Duplicate container name found: a. Container names must be unique.'],
    [{containerDefinitions: [{name: 'a', image: 'x', essential: false}]}, 'At least one essential container is required.'],
    [
      {executionRoleArn: undefined, containerDefinitions: [{name: 'a', image: 'x', logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': 'g'}}}]},
      'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
    ],
    [{containerDefinitions: [{name: 'a', image: 'x', environment: 'A=1'}]}, "Container 'a': environment must be a list of {name, value} with string values."],
    [{containerDefinitions: [{name: 'a', image: 'x', portMappings: [{containerPort: 70000}]}]}, "Container 'a': portMappings must be a list with a containerPort between 1 and 65535 each."],
  ])('rejects %j', async (change, message) => {
    await expectServiceError(h.call('RegisterTaskDefinition', {...taskDef('bad'), ...change}), 'ClientException', message)
  })
})

describe('tags', () => {
  it('tags, lists and untags clusters, services, tasks and task definitions', async () => {
    const {cluster} = await h.call('CreateCluster', {clusterName: 'c1'})
    const {taskDefinition} = await h.call('RegisterTaskDefinition', taskDef('job'))
    const {tasks} = await h.call('RunTask', {cluster: 'c1', taskDefinition: 'job', networkConfiguration: NETWORK, tags: [{key: 'x', value: '1'}]})
    const {service} = await h.call('CreateService', {cluster: 'c1', serviceName: 's', taskDefinition: 'job', desiredCount: 0, networkConfiguration: NETWORK})
    for (const arn of [cluster.clusterArn, taskDefinition.taskDefinitionArn, tasks[0].taskArn, service.serviceArn]) {
      await h.call('TagResource', {resourceArn: arn, tags: [{key: 'team', value: 'a'}]})
      await h.call('TagResource', {resourceArn: arn, tags: [{key: 'team', value: 'b'}, {key: 'env', value: 'dev'}]})
      await h.call('UntagResource', {resourceArn: arn, tagKeys: ['env']})
      const {tags} = await h.call('ListTagsForResource', {resourceArn: arn})
      expect(tags.filter((t: any) => t.key !== 'x')).toEqual([{key: 'team', value: 'b'}])
    }
    await expectServiceError(h.call('ListTagsForResource', {resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost'}), 'ResourceNotFoundException')
  })

  it('answers an unknown operation with UnknownOperationException', async () => {
    await expectServiceError(h.call('FlyToTheMoon', {}), 'UnknownOperationException')
  })
})
