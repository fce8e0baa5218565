// A workload stack `<app>-<env>-<name>` for the four ECS workload types: log group, roles, task
// definition (with taskdef_overrides applied), then what the type adds: a service with its load
// balancing, discovery and autoscaling, queues and topics, or a schedule and its state machine.

import type {EcsWorkloadManifest} from '../../manifest/types.js'
import {renderAddonsStack, workloadAddonParameters} from '../addons.js'
import type {WorkloadDeployInputs} from '../inputs.js'
import {copilotTags, discoveryEndpoint, ENV_OUTPUTS, logGroupName, workloadStackName} from '../names.js'
import {type Json, ref, TemplateBuilder} from '../template.js'
import type {RenderedStack} from '../types.js'
import {renderRollbackAlarms} from './alarms.js'
import {renderAutoscaling} from './autoscaling.js'
import {renderContainers} from './containers.js'
import {envImport, type WorkloadContext} from './context.js'
import {toEcsTaskDefinition} from './ecs-shape.js'
import {renderHttp} from './http.js'
import {importsAlb, renderImportedAlbHttp} from './imported-alb.js'
import {renderJob} from './job.js'
import {renderPublish, renderSubscribe} from './messaging.js'
import {placement} from './network.js'
import {NLB, renderNlb, type RoutedPort} from './nlb.js'
import {applyTaskDefOverrides} from './overrides.js'
import {renderExecutionRole, renderTaskRole} from './roles.js'
import {renderService} from './service.js'
import {taskDefinitionProperties} from './taskdef.js'

export interface WorkloadStackInput {
  app: string
  env: string
  name: string
  manifest: EcsWorkloadManifest
  inputs: WorkloadDeployInputs
}

const LABEL: Record<EcsWorkloadManifest['type'], string> = {
  'Load Balanced Web Service': 'load balanced web service',
  'Backend Service': 'backend service',
  'Worker Service': 'worker service',
  'Scheduled Job': 'scheduled job',
}

function metadataEnv(ctx: WorkloadContext): Json[] {
  const m = ctx.manifest
  const env: Json[] = [
    {Name: 'COPILOT_APPLICATION_NAME', Value: ctx.app},
    {Name: 'COPILOT_ENVIRONMENT_NAME', Value: ctx.env},
    {Name: 'COPILOT_SERVICE_NAME', Value: ctx.name},
    {Name: 'COPILOT_SERVICE_DISCOVERY_ENDPOINT', Value: discoveryEndpoint(ctx.app, ctx.env)},
  ]
  if (importsAlb(ctx) && ctx.inputs.importedAlb) env.push({Name: 'COPILOT_LB_DNS', Value: ctx.inputs.importedAlb.dnsName})
  else if (m.type === 'Load Balanced Web Service' && m.http) env.push({Name: 'COPILOT_LB_DNS', Value: envImport(ctx, ENV_OUTPUTS.publicLbDns)})
  else if (m.type === 'Load Balanced Web Service' && m.nlb) env.push({Name: 'COPILOT_LB_DNS', Value: {'Fn::GetAtt': [NLB, 'DNSName']}})
  else if (m.type === 'Backend Service' && m.http) env.push({Name: 'COPILOT_LB_DNS', Value: envImport(ctx, ENV_OUTPUTS.internalLbDns)})
  // Where each volume is mounted in the main container, as Copilot told the code.
  const volumes = m.storage?.volumes ?? {}
  const names = Object.keys(volumes).sort()
  if (names.length) env.push({Name: 'COPILOT_MOUNT_POINTS', Value: JSON.stringify(Object.fromEntries(names.map((n) => [n, volumes[n]!.path])))})
  return env
}

/**
 * A load balancer may only target a port the container maps: each port routed to (a `target_port`, an
 * NLB listener's port) is added to its container's port mappings, as Copilot did.
 */
