// The ECS service: desired count (a parameter: deploy passes the current one when autoscaling moved
// it), capacity strategy, rolling or recreate deployments with the circuit breaker rolling back,
// rollback alarms, exec, awsvpc placement, load balancers, Cloud Map and Service Connect.

import type {DeploymentConfig, EcsWorkloadManifest} from '../../manifest/types.js'
import {ENV_OUTPUTS, workloadStackName} from '../names.js'
import {compact, getAtt, type Json, ref} from '../template.js'
import {capacityProviderStrategy} from './capacity.js'
import {envImport, isService, namespaceName, type WorkloadContext} from './context.js'
import {initialDesiredCount} from './count.js'
import {awsvpcConfiguration, type Placement} from './network.js'

export interface ServiceAttachments {
  placement: Placement
  loadBalancers: Json[]
  gracePeriodSeconds?: number
  dependsOn: string[]
  /** Alarms whose state rolls a deployment back (rendered by the caller or named in the manifest). */
  alarmNames: unknown[]
}

function deploymentConfiguration(d: DeploymentConfig | undefined, alarmNames: unknown[]): Json {
  const recreate = d?.rolling === 'recreate'
  return {
    MinimumHealthyPercent: recreate ? 0 : 100,
    MaximumPercent: recreate ? 100 : 200,
    DeploymentCircuitBreaker: {Enable: true, Rollback: true},
    ...(alarmNames.length ? {Alarms: {AlarmNames: alarmNames, Enable: true, Rollback: true}} : {}),
  }
}

function serviceConnect(ctx: WorkloadContext, m: EcsWorkloadManifest): Json | undefined {
  const connect = m.network?.connect
  if (!connect) return undefined
  const port = m.image?.port
  const alias = typeof connect === 'object' && connect.alias ? connect.alias : ctx.name
  // The Cloud Map service Service Connect creates must not take the name of the DNS discovery
  // service (`<name>`) in the same namespace: Cloud Map names are unique per namespace.
  return compact({
    Enabled: true,
    Namespace: namespaceName(ctx),
    Services: port ? [{PortName: 'target', DiscoveryName: `${ctx.name}-sc`, ClientAliases: [{Port: port, DnsName: alias}]}] : undefined,
  })
}

export function renderService(ctx: WorkloadContext, a: ServiceAttachments): void {
  const m = ctx.manifest
  if (!isService(m)) return
  const desired = ctx.inputs.desiredCount ?? initialDesiredCount(m.count)
  ctx.t.parameter('TaskCount', String(desired), {type: 'Number', description: 'Desired number of tasks'})
  const discovery = m.type !== 'Worker Service'
  if (discovery) {
    ctx.t.resource('DiscoveryService', 'AWS::ServiceDiscovery::Service', `Service discovery name ${ctx.name}.${namespaceName(ctx)}`, {
      Name: ctx.name,
      Description: `Discovery service for ${ctx.name}`,
      NamespaceId: envImport(ctx, ENV_OUTPUTS.namespaceId),
      DnsConfig: {RoutingPolicy: 'MULTIVALUE', DnsRecords: [{Type: 'A', TTL: 10}]},
      HealthCheckCustomConfig: {FailureThreshold: 1},
    })
    // Copilot's export: other stacks may import the discovery service.
    ctx.t.output('DiscoveryServiceARN', getAtt('DiscoveryService', 'Arn'), {
      description: 'ARN of the Cloud Map discovery service',
      exportName: `${workloadStackName(ctx.app, ctx.env, ctx.name)}-DiscoveryServiceARN`,
    })
  }
  const strategy = capacityProviderStrategy(m.count, m.capacity_providers)
  ctx.t.resource(
    'Service',
    'AWS::ECS::Service',
    `ECS service ${ctx.name}`,
    compact({
      Cluster: envImport(ctx, ENV_OUTPUTS.cluster),
      TaskDefinition: ref('TaskDefinition'),
      DesiredCount: ref('TaskCount'),
      // Copilot's services name their launch type when no strategy is given; adding or dropping it
      // later would replace the service.
      LaunchType: strategy ? undefined : 'FARGATE',
      CapacityProviderStrategy: strategy,
      // Copilot pinned Windows tasks to Fargate platform 1.0.0.
      PlatformVersion: isWindows(m.platform) ? '1.0.0' : 'LATEST',
      PropagateTags: 'SERVICE',
      EnableECSManagedTags: true,
      EnableExecuteCommand: Boolean(m.exec),
      DeploymentConfiguration: deploymentConfiguration(m.deployment, a.alarmNames),
      NetworkConfiguration: awsvpcConfiguration(a.placement),
      LoadBalancers: a.loadBalancers.length ? a.loadBalancers : undefined,
      HealthCheckGracePeriodSeconds: a.loadBalancers.length ? (a.gracePeriodSeconds ?? 60) : undefined,
      ServiceRegistries: discovery ? [{RegistryArn: getAtt('DiscoveryService', 'Arn')}] : undefined,
      ServiceConnectConfiguration: serviceConnect(ctx, m),
    }),
    {dependsOn: a.dependsOn},
  )
}

function isWindows(p: EcsWorkloadManifest['platform']): boolean {
  const os = typeof p === 'string' ? p.split('/')[0] : p?.osfamily
  return Boolean(os?.toLowerCase().startsWith('windows'))
}
