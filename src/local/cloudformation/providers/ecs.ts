// ECS clusters, capacity provider associations, task definitions and services through the local ECS
// (JSON target AmazonEC2ContainerServiceV20141113). A service is CREATE_COMPLETE only once its
// deployment reaches a steady state, and fails with the deployment circuit breaker's reason.

import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {toApiShape} from './case.js'
import {callJson, hasCode, mergedTags, physicalName, sleep} from './util.js'

const TARGET = 'AmazonEC2ContainerServiceV20141113'
const call = (ctx: ProviderContext, op: string, input: Record<string, unknown>) => callJson(ctx, TARGET, 'Ecs', op, input)

function apiTags(ctx: ProviderContext, tags: unknown): {key: string; value: string}[] {
  return mergedTags(ctx, tags).map((t) => ({key: t.Key, value: t.Value}))
}

/** CFN properties (minus those handled separately) in the API's shape. */
function apiInput(props: Record<string, any>, omit: string[]): Record<string, any> {
  const rest = Object.fromEntries(Object.entries(props).filter(([k]) => !omit.includes(k)))
  return toApiShape(rest) as Record<string, any>
}

function clusterName(value: unknown): string {
  const s = String(value ?? 'default')
  return s.startsWith('arn:') ? s.split('/').pop()! : s
}

export interface EcsProviderOptions {
  /** How often a service's rollout is polled, in ms. */
  pollMs?: number
}

