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

  it('a single alias string, and a name repeated across rules, make one record each', () => {
    const m = withHttp({alias: 'a.example.com', hosted_zone: 'Z1', additional_rules: [{path: 'api', alias: ['a.example.com', 'c.example.com'], hosted_zone: 'Z1'}]})
    const z1 = render(m, webInputs).template.Resources.LoadBalancerDNSAliasZ1
    expect(z1.Properties.RecordSets.map((r: {Name: string}) => r.Name)).toEqual(['a.example.com', 'c.example.com'])
    expect(z1.Properties.Comment).toEqual({'Fn::Sub': 'LoadBalancer aliases for service ${WorkloadName} in hosted zone Z1'})
    expect(z1.Metadata).toEqual({'aws:copilot:description': 'Alias records for the application load balancer in hosted zone Z1'})
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

describe('Backend Services’ rules on the internal HTTP listener require their own host names, as Copilot’s did', () => {
  const lbDns = {'Fn::ImportValue': `${APP}-test-InternalLoadBalancerDNSName`}
  const ownName = {'Fn::Join': ['.', [{Ref: 'WorkloadName'}, {'Fn::ImportValue': `${APP}-test-InternalWorkloadsHostedZoneName`}]]}
  const withApiHttp = (http: Record<string, unknown>) => ({...api, http: {path: '/', ...http}}) as typeof api
  const zone = {environment: {internalWorkloadsZone: true}}
  const conditions = (s: ReturnType<typeof render>, id: string) => s.template.Resources[id].Properties.Conditions

  it('the internal load balancer’s DNS name and <name>.<env>.<app>.internal, on every rule without an alias of its own', () => {
    const s = render(withApiHttp({additional_rules: [{path: '/admin', alias: 'admin.example.com'}, {path: '/v2'}]}), zone)
    expect(conditions(s, 'HTTPListenerRule')).toEqual([
      {Field: 'path-pattern', PathPatternConfig: {Values: ['/*']}},
      {Field: 'host-header', HostHeaderConfig: {Values: [lbDns, ownName]}},
    ])
    // A rule's aliases are its host names (Copilot refused aliases without HTTPS; Pier routes by them).
    expect(conditions(s, 'HTTPListenerRule1')[1]).toEqual({Field: 'host-header', HostHeaderConfig: {Values: ['admin.example.com']}})
    expect(conditions(s, 'HTTPListenerRule2')[1]).toEqual({Field: 'host-header', HostHeaderConfig: {Values: [lbDns, ownName]}})
  })

  it('not on the internal HTTPS listener (aliases route there), nor without the private zone, nor for a private web service', () => {
    const https = render(withApiHttp({alias: 'api.example.com'}), {environment: {internalWorkloadsZone: true, internalHttpsListener: true}})
    expect(conditions(https, 'HTTPListenerRule')[1]).toEqual({Field: 'host-header', HostHeaderConfig: {Values: ['api.example.com']}})
    expect(conditions(render(withApiHttp({}), {environment: {}}), 'HTTPListenerRule')).toEqual([{Field: 'path-pattern', PathPatternConfig: {Values: ['/*']}}])
    const privateWeb = render({...web, http: {path: '/', private: true}} as LoadBalancedWebService, {...webInputs, environment: {...webInputs.environment, internalWorkloadsZone: true}})
    expect(conditions(privateWeb, 'HTTPListenerRule').map((c: any) => c.Field)).toEqual(['path-pattern'])
  })

  it('the two host names count toward the five condition values of a rule', () => {
    const four = render(withApiHttp({path: '/api', allowed_source_ips: ['10.0.0.0/8']}), zone)
    expect(conditions(four, 'HTTPListenerRule').map((c: any) => c.Field)).toEqual(['path-pattern', 'host-header', 'source-ip'])
    expect(() => render(withApiHttp({path: '/api', allowed_source_ips: ['10.0.0.0/8', '10.1.0.0/16']}), zone))
      .toThrow("the rule for path /api has 6 condition values (paths, the service's 2 host names on the internal load balancer, allowed_source_ips): a load balancer rule takes at most 5")
    // Without the zone the same rule has 4 values, and renders.
    expect(() => render(withApiHttp({path: '/api', allowed_source_ips: ['10.0.0.0/8', '10.1.0.0/16']}), {environment: {}})).not.toThrow()
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
