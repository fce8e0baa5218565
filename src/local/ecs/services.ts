// CreateService, UpdateService, DeleteService, DescribeServices and ListServices. The scheduler in
// ../cluster/scheduler.ts then makes the service's tasks match what these record.

import {ServiceError} from '../frontend/types.js'
import type {ClusterRecord, ServiceRecord, TaskDefinitionRecord} from '../cluster/state.js'
import {serviceArn} from './arns.js'
import {findCluster, findService, findTaskDefinition, type EcsContext, type Handler} from './context.js'
import {invalidParameter, optObjects, optStrings, optBool, optInt, optObject, optString, paginate, readTags, reqString, type Input} from './input.js'
import {serviceShape} from './shapes.js'
import {checkNetworkConfiguration, resolvePlacement} from './tasks.js'

const NAME = /^[a-zA-Z0-9_-]{1,255}$/
const serviceNotFound = () => new ServiceError('ServiceNotFoundException', 'Service not found.')

type LoadBalancer = ServiceRecord['loadBalancers'][number]
type Registry = ServiceRecord['serviceRegistries'][number]

function readDeploymentConfiguration(input: Input, current?: ServiceRecord['deploymentConfiguration']): ServiceRecord['deploymentConfiguration'] {
  const dc = optObject(input, 'deploymentConfiguration') ?? {}
  const min = optInt(dc, 'minimumHealthyPercent', 0, 100) ?? current?.minimumHealthyPercent ?? 100
  const max = optInt(dc, 'maximumPercent', 100, 200) ?? current?.maximumPercent ?? 200
  const cb = optObject(dc, 'deploymentCircuitBreaker')
  const enable = cb ? optBool(cb, 'enable') : undefined
  const rollback = cb ? optBool(cb, 'rollback') : undefined
  if (cb && (enable === undefined || rollback === undefined)) throw invalidParameter('deploymentCircuitBreaker requires both enable and rollback.')
  return {
    minimumHealthyPercent: min,
    maximumPercent: max,
    deploymentCircuitBreaker: cb ? {enable: enable!, rollback: rollback!} : current?.deploymentCircuitBreaker ?? {enable: false, rollback: false},
  }
}

function readLoadBalancers(ctx: EcsContext, input: Input, td: TaskDefinitionRecord, targetsAvailable: boolean): LoadBalancer[] | undefined {
  const lbs = optObjects<LoadBalancer>(input, 'loadBalancers')
  if (!lbs) return undefined
  for (const lb of lbs) {
    if (!lb.targetGroupArn) throw invalidParameter('Fargate services support only Application and Network Load Balancers: targetGroupArn is required.')
    if (targetsAvailable && !ctx.targetsExist(lb.targetGroupArn)) throw invalidParameter(`The target group with targetGroupArn ${lb.targetGroupArn} does not exist.`)
    const container = (td.body.containerDefinitions as any[]).find((c) => c.name === lb.containerName)
    if (!container) throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`)
    if (!(container.portMappings ?? []).some((p: any) => p.containerPort === lb.containerPort)) {
      throw invalidParameter(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`)
    }
  }
  return lbs.map((lb) => ({targetGroupArn: lb.targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort}))
}

function readRegistries(input: Input): Registry[] | undefined {
  const regs = optObjects<Registry>(input, 'serviceRegistries')
  if (!regs) return undefined
  if (regs.length > 1) throw invalidParameter('Service registries can have at most 1 item.')
  return regs.map((r) => ({...r}))
}

function liveService(ctx: EcsContext, cluster: ClusterRecord, ref: string): ServiceRecord {
  const s = findService(ctx, cluster, ref)
  if (!s) throw serviceNotFound()
  if (s.status !== 'ACTIVE') throw new ServiceError('ServiceNotActiveException', 'Service was not ACTIVE.')
  return s
}

