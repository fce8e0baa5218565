// Cluster operations and capacity providers.

import {PROVIDER_NAMES, validateStrategy, type StrategyItem} from '../capacity/strategy.js'
import {ServiceError} from '../frontend/types.js'
import type {ClusterRecord} from '../cluster/state.js'
import {capacityProviderArn, clusterArn, nameOf} from './arns.js'
import {clusterNotFound, findCluster, type EcsContext, type Handler} from './context.js'
import {invalidParameter, optObjects, optStrings, optObject, optString, paginate, readTags, type Input} from './input.js'
import {clusterShape} from './shapes.js'

const NAME = /^[a-zA-Z0-9_-]{1,255}$/

function readProviders(input: Input): {providers?: string[]; strategy?: StrategyItem[]} {
  const providers = optStrings(input, 'capacityProviders')
  const strategy = optObjects<StrategyItem>(input, 'defaultCapacityProviderStrategy')
  for (const p of providers ?? []) {
    if (!PROVIDER_NAMES.includes(p as never)) {
      throw invalidParameter(`The specified capacity provider ${p} does not exist. Specify a valid name or ARN and try again.`)
    }
  }
  if (strategy && strategy.length > 0) validateStrategy(strategy, providers ?? [])
  return {...(providers ? {providers} : {}), ...(strategy ? {strategy} : {})}
}

const createCluster: Handler = (ctx, input) => {
  const name = optString(input, 'clusterName') ?? 'default'
  if (!NAME.test(name)) {
    throw invalidParameter('Cluster name must be up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.')
  }
  const {providers, strategy} = readProviders(input)
  const arn = clusterArn(ctx.scope, name)
  const existing = ctx.store.state.clusters[arn]
  if (existing?.status === 'ACTIVE') return {cluster: clusterShape(ctx, existing)}
  const settings = (optObjects<{name: string; value: string}>(input, 'settings') ?? []).filter((s) => s.name !== 'containerInsights')
  const insights = optObjects<{name: string; value: string}>(input, 'settings')?.find((s) => s.name === 'containerInsights')
  const cluster: ClusterRecord = {
    clusterArn: arn,
    clusterName: name,
    status: 'ACTIVE',
    capacityProviders: providers ?? [],
    defaultCapacityProviderStrategy: strategy ?? [],
    settings: [{name: 'containerInsights', value: insights?.value ?? 'disabled'}, ...settings],
    tags: readTags(input),
    createdAt: ctx.clock.now(),
  }
  const configuration = optObject(input, 'configuration')
  if (configuration) cluster.configuration = configuration
  const sc = optObject(input, 'serviceConnectDefaults')
  if (sc) cluster.serviceConnectDefaults = sc
  ctx.store.state.clusters[arn] = cluster
  ctx.store.commit(cluster)
  return {cluster: clusterShape(ctx, cluster)}
}

const describeClusters: Handler = (ctx, input) => {
  const refs = optStrings(input, 'clusters') ?? ['default']
  if (refs.length > 100) throw invalidParameter('clusters can have at most 100 items.')
  const withTags = (optStrings(input, 'include') ?? []).includes('TAGS')
  const clusters: unknown[] = []
  const failures: unknown[] = []
  for (const ref of refs) {
    const arn = clusterArn(ctx.scope, nameOf(ref))
    const c = ctx.store.state.clusters[arn]
    if (c) clusters.push(clusterShape(ctx, c, withTags))
    else failures.push({arn, reason: 'MISSING'})
  }
  return {clusters, failures}
}

const listClusters: Handler = (ctx, input) => {
  const arns = Object.values(ctx.store.state.clusters)
    .filter((c) => c.status === 'ACTIVE')
    .map((c) => c.clusterArn)
    .sort()
  const {page, nextToken} = paginate(arns, input, 100)
  return {clusterArns: page, ...(nextToken ? {nextToken} : {})}
}

