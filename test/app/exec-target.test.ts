import {describe, expect, it} from 'vitest'

import {taskRoleProblem} from '../../src/app/exec-checks.js'
import {environmentCluster, serviceRoleStatements, serviceTarget} from '../../src/app/exec-target.js'
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

  it('reads the task role\'s statements from the service\'s deployed template, for exec\'s ssmmessages check', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/demo-test-web-TaskRole-ABC'
    const template = (statements: unknown[]) => ({
      Resources: {
        TaskRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {},
            Policies: [{PolicyName: 'TaskPermissions', PolicyDocument: {Version: '2012-10-17', Statement: statements}}],
          },
        },
      },
    })
    let body = template([])
    const stacks = {
      describeStackResources: async () => ({StackResources: [{ResourceType: 'AWS::IAM::Role', LogicalResourceId: 'TaskRole', PhysicalResourceId: 'demo-test-web-TaskRole-ABC'}]}) as any,
      getTemplate: async (input: {StackName?: string; TemplateStage?: string}) => {
        expect(input).toEqual({StackName: 'demo-test-web', TemplateStage: 'Original'})
        return {TemplateBody: JSON.stringify(body)} as any
      },
    }
    const roleStatements = serviceRoleStatements(stacks, 'us-east-1', 'demo', 'test', 'web')
    const subject = {taskId: 'aaa111', subject: 'service web in environment test', enableHint: 'Set `exec: true` and redeploy.'}
    const task = {taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/c/aaa111', overrides: {taskRoleArn: roleArn}}

    const lacking = await taskRoleProblem(task, subject, {roleStatements})
    expect(lacking?.message).toMatch(/^The task role demo-test-web-TaskRole-ABC of task aaa111 does not allow ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel/)

    // What Pier renders with `exec: true`.
    body = template([
      {
        Sid: 'ExecuteCommand',
        Effect: 'Allow',
        Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenDataChannel'],
        Resource: '*',
      },
    ])
    expect(await taskRoleProblem(task, subject, {roleStatements})).toBeUndefined()
    // A role the stack did not create cannot be read: nothing is claimed.
    expect(await roleStatements('arn:aws:iam::123456789012:role/other')).toBeUndefined()
  })
})
