// The environment stack: network created or imported, lazily created parts switched by parameters,
// exports named <app>-<env>-<Name>.
import {describe, expect, it} from 'vitest'

import type {EnvironmentManifest} from '../../src/manifest/types.js'
import {environmentNeeds, type EnvironmentNeeds, renderEnvironmentStack} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {APP, api, defaultEnv, httpsEnv, importedEnv, job, web, worker} from './fixtures.js'
import {resourcesOfType} from './helpers.js'

const none: EnvironmentNeeds = {publicAlb: [], internalAlb: [], nat: []}
const renderEnv = (manifest: EnvironmentManifest, needs = none) => renderEnvironmentStack({app: APP, env: manifest.name, manifest, needs})

describe('environmentNeeds', () => {
  it('lists the workloads that need the public ALB, the internal ALB and NAT', () => {
    const needs = environmentNeeds([web, api, worker, job, {name: 'site', type: 'Static Site' as const}].map((m) => ({name: m.name, manifest: m})))
    expect(needs).toEqual({publicAlb: ['web'], internalAlb: ['api'], nat: ['report', 'web'], efs: [], aliases: ['www.example.com']})
  })
})

describe('renderEnvironmentStack', () => {
  it.each([
    ['default', defaultEnv],
    ['https', httpsEnv],
    ['imported', importedEnv],
  ])('%s passes the specification checks', (_l, m) => {
    const s = renderEnv(m, {publicAlb: ['web'], internalAlb: ['api'], nat: ['web']})
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
  })

  it('creates a VPC with two public and two private subnets by default', () => {
    const s = renderEnv(defaultEnv)
    expect(s.stackName).toBe('shop-test')
    expect(s.template.Resources.VPC.Properties.CidrBlock).toBe('10.0.0.0/16')
    const subnets = resourcesOfType(s.template, 'AWS::EC2::Subnet').map(([id, r]) => [id, r.Properties.CidrBlock])
    expect(subnets).toEqual([
      ['PublicSubnet1', '10.0.0.0/24'],
      ['PublicSubnet2', '10.0.1.0/24'],
      ['PrivateSubnet1', '10.0.2.0/24'],
      ['PrivateSubnet2', '10.0.3.0/24'],
    ])
    expect(s.template.Resources.Cluster.Properties).toMatchObject({
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      DefaultCapacityProviderStrategy: [{CapacityProvider: 'FARGATE', Weight: 1}],
    })
    expect(s.template.Resources.ServiceDiscoveryNamespace.Properties.Name).toEqual({Ref: 'ServiceDiscoveryEndpoint'})
    expect(s.parameters.ServiceDiscoveryEndpoint).toBe('test.shop.local')
  })

  it('switches NAT and load balancers with parameters computed from the needs, not Lambdas', () => {
    const idle = renderEnv(defaultEnv)
    expect(idle.parameters).toMatchObject({ALBWorkloads: '', InternalALBWorkloads: '', NATWorkloads: ''})
    const busy = renderEnv(defaultEnv, {publicAlb: ['web', 'b'], internalAlb: ['api'], nat: ['web']})
    expect(busy.parameters).toMatchObject({ALBWorkloads: 'b,web', InternalALBWorkloads: 'api', NATWorkloads: 'web'})
    // Same template either way: only parameters change between deploys.
    expect(busy.template).toEqual(idle.template)
    const r = busy.template.Resources
    expect(r.NatGateway1.Condition).toBe('CreateNATGateways')
    expect(r.PublicLoadBalancer.Condition).toBe('CreateALB')
    expect(r.InternalLoadBalancer.Condition).toBe('CreateInternalALB')
    expect(busy.template.Conditions.CreateALB).toEqual({'Fn::Not': [{'Fn::Equals': [{Ref: 'ALBWorkloads'}, '']}]})
    expect(JSON.stringify(busy.template)).not.toContain('Lambda')
  })

  it('adds HTTPS with the certificates, ssl_policy and source_ips', () => {
    const s = renderEnv(httpsEnv)
    const r = s.template.Resources
    expect(r.HTTPSListener.Properties).toMatchObject({Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', Certificates: [{CertificateArn: httpsEnv.http!.public!.certificates![0]}]})
    expect(r.HTTPSListenerCertificates.Properties.Certificates).toEqual([{CertificateArn: httpsEnv.http!.public!.certificates![1]}])
    expect(r.HTTPListener.Properties.DefaultActions[0].Type).toBe('redirect')
    const cidrs = r.PublicHTTPLoadBalancerSecurityGroup.Properties.SecurityGroupIngress.map((i: any) => `${i.CidrIp}:${i.FromPort}`)
    expect(cidrs).toEqual(['10.0.0.0/8:80', '10.0.0.0/8:443', '192.168.1.0/24:80', '192.168.1.0/24:443'])
    expect(r.InternalHTTPSListener).toBeDefined()
    expect(s.template.Outputs.PublicCertificateArn).toEqual({Value: httpsEnv.http!.public!.certificates![0], Export: {Name: 'shop-prod-PublicCertificateArn'}})
    expect(s.template.Outputs.InternalHTTPSListenerArn.Export.Name).toBe('shop-prod-InternalHTTPSListenerArn')
    expect(r.Cluster.Properties.ClusterSettings).toEqual([{Name: 'containerInsights', Value: 'enabled'}])
  })

  it('imports an existing VPC and its subnets without creating network resources', () => {
    const s = renderEnv(importedEnv)
    expect(resourcesOfType(s.template, 'AWS::EC2::VPC')).toEqual([])
    expect(resourcesOfType(s.template, 'AWS::EC2::NatGateway')).toEqual([])
    expect(s.template.Outputs.VpcId.Value).toBe('vpc-0abc')
    expect(s.template.Outputs.PublicSubnets.Value).toEqual({'Fn::Join': [',', ['subnet-1', 'subnet-2']]})
  })

  it('exports every output as <app>-<env>-<Name>', () => {
    const s = renderEnv(defaultEnv)
    // Copilot's exceptions, kept for takeover: outputs exported under another name.
    const renamed: Record<string, string> = {ManagedFileSystemID: 'FilesystemID', PublicLoadBalancerHostedZone: 'CanonicalHostedZoneID', InternalLoadBalancerHostedZone: 'InternalLoadBalancerCanonicalHostedZoneID', InternalWorkloadsHostedZone: 'InternalWorkloadsHostedZoneID'}
    for (const [name, o] of Object.entries<any>(s.template.Outputs)) expect(o.Export.Name).toBe(`shop-test-${renamed[name] ?? name}`)
    expect(Object.keys(s.template.Outputs)).toEqual(expect.arrayContaining(['VpcId', 'PublicSubnets', 'PrivateSubnets', 'ClusterId', 'EnvironmentSecurityGroup', 'ServiceDiscoveryNamespaceID', 'HTTPListenerArn', 'PublicLoadBalancerDNSName', 'InternalHTTPListenerArn']))
  })

  it('adds security group rules and flow logs from the manifest', () => {
    const m: EnvironmentManifest = {
      ...defaultEnv,
      network: {vpc: {flow_logs: {retention: 30}, security_group: {ingress: [{ip_protocol: 'tcp', ports: '8000-8080', cidr: '10.0.0.0/8'}], egress: [{ip_protocol: 'all', cidr: '0.0.0.0/0'}]}}},
    }
    const s = renderEnv(m)
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    const sg = s.template.Resources.EnvironmentSecurityGroup.Properties
    expect(sg.SecurityGroupIngress).toEqual([{CidrIp: '10.0.0.0/8', IpProtocol: 'tcp', FromPort: 8000, ToPort: 8080}])
    expect(sg.SecurityGroupEgress).toEqual([{CidrIp: '0.0.0.0/0', IpProtocol: '-1', FromPort: -1, ToPort: -1}])
    expect(s.template.Resources.FlowLog.Properties).toMatchObject({ResourceId: {Ref: 'VPC'}, TrafficType: 'ALL'})
    expect(s.template.Resources.FlowLogsGroup.Properties.RetentionInDays).toBe(30)
    const bad: EnvironmentManifest = {...defaultEnv, network: {vpc: {security_group: {ingress: [{ports: 'web', cidr: '1.2.3.4/32'}]}}}}
    expect(() => renderEnv(bad)).toThrow('network.vpc.security_group.ingress[0].ports "web" is not a port or a range')
  })

  it('refuses an imported VPC without subnet ids', () => {
    const m: EnvironmentManifest = {name: 'x', type: 'Environment', network: {vpc: {id: 'vpc-1', subnets: {public: [{cidr: '10.0.0.0/24'}]}}}}
    expect(() => renderEnv(m)).toThrow('network.vpc.subnets.public[0] has no id')
  })
})
