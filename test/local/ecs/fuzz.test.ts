import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ServiceError} from '../../../src/local/frontend/types.js'
import {harness, NETWORK, taskDef, type Harness} from './helpers.js'

const OPERATIONS = [
  'CreateCluster', 'DescribeClusters', 'ListClusters', 'DeleteCluster', 'UpdateCluster', 'UpdateClusterSettings', 'PutClusterCapacityProviders', 'DescribeCapacityProviders',
  'RegisterTaskDefinition', 'DescribeTaskDefinition', 'DeregisterTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies',
  'RunTask', 'StopTask', 'DescribeTasks', 'ListTasks', 'ExecuteCommand',
  'CreateService', 'UpdateService', 'DeleteService', 'DescribeServices', 'ListServices',
  'TagResource', 'UntagResource', 'ListTagsForResource',
]

let h: Harness
beforeAll(async () => {
  h = await harness()
  await h.call('CreateCluster', {clusterName: 'c1'})
  await h.call('RegisterTaskDefinition', taskDef('web'))
  await h.call('CreateService', {cluster: 'c1', serviceName: 'web', taskDefinition: 'web', desiredCount: 0, networkConfiguration: NETWORK})
})
afterAll(async () => h.close())

// Values that look like what the operations read, in the wrong shapes too.
const value = fc.letrec((tie) => ({
  any: fc.oneof(
    {depthSize: 'small'},
    fc.constantFrom('c1', 'web', 'web:1', 'FARGATE', 'FARGATE_SPOT', 'arn:aws:ecs:us-east-1:000000000000:cluster/c1', '', 'ENABLED', 'TAGS'),
    fc.string({maxLength: 8}),
    fc.integer({min: -5, max: 300}),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('any'), {maxLength: 3}),
    fc.dictionary(
      fc.constantFrom('name', 'image', 'key', 'value', 'capacityProvider', 'weight', 'base', 'containerName', 'containerPort', 'awsvpcConfiguration', 'subnets', 'command', 'environment', 'containerOverrides', 'cpu', 'memory', 'enable', 'rollback', 'targetGroupArn'),
      tie('any'),
      {maxKeys: 4},
    ),
  ),
})).any
const input = fc.dictionary(
  fc.constantFrom(
    'cluster', 'clusterName', 'clusters', 'service', 'services', 'serviceName', 'taskDefinition', 'family', 'containerDefinitions', 'cpu', 'memory',
    'networkMode', 'requiresCompatibilities', 'count', 'launchType', 'capacityProviderStrategy', 'capacityProviders', 'defaultCapacityProviderStrategy',
    'overrides', 'networkConfiguration', 'tags', 'tagKeys', 'resourceArn', 'task', 'tasks', 'desiredCount', 'deploymentConfiguration', 'loadBalancers',
    'serviceRegistries', 'include', 'maxResults', 'nextToken', 'clientToken', 'command', 'interactive', 'container', 'force', 'settings', 'startedBy',
  ),
  value,
  {maxKeys: 6},
)

describe('malformed input', () => {
  it('every operation answers with a ServiceError or a result, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPERATIONS), input, async (op, inp) => {
        try {
          await h.call(op, inp as Record<string, unknown>)
        } catch (err) {
          if (!(err instanceof ServiceError)) throw new Error(`${op} ${JSON.stringify(inp)} threw ${String(err)}`)
          expect(err.status).toBe(400)
        }
      }),
      {numRuns: 1500, seed: 42},
    )
  })
})
