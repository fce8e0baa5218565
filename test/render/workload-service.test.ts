// The ECS service of a workload: Service Connect names and the platform version Copilot pinned.
import {describe, expect, it} from 'vitest'

import type {BackendService} from '../../src/manifest/types.js'
import {api} from './fixtures.js'
import {render} from './helpers.js'

const base = {...api, secrets: undefined} as BackendService
const service = (m: BackendService) => render(m).template.Resources.Service.Properties

describe('the ECS service', () => {
  it('offers Service Connect under the service name, or the alias given', () => {
    expect(service({...base, network: {connect: true}}).ServiceConnectConfiguration).toEqual({
      Enabled: true,
      Namespace: 'test.shop.local',
      Services: [{PortName: 'target', DiscoveryName: 'api-sc', ClientAliases: [{Port: 3000, DnsName: 'api'}]}],
    })
    expect(service({...base, network: {connect: {alias: 'orders'}}}).ServiceConnectConfiguration.Services[0].ClientAliases).toEqual([{Port: 3000, DnsName: 'orders'}])
    // `connect: {}` names no alias: the service's own name.
    expect(service({...base, network: {connect: {}}} as BackendService).ServiceConnectConfiguration.Services[0].ClientAliases).toEqual([{Port: 3000, DnsName: 'api'}])
    // Without a port there is nothing to offer, only the namespace to call others through.
    const noPort = service({...base, http: undefined, image: {location: 'x'}, network: {connect: true}} as BackendService)
    expect(noPort.ServiceConnectConfiguration).toEqual({Enabled: true, Namespace: 'test.shop.local'})
    expect(service({...base, network: {connect: false}}).ServiceConnectConfiguration).toBeUndefined()
  })

  it('runs Windows tasks on platform version 1.0.0 as Copilot did, any other on LATEST', () => {
    const windows = {...base, cpu: 1024, memory: 2048}
    expect(service({...windows, platform: 'windows/x86_64'} as BackendService).PlatformVersion).toBe('1.0.0')
    expect(service({...windows, platform: {osfamily: 'WINDOWS_SERVER_2019_CORE', architecture: 'x86_64'}} as BackendService).PlatformVersion).toBe('1.0.0')
    expect(service({...base, platform: 'linux/arm64'} as BackendService).PlatformVersion).toBe('LATEST')
    expect(service({...base, platform: {osfamily: 'linux', architecture: 'x86_64'}} as BackendService).PlatformVersion).toBe('LATEST')
    expect(service(base).PlatformVersion).toBe('LATEST')
  })
})
