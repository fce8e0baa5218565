// `http.hosted_zone` and `alias[].hosted_zone`: Route 53 alias records to the environment's load
// balancer, as Copilot rendered them; and Copilot's health check default for gRPC.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'
import {api, APP, defaultEnv, web, webInputs} from './fixtures.js'
import {render, resourcesOfType} from './helpers.js'

const withHttp = (http: Record<string, unknown>): LoadBalancedWebService => ({...web, http: {path: '/', ...http}}) as LoadBalancedWebService

describe('alias records in hosted zones', () => {
  it('one record set group per zone, A records aliasing the public load balancer', () => {
    const s = render(withHttp({alias: ['a.example.com', {name: 'b.example.org', hosted_zone: 'Z2'}], hosted_zone: 'Z1'}), webInputs)
    const groups = resourcesOfType(s.template, 'AWS::Route53::RecordSetGroup')
    expect(groups.map(([id]) => id)).toEqual(['LoadBalancerDNSAliasZ1', 'LoadBalancerDNSAliasZ2'])
    const z1 = s.template.Resources.LoadBalancerDNSAliasZ1.Properties
    expect(z1.HostedZoneId).toBe('Z1')
    expect(z1.RecordSets).toEqual([{Name: 'a.example.com', Type: 'A', AliasTarget: {
      HostedZoneId: {'Fn::ImportValue': `${APP}-test-CanonicalHostedZoneID`},
      DNSName: {'Fn::ImportValue': `${APP}-test-PublicLoadBalancerDNSName`},
    }}])
    expect(s.template.Resources.LoadBalancerDNSAliasZ2.Properties.RecordSets[0].Name).toBe('b.example.org')
  })

  it('no hosted zone, no records', () => {
    expect(resourcesOfType(render(withHttp({alias: 'a.example.com'}), webInputs).template, 'AWS::Route53::RecordSetGroup')).toEqual([])
  })

  it('the environment exports the load balancers’ hosted zones under Copilot’s names', () => {
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs: {publicAlb: ['web'], internalAlb: ['api'], nat: []}})
    expect(s.template.Outputs.PublicLoadBalancerHostedZone.Export.Name).toBe(`${APP}-test-CanonicalHostedZoneID`)
    expect(s.template.Outputs.InternalLoadBalancerHostedZone.Export.Name).toBe(`${APP}-test-InternalLoadBalancerCanonicalHostedZoneID`)
  })
})