export function registerEcsProviders(registry: ProviderRegistry, opts: EcsProviderOptions = {}): void {
  const pollMs = opts.pollMs ?? 100

  const cluster: ResourceProvider = {
    immutable: ['ClusterName'],
    async create(props, ctx) {
      const name = props.ClusterName ? String(props.ClusterName) : physicalName(ctx, 255)
      const tags = apiTags(ctx, props.Tags)
      const out = await call(ctx, 'CreateCluster', {...apiInput(props, ['ClusterName', 'Tags']), clusterName: name, ...(tags.length ? {tags} : {})})
      return {physicalId: name, attributes: {Arn: String(out?.cluster?.clusterArn)}}
    },
    async update(name, props, old, ctx) {
      const input = apiInput(props, ['ClusterName', 'Tags', 'CapacityProviders', 'DefaultCapacityProviderStrategy'])
      const out = await call(ctx, 'UpdateCluster', {cluster: name, ...input})
      if (JSON.stringify([props.CapacityProviders, props.DefaultCapacityProviderStrategy]) !== JSON.stringify([old.CapacityProviders, old.DefaultCapacityProviderStrategy])) {
        await call(ctx, 'PutClusterCapacityProviders', {cluster: name, capacityProviders: props.CapacityProviders ?? [],
          defaultCapacityProviderStrategy: toApiShape(props.DefaultCapacityProviderStrategy ?? [])})
      }
      return {physicalId: name, attributes: {Arn: String(out?.cluster?.clusterArn)}}
    },
    async delete(name, _props, ctx) {
      // Like CloudFormation's own handler, wait (bounded) for tasks and services still stopping.
      const deadline = Date.now() + 60_000
      for (;;) {
        try {
          await call(ctx, 'DeleteCluster', {cluster: name})
          return
        } catch (err) {
          if (hasCode(err, 'ClusterNotFoundException')) return
          const busy = hasCode(err, 'ClusterContainsTasksException', 'ClusterContainsServicesException')
          if (!busy || Date.now() > deadline || ctx.signal.aborted) throw err
          await new Promise((r) => setTimeout(r, pollMs))
        }
      }
    },
  }

  const associations: ResourceProvider = {
    required: ['Cluster', 'CapacityProviders', 'DefaultCapacityProviderStrategy'],
    immutable: ['Cluster'],
    async create(props, ctx) {
      await call(ctx, 'PutClusterCapacityProviders', {cluster: String(props.Cluster), capacityProviders: props.CapacityProviders,
        defaultCapacityProviderStrategy: toApiShape(props.DefaultCapacityProviderStrategy)})
      return {physicalId: clusterName(props.Cluster), attributes: {}}
    },
    async update(id, props, _old, ctx) {
      return associations.create(props, ctx)
    },
    async delete(id, _props, ctx) {
      try {
        await call(ctx, 'PutClusterCapacityProviders', {cluster: id, capacityProviders: [], defaultCapacityProviderStrategy: []})
      } catch (err) {
        if (!hasCode(err, 'ClusterNotFoundException')) throw err
      }
    },
  }

  const taskDefinition: ResourceProvider = {
    async create(props, ctx) {
      const input = apiInput(props, ['Family', 'Tags'])
      if (input.cpu !== undefined) input.cpu = String(input.cpu)
      if (input.memory !== undefined) input.memory = String(input.memory)
      const tags = apiTags(ctx, props.Tags)
      const out = await call(ctx, 'RegisterTaskDefinition', {...input, family: props.Family ? String(props.Family) : physicalName(ctx, 255),
        ...(tags.length ? {tags} : {})})
      const arn = String(out?.taskDefinition?.taskDefinitionArn)
      return {physicalId: arn, attributes: {TaskDefinitionArn: arn}}
    },
    async delete(arn, _props, ctx) {
      try {
        await call(ctx, 'DeregisterTaskDefinition', {taskDefinition: arn})
      } catch (err) {
        if (!hasCode(err, 'ClientException', 'InvalidParameterException')) throw err
      }
    },
  }

  const SERVICE_OMIT = ['Cluster', 'ServiceName', 'Tags', 'LaunchType', 'Role', 'SchedulingStrategy', 'DeploymentController',
    'PlacementConstraints', 'PlacementStrategies', 'ServiceArn']

  const service: ResourceProvider = {
    immutable: ['Cluster', 'ServiceName', 'LaunchType', 'Role', 'SchedulingStrategy', 'DeploymentController'],
    async create(props, ctx) {
      const name = props.ServiceName ? String(props.ServiceName) : physicalName(ctx, 255)
      const tags = apiTags(ctx, props.Tags)
      const input: Record<string, any> = {...apiInput(props, ['ServiceName', 'Tags']), serviceName: name, cluster: clusterName(props.Cluster)}
      if (input.desiredCount === undefined && props.SchedulingStrategy !== 'DAEMON') input.desiredCount = 1
      const out = await call(ctx, 'CreateService', {...input, ...(tags.length ? {tags} : {})})
      const svc = out?.service
      const arn = String(svc?.serviceArn)
      const deploymentId = primaryDeployment(svc)?.id
      ctx.created?.(arn)
      try {
        await waitForSteadyState(ctx, clusterName(props.Cluster), arn, deploymentId, pollMs)
      } catch (err) {
        // The service exists: the rollback must delete it.
        throw new ProviderError(err instanceof Error ? err.message : String(err), {physicalId: arn})
      }
      return {physicalId: arn, attributes: {ServiceArn: arn, Name: name}}
    },
    async update(arn, props, _old, ctx) {
      const input = apiInput(props, SERVICE_OMIT)
      const out = await call(ctx, 'UpdateService', {...input, cluster: clusterName(props.Cluster), service: arn})
      await waitForSteadyState(ctx, clusterName(props.Cluster), arn, primaryDeployment(out?.service)?.id, pollMs)
      return {physicalId: arn, attributes: {ServiceArn: arn, Name: String(out?.service?.serviceName ?? arn.split('/').pop())}}
    },
    async delete(arn, props, ctx) {
      const clusterId = clusterName(props.Cluster)
      try {
        await call(ctx, 'UpdateService', {cluster: clusterId, service: arn, desiredCount: 0})
      } catch (err) {
        if (hasCode(err, 'ServiceNotFoundException', 'ClusterNotFoundException', 'ServiceNotActiveException')) return
        throw err
      }
      try {
        await call(ctx, 'DeleteService', {cluster: clusterId, service: arn, force: true})
      } catch (err) {
        if (hasCode(err, 'ServiceNotFoundException', 'ClusterNotFoundException')) return
        throw err
      }
      await waitForInactive(ctx, clusterId, arn, pollMs)
    },
  }

  registry.register('AWS::ECS::Cluster', cluster)
  registry.register('AWS::ECS::ClusterCapacityProviderAssociations', associations)
  registry.register('AWS::ECS::TaskDefinition', taskDefinition)
  registry.register('AWS::ECS::Service', service)
}

