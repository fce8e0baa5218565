// The narrow interfaces Pier's code uses: only the calls it makes, with the SDK's own input and output
// shapes (types only: importing them loads nothing at run time). One factory in clients.ts builds them.
import type * as ACM from '@aws-sdk/client-acm'
import type * as CFN from '@aws-sdk/client-cloudformation'
import type * as Logs from '@aws-sdk/client-cloudwatch-logs'
import type * as EC2 from '@aws-sdk/client-ec2'
import type * as ECR from '@aws-sdk/client-ecr'
import type * as ECS from '@aws-sdk/client-ecs'
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2'
import type * as KMS from '@aws-sdk/client-kms'
import type * as S3 from '@aws-sdk/client-s3'
import type * as SM from '@aws-sdk/client-secrets-manager'
import type * as SFN from '@aws-sdk/client-sfn'
import type * as SSM from '@aws-sdk/client-ssm'
import type * as STS from '@aws-sdk/client-sts'

type Call<I, O> = (input: I) => Promise<O>

export interface StacksApi {
  describeStacks: Call<CFN.DescribeStacksCommandInput, CFN.DescribeStacksCommandOutput>
  describeStackEvents: Call<CFN.DescribeStackEventsCommandInput, CFN.DescribeStackEventsCommandOutput>
  describeStackResources: Call<CFN.DescribeStackResourcesCommandInput, CFN.DescribeStackResourcesCommandOutput>
  createChangeSet: Call<CFN.CreateChangeSetCommandInput, CFN.CreateChangeSetCommandOutput>
  describeChangeSet: Call<CFN.DescribeChangeSetCommandInput, CFN.DescribeChangeSetCommandOutput>
  executeChangeSet: Call<CFN.ExecuteChangeSetCommandInput, CFN.ExecuteChangeSetCommandOutput>
  deleteChangeSet: Call<CFN.DeleteChangeSetCommandInput, CFN.DeleteChangeSetCommandOutput>
  cancelUpdateStack: Call<CFN.CancelUpdateStackCommandInput, CFN.CancelUpdateStackCommandOutput>
  deleteStack: Call<CFN.DeleteStackCommandInput, CFN.DeleteStackCommandOutput>
  getTemplate: Call<CFN.GetTemplateCommandInput, CFN.GetTemplateCommandOutput>
}

export interface EcsApi {
  describeClusters: Call<ECS.DescribeClustersCommandInput, ECS.DescribeClustersCommandOutput>
  createCluster: Call<ECS.CreateClusterCommandInput, ECS.CreateClusterCommandOutput>
  describeServices: Call<ECS.DescribeServicesCommandInput, ECS.DescribeServicesCommandOutput>
  updateService: Call<ECS.UpdateServiceCommandInput, ECS.UpdateServiceCommandOutput>
  listServices: Call<ECS.ListServicesCommandInput, ECS.ListServicesCommandOutput>
  listTasks: Call<ECS.ListTasksCommandInput, ECS.ListTasksCommandOutput>
  describeTasks: Call<ECS.DescribeTasksCommandInput, ECS.DescribeTasksCommandOutput>
  describeTaskDefinition: Call<ECS.DescribeTaskDefinitionCommandInput, ECS.DescribeTaskDefinitionCommandOutput>
  registerTaskDefinition: Call<ECS.RegisterTaskDefinitionCommandInput, ECS.RegisterTaskDefinitionCommandOutput>
  runTask: Call<ECS.RunTaskCommandInput, ECS.RunTaskCommandOutput>
  stopTask: Call<ECS.StopTaskCommandInput, ECS.StopTaskCommandOutput>
  executeCommand: Call<ECS.ExecuteCommandCommandInput, ECS.ExecuteCommandCommandOutput>
}

/** KMS as exec uses it: the data key of an encrypted session. */
export interface KeysApi {
  generateDataKey: Call<KMS.GenerateDataKeyCommandInput, KMS.GenerateDataKeyCommandOutput>
}

export interface LogsApi {
  getLogEvents: Call<Logs.GetLogEventsCommandInput, Logs.GetLogEventsCommandOutput>
  filterLogEvents: Call<Logs.FilterLogEventsCommandInput, Logs.FilterLogEventsCommandOutput>
  describeLogStreams: Call<Logs.DescribeLogStreamsCommandInput, Logs.DescribeLogStreamsCommandOutput>
}

export interface ParametersApi {
  getParameter: Call<SSM.GetParameterCommandInput, SSM.GetParameterCommandOutput>
  getParametersByPath: Call<SSM.GetParametersByPathCommandInput, SSM.GetParametersByPathCommandOutput>
  putParameter: Call<SSM.PutParameterCommandInput, SSM.PutParameterCommandOutput>
  deleteParameter: Call<SSM.DeleteParameterCommandInput, SSM.DeleteParameterCommandOutput>
  /** `verify`: a parameter's tags and key decide whether the execution role may read it. */
  listTagsForResource: Call<SSM.ListTagsForResourceCommandInput, SSM.ListTagsForResourceCommandOutput>
  describeParameters: Call<SSM.DescribeParametersCommandInput, SSM.DescribeParametersCommandOutput>
}

