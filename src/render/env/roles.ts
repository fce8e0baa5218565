// The two roles of Copilot's environments, with Copilot's names: `<stack>-CFNExecutionRole`, which
// CloudFormation assumes to change the environment's and its workloads' stacks (the environment's SSM
// record names it, and deploys pass it), and `<stack>-EnvManagerRole`, which the application's account
// assumes to manage the environment (cross-account environments are reached through it). A role's name
// cannot change without replacing it, and both ARNs are recorded and trusted elsewhere.

import {envExport} from '../names.js'
import {getAtt, ifCond, ref, sub, type TemplateBuilder} from '../template.js'

const TOOLS_PRINCIPAL = 'HasToolsAccountPrincipal'

/** Statements of the environment manager role: what `pier`/`copilot` commands do through it. */
function managerStatements(): Record<string, unknown>[] {
  const all = (Sid: string, Action: string[], extra: Record<string, unknown> = {}) => ({Sid, Effect: 'Allow', Action, Resource: '*', ...extra})
  const tagged = (prefix: string) => ({
    Condition: {StringEquals: {[`${prefix}:ResourceTag/copilot-application`]: sub('${AppName}'), [`${prefix}:ResourceTag/copilot-environment`]: sub('${EnvironmentName}')}},
  })
  return [
    all('CloudwatchLogs', ['logs:GetLogRecord', 'logs:GetQueryResults', 'logs:StartQuery', 'logs:GetLogEvents', 'logs:DescribeLogStreams', 'logs:StopQuery', 'logs:TestMetricFilter', 'logs:FilterLogEvents', 'logs:GetLogGroupFields', 'logs:GetLogDelivery']),
    all('Cloudwatch', ['cloudwatch:DescribeAlarms']),
    all('ECS', ['ecs:ListAttributes', 'ecs:ListTasks', 'ecs:DescribeServices', 'ecs:DescribeTaskSets', 'ecs:ListContainerInstances', 'ecs:DescribeContainerInstances', 'ecs:DescribeTasks', 'ecs:DescribeClusters', 'ecs:UpdateService', 'ecs:PutAttributes', 'ecs:StartTelemetrySession', 'ecs:StartTask', 'ecs:StopTask', 'ecs:ListServices', 'ecs:ListTaskDefinitionFamilies', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:ListClusters', 'ecs:RunTask', 'ecs:ListServicesByNamespace']),
    all('ExecuteCommand', ['ecs:ExecuteCommand', 'ssm:StartSession'], tagged('aws')),
    {Sid: 'StartStateMachine', Effect: 'Allow', Action: ['states:StartExecution', 'states:DescribeStateMachine'], Resource: [sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AppName}-${EnvironmentName}-*')]},
    all('CloudFormation', ['cloudformation:CancelUpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:CreateStack', 'cloudformation:DeleteChangeSet', 'cloudformation:DeleteStack', 'cloudformation:Describe*', 'cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift', 'cloudformation:ExecuteChangeSet', 'cloudformation:GetTemplate', 'cloudformation:GetTemplateSummary', 'cloudformation:UpdateStack', 'cloudformation:UpdateTerminationProtection']),
    all('GetAndPassCopilotRoles', ['iam:GetRole', 'iam:PassRole'], tagged('iam')),
    all('ECR', ['ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:GetDownloadUrlForLayer', 'ecr:InitiateLayerUpload', 'ecr:ListImages', 'ecr:ListTagsForResource', 'ecr:PutImage', 'ecr:UploadLayerPart', 'ecr:GetAuthorizationToken']),
    all('ResourceGroups', ['resource-groups:GetGroup', 'resource-groups:GetGroupQuery', 'resource-groups:GetTags', 'resource-groups:ListGroupResources', 'resource-groups:ListGroups', 'resource-groups:SearchResources']),
    all('SSM', ['ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath']),
    {Sid: 'SSMSecret', Effect: 'Allow', Action: ['ssm:PutParameter', 'ssm:AddTagsToResource'], Resource: [sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/copilot/${AppName}/${EnvironmentName}/secrets/*')]},
    {Sid: 'SSMSession', Effect: 'Allow', Action: ['ssm:StartSession'], Resource: [sub('arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-StartPortForwardingSessionToRemoteHost')]},
    all('ELBv2', ['elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeSSLPolicies', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeRules']),
    // Copilot's list, without s3:HeadBucket and s3:ListBucketByTags, which are no IAM actions.
    all('BuiltArtifactAccess', ['s3:GetLifecycleConfiguration', 's3:GetBucketTagging', 's3:GetInventoryConfiguration', 's3:GetObjectVersionTagging', 's3:ListBucketVersions', 's3:GetBucketLogging', 's3:ListBucket', 's3:GetAccelerateConfiguration', 's3:GetBucketPolicy', 's3:GetObjectVersionTorrent', 's3:GetObjectAcl', 's3:GetEncryptionConfiguration', 's3:GetBucketRequestPayment', 's3:GetObjectVersionAcl', 's3:GetObjectTagging', 's3:GetMetricsConfiguration', 's3:GetBucketPublicAccessBlock', 's3:GetBucketPolicyStatus', 's3:ListBucketMultipartUploads', 's3:GetBucketWebsite', 's3:ListJobs', 's3:GetBucketVersioning', 's3:GetBucketAcl', 's3:GetBucketNotification', 's3:GetReplicationConfiguration', 's3:ListMultipartUploadParts', 's3:GetObject', 's3:GetObjectTorrent', 's3:GetAccountPublicAccessBlock', 's3:ListAllMyBuckets', 's3:DescribeJob', 's3:GetBucketCORS', 's3:GetAnalyticsConfiguration', 's3:GetObjectVersionForReplication', 's3:GetBucketLocation', 's3:GetObjectVersion', 'kms:Decrypt']),
    // Copilot named its application's artifact bucket and key here; Pier does not know them, so it
    // allows the buckets of Copilot's application StackSet (`stackset-<app>-...`) and their KMS keys.
    {Sid: 'PutObjectsToArtifactBucket', Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: [sub('arn:${AWS::Partition}:s3:::stackset-${AppName}-*'), sub('arn:${AWS::Partition}:s3:::stackset-${AppName}-*/*')]},
    {Sid: 'EncryptObjectsInArtifactBucket', Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: '*', Condition: {StringLike: {'kms:ViaService': 's3.*.amazonaws.com'}}},
    all('EC2', ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables']),
    all('AppRunner', ['apprunner:DescribeService', 'apprunner:ListOperations', 'apprunner:ListServices', 'apprunner:PauseService', 'apprunner:ResumeService', 'apprunner:StartDeployment', 'apprunner:DescribeObservabilityConfiguration', 'apprunner:DescribeVpcIngressConnection']),
    all('Tags', ['tag:GetResources']),
    all('ApplicationAutoscaling', ['application-autoscaling:DescribeScalingPolicies']),
    {Sid: 'DeleteRoles', Effect: 'Allow', Action: ['iam:DeleteRole', 'iam:ListRolePolicies', 'iam:DeleteRolePolicy'], Resource: [getAtt('CloudformationExecutionRole', 'Arn'), sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}-EnvManagerRole')]},
    {Sid: 'DeleteEnvStack', Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:DeleteStack'], Resource: [sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*')]},
    all('RDS', ['rds:DescribeDBInstances', 'rds:DescribeDBClusters']),
  ]
}

export interface EnvironmentRolesInput {
  /** The application's account (`arn:aws:iam::<id>:root`), which may assume the manager role; without
   * it, the environment's own account. */
  toolsAccountPrincipal?: string
  /** Whether the stack is deployed through its own execution role (the environment's record names it,
   * as Copilot's do): CloudFormation then deletes the stack through that role too, which must not be
   * deleted midway, so both roles are retained (Copilot deleted them after the stack). */
  retain?: boolean
}

export function renderEnvironmentRoles(t: TemplateBuilder, app: string, env: string, input: EnvironmentRolesInput = {}): void {
  const {toolsAccountPrincipal} = input
  const retain = input.retain ? ({deletionPolicy: 'Retain'} as const) : {}
  t.parameter('ToolsAccountPrincipalARN', toolsAccountPrincipal ?? '', {description: 'The account that may assume the environment manager role (empty: this account)'})
  t.condition(TOOLS_PRINCIPAL, {'Fn::Not': [{'Fn::Equals': [ref('ToolsAccountPrincipalARN'), '']}]})
  t.resource('CloudformationExecutionRole', 'AWS::IAM::Role', 'Role CloudFormation assumes to manage the environment’s resources', {
    RoleName: sub('${AWS::StackName}-CFNExecutionRole'),
    AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: ['cloudformation.amazonaws.com']}, Action: 'sts:AssumeRole'}]},
    Path: '/',
    Policies: [{
      PolicyName: 'executeCfn',
      // Broader than PowerUserAccess: workload stacks create the tasks' IAM roles.
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {Effect: 'Allow', NotAction: ['organizations:*', 'account:*'], Resource: '*'},
          {Effect: 'Allow', Action: ['organizations:DescribeOrganization', 'account:ListRegions'], Resource: '*'},
        ],
      },
    }],
  }, retain)
  t.resource('EnvironmentManagerRole', 'AWS::IAM::Role', 'Role the application’s account assumes to manage the environment', {
    RoleName: sub('${AWS::StackName}-EnvManagerRole'),
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{Effect: 'Allow', Principal: {AWS: ifCond(TOOLS_PRINCIPAL, ref('ToolsAccountPrincipalARN'), sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root'))}, Action: 'sts:AssumeRole'}],
    },
    Path: '/',
    Policies: [{PolicyName: 'root', PolicyDocument: {Version: '2012-10-17', Statement: managerStatements()}}],
  }, retain)
  t.output('EnvironmentManagerRoleARN', getAtt('EnvironmentManagerRole', 'Arn'), {description: 'The role assumed to manage the environment.', exportName: envExport(app, env, 'EnvironmentManagerRoleARN')})
  t.output('CFNExecutionRoleARN', getAtt('CloudformationExecutionRole', 'Arn'), {description: 'The role CloudFormation assumes to deploy the environment’s stacks.', exportName: envExport(app, env, 'CFNExecutionRoleARN')})
}

/** Copilot's resource policy that lets log delivery (state machines' logs) write to the workloads' log groups. */
export function renderLogResourcePolicy(t: TemplateBuilder): void {
  const policy = {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'StateMachineToCloudWatchLogs',
      Effect: 'Allow',
      Principal: {Service: ['delivery.logs.amazonaws.com']},
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/copilot/${AppName}-${EnvironmentName}-*:log-stream:*'],
      Condition: {StringEquals: {'aws:SourceAccount': '${AWS::AccountId}'}, ArnLike: {'aws:SourceArn': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*'}},
    }],
  }
  t.resource('LogResourcePolicy', 'AWS::Logs::ResourcePolicy', 'Resource policy letting log delivery write to the workloads’ log groups', {
    PolicyName: sub('${AppName}-${EnvironmentName}-LogResourcePolicy'),
    PolicyDocument: sub(JSON.stringify(policy)),
  })
}
