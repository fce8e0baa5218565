// The manifest model: Copilot's documented format, field names exactly as written in YAML.
// These are the shapes after interpolation, type defaults and environment overrides (the "merged
// model" the renderer consumes). The JSON Schemas in schemas/ decide validity; these types mirror them.

export type WorkloadType =
  | 'Load Balanced Web Service'
  | 'Backend Service'
  | 'Worker Service'
  | 'Scheduled Job'
  | 'Request-Driven Web Service'
  | 'Static Site'

export interface WorkspaceManifest {
  application: string
}

export interface BuildArgs {
  context?: string
  dockerfile?: string
  args?: Record<string, string>
  target?: string
  cache_from?: string[]
}

export interface ImageConfig {
  build?: string | BuildArgs
  location?: string
  port?: number
  credentials?: string
  labels?: Record<string, string>
  depends_on?: Record<string, 'start' | 'complete' | 'success' | 'healthy'>
  healthcheck?: ContainerHealthCheck
}

export interface ContainerHealthCheck {
  command?: string | string[]
  interval?: string
  retries?: number
  timeout?: string
  start_period?: string
}

export type CommandOverride = string | string[]

/** A security group ID, or the name of a CloudFormation export holding one. */
export type SecurityGroupRef = string | {from_cfn: string}
export type VariableValue = string | number | boolean | {from_cfn: string}
export type SecretValue = string | {secretsmanager: string} | {from_cfn: string}

export interface Range {
  min?: number
  max?: number
  spot_from?: number
}

export interface ScalingTarget {
  value?: number | string
  cooldown?: Cooldown
}
export interface Cooldown {
  in?: string
  out?: string
}

export interface AdvancedCount {
  range?: string | Range
  cooldown?: Cooldown
  cpu_percentage?: number | ScalingTarget
  memory_percentage?: number | ScalingTarget
  requests?: number | ScalingTarget
  response_time?: string | ScalingTarget
  queue_delay?: {acceptable_latency?: string; msg_processing_time?: string; cooldown?: Cooldown}
  spot?: number
}
export type Count = number | AdvancedCount

export interface EfsConfig {
  /** A file system ID, or the name of a CloudFormation export holding one. */
  id?: string | {from_cfn: string}
  root_dir?: string
  auth?: {iam?: boolean; access_point_id?: string}
  uid?: number
  gid?: number
}
export interface Volume {
  path: string
  read_only?: boolean
  efs?: boolean | EfsConfig
}
export interface Storage {
  ephemeral?: number
  readonly_fs?: boolean
  volumes?: Record<string, Volume>
}

export interface Logging {
  retention?: number
  image?: string
  destination?: Record<string, string>
  enableMetadata?: boolean
  secretOptions?: Record<string, SecretValue>
  configFilePath?: string
  variables?: Record<string, VariableValue>
  secrets?: Record<string, SecretValue>
  env_file?: string
}

export interface Sidecar {
  port?: number | string
  image?: string | {build?: string | BuildArgs; location?: string}
  essential?: boolean
  credentialsParameter?: string
  variables?: Record<string, VariableValue>
  env_file?: string
  secrets?: Record<string, SecretValue>
  mount_points?: {source_volume: string; path: string; read_only?: boolean}[]
  depends_on?: Record<string, 'start' | 'complete' | 'success' | 'healthy'>
  labels?: Record<string, string>
  command?: CommandOverride
  entrypoint?: CommandOverride
  healthcheck?: ContainerHealthCheck
}

export type Placement = 'public' | 'private' | {subnets: string[] | {from_tags: Record<string, string | string[]>}}
export interface NetworkConfig {
  vpc?: {
    placement?: Placement
    security_groups?: SecurityGroupRef[] | {groups?: SecurityGroupRef[]; deny_default?: boolean}
  }
  connect?: boolean | {alias?: string}
}

export type PlatformString = 'linux/amd64' | 'linux/x86_64' | 'linux/arm' | 'linux/arm64' | 'windows/amd64' | 'windows/x86_64' | string
export type Platform = PlatformString | {osfamily: string; architecture: string}

export interface ExecConfig {
  command?: string
}

export interface TaskDefOverride {
  path: string
  value: unknown
}

export interface DeploymentConfig {
  rolling?: 'default' | 'recreate'
  rollback_alarms?: string[] | {cpu_utilization?: number; memory_utilization?: number; messages_delayed?: number}
}

/** Pier extension: an explicit capacity provider strategy (documented in docs/). */
export interface CapacityProviderStrategyItem {
  capacity_provider: 'FARGATE' | 'FARGATE_SPOT'
  base?: number
  weight?: number
}

export interface HttpHealthCheck {
  path?: string
  port?: number
  success_codes?: string
  healthy_threshold?: number
  unhealthy_threshold?: number
  interval?: string
  timeout?: string
  grace_period?: string
}