export interface SecretsApi {
  describeSecret: Call<SM.DescribeSecretCommandInput, SM.DescribeSecretCommandOutput>
}

export interface IdentityApi {
  getCallerIdentity: Call<STS.GetCallerIdentityCommandInput, STS.GetCallerIdentityCommandOutput>
}

export interface LoadBalancersApi {
  describeLoadBalancers: Call<ELB.DescribeLoadBalancersCommandInput, ELB.DescribeLoadBalancersCommandOutput>
  describeListeners: Call<ELB.DescribeListenersCommandInput, ELB.DescribeListenersCommandOutput>
  describeRules: Call<ELB.DescribeRulesCommandInput, ELB.DescribeRulesCommandOutput>
  describeTargetHealth: Call<ELB.DescribeTargetHealthCommandInput, ELB.DescribeTargetHealthCommandOutput>
}

export interface ObjectsApi {
  headBucket: Call<S3.HeadBucketCommandInput, S3.HeadBucketCommandOutput>
  createBucket: Call<S3.CreateBucketCommandInput, S3.CreateBucketCommandOutput>
  putObject: Call<S3.PutObjectCommandInput, S3.PutObjectCommandOutput>
  listObjectsV2: Call<S3.ListObjectsV2CommandInput, S3.ListObjectsV2CommandOutput>
  deleteObjects: Call<S3.DeleteObjectsCommandInput, S3.DeleteObjectsCommandOutput>
  deleteBucket: Call<S3.DeleteBucketCommandInput, S3.DeleteBucketCommandOutput>
}

/** EC2 as `verify` uses it (do the VPC and subnets an environment imports exist?) and as an environment
 * deploy uses it (the ID of the region's CloudFront prefix list). */
export interface NetworksApi {
  describeVpcs: Call<EC2.DescribeVpcsCommandInput, EC2.DescribeVpcsCommandOutput>
  describeSubnets: Call<EC2.DescribeSubnetsCommandInput, EC2.DescribeSubnetsCommandOutput>
  describeManagedPrefixLists: Call<EC2.DescribeManagedPrefixListsCommandInput, EC2.DescribeManagedPrefixListsCommandOutput>
}

/** ACM as `verify` uses it: do the certificates a manifest names exist, and are they issued? */
export interface CertificatesApi {
  describeCertificate: Call<ACM.DescribeCertificateCommandInput, ACM.DescribeCertificateCommandOutput>
}

/** Step Functions as `job run` uses it: a job runs through its state machine, as its schedule runs it. */
export interface StateMachinesApi {
  startExecution: Call<SFN.StartExecutionCommandInput, SFN.StartExecutionCommandOutput>
  describeExecution: Call<SFN.DescribeExecutionCommandInput, SFN.DescribeExecutionCommandOutput>
  getExecutionHistory: Call<SFN.GetExecutionHistoryCommandInput, SFN.GetExecutionHistoryCommandOutput>
  stopExecution: Call<SFN.StopExecutionCommandInput, SFN.StopExecutionCommandOutput>
  /** The definition: the job's timeout (TimeoutSeconds) and retries (Retry), to say "attempt 2 of 3". */
  describeStateMachine: Call<SFN.DescribeStateMachineCommandInput, SFN.DescribeStateMachineCommandOutput>
}

export interface RegistryApi {
  describeRepositories: Call<ECR.DescribeRepositoriesCommandInput, ECR.DescribeRepositoriesCommandOutput>
  createRepository: Call<ECR.CreateRepositoryCommandInput, ECR.CreateRepositoryCommandOutput>
  deleteRepository: Call<ECR.DeleteRepositoryCommandInput, ECR.DeleteRepositoryCommandOutput>
  getAuthorizationToken: Call<ECR.GetAuthorizationTokenCommandInput, ECR.GetAuthorizationTokenCommandOutput>
  describeImages: Call<ECR.DescribeImagesCommandInput, ECR.DescribeImagesCommandOutput>
}

/** Tuning that depends on where the endpoint is (decided by the factory, never by callers). */
export interface PollTuning {
  /** First and longest delay between two polls, ms; each delay is jittered. */
  minDelayMs: number
  maxDelayMs: number
}

export interface AwsClients {
  region: string
  stacks: StacksApi
  ecs: EcsApi
  logs: LogsApi
  parameters: ParametersApi
  secrets: SecretsApi
  identity: IdentityApi
  loadBalancers: LoadBalancersApi
  objects: ObjectsApi
  registry: RegistryApi
  keys: KeysApi
  networks: NetworksApi
  certificates: CertificatesApi
  stateMachines: StateMachinesApi
  poll: PollTuning
  /** Number of API calls made through these clients (for the bench and `--debug`). */
  callCount(): number
  /** The same services in another region, signed with the temporary keys of a role (STS AssumeRole)
   * when one is given: how an environment in another account or region is reached. */
  scoped?(target: {region: string; roleArn?: string; sessionName?: string}): AwsClients
}
