// Names users and other stacks look for: the same as Copilot's, so existing tooling keeps working.

export const environmentStackName = (app: string, env: string): string => `${app}-${env}`
export const workloadStackName = (app: string, env: string, name: string): string => `${app}-${env}-${name}`
export const logGroupName = (app: string, env: string, name: string): string => `/copilot/${app}-${env}-${name}`
export const discoveryEndpoint = (app: string, env: string): string => `${env}.${app}.local`

/** Name of an environment stack export, imported by workload stacks. */
export const envExport = (app: string, env: string, output: string): string => `${app}-${env}-${output}`

/** A one-off task group's stack and log group (Copilot's `task-<group>`, `/copilot/<group>`). */
export const taskStackName = (group: string): string => `task-${group}`
export const taskLogGroupName = (group: string): string => `/copilot/${group}`

/** The keys of the tags Copilot put on its resources. */
export const TAG = {
  application: 'copilot-application',
  environment: 'copilot-environment',
  service: 'copilot-service',
  task: 'copilot-task',
} as const

/** Tags Copilot put on every resource; existing secrets and IAM policies depend on them. */
export function copilotTags(app: string, env: string, workload?: string): Record<string, string> {
  return {
    [TAG.application]: app,
    [TAG.environment]: env,
    ...(workload ? {[TAG.service]: workload} : {}),
  }
}

/** Tags of a one-off task group's stack; the application and environment when it runs in one. */
export function taskTags(group: string, app?: string, env?: string): Record<string, string> {
  return {[TAG.task]: group, ...(app ? {[TAG.application]: app} : {}), ...(env ? {[TAG.environment]: env} : {})}
}

/** The environment stack's outputs, each exported as `<app>-<env>-<Name>`. */
export const ENV_OUTPUTS = {
  vpcId: 'VpcId',
  publicSubnets: 'PublicSubnets',
  privateSubnets: 'PrivateSubnets',
  cluster: 'ClusterId',
  environmentSecurityGroup: 'EnvironmentSecurityGroup',
  namespaceId: 'ServiceDiscoveryNamespaceID',
  publicLbDns: 'PublicLoadBalancerDNSName',
  publicLbFullName: 'PublicLoadBalancerFullName',
  httpListener: 'HTTPListenerArn',
  httpsListener: 'HTTPSListenerArn',
  publicCertificate: 'PublicCertificateArn',
  internalLbDns: 'InternalLoadBalancerDNSName',
  internalLbFullName: 'InternalLoadBalancerFullName',
  internalHttpListener: 'InternalHTTPListenerArn',
  internalHttpsListener: 'InternalHTTPSListenerArn',
  /** Canonical hosted zones of the load balancers, for alias records (Copilot's export names). */
  publicLbHostedZone: 'CanonicalHostedZoneID',
  internalLbHostedZone: 'InternalLoadBalancerCanonicalHostedZoneID',
  /** The private hosted zone `<env>.<app>.internal` of Backend Services' aliases (Copilot's export names). */
  internalWorkloadsZone: 'InternalWorkloadsHostedZoneID',
  internalWorkloadsZoneName: 'InternalWorkloadsHostedZoneName',
  /** The file system of `efs: true` volumes (Copilot's output ManagedFileSystemID, exported as `-FilesystemID`). */
  managedFileSystem: 'FilesystemID',
} as const
