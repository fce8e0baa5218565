import {describe, expect, it} from 'vitest'

import {environmentCluster, serviceTarget} from '../../src/app/exec-target.js'
import {AwsError} from '../../src/aws/errors.js'
import {UserError} from '../../src/errors.js'

const missing = () => Promise.reject(new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Stack with id x does not exist'))

describe('exec targets', () => {
  it('finds the cluster and ECS service of a deployed service from its stack', async () => {
    const stacks = {
      async describeStackResources(input: {StackName?: string}) {
        expect(input.StackName).toBe('demo-test-web')
        return {
          StackResources: [
            {ResourceType: 'AWS::ECS::TaskDefinition', LogicalResourceId: 'TaskDefinition', PhysicalResourceId: 'arn:td'},
            {ResourceType: 'AWS::ECS::Service', LogicalResourceId: 'Service', PhysicalResourceId: 'arn:aws:ecs:us-east-1:1:service/demo-test-Cluster-1/demo-test-web-Service-2'},
          ],
        } as any
      },
    }
    expect(await serviceTarget(stacks, 'demo', 'test', 'web')).toEqual({cluster: 'demo-test-Cluster-1', service: 'demo-test-web-Service-2'})
  })

  it('says when the service is not deployed in the environment', async () => {
    const e = await serviceTarget({describeStackResources: missing}, 'demo', 'test', 'web').catch((x) => x)
    expect(e).toBeInstanceOf(UserError)
    expect(e.message).toBe('Service web is not deployed in environment test.')
  })

  it('reads an environment\'s cluster from its stack outputs', async () => {
    const stacks = {describeStacks: async () => ({Stacks: [{Outputs: [{OutputKey: 'ClusterId', OutputValue: 'demo-test-Cluster-1'}]}]}) as any}
    expect(await environmentCluster(stacks, 'demo', 'test')).toBe('demo-test-Cluster-1')
    const e = await environmentCluster({describeStacks: missing}, 'demo', 'prod').catch((x) => x)
    expect(e.message).toBe('Environment prod of demo is not deployed.')
  })
})