describe('Backend Services’ private aliases <name>.<env>.<app>.internal', () => {
  const needs = {publicAlb: [], internalAlb: ['api'], nat: []}
  it('the environment has the private hosted zone in its VPC, with or without a certificate, as Copilot’s did', () => {
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs})
    expect(s.template.Resources.InternalWorkloadsHostedZone).toMatchObject({Type: 'AWS::Route53::HostedZone', Condition: 'CreateInternalALB',
      Properties: {Name: {'Fn::Sub': '${EnvironmentName}.${AppName}.internal'}, VPCs: [{VPCId: {Ref: 'VPC'}, VPCRegion: {Ref: 'AWS::Region'}}]}})
    expect(s.template.Outputs.InternalWorkloadsHostedZone.Export.Name).toBe(`${APP}-test-InternalWorkloadsHostedZoneID`)
    expect(s.template.Outputs.InternalWorkloadsHostedZoneName.Export.Name).toBe(`${APP}-test-InternalWorkloadsHostedZoneName`)
    const https = renderEnvironmentStack({app: APP, env: 'test', manifest: {...defaultEnv, http: {private: {certificates: ['arn:c']}}}, needs})
    expect(https.template.Resources.InternalWorkloadsHostedZone).toMatchObject({Type: 'AWS::Route53::HostedZone', Condition: 'CreateInternalALB'})
  })

  it('with HTTPS, the internal load balancer keeps an HTTP listener that redirects to HTTPS, as Copilot’s did', () => {
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: {...defaultEnv, http: {private: {certificates: ['arn:c'], ingress: {vpc: true}}}}, needs})
    const r = s.template.Resources
    expect(r.InternalHTTPListener.Properties).toMatchObject({Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}]})
    expect(r.InternalHTTPSListener.Properties).toMatchObject({Port: 443, Protocol: 'HTTPS'})
    // Port 80 stays open to what reaches the load balancer: the environment's tasks (every port) and the VPC.
    expect(r.InternalALBIngressFromEnvironmentSecurityGroup.Properties).toMatchObject({IpProtocol: '-1', SourceSecurityGroupId: {Ref: 'EnvironmentSecurityGroup'}})
    expect(r.InternalLoadBalancerSecurityGroupIngressFromHttp.Properties).toMatchObject({FromPort: 80, ToPort: 80})
    expect(Object.keys(s.template.Outputs)).toEqual(expect.arrayContaining(['InternalHTTPListenerArn', 'InternalHTTPSListenerArn']))
  })

  it('a Backend Service with http gets its name there, aliasing the internal load balancer; not with HTTPS', () => {
    const withApiHttp = {...api, http: {path: '/'}} as typeof api
    const s = render(withApiHttp, {environment: {internalWorkloadsZone: true}})
    expect(s.template.Resources.LoadBalancerInternalDNSAlias.Properties).toEqual({
      Comment: {'Fn::Sub': 'Load balancer alias for service ${WorkloadName}'},
      HostedZoneId: {'Fn::ImportValue': `${APP}-test-InternalWorkloadsHostedZoneID`},
      RecordSets: [{Type: 'A',
        AliasTarget: {HostedZoneId: {'Fn::ImportValue': `${APP}-test-InternalLoadBalancerCanonicalHostedZoneID`}, DNSName: {'Fn::ImportValue': `${APP}-test-InternalLoadBalancerDNSName`}},
        Name: {'Fn::Join': ['.', [{Ref: 'WorkloadName'}, {'Fn::ImportValue': `${APP}-test-InternalWorkloadsHostedZoneName`}]]}}],
    })
    expect(render(withApiHttp, {environment: {internalWorkloadsZone: true, internalHttpsListener: true}}).template.Resources.LoadBalancerInternalDNSAlias).toBeUndefined()
    // An environment deployed before it had the zone: no record until it is deployed again.
    expect(render(withApiHttp, {environment: {}}).template.Resources.LoadBalancerInternalDNSAlias).toBeUndefined()
  })
})

describe('Copilot’s defaults', () => {
  it('a gRPC target group checks / unless told otherwise', () => {
    const tg = render(withHttp({version: 'gRPC'}), webInputs).template.Resources.TargetGroup.Properties
    expect(tg.HealthCheckPath).toBe('/')
    expect(tg.Matcher).toEqual({GrpcCode: '12'})
  })

  it('the FireLens log router gets the COPILOT_* variables, its own variables winning', () => {
    const m = {...web, logging: {destination: {Name: 'cloudwatch'}, variables: {COPILOT_SERVICE_NAME: 'mine', LEVEL: 'info'}}} as unknown as LoadBalancedWebService
    const router = render(m, webInputs).template.Resources.TaskDefinition.Properties.ContainerDefinitions.find((c: any) => c.Name === 'firelens_log_router')
    const env = Object.fromEntries(router.Environment.map((e: any) => [e.Name, e.Value]))
    expect(env).toMatchObject({COPILOT_APPLICATION_NAME: APP, COPILOT_ENVIRONMENT_NAME: 'test', COPILOT_SERVICE_NAME: 'mine', LEVEL: 'info'})
    expect(env.COPILOT_SERVICE_DISCOVERY_ENDPOINT).toBe(`test.${APP}.local`)
  })

  it('a target_port without target_container targets the container that exposes it', () => {
    const m = {...web, sidecars: {nginx: {image: 'nginx:1', port: 85}}, http: {path: '/', target_port: 85}, nlb: {port: '8083/tcp', target_port: 85}} as unknown as LoadBalancedWebService
    const s = render(m, {...webInputs, environment: {...webInputs.environment, certificates: []}})
    const lbs = s.template.Resources.Service.Properties.LoadBalancers as {ContainerName: string; ContainerPort: number}[]
    expect(lbs.map((l) => `${l.ContainerName}:${l.ContainerPort}`)).toEqual(['nginx:85', 'nginx:85'])
    // The main container does not map the sidecar's port (two containers of a task cannot bind one port).
    const main = s.template.Resources.TaskDefinition.Properties.ContainerDefinitions.find((c: any) => c.Name === web.name)
    expect(main.PortMappings.map((p: any) => p.ContainerPort)).not.toContain(85)
  })
})
