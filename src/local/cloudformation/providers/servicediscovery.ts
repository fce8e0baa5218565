// CloudFormation providers for Cloud Map: AWS::ServiceDiscovery::PrivateDnsNamespace and
// AWS::ServiceDiscovery::Service, backed by the local discovery registry (names on loopback addresses).

import type {LocalDiscovery} from '../../discovery/registry.js'
import {ServiceError} from '../../frontend/types.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'

function asProviderError(error: unknown): never {
  if (error instanceof ServiceError) throw new ProviderError(`${error.message} (Service: ServiceDiscovery, Status Code: 400, Error Code: ${error.code})`)
  throw error
}

export function namespaceProvider(discovery: LocalDiscovery): ResourceProvider {
  const result = (id: string) => {
    const ns = discovery.getNamespace(id)!
    // Cloud Map creates a Route 53 private hosted zone per namespace; a stable local stand-in.
    return {physicalId: ns.id, attributes: {Id: ns.id, Arn: ns.arn, HostedZoneId: `Z${ns.id.slice(3, 19).toUpperCase()}`}}
  }
  return {
    required: ['Name', 'Vpc'],
    immutable: ['Name', 'Vpc'],
    async create(props) {
      try {
        return result(discovery.createNamespace({name: String(props.Name), description: props.Description}).id)
      } catch (error) {
        return asProviderError(error)
      }
    },
    async find(props) {
      return discovery.listNamespaces().find((n) => n.name.toLowerCase() === String(props.Name).toLowerCase())?.id
    },
    async update(physicalId) {
      if (!discovery.getNamespace(physicalId)) throw new ProviderError(`Namespace ${physicalId} not found.`)
      return result(physicalId)
    },
    async delete(physicalId) {
      try {
        discovery.deleteNamespace(physicalId)
      } catch (error) {
        asProviderError(error)
      }
    },
  }
}

/** ECS deregisters a deleted service's tasks while it drains; wait for that before deleting. */
async function waitForNoInstances(discovery: LocalDiscovery, id: string, ctx: ProviderContext, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (discovery.listInstances(id).length > 0 && Date.now() < deadline && !ctx.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export function serviceProvider(discovery: LocalDiscovery, opts: {drainTimeoutMs?: number} = {}): ResourceProvider {
  const result = (id: string) => {
    const svc = discovery.getService(id)!
    return {physicalId: svc.id, attributes: {Id: svc.id, Arn: svc.arn, Name: svc.name}}
  }
  return {
    required: ['Name'],
    immutable: ['Name', 'NamespaceId', 'HealthCheckCustomConfig', 'Type'],
    async create(props) {
      const namespaceId = props.NamespaceId ?? props.DnsConfig?.NamespaceId
      if (!namespaceId) throw new ProviderError('Properties validation failed for resource: NamespaceId or DnsConfig.NamespaceId is required.')
      try {
        return result(discovery.createService({name: String(props.Name), namespaceId: String(namespaceId), description: props.Description}).id)
      } catch (error) {
        return asProviderError(error)
      }
    },
    async find(props) {
      const namespaceId = String(props.NamespaceId ?? props.DnsConfig?.NamespaceId)
      return discovery.listServices(namespaceId).find((s) => s.name === String(props.Name).toLowerCase())?.id
    },
    async update(physicalId) {
      if (!discovery.getService(physicalId)) throw new ProviderError(`Service ${physicalId} not found.`)
      return result(physicalId)
    },
    async delete(physicalId, _props, ctx) {
      await waitForNoInstances(discovery, physicalId, ctx, opts.drainTimeoutMs ?? 30_000)
      try {
        await discovery.deleteService(physicalId)
      } catch (error) {
        asProviderError(error)
      }
    },
  }
}

export function registerDiscoveryProviders(registry: ProviderRegistry, discovery: LocalDiscovery, opts: {drainTimeoutMs?: number} = {}): void {
  registry.register('AWS::ServiceDiscovery::PrivateDnsNamespace', namespaceProvider(discovery))
  registry.register('AWS::ServiceDiscovery::Service', serviceProvider(discovery, opts))
}
