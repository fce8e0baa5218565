import {afterAll, describe, expect, it} from 'vitest'

import {registerDiscoveryProviders} from '../../../src/local/cloudformation/providers/servicediscovery.js'
import {ProviderError, type ProviderContext, type ResourceProvider} from '../../../src/local/cloudformation/provider.js'
import {LocalDiscovery} from '../../../src/local/discovery/index.js'
import {tempDir} from '../agent/helpers.js'

function context(logicalId: string, signal = new AbortController().signal): ProviderContext {
  return {
    stackName: 'demo-test',
    stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/demo-test/1',
    logicalId,
    region: 'us-east-1',
    accountId: '000000000000',
    api: {json: async () => ({}), context: () => ({requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'})},
    tags: {},
    signal,
    progress: () => {},
  }
}

describe('Cloud Map providers', () => {
  const dir = tempDir('pier-cfn-sd-')
  const discovery = new LocalDiscovery({stateDir: dir.path})
  const providers = new Map<string, ResourceProvider>()
  registerDiscoveryProviders({register: (t, p) => providers.set(t, p), get: (t) => providers.get(t)}, discovery, {drainTimeoutMs: 2000})
  const namespace = providers.get('AWS::ServiceDiscovery::PrivateDnsNamespace')!
  const service = providers.get('AWS::ServiceDiscovery::Service')!
  afterAll(async () => {
    await discovery.close()
    dir.remove()
  })

  it('creates a namespace and a Copilot-style discovery service that tasks can resolve', async () => {
    const ns = await namespace.create({Name: 'test.demo.local', Vpc: 'vpc-0123'}, context('ServiceDiscoveryNamespace'))
    expect(ns.physicalId).toMatch(/^ns-/)
    expect(ns.attributes).toMatchObject({Id: ns.physicalId, Arn: expect.stringContaining(`:namespace/${ns.physicalId}`), HostedZoneId: expect.stringMatching(/^Z/)})
    const svc = await service.create(
      {
        Description: 'Discovery Service for the Copilot services',
        DnsConfig: {RoutingPolicy: 'MULTIVALUE', DnsRecords: [{TTL: 10, Type: 'A'}, {TTL: 10, Type: 'SRV'}]},
        HealthCheckCustomConfig: {FailureThreshold: 1},
        Name: 'api',
        NamespaceId: ns.physicalId,
      },
      context('DiscoveryService'),
    )
    expect(svc.attributes).toMatchObject({Id: svc.physicalId, Name: 'api', Arn: expect.stringContaining(`:service/${svc.physicalId}`)})
    expect(discovery.hostsFor(['test.demo.local'])).toMatch(/^127\.77\.\d+\.\d+ api\.test\.demo\.local api\n$/)
    expect(service.immutable).toContain('NamespaceId')
    await expect(namespace.create({Name: 'test.demo.local', Vpc: 'vpc-0123'}, context('Again'))).rejects.toThrow(ProviderError)
    await expect(namespace.delete(ns.physicalId, {}, context('ServiceDiscoveryNamespace'))).rejects.toThrow(/has associated services.*ResourceInUse/)
  })

  it('deletes a service once ECS has deregistered its tasks, then the namespace', async () => {
    const ns = discovery.listNamespaces()[0]!
    const svc = discovery.listServices(ns.id)[0]!
    await discovery.registerInstance(svc.arn, 'task-1', {ip: '127.0.0.1'})
    setTimeout(() => void discovery.deregisterInstance(svc.arn, 'task-1'), 200)
    await service.delete(svc.id, {}, context('DiscoveryService'))
    expect(discovery.getService(svc.id)).toBeUndefined()
    await namespace.delete(ns.id, {}, context('ServiceDiscoveryNamespace'))
    expect(discovery.listNamespaces()).toEqual([])
    // Deleting what is already gone succeeds, as the contract asks.
    await namespace.delete(ns.id, {}, context('ServiceDiscoveryNamespace'))
  })

  it('fails a service delete whose instances never leave', async () => {
    const ns = await namespace.create({Name: 'prod.demo.local', Vpc: 'vpc-1'}, context('Ns'))
    const svc = await service.create({Name: 'web', DnsConfig: {NamespaceId: ns.physicalId}}, context('Svc'))
    await discovery.registerInstance(svc.physicalId, 'task-1', {ip: '127.0.0.1'})
    await expect(service.delete(svc.physicalId, {}, context('Svc'))).rejects.toThrow(/has registered instances/)
    await discovery.deregisterInstance(svc.physicalId, 'task-1')
  })
})
