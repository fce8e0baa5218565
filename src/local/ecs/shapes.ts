// Records → ECS response shapes (field names and nesting as the ECS API returns them).

import type {ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord} from '../cluster/state.js'
import type {EcsContext} from './context.js'
import {ts} from './input.js'

export function clusterShape(ctx: EcsContext, c: ClusterRecord, withTags = true): Record<string, unknown> {
  let running = 0
  let pending = 0
  for (const t of Object.values(ctx.store.state.tasks)) {
    if (t.clusterArn !== c.clusterArn) continue
    if (t.lastStatus === 'RUNNING') running++
    else if (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING' || t.lastStatus === 'ACTIVATING') pending++
  }
  const activeServices = Object.values(ctx.store.state.services).filter((s) => s.clusterArn === c.clusterArn && s.status === 'ACTIVE').length
  return {
    clusterArn: c.clusterArn,
    clusterName: c.clusterName,
    status: c.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: activeServices,
    statistics: [],
    ...(withTags ? {tags: c.tags} : {}),
    settings: c.settings,
    capacityProviders: c.capacityProviders,
    defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy,
    ...(c.configuration ? {configuration: c.configuration} : {}),
    ...(c.serviceConnectDefaults ? {serviceConnectDefaults: c.serviceConnectDefaults} : {}),
    attachments: [],
  }
}

export function taskDefinitionShape(td: TaskDefinitionRecord): Record<string, unknown> {
  const body = td.body
  return {
    taskDefinitionArn: td.taskDefinitionArn,
    ...body,
    family: td.family,
    revision: td.revision,
    status: td.status,
    volumes: body.volumes ?? [],
    placementConstraints: body.placementConstraints ?? [],
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: requiresAttributes(body),
    registeredAt: ts(td.registeredAt),
    ...(td.deregisteredAt ? {deregisteredAt: ts(td.deregisteredAt)} : {}),
    registeredBy: `arn:aws:iam::${td.taskDefinitionArn.split(':')[4]}:root`,
  }
}

function requiresAttributes(body: Record<string, any>): {name: string}[] {
  const out = new Set<string>()
  if (body.networkMode === 'awsvpc') out.add('ecs.capability.task-eni')
  for (const c of body.containerDefinitions ?? []) {
    if (c.logConfiguration?.logDriver === 'awslogs') out.add('com.amazonaws.ecs.capability.logging-driver.awslogs')
    if (c.secrets?.length) out.add('ecs.capability.secrets.ssm.environment-variables')
    if (c.healthCheck) out.add('ecs.capability.container-health-check')
    if (c.dockerLabels) out.add('com.amazonaws.ecs.capability.docker-remote-api.1.18')
  }
  if (body.executionRoleArn) out.add('ecs.capability.execution-role-awslogs')
  if (body.taskRoleArn) out.add('com.amazonaws.ecs.capability.task-iam-role')
  return [...out].map((name) => ({name}))
}

export function taskShape(ctx: EcsContext, t: TaskRecord, withTags = true): Record<string, unknown> {
  const ip = t.privateIp ?? '127.0.0.1'
  const subnet = t.networkConfiguration?.awsvpcConfiguration?.subnets?.[0] ?? 'subnet-local'
  const attachmentStatus = t.lastStatus === 'STOPPED' ? 'DELETED' : t.lastStatus === 'PENDING' ? 'PRECREATED' : 'ATTACHED'
  const execAgent = t.enableExecuteCommand
    ? [{name: 'ExecuteCommandAgent', lastStatus: t.lastStatus === 'RUNNING' ? 'RUNNING' : t.lastStatus === 'STOPPED' ? 'STOPPED' : 'PENDING', ...(t.startedAt ? {lastStartedAt: ts(t.startedAt)} : {})}]
    : undefined
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    group: t.group,
    ...(t.startedBy ? {startedBy: t.startedBy} : {}),
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    cpu: String(t.cpu),
    memory: String(t.memory),
    ...(t.launchType ? {launchType: t.launchType} : {}),
    ...(t.capacityProviderName ? {capacityProviderName: t.capacityProviderName} : {}),
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    availabilityZone: `${ctx.scope.region}a`,
    connectivity: t.connectivityAt ? 'CONNECTED' : undefined,
    ...(t.connectivityAt ? {connectivityAt: ts(t.connectivityAt)} : {}),
    createdAt: ts(t.createdAt),
    ...(t.pullStartedAt ? {pullStartedAt: ts(t.pullStartedAt)} : {}),
    ...(t.pullStoppedAt ? {pullStoppedAt: ts(t.pullStoppedAt)} : {}),
    ...(t.startedAt ? {startedAt: ts(t.startedAt)} : {}),
    ...(t.stoppingAt ? {stoppingAt: ts(t.stoppingAt)} : {}),
    ...(t.stoppedAt ? {stoppedAt: ts(t.stoppedAt)} : {}),
    ...(t.executionStoppedAt ? {executionStoppedAt: ts(t.executionStoppedAt)} : {}),
    ...(t.stopCode ? {stopCode: t.stopCode} : {}),
    ...(t.stoppedReason ? {stoppedReason: t.stoppedReason} : {}),
    healthStatus: t.healthStatus,
    enableExecuteCommand: t.enableExecuteCommand,
    overrides: {containerOverrides: [], inferenceAcceleratorOverrides: [], ...t.overrides},
    version: t.version,
    ...(withTags ? {tags: t.tags} : {}),
    ephemeralStorage: {sizeInGiB: 20},
    attachments: [
      {
        id: t.attachmentId,
        type: 'ElasticNetworkInterface',
        status: attachmentStatus,
        details: [
          {name: 'subnetId', value: subnet},
          {name: 'networkInterfaceId', value: t.eniId},
          {name: 'macAddress', value: '02:00:00:00:00:01'},
          {name: 'privateDnsName', value: `ip-${ip.replace(/\./g, '-')}.ec2.internal`},
          {name: 'privateIPv4Address', value: ip},
        ],
      },
    ],
    attributes: [{name: 'ecs.cpu-architecture', value: process.arch === 'arm64' ? 'arm64' : 'x86_64'}],
    containers: t.containers.map((c) => ({
      containerArn: c.containerArn,
      taskArn: t.taskArn,
      name: c.name,
      image: c.image,
      ...(c.runtimeId ? {runtimeId: c.runtimeId} : {}),
      lastStatus: c.lastStatus,
      ...(c.exitCode !== undefined ? {exitCode: c.exitCode} : {}),
      ...(c.reason ? {reason: c.reason} : {}),
      networkBindings: c.networkBindings,
      networkInterfaces: [{attachmentId: t.attachmentId, privateIpv4Address: ip}],
      healthStatus: c.healthStatus ?? 'UNKNOWN',
      ...(execAgent ? {managedAgents: execAgent} : {}),
      cpu: c.cpu ?? '0',
      ...(c.memory ? {memory: c.memory} : {}),
      ...(c.memoryReservation ? {memoryReservation: c.memoryReservation} : {}),
    })),
  }
}

