// The stack of a one-off task group (`pier task run`): Copilot's names, whole.
import {describe, expect, it} from 'vitest'

import {renderTaskStack} from '../../src/render/task-stack.js'

const assume = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]}

describe('renderTaskStack', () => {
  it('renders the log group, both roles and the task definition, with secrets by reference', () => {
    const r = renderTaskStack({group: 'migrate', image: 'repo/app:1', cpu: 512, memory: 1024, command: ['npm', 'run', 'migrate'], environment: {MODE: 'once'}, secrets: {DB: '/shop/db'}, dockerLabels: {team: 'a'}, region: 'eu-west-1', app: 'shop', env: 'test'})
    expect(r.stackName).toBe('task-migrate')
    expect(r.tags).toEqual({'copilot-task': 'migrate', 'copilot-application': 'shop', 'copilot-environment': 'test'})
    expect(r.template).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Description: 'Pier one-off task group migrate.',
      Resources: {
        LogGroup: {Type: 'AWS::Logs::LogGroup', Metadata: {'aws:copilot:description': 'A CloudWatch log group for the output of the tasks'}, Properties: {LogGroupName: '/copilot/migrate', RetentionInDays: 1}},
        ExecutionRole: {
          Type: 'AWS::IAM::Role',
          Metadata: {'aws:copilot:description': 'An IAM role to pull the image, write logs and read the secrets of the tasks'},
          Properties: {
            AssumeRolePolicyDocument: assume,
            ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
            Policies: [{PolicyName: 'ReadSecrets', PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: ['ssm:GetParameters', 'ssm:GetParameter', 'secretsmanager:GetSecretValue', 'kms:Decrypt'], Resource: '*'}]}}],
          },
        },
        TaskRole: {Type: 'AWS::IAM::Role', Metadata: {'aws:copilot:description': 'An IAM role for the code of the tasks'}, Properties: {AssumeRolePolicyDocument: assume}},
        TaskDefinition: {
          Type: 'AWS::ECS::TaskDefinition',
          Metadata: {'aws:copilot:description': 'An ECS task definition for the one-off tasks'},
          Properties: {
            Family: 'copilot-migrate',
            RequiresCompatibilities: ['FARGATE'],
            NetworkMode: 'awsvpc',
            Cpu: '512',
            Memory: '1024',
            ExecutionRoleArn: {'Fn::GetAtt': ['ExecutionRole', 'Arn']},
            TaskRoleArn: {'Fn::GetAtt': ['TaskRole', 'Arn']},
            ContainerDefinitions: [{
              Name: 'migrate',
              Image: 'repo/app:1',
              Essential: true,
              Command: ['npm', 'run', 'migrate'],
              Environment: [{Name: 'MODE', Value: 'once'}],
              Secrets: [{Name: 'DB', ValueFrom: '/shop/db'}],
              DockerLabels: {team: 'a'},
              LogConfiguration: {LogDriver: 'awslogs', Options: {'awslogs-group': {Ref: 'LogGroup'}, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'copilot'}},
            }],
          },
        },
      },
      Outputs: {TaskDefinitionArn: {Value: {Ref: 'TaskDefinition'}}},
    })
  })

  it('leaves out what was not given: no secrets policy, command, labels, application or environment tags', () => {
    const r = renderTaskStack({group: 'once', image: 'busybox', cpu: 256, memory: 512, environment: {}, secrets: {}, region: 'us-east-1'})
    expect(r.tags).toEqual({'copilot-task': 'once'})
    expect(r.template.Resources.ExecutionRole.Properties.Policies).toBeUndefined()
    const c = r.template.Resources.TaskDefinition.Properties.ContainerDefinitions[0]
    expect(Object.keys(c)).toEqual(['Name', 'Image', 'Essential', 'Environment', 'LogConfiguration'])
  })
})