interface Deployment {
  id?: string
  status?: string
  rolloutState?: string
  rolloutStateReason?: string
  desiredCount?: number
  runningCount?: number
  failedTasks?: number
}

function primaryDeployment(svc: any): Deployment | undefined {
  return (svc?.deployments as Deployment[] | undefined)?.find((d) => d.status === 'PRIMARY')
}

async function describe(ctx: ProviderContext, cluster: string, arn: string): Promise<any | undefined> {
  const out = await call(ctx, 'DescribeServices', {cluster, services: [arn]})
  return (out?.services as any[] | undefined)?.[0]
}

/**
 * Polls the service until the deployment started by the call (`deploymentId`) is the only one and has
 * all its tasks running; fails when that deployment fails (circuit breaker) or disappears in a rollback.
 */
export async function waitForSteadyState(ctx: ProviderContext, cluster: string, arn: string, deploymentId: string | undefined,
  pollMs: number): Promise<void> {
  let lastCounts = ''
  const seenEvents = new Set<string>()
  let first = true
  for (;;) {
    const svc = await describe(ctx, cluster, arn)
    if (!svc || svc.status === 'INACTIVE') throw new ProviderError(`Service ${arn} was deleted while CloudFormation waited for it to stabilize`)
    const deployments = (svc.deployments ?? []) as Deployment[]
    const mine = deploymentId ? deployments.find((d) => d.id === deploymentId) : primaryDeployment(svc)
    const events = ((svc.events ?? []) as {id?: string; message?: string}[]).slice().reverse()
    for (const e of events) {
      const key = e.id ?? e.message ?? ''
      if (seenEvents.has(key)) continue
      seenEvents.add(key)
      if (!first && e.message) ctx.progress(e.message)
    }
    first = false
    if (!mine) {
      // Rolled back and gone before this poll saw it fail: the service's events say why.
      const failed = events.find((e) => deploymentId && e.message?.includes(`(deployment ${deploymentId})`) && /failed/.test(e.message))
      throw new ProviderError(`ECS Deployment Circuit Breaker was triggered: ${failed?.message ?? 'the deployment failed and was rolled back'}`)
    }
    if (mine.rolloutState === 'FAILED') {
      throw new ProviderError(`ECS Deployment Circuit Breaker was triggered: ${mine.rolloutStateReason ?? 'tasks failed to start'}`)
    }
    const counts = `${mine.runningCount ?? 0} of ${mine.desiredCount ?? 0} tasks running`
    if (counts !== lastCounts) {
      ctx.progress(counts)
      lastCounts = counts
    }
    const steady = mine.status === 'PRIMARY' && deployments.length === 1 && (mine.runningCount ?? 0) === (mine.desiredCount ?? 0) &&
      (mine.rolloutState === undefined || mine.rolloutState === 'COMPLETED')
    if (steady) return
    await sleep(pollMs, ctx.signal)
  }
}

async function waitForInactive(ctx: ProviderContext, cluster: string, arn: string, pollMs: number): Promise<void> {
  for (;;) {
    let svc: any
    try {
      svc = await describe(ctx, cluster, arn)
    } catch (err) {
      if (hasCode(err, 'ClusterNotFoundException')) return
      throw err
    }
    if (!svc || svc.status === 'INACTIVE') return
    await sleep(pollMs, ctx.signal)
  }
}
