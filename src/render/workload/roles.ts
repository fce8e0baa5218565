// The two roles of a task. The execution role (the platform's) may read exactly the secrets this
// workload references, plus, for secrets made for Copilot, those tagged with this app and environment.
// The task role (the app's) gets the SSM channel permissions when `exec` is on, and queue/topic access.

import {addonOutputs} from '../addons.js'
import {assumeRolePolicy, getAtt, type Json, NO_VALUE, ref, sub} from '../template.js'
import type {WorkloadContext} from './context.js'
import {fileSystemStatements, managedEfsStatement, managedVolumeName} from './efs.js'
import type {SecretRef} from './secrets.js'

const uniqueByJson = (items: unknown[]): unknown[] => {
  const seen = new Set<string>()
  return items.filter((i) => {
    const k = JSON.stringify(i)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

export function renderExecutionRole(ctx: WorkloadContext, secretRefs: SecretRef[], envFileParams: string[]): void {
  const {app, env} = ctx
  const ssm = uniqueByJson(secretRefs.filter((s) => s.kind === 'ssm').map((s) => s.resource))
  const sm = uniqueByJson(secretRefs.filter((s) => s.kind === 'secretsmanager').map((s) => s.resource))
  const statements: Json[] = []
  if (ssm.length) statements.push({Sid: 'ReadReferencedParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: ssm})
  if (sm.length) statements.push({Sid: 'ReadReferencedSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: sm})
  // An ARN imported from another stack (`from_cfn`) may name a parameter or a secret.
  const imported = uniqueByJson(secretRefs.filter((s) => s.kind === 'import').map((s) => s.resource))
  if (imported.length) {
    statements.push({Sid: 'ReadImportedSecrets', Effect: 'Allow', Action: ['ssm:GetParameters', 'secretsmanager:GetSecretValue'], Resource: imported})
  }
  statements.push(
    {
      Sid: 'ReadCopilotTaggedParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: [sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/*')],
      Condition: {StringEquals: {'ssm:ResourceTag/copilot-application': app, 'ssm:ResourceTag/copilot-environment': env}},
    },
    {
      Sid: 'ReadCopilotTaggedSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [sub('arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*')],
      Condition: {StringEquals: {'secretsmanager:ResourceTag/copilot-application': app, 'secretsmanager:ResourceTag/copilot-environment': env}},
    },
    {Sid: 'DecryptSecrets', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [sub('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*')]},
  )
  for (const p of envFileParams) {
    // Conditional as a whole: the env file exists only once deploy has uploaded it.
    statements.push({'Fn::If': [`Has${p}`, {Sid: `Read${p}`, Effect: 'Allow', Action: ['s3:GetObject'], Resource: [ref(p)]}, NO_VALUE]})
  }
  if (envFileParams.length) {
    statements.push({Sid: 'LocateEnvFileBuckets', Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [sub('arn:${AWS::Partition}:s3:::*')]})
  }
  ctx.t.resource('ExecutionRole', 'AWS::IAM::Role', 'Execution role: pulls images, writes logs, reads the task’s secrets', {
    AssumeRolePolicyDocument: assumeRolePolicy('ecs-tasks.amazonaws.com'),
    ManagedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy')],
    Policies: [{PolicyName: 'ReadSecrets', PolicyDocument: {Version: '2012-10-17', Statement: statements}}],
  })
}

export interface TaskRoleGrants {
  queues: unknown[]
  topics: unknown[]
}

export function renderTaskRole(ctx: WorkloadContext, grants: TaskRoleGrants): void {
  const m = ctx.manifest
  const statements: Json[] = []
  if (m.exec) {
    statements.push({
      Sid: 'ExecuteCommand',
      Effect: 'Allow',
      Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenDataChannel'],
      Resource: '*',
    })
    statements.push({Sid: 'ExecuteCommandLogs', Effect: 'Allow', Action: ['logs:DescribeLogGroups', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], Resource: '*'})
  }
  if (grants.queues.length) {
    statements.push({
      Sid: 'ConsumeQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: grants.queues,
    })
    // The queues are sealed with the worker's own key (messaging.ts); the key policy leaves the grant to IAM.
    statements.push({Sid: 'DecryptQueueMessages', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: getAtt('EventsKMSKey', 'Arn')})
  }
  if (grants.topics.length) statements.push({Sid: 'PublishToTopics', Effect: 'Allow', Action: ['sns:Publish'], Resource: grants.topics})
  statements.push(...fileSystemStatements(m.storage?.volumes))
  if (managedVolumeName(m.storage?.volumes)) statements.push(managedEfsStatement(ctx))
  if (m.observability?.tracing) {
    statements.push({Sid: 'Tracing', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*'})
  }
  // Managed policies an addons stack outputs are attached to the task role, as in Copilot.
  const managed = addonOutputs(ctx.inputs.addons, 'managedPolicy').map((o) => o.value)
  ctx.t.resource('TaskRole', 'AWS::IAM::Role', 'Task role: what the application’s code may call', {
    ...(managed.length ? {ManagedPolicyArns: managed} : {}),
    AssumeRolePolicyDocument: assumeRolePolicy('ecs-tasks.amazonaws.com'),
    // As Copilot's task role: no IAM at all for the application's code, whatever a managed policy grants.
    // Copilot's role always had this list, and users' cfn.patches.yml append to it (`Policies/-`).
    Policies: [
      {PolicyName: 'DenyIAM', PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Deny', Action: 'iam:*', Resource: '*'}]}},
      ...(statements.length ? [{PolicyName: 'TaskPermissions', PolicyDocument: {Version: '2012-10-17', Statement: statements}}] : []),
    ],
  })
}