export interface RoutingRule {
  path?: string
  alias?: string | string[] | {name: string; hosted_zone?: string}[]
  healthcheck?: string | HttpHealthCheck
  stickiness?: boolean
  deregistration_delay?: string
  target_container?: string
  target_port?: number
  allowed_source_ips?: string[]
  redirect_to_https?: boolean
  version?: 'HTTP1' | 'HTTP2' | 'gRPC' | 'http1' | 'http2' | 'grpc' | string
  hosted_zone?: string
}
export interface HttpConfig extends RoutingRule {
  alb?: string
  private?: boolean
  additional_rules?: RoutingRule[]
}

export interface NlbListener {
  port: string
  healthcheck?: {port?: number; healthy_threshold?: number; unhealthy_threshold?: number; timeout?: string; interval?: string; grace_period?: string}
  target_container?: string
  target_port?: number
  ssl_policy?: string
  stickiness?: boolean
  deregistration_delay?: string
}
export interface NlbConfig extends NlbListener {
  alias?: string | string[]
  additional_listeners?: NlbListener[]
}

export interface Topic {
  name: string
  fifo?: boolean | {content_based_deduplication?: boolean}
}
export interface SqsQueue {
  retention?: string
  delay?: string
  timeout?: string
  dead_letter?: {tries?: number}
  fifo?: boolean | Record<string, unknown>
}
export interface TopicSubscription {
  name: string
  service: string
  filter_policy?: Record<string, unknown>
  queue?: boolean | SqsQueue
}

/** Fields shared by every ECS workload type. */
export interface WorkloadCommon {
  name: string
  type: WorkloadType
  image?: ImageConfig
  entrypoint?: CommandOverride
  command?: CommandOverride
  cpu?: number
  memory?: number
  platform?: Platform
  exec?: boolean | ExecConfig
  variables?: Record<string, VariableValue>
  env_file?: string
  secrets?: Record<string, SecretValue>
  storage?: Storage
  logging?: Logging
  sidecars?: Record<string, Sidecar>
  network?: NetworkConfig
  publish?: {topics?: Topic[]}
  taskdef_overrides?: TaskDefOverride[]
  observability?: {tracing?: 'awsxray' | string}
  tags?: Record<string, string>
}

export interface LoadBalancedWebService extends WorkloadCommon {
  type: 'Load Balanced Web Service'
  http?: false | HttpConfig
  nlb?: NlbConfig
  count?: Count
  deployment?: DeploymentConfig
  capacity_providers?: CapacityProviderStrategyItem[]
}

export interface BackendService extends WorkloadCommon {
  type: 'Backend Service'
  http?: false | HttpConfig
  count?: Count
  deployment?: DeploymentConfig
  capacity_providers?: CapacityProviderStrategyItem[]
}

export interface WorkerService extends WorkloadCommon {
  type: 'Worker Service'
  subscribe?: {topics?: TopicSubscription[]; queue?: SqsQueue}
  count?: Count
  deployment?: DeploymentConfig
  capacity_providers?: CapacityProviderStrategyItem[]
}

export interface ScheduledJob extends WorkloadCommon {
  type: 'Scheduled Job'
  on: {schedule: string}
  timeout?: string
  retries?: number
}

export interface RequestDrivenWebService {
  name: string
  type: 'Request-Driven Web Service'
  [field: string]: unknown
}
export interface StaticSite {
  name: string
  type: 'Static Site'
  [field: string]: unknown
}

export type EcsWorkloadManifest = LoadBalancedWebService | BackendService | WorkerService | ScheduledJob
export type WorkloadManifest = EcsWorkloadManifest | RequestDrivenWebService | StaticSite

export interface SubnetConfig {
  id?: string
  cidr?: string
  az?: string
}
export interface EnvironmentManifest {
  name: string
  type: 'Environment'
  network?: {
    vpc?: {
      id?: string
      cidr?: string
      subnets?: {public?: SubnetConfig[]; private?: SubnetConfig[]}
      security_group?: {ingress?: unknown[]; egress?: unknown[]}
      flow_logs?: boolean | {retention?: number}
    }
  }
  http?: {
    public?: {
      certificates?: string[]
      access_logs?: boolean | {bucket_name?: string; prefix?: string}
      ingress?: {cdn?: boolean; source_ips?: string[]}
      ssl_policy?: string
      security_groups?: {ingress?: unknown}
    }
    private?: {
      subnets?: string[]
      certificates?: string[]
      ingress?: {vpc?: boolean}
      ssl_policy?: string
    }
  }
  cdn?: boolean | Record<string, unknown>
  observability?: {container_insights?: boolean | 'enhanced'}
}
