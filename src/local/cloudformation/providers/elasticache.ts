// AWS::ElastiCache::CacheCluster, ReplicationGroup and ServerlessCache (engines redis and valkey) as real
// Redis servers on loopback (src/local/elasticache), with the endpoint attributes AWS returns for each.

import {LocalCache, runsEngine, type CacheKind, type CacheRecord} from '../../elasticache/index.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {physicalName} from './util.js'

const ADDRESS = '127.0.0.1'

function identifier(given: unknown, ctx: ProviderContext, max: number): string {
  if (given !== undefined && given !== '') return String(given).toLowerCase()
  return physicalName(ctx, max).toLowerCase()
}

function engineOf(props: Record<string, any>, fallback: string | undefined, ctx: ProviderContext): string {
  const engine = props.Engine !== undefined ? String(props.Engine) : fallback
  if (!engine) throw new ProviderError(`Properties validation failed for resource ${ctx.logicalId} with message: #: required key [Engine] not found`)
  if (!runsEngine(engine)) throw new ProviderError(`Engine ${engine} is not run by the local control plane (it runs redis and valkey)`)
  return engine.toLowerCase()
}

function cacheProvider(cache: LocalCache, kind: CacheKind, spec: {
  idProp: string
  maxLength: number
  defaultEngine?: string
  immutable: string[]
  attributes: (r: CacheRecord, ctx: ProviderContext) => Record<string, unknown>
}): ResourceProvider {
  return {
    immutable: spec.immutable,
    async create(props, ctx) {
      const engine = engineOf(props, spec.defaultEngine, ctx)
      const id = identifier(props[spec.idProp], ctx, spec.maxLength)
      // Known before the server starts, so a stop during its start leaves the rollback something to delete.
      ctx.created?.(id)
      ctx.progress(`Starting redis-server for ${engine} on ${ADDRESS}`)
      let r: CacheRecord
      try {
        r = await cache.create(kind, id, {engine, ...(props.AuthToken ? {authToken: String(props.AuthToken)} : {})})
      } catch (err) {
        throw new ProviderError(`The local ${engine} server could not start: ${(err as Error).message}`)
      }
      return {physicalId: id, attributes: spec.attributes(r, ctx)}
    },
    async update(id, _props, _old, ctx) {
      const r = cache.get(kind, id)
      if (!r) throw new ProviderError(`${kind} ${id} not found`)
      return {physicalId: id, attributes: spec.attributes(r, ctx)}
    },
    async delete(id) {
      await cache.delete(kind, id)
    },
  }
}

export function registerElastiCacheProviders(registry: ProviderRegistry, cache: LocalCache): void {
  registry.register('AWS::ElastiCache::CacheCluster', cacheProvider(cache, 'cluster', {
    idProp: 'ClusterName', maxLength: 40, immutable: ['ClusterName', 'Engine', 'Port', 'CacheSubnetGroupName'],
    attributes: (r) => ({'RedisEndpoint.Address': ADDRESS, 'RedisEndpoint.Port': String(r.port)}),
  }))
  registry.register('AWS::ElastiCache::ReplicationGroup', cacheProvider(cache, 'replication-group', {
    idProp: 'ReplicationGroupId', maxLength: 40, defaultEngine: 'redis', immutable: ['ReplicationGroupId', 'Engine', 'Port', 'AuthToken', 'CacheSubnetGroupName'],
    attributes: (r) => ({
      'PrimaryEndPoint.Address': ADDRESS, 'PrimaryEndPoint.Port': String(r.port),
      'ReaderEndPoint.Address': ADDRESS, 'ReaderEndPoint.Port': String(r.port),
      'ConfigurationEndPoint.Address': ADDRESS, 'ConfigurationEndPoint.Port': String(r.port),
      'ReadEndPoint.Addresses': ADDRESS, 'ReadEndPoint.Ports': String(r.port),
      'ReadEndPoint.Addresses.List': [ADDRESS], 'ReadEndPoint.Ports.List': [String(r.port)],
    }),
  }))
  registry.register('AWS::ElastiCache::ServerlessCache', cacheProvider(cache, 'serverless', {
    idProp: 'ServerlessCacheName', maxLength: 40, immutable: ['ServerlessCacheName', 'Engine'],
    attributes: (r, ctx) => ({
      'Endpoint.Address': ADDRESS, 'Endpoint.Port': String(r.port), 'ReaderEndpoint.Address': ADDRESS, 'ReaderEndpoint.Port': String(r.port),
      ARN: `arn:aws:elasticache:${ctx.region}:${ctx.accountId}:serverlesscache:${r.id}`, Status: 'available', FullEngineVersion: '7.0',
      CreateTime: new Date().toISOString(),
    }),
  }))
}