const createService: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const name = reqString(input, 'serviceName')
  if (!NAME.test(name)) throw invalidParameter('Service name must be up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.')
  if ((optString(input, 'schedulingStrategy') ?? 'REPLICA') !== 'REPLICA') throw invalidParameter('Fargate services support only the REPLICA scheduling strategy.')
  const controller = optObject(input, 'deploymentController')
  if (controller && controller.type !== 'ECS') throw invalidParameter(`The local control plane supports only the ECS deployment controller, not ${String(controller.type)}.`)
  const td = findTaskDefinition(ctx, reqString(input, 'taskDefinition'), {activeOnly: true})
  const arn = serviceArn(ctx.scope, cluster.clusterName, name)
  const existing = ctx.store.state.services[arn]
  if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.')
  const desiredCount = optInt(input, 'desiredCount', 0) ?? 0
  const placement = resolvePlacement(ctx, cluster, input)
  const nc = optObject(input, 'networkConfiguration')
  checkNetworkConfiguration(td, nc)
  const loadBalancers = readLoadBalancers(ctx, input, td, ctx.targetsAvailable) ?? []
  const grace = optInt(input, 'healthCheckGracePeriodSeconds', 0, 2147483647)
  if (grace !== undefined && loadBalancers.length === 0) {
    throw invalidParameter('Health check grace period is only valid for services configured to use load balancers')
  }
  const now = ctx.clock.now()
  const service: ServiceRecord = {
    serviceArn: arn,
    serviceName: name,
    clusterArn: cluster.clusterArn,
    status: 'ACTIVE',
    taskDefinition: td.taskDefinitionArn,
    desiredCount,
    ...(placement.launchType ? {launchType: placement.launchType} : {}),
    ...(placement.strategy ? {capacityProviderStrategy: placement.strategy} : {}),
    platformVersion: optString(input, 'platformVersion') ?? 'LATEST',
    deploymentConfiguration: readDeploymentConfiguration(input),
    loadBalancers,
    serviceRegistries: readRegistries(input) ?? [],
    ...(nc ? {networkConfiguration: nc} : {}),
    ...(grace !== undefined ? {healthCheckGracePeriodSeconds: grace} : {}),
    enableExecuteCommand: optBool(input, 'enableExecuteCommand') ?? false,
    enableECSManagedTags: optBool(input, 'enableECSManagedTags') ?? false,
    propagateTags: optString(input, 'propagateTags') ?? 'NONE',
    schedulingStrategy: 'REPLICA',
    deployments: [],
    events: [],
    tags: readTags(input),
    createdAt: now,
  }
  ctx.scheduler.startDeployment(service, ctx.scheduler.newDeployment(service))
  ctx.store.state.services[arn] = service
  ctx.store.commit(service)
  ctx.scheduler.kick(arn)
  return {service: serviceShape(ctx, service)}
}