export function serviceShape(ctx: EcsContext, s: ServiceRecord, withTags = true): Record<string, unknown> {
  const counts = new Map<string, {running: number; pending: number}>()
  let running = 0
  let pending = 0
  for (const t of Object.values(ctx.store.state.tasks)) {
    if (t.serviceArn !== s.serviceArn || t.lastStatus === 'STOPPED') continue
    const c = counts.get(t.deploymentId ?? '') ?? {running: 0, pending: 0}
    if (t.lastStatus === 'RUNNING') {
      c.running++
      running++
    } else if (t.desiredStatus === 'RUNNING') {
      c.pending++
      pending++
    }
    counts.set(t.deploymentId ?? '', c)
  }
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    clusterArn: s.clusterArn,
    loadBalancers: s.loadBalancers,
    serviceRegistries: s.serviceRegistries,
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running,
    pendingCount: pending,
    ...(s.launchType ? {launchType: s.launchType} : {}),
    ...(s.capacityProviderStrategy ? {capacityProviderStrategy: s.capacityProviderStrategy} : {}),
    platformVersion: s.platformVersion,
    platformFamily: 'Linux',
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: s.deploymentConfiguration,
    deployments: s.deployments.map((d) => {
      const c = counts.get(d.id) ?? {running: 0, pending: 0}
      return {
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: d.status === 'PRIMARY' ? s.desiredCount : c.running + c.pending,
        pendingCount: c.pending,
        runningCount: c.running,
        failedTasks: d.failedTasks,
        createdAt: ts(d.createdAt),
        updatedAt: ts(d.updatedAt),
        ...(d.launchType ? {launchType: d.launchType} : {}),
        ...(d.capacityProviderStrategy ? {capacityProviderStrategy: d.capacityProviderStrategy} : {}),
        platformVersion: s.platformVersion,
        platformFamily: 'Linux',
        ...(d.networkConfiguration ? {networkConfiguration: d.networkConfiguration} : {}),
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      }
    }),
    roleArn: `arn:aws:iam::${ctx.scope.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: s.events.map((e) => ({id: e.id, createdAt: ts(e.createdAt), message: e.message})),
    createdAt: ts(s.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    ...(s.networkConfiguration ? {networkConfiguration: s.networkConfiguration} : {}),
    ...(s.healthCheckGracePeriodSeconds !== undefined ? {healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds} : {}),
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: {type: 'ECS'},
    ...(withTags ? {tags: s.tags} : {}),
    createdBy: s.createdBy ?? `arn:aws:iam::${ctx.scope.accountId}:root`,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: s.enableExecuteCommand,
  }
}