function exposeRoutedPorts(properties: Json, routed: RoutedPort[]): void {
  const containers = (properties.ContainerDefinitions ?? []) as Json[]
  for (const lb of routed) {
    const c = containers.find((x) => x.Name === lb.ContainerName)
    if (!c) continue
    for (const protocol of lb.protocols) {
      const mappings = (c.PortMappings ?? []) as Json[]
      // A mapping without a protocol is tcp.
      if (mappings.some((p) => p.ContainerPort === lb.ContainerPort && (p.Protocol ?? 'tcp') === protocol)) continue
      c.PortMappings = [...mappings, {ContainerPort: lb.ContainerPort, Protocol: protocol}]
    }
  }
}

export function renderWorkloadStack(input: WorkloadStackInput): RenderedStack & {taskDefinition: Record<string, any>} {
  const {app, env, name, manifest: m} = input
  const tags = {...(m.tags ?? {}), ...copilotTags(app, env, name)}
  const t = new TemplateBuilder(`Pier ${LABEL[m.type]} ${name} in environment ${env} of application ${app}.`, tags)
  const ctx: WorkloadContext = {app, env, name, manifest: m, inputs: input.inputs, t}
  t.parameter('AppName', app)
  t.parameter('EnvName', env)
  t.parameter('WorkloadName', name)

  // Not retained: the name is fixed, so a retained group would make the next create of this stack fail
  // (after a failed first deploy, or `svc delete` then `svc deploy`) with "log group already exists".
  t.resource('LogGroup', 'AWS::Logs::LogGroup', `Log group ${logGroupName(app, env, name)}`, {
    LogGroupName: logGroupName(app, env, name),
    RetentionInDays: m.logging?.retention ?? 30,
  })

  if (input.inputs.addons) renderAddonsStack(t, input.inputs.addons, workloadAddonParameters())

  const publish = renderPublish(ctx)
  const subscribe = renderSubscribe(ctx)
  const {containers, secretRefs, envFileParams} = renderContainers(ctx, [...metadataEnv(ctx), ...publish.env, ...subscribe.env])
  renderExecutionRole(ctx, secretRefs, envFileParams)
  renderTaskRole(ctx, {queues: subscribe.queues, topics: publish.topics})
  const properties = applyTaskDefOverrides(taskDefinitionProperties(ctx, containers), m.taskdef_overrides)
  t.resource('TaskDefinition', 'AWS::ECS::TaskDefinition', `Task definition of ${name}`, properties)

  const where = placement(ctx)
  if (m.type === 'Scheduled Job') {
    renderJob(ctx, where)
  } else {
    const http = importsAlb(ctx) ? renderImportedAlbHttp(ctx) : renderHttp(ctx)
    const nlb = renderNlb(ctx)
    const alarms = renderRollbackAlarms(ctx, m.deployment, subscribe.queueId)
    renderService(ctx, {
      placement: where,
      loadBalancers: [...http.loadBalancers, ...nlb.loadBalancers],
      ...(http.gracePeriodSeconds !== undefined ? {gracePeriodSeconds: http.gracePeriodSeconds} : {}),
      dependsOn: [...http.listenerRules, ...nlb.listeners],
      alarmNames: alarms.alarmNames,
    })
    const httpRouted = http.loadBalancers.map((lb) => ({ContainerName: lb.ContainerName as string, ContainerPort: lb.ContainerPort as number, protocols: ['tcp' as const]}))
    exposeRoutedPorts(properties, [...httpRouted, ...nlb.routed])
    renderAutoscaling(ctx, http, subscribe.queueId)
    t.output('ServiceName', {'Fn::GetAtt': ['Service', 'Name']}, {description: 'Name of the ECS service'})
  }
  t.output('TaskDefinitionArn', ref('TaskDefinition'), {description: 'ARN of the task definition'})

  const parameters = {...t.parameterValues}
  return {
    stackName: workloadStackName(app, env, name),
    template: t.build(),
    parameters,
    tags,
    taskDefinition: toEcsTaskDefinition(properties, parameters),
  }
}