const updateService: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const service = liveService(ctx, cluster, reqString(input, 'service'))
  const tdRef = optString(input, 'taskDefinition')
  const td = tdRef ? findTaskDefinition(ctx, tdRef, {activeOnly: true}) : ctx.store.state.taskDefinitions[service.taskDefinition]
  if (!td) throw new ServiceError('ClientException', 'Unable to describe task definition.')
  let redeploy = optBool(input, 'forceNewDeployment') ?? false
  if (td.taskDefinitionArn !== service.taskDefinition) redeploy = true
  const desired = optInt(input, 'desiredCount', 0)
  if (desired !== undefined) service.desiredCount = desired
  if (input.capacityProviderStrategy !== undefined || input.launchType !== undefined) {
    const placement = resolvePlacement(ctx, cluster, input)
    service.launchType = placement.launchType
    service.capacityProviderStrategy = placement.strategy
    redeploy = true
  }
  const nc = optObject(input, 'networkConfiguration')
  if (nc) {
    checkNetworkConfiguration(td, nc)
    redeploy ||= JSON.stringify(nc) !== JSON.stringify(service.networkConfiguration)
    service.networkConfiguration = nc
  } else if (redeploy) {
    checkNetworkConfiguration(td, service.networkConfiguration)
  }
  if (input.deploymentConfiguration !== undefined) service.deploymentConfiguration = readDeploymentConfiguration(input, service.deploymentConfiguration)
  const lbs = readLoadBalancers(ctx, input, td, ctx.targetsAvailable)
  if (lbs) {
    redeploy ||= JSON.stringify(lbs) !== JSON.stringify(service.loadBalancers)
    service.loadBalancers = lbs
  }
  const regs = readRegistries(input)
  if (regs) {
    redeploy ||= JSON.stringify(regs) !== JSON.stringify(service.serviceRegistries)
    service.serviceRegistries = regs
  }
  const grace = optInt(input, 'healthCheckGracePeriodSeconds', 0, 2147483647)
  if (grace !== undefined) service.healthCheckGracePeriodSeconds = grace
  const exec = optBool(input, 'enableExecuteCommand')
  if (exec !== undefined && exec !== service.enableExecuteCommand) {
    service.enableExecuteCommand = exec
    redeploy = true
  }
  const propagate = optString(input, 'propagateTags')
  if (propagate) service.propagateTags = propagate
  const managed = optBool(input, 'enableECSManagedTags')
  if (managed !== undefined) service.enableECSManagedTags = managed
  const pv = optString(input, 'platformVersion')
  if (pv) service.platformVersion = pv
  service.taskDefinition = td.taskDefinitionArn
  if (redeploy) ctx.scheduler.startDeployment(service, ctx.scheduler.newDeployment(service))
  else {
    const primary = service.deployments.find((d) => d.status === 'PRIMARY')
    if (primary) {
      primary.desiredCount = service.desiredCount
      primary.updatedAt = ctx.clock.now()
    }
    service.steadyAnnouncedAt = undefined
  }
  ctx.store.commit(service)
  ctx.scheduler.kick(service.serviceArn)
  return {service: serviceShape(ctx, service)}
}

const deleteService: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const service = findService(ctx, cluster, reqString(input, 'service'))
  if (!service) throw serviceNotFound()
  if (service.status !== 'ACTIVE') throw new ServiceError('ServiceNotActiveException', 'Service was not ACTIVE.')
  if (service.desiredCount > 0 && optBool(input, 'force') !== true) {
    throw invalidParameter('The service cannot be stopped while it is scaled above 0.')
  }
  service.status = 'DRAINING'
  service.desiredCount = 0
  ctx.store.commit(service)
  ctx.scheduler.kick(service.serviceArn)
  return {service: serviceShape(ctx, service)}
}

const describeServices: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const refs = optStrings(input, 'services')
  if (!refs || refs.length === 0) throw invalidParameter('Services cannot be empty.')
  if (refs.length > 10) throw invalidParameter('Services can have at most 10 items.')
  const withTags = (optStrings(input, 'include') ?? []).includes('TAGS')
  const services: unknown[] = []
  const failures: unknown[] = []
  for (const ref of refs) {
    const s = findService(ctx, cluster, ref)
    if (s) services.push(serviceShape(ctx, s, withTags))
    else failures.push({arn: ref.startsWith('arn:') ? ref : serviceArn(ctx.scope, cluster.clusterName, ref), reason: 'MISSING'})
  }
  return {services, failures}
}

const listServices: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const launchType = optString(input, 'launchType')
  const arns = Object.values(ctx.store.state.services)
    .filter((s) => s.clusterArn === cluster.clusterArn && s.status !== 'INACTIVE')
    .filter((s) => !launchType || (s.launchType ?? 'FARGATE') === launchType)
    .map((s) => s.serviceArn)
    .sort()
  const {page, nextToken} = paginate(arns, input, 10)
  return {serviceArns: page, ...(nextToken ? {nextToken} : {})}
}

export const serviceHandlers: Record<string, Handler> = {
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
}
