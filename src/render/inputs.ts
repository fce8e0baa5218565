import type {AddonsWiring} from './addons.js'

// Deploy-time values. Copilot computed these in Lambda-backed custom resources while the stack was
// deploying; Pier computes them before the deploy and passes them in, so rendering stays pure and the
// template needs no Lambda. Each value ends up either as a stack parameter or as a literal.

/** What the environment stack must create for the workloads deployed to it (Copilot's
 * ALBWorkloads / InternalALBWorkloads / NATWorkloads parameters): workload names, sorted. */
export interface EnvironmentNeeds {
  /** Workloads behind the public Application Load Balancer (Load Balanced Web Services with `http`). */
  publicAlb: string[]
  /** Workloads behind the internal Application Load Balancer (Backend Services with `http`). */
  internalAlb: string[]
  /** Workloads placed in private subnets: they need NAT gateways for egress (image pulls, logs). */
  nat: string[]
  /** Workloads with a volume on the environment's file system (`efs: true`): Copilot's EFSWorkloads. */
  efs?: string[]
  /** Public aliases of the services behind the public load balancer (CloudFront's aliases with `cdn`). */
  aliases?: string[]
}

/** Facts about the target environment a workload stack depends on. */
export interface EnvironmentFacts {
  /** The public ALB has an HTTPS listener (the environment manifest lists `http.public.certificates`). */
  httpsListener?: boolean
  /** The internal ALB has an HTTPS listener (`http.private.certificates`). */
  internalHttpsListener?: boolean
  /** The environment has the private hosted zone `<env>.<app>.internal` (an internal load balancer
   * without certificates): each Backend Service behind it gets `<name>.<env>.<app>.internal`. */
  internalWorkloadsZone?: boolean
  /** Certificate ARNs for TLS listeners of a service's Network Load Balancer (`nlb.port: 443/tls`). */
  certificates?: string[]
}

/** An existing Application Load Balancer a service routes through (`http.alb`, by name or ARN), as
 * ELBv2 describes it at deploy time: the service adds its rules to these listeners. */
export interface ImportedAlb {
  arn: string
  name: string
  dnsName: string
  /** The load balancer's canonical hosted zone, for alias records. */
  hostedZoneId: string
  listeners: {arn: string; port: number; protocol: string}[]
  securityGroups: string[]
}

export interface WorkloadDeployInputs {
  /** Image URI per container: the key is the container name (the workload's name for the main
   * container, the sidecar's name otherwise). Required for containers built from source (`image.build`);
   * a container with `image.location` uses its location when absent. Passed as parameters
   * (`ContainerImage`, `<Sidecar>ContainerImage`), so a new image changes only parameters. */
  images?: Record<string, string>
  /** Docker labels added per container name. For images built from source, Pier sets
   * `pier.build.context` (absolute directory) and `pier.build.dockerfile`, which the local control
   * plane uses to run the source. */
  dockerLabels?: Record<string, Record<string, string>>
  /** Listener rule priorities, one per rule in order: `http` first, then `http.additional_rules`
   * (see `httpRules`). Passed as parameters `HTTPRulePriority`, `HTTPRulePriority1`, ... When absent,
   * a stable priority is derived from the workload's name and path (fine for `package`; deploy computes
   * free priorities from the listener). */
  rulePriorities?: number[]
  /** The service's current desired count when autoscaling has moved it, so a redeploy does not reset
   * it (Copilot's DynamicDesiredCount Lambda). Passed as the `TaskCount` parameter. */
  desiredCount?: number
  /** S3 object ARN per container name of the uploaded `env_file` (Copilot's `EnvFileARN`). */
  envFileArns?: Record<string, string>
  /** Subnet IDs resolved from `network.vpc.placement.subnets.from_tags` (a lookup done at deploy time). */
  subnetIds?: string[]
  /** The load balancer `http.alb` names, looked up at deploy time (Copilot's imported ALB). */
  importedAlb?: ImportedAlb
  /** Facts about the environment the workload is deployed to. */
  environment?: EnvironmentFacts
  /** The workload's addons (copilot/<name>/addons/): rendered as the `AddonsStack` nested stack. */
  addons?: AddonsWiring
}
