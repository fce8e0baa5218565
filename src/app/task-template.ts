// The stack of a one-off task group (Copilot's `task-<group>`): a log group, an execution role that
// may read the task's secrets, a task role, and the task definition. Pure.
import {UserError} from '../errors.js'
import {taskLogGroupName, taskStackName, taskTags} from '../render/names.js'

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

/** Splits a command line like a shell would for simple cases: spaces, single and double quotes. */
export function splitCommand(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | undefined
  let has = false
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined
      else cur += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      has = true
    } else if (/\s/.test(ch)) {
      if (cur || has) out.push(cur)
      cur = ''
      has = false
    } else cur += ch
  }
  if (cur || has) out.push(cur)
  return out
}

/** "A=1,B=2" (Copilot's --env-vars form) → {A: '1', B: '2'}. */
export function parseKeyValues(flag: string, values: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values.flatMap((x) => x.split(','))) {
    if (!v.trim()) continue
    const i = v.indexOf('=')
    if (i <= 0) throw new UserError(`${flag} ${v} is not KEY=VALUE.`, {hint: `Pass ${flag} NAME=value[,NAME2=value2].`})
    out[v.slice(0, i).trim()] = v.slice(i + 1)
  }
  return out
}