const deleteCluster: Handler = (ctx, input) => {
  const ref = optString(input, 'cluster')
  if (!ref) throw invalidParameter('cluster can not be blank.')
  const c = ctx.store.state.clusters[clusterArn(ctx.scope, nameOf(ref))]
  if (!c || c.status !== 'ACTIVE') throw clusterNotFound()
  const services = Object.values(ctx.store.state.services).some((s) => s.clusterArn === c.clusterArn && s.status !== 'INACTIVE')
  if (services) throw new ServiceError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.')
  const tasks = Object.values(ctx.store.state.tasks).some((t) => t.clusterArn === c.clusterArn && t.lastStatus !== 'STOPPED')
  if (tasks) throw new ServiceError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.')
  c.status = 'INACTIVE'
  ctx.store.commit(c)
  return {cluster: clusterShape(ctx, c)}
}

const putClusterCapacityProviders: Handler = (ctx, input) => {
  const c = findCluster(ctx, optString(input, 'cluster'))
  if (input.capacityProviders === undefined) throw invalidParameter('capacityProviders can not be null.')
  if (input.defaultCapacityProviderStrategy === undefined) throw invalidParameter('defaultCapacityProviderStrategy can not be null.')
  const {providers, strategy} = readProviders(input)
  const inUse = new Set<string>()
  for (const s of Object.values(ctx.store.state.services)) {
    if (s.clusterArn !== c.clusterArn || s.status === 'INACTIVE') continue
    for (const item of s.capacityProviderStrategy ?? []) inUse.add(item.capacityProvider)
  }
  for (const p of inUse) {
    if (!providers?.includes(p)) {
      throw new ServiceError('ResourceInUseException', `The specified capacity provider ${p} is in use and cannot be removed.`)
    }
  }
  c.capacityProviders = providers ?? []
  c.defaultCapacityProviderStrategy = strategy ?? []
  ctx.store.commit(c)
  return {cluster: clusterShape(ctx, c)}
}

function readSettings(input: Input): {name: string; value: string}[] | undefined {
  const settings = optObjects<{name: string; value: string}>(input, 'settings')
  for (const s of settings ?? []) {
    if (s.name !== 'containerInsights' || !['enabled', 'disabled', 'enhanced'].includes(s.value)) {
      throw invalidParameter('Cluster settings support only containerInsights with enabled, disabled or enhanced.')
    }
  }
  return settings
}

const updateCluster: Handler = (ctx, input) => {
  const c = findCluster(ctx, optString(input, 'cluster'))
  const settings = readSettings(input)
  if (settings) c.settings = settings
  const configuration = optObject(input, 'configuration')
  if (configuration) c.configuration = configuration
  const sc = optObject(input, 'serviceConnectDefaults')
  if (sc) c.serviceConnectDefaults = sc
  ctx.store.commit(c)
  return {cluster: clusterShape(ctx, c)}
}

const updateClusterSettings: Handler = (ctx, input) => {
  const c = findCluster(ctx, optString(input, 'cluster'))
  const settings = readSettings(input)
  if (!settings) throw invalidParameter('settings can not be null.')
  c.settings = settings
  ctx.store.commit(c)
  return {cluster: clusterShape(ctx, c)}
}

const describeCapacityProviders: Handler = (ctx, input) => {
  const refs = optStrings(input, 'capacityProviders')
  const withTags = (optStrings(input, 'include') ?? []).includes('TAGS')
  const names = refs ? refs.map(nameOf) : [...PROVIDER_NAMES]
  const capacityProviders: unknown[] = []
  const failures: unknown[] = []
  for (const name of names) {
    if (!PROVIDER_NAMES.includes(name as never)) {
      failures.push({arn: capacityProviderArn(ctx.scope, name), reason: 'MISSING'})
      continue
    }
    capacityProviders.push({
      capacityProviderArn: capacityProviderArn(ctx.scope, name),
      name,
      status: 'ACTIVE',
      ...(withTags ? {tags: []} : {}),
    })
  }
  return {capacityProviders, failures}
}

export const clusterHandlers: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  DeleteCluster: deleteCluster,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  PutClusterCapacityProviders: putClusterCapacityProviders,
  DescribeCapacityProviders: describeCapacityProviders,
}

export type {EcsContext}
