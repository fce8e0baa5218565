// What the workload stack adds around the containers: COPILOT_LB_DNS by load balancer, the ports a load
// balancer routes to (mapped on the container it targets, chosen as Copilot chose it), the task size.
import {describe, expect, it} from 'vitest'

import type {BackendService, LoadBalancedWebService} from '../../src/manifest/types.js'
import {envVar, mainContainer, render} from './helpers.js'

const web: LoadBalancedWebService = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'repo/web:1', port: 8080}, http: {path: '/'}}
const api: BackendService = {name: 'api', type: 'Backend Service', image: {location: 'repo/api:1', port: 80}}

const containers = (m: LoadBalancedWebService | BackendService) => render(m).template.Resources.TaskDefinition.Properties.ContainerDefinitions as any[]
const loadBalancers = (m: LoadBalancedWebService | BackendService) => render(m).template.Resources.Service.Properties.LoadBalancers as any[]
const ports = (c: any) => c.PortMappings?.map((p: any) => `${p.ContainerPort}/${p.Protocol}`)

describe('COPILOT_LB_DNS', () => {
  it('is the public load balancer, the network load balancer, or the internal one, by what the service has', () => {
    expect(envVar(mainContainer(render(web).template), 'COPILOT_LB_DNS')).toEqual({'Fn::ImportValue': 'shop-test-PublicLoadBalancerDNSName'})
    const nlbOnly = render({...web, http: false, nlb: {port: '8080/tcp'}})
    expect(envVar(mainContainer(nlbOnly.template), 'COPILOT_LB_DNS')).toEqual({'Fn::GetAtt': ['PublicNetworkLoadBalancerV2', 'DNSName']})
    const internal = render({...api, http: {path: '/api'}})
    expect(envVar(mainContainer(internal.template), 'COPILOT_LB_DNS')).toEqual({'Fn::ImportValue': 'shop-test-InternalLoadBalancerDNSName'})
  })

  it('is not set for a service no load balancer reaches', () => {
    expect(envVar(mainContainer(render(api).template), 'COPILOT_LB_DNS')).toBeUndefined()
    expect(envVar(mainContainer(render({...web, http: false}).template), 'COPILOT_LB_DNS')).toBeUndefined()
  })
})

describe('ports a load balancer routes to', () => {
  const withSidecars: LoadBalancedWebService = {...web, sidecars: {logger: {image: 'repo/logger:1'}, proxy: {image: 'repo/proxy:1', port: 85}}}

  it('targets the main container on its port by default, even beside a sidecar without a port', () => {
    expect(loadBalancers(withSidecars).map((lb) => [lb.ContainerName, lb.ContainerPort])).toEqual([['web', 8080]])
    expect(containers(withSidecars).map(ports)).toEqual([['8080/tcp'], undefined, ['85/tcp']])
  })

  it('targets the sidecar that exposes the target port, mapping nothing more', () => {
    const m = {...withSidecars, http: {path: '/', target_port: 85}}
    expect(loadBalancers(m).map((lb) => [lb.ContainerName, lb.ContainerPort])).toEqual([['proxy', 85]])
    expect(containers(m).map(ports)).toEqual([['8080/tcp'], undefined, ['85/tcp']])
  })

  it('targets the main container when it exposes the target port, even if a sidecar says the same port', () => {
    const m = {...web, http: {path: '/', target_port: 8080}, sidecars: {proxy: {image: 'repo/proxy:1', port: '8080/tcp'}}}
    expect(loadBalancers(m).map((lb) => lb.ContainerName)).toEqual(['web'])
  })

  it('maps a target port no container exposes on the main container, as Copilot did', () => {
    const m = {...withSidecars, http: {path: '/', target_port: 9090}}
    expect(loadBalancers(m).map((lb) => [lb.ContainerName, lb.ContainerPort])).toEqual([['web', 9090]])
    expect(containers(m).map(ports)).toEqual([['8080/tcp', '9090/tcp'], undefined, ['85/tcp']])
  })

  it('maps the ports of network load balancer listeners too', () => {
    const m: LoadBalancedWebService = {...web, nlb: {port: '443/tcp', target_port: 7000, additional_listeners: [{port: '53/udp', target_port: 8080}]}}
    expect(loadBalancers(m).map((lb) => [lb.ContainerName, lb.ContainerPort])).toEqual([['web', 8080], ['web', 7000], ['web', 8080]])
    // A UDP listener's port is mapped as udp, beside the tcp mapping the same number already has.
    expect(ports(containers(m)[0])).toEqual(['8080/tcp', '7000/tcp', '8080/udp'])
    // TLS ends at the listener: the task gets tcp. TCP_UDP needs both.
    const tls: LoadBalancedWebService = {...web, nlb: {port: '443/tls', target_port: 7000, additional_listeners: [{port: '5000/tcp_udp', target_port: 5000}]}}
    expect(ports(containers(tls)[0])).toEqual(['8080/tcp', '7000/tcp', '5000/tcp', '5000/udp'])
  })
})

describe('task size and storage', () => {
  const taskDef = (m: BackendService) => render(m).template.Resources.TaskDefinition.Properties
  it('asks for ephemeral storage only above the 20 GiB Fargate gives', () => {
    expect(taskDef(api).EphemeralStorage).toBeUndefined()
    expect(taskDef({...api, storage: {ephemeral: 20}}).EphemeralStorage).toBeUndefined()
    expect(taskDef({...api, storage: {ephemeral: 21}}).EphemeralStorage).toEqual({SizeInGiB: 21})
  })

  it('declares volumes in name order, plain ones by name only', () => {
    expect(taskDef({...api, storage: {volumes: {zz: {path: '/z'}, aa: {path: '/a'}}}}).Volumes).toEqual([{Name: 'aa'}, {Name: 'zz'}])
  })
})
