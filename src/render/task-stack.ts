// The stack of a one-off task group (Copilot's `task-<group>`): a log group, an execution role that
// may read the task's secrets, a task role, and the task definition. Pure.
import {taskLogGroupName, taskStackName, taskTags} from './names.js'

export interface TaskTemplateInput {
  group: string
  image: string
  cpu: number
  memory: number
  command?: string[]
  environment: Record<string, string>
  secrets: Record<string, string>
  dockerLabels?: Record<string, string>
  region: string
  app?: string
  env?: string
}

const SECRET_READ = ['ssm:GetParameters', 'ssm:GetParameter', 'secretsmanager:GetSecretValue', 'kms:Decrypt']

export function renderTaskStack(t: TaskTemplateInput): {stackName: string; template: Record<string, any>; tags: Record<string, string>} {
  const assume = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]}
  const secretEntries = Object.entries(t.secrets)
  const tags = taskTags(t.group, t.app, t.env)
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Pier one-off task group ${t.group}.`,
    Resources: {
      LogGroup: {
        Type: 'AWS::Logs::LogGroup',
        Metadata: {'aws:copilot:description': 'A CloudWatch log group for the output of the tasks'},
        Properties: {LogGroupName: taskLogGroupName(t.group), RetentionInDays: 1},
      },
      ExecutionRole: {
        Type: 'AWS::IAM::Role',
        Metadata: {'aws:copilot:description': 'An IAM role to pull the image, write logs and read the secrets of the tasks'},
        Properties: {
          AssumeRolePolicyDocument: assume,
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
          ...(secretEntries.length ? {Policies: [{PolicyName: 'ReadSecrets', PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: SECRET_READ, Resource: '*'}]}}]} : {}),
        },
      },
      TaskRole: {
        Type: 'AWS::IAM::Role',
        Metadata: {'aws:copilot:description': 'An IAM role for the code of the tasks'},
        Properties: {AssumeRolePolicyDocument: assume},
      },
      TaskDefinition: {
        Type: 'AWS::ECS::TaskDefinition',
        Metadata: {'aws:copilot:description': 'An ECS task definition for the one-off tasks'},
        Properties: {
          Family: `copilot-${t.group}`,
          RequiresCompatibilities: ['FARGATE'],
          NetworkMode: 'awsvpc',
          Cpu: String(t.cpu),
          Memory: String(t.memory),
          ExecutionRoleArn: {'Fn::GetAtt': ['ExecutionRole', 'Arn']},
          TaskRoleArn: {'Fn::GetAtt': ['TaskRole', 'Arn']},
          ContainerDefinitions: [
            {
              Name: t.group,
              Image: t.image,
              Essential: true,
              ...(t.command ? {Command: t.command} : {}),
              Environment: Object.entries(t.environment).map(([Name, Value]) => ({Name, Value})),
              ...(secretEntries.length ? {Secrets: secretEntries.map(([Name, ValueFrom]) => ({Name, ValueFrom}))} : {}),
              ...(t.dockerLabels ? {DockerLabels: t.dockerLabels} : {}),
              LogConfiguration: {
                LogDriver: 'awslogs',
                Options: {'awslogs-group': {Ref: 'LogGroup'}, 'awslogs-region': t.region, 'awslogs-stream-prefix': 'copilot'},
              },
            },
          ],
        },
      },
    },
    Outputs: {TaskDefinitionArn: {Value: {Ref: 'TaskDefinition'}}},
  }
  return {stackName: taskStackName(t.group), template, tags}
}
