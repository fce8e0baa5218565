// `http.alb`: a service routed through an existing load balancer, rendered with Copilot's logical IDs
// from the listeners and security groups a deploy looked up (WorkloadDeployInputs.importedAlb).
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {environmentNeeds, RenderError, renderWorkloadStack, type WorkloadDeployInputs} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {APP, ENV} from './fixtures.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/shared/0123456789abcdef'
const HTTPS = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/shared/0123456789abcdef/443'
const HTTP = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/shared/0123456789abcdef/80'
const alb = (listeners: {arn: string; port: number; protocol: string}[]) => ({
  arn: ARN, name: 'shared', dnsName: 'shared-1.us-east-1.elb.amazonaws.com', hostedZoneId: 'Z35SXDOTRQ7X7K', listeners, securityGroups: ['sg-alb1', 'sg-alb2'],
})

const svc: LoadBalancedWebService = {
  name: 'web',
  type: 'Load Balanced Web Service',
  image: {location: 'nginx', port: 8080},
  http: {path: '/', alb: 'shared', alias: [{name: 'www.example.com', hosted_zone: 'Z0123'}], allowed_source_ips: ['10.0.0.0/8'], additional_rules: [{path: 'admin', alias: 'admin.example.com'}]},
}

function render(inputs: WorkloadDeployInputs) {
  const s = renderWorkloadStack({app: APP, env: ENV, name: 'web', manifest: svc, inputs: {rulePriorities: [50000, 7], ...inputs}})
  expect(checkTemplate(s.template, s.parameters)).toEqual([])
  return s
}

describe('http.alb', () => {
  it('forwards on the HTTPS listener and redirects on the HTTP one, with Copilot’s logical IDs', () => {
    const s = render({importedAlb: alb([{arn: HTTP, port: 80, protocol: 'HTTP'}, {arn: HTTPS, port: 443, protocol: 'HTTPS'}])})
    const r = s.template.Resources
    expect(r.TargetGroupForImportedALB.Properties).toMatchObject({Port: 8080, TargetType: 'ip', Protocol: 'HTTP'})
    expect(r.TargetGroupForImportedALB1).toBeDefined()
    expect(r.HTTPSListenerRuleForImportedALB.Properties).toMatchObject({
      ListenerArn: HTTPS, Priority: {Ref: 'HTTPRulePriority'}, Actions: [{Type: 'forward', TargetGroupArn: {Ref: 'TargetGroupForImportedALB'}}],
      Conditions: [
        {Field: 'source-ip', SourceIpConfig: {Values: ['10.0.0.0/8']}},
        {Field: 'host-header', HostHeaderConfig: {Values: ['www.example.com']}},
        {Field: 'path-pattern', PathPatternConfig: {Values: ['/*']}},
      ],
    })
    expect(r.HTTPSListenerRuleForImportedALB1.Properties.Conditions.at(-1)).toEqual({Field: 'path-pattern', PathPatternConfig: {Values: ['/admin', '/admin/*']}})
    expect(r.HTTPListenerRedirectRuleForImportedALB.Properties).toMatchObject({ListenerArn: HTTP, Actions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}]})
    expect(r.HTTPListenerRedirectRuleForImportedALB1.Properties.Priority).toEqual({Ref: 'HTTPRulePriority1'})
    expect(s.parameters).toMatchObject({HTTPRulePriority: '50000', HTTPRulePriority1: '7'})
    // The environment's own load balancer is not used at all; the code is told the imported one's name.
    expect(JSON.stringify(s.template)).not.toMatch(/HTTPListenerArn|HTTPSListenerArn|PublicLoadBalancerDNSName/)
    expect(r.TaskDefinition.Properties.ContainerDefinitions[0].Environment).toContainEqual({Name: 'COPILOT_LB_DNS', Value: 'shared-1.us-east-1.elb.amazonaws.com'})
    expect(r.EnvironmentSecurityGroupIngressFromImportedALB.Properties).toMatchObject({SourceSecurityGroupId: 'sg-alb1', IpProtocol: '-1', GroupId: {'Fn::ImportValue': `${APP}-${ENV}-EnvironmentSecurityGroup`}})
    expect(r.EnvironmentSecurityGroupIngressFromImportedALB1.Properties.SourceSecurityGroupId).toBe('sg-alb2')
    expect(r.LoadBalancerDNSAliasZ0123.Properties.RecordSets).toEqual([{Name: 'www.example.com', Type: 'A', AliasTarget: {HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'shared-1.us-east-1.elb.amazonaws.com'}}])
    expect(r.Service.Properties.LoadBalancers).toEqual([
      {ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: {Ref: 'TargetGroupForImportedALB'}},
      {ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: {Ref: 'TargetGroupForImportedALB1'}},
    ])
    expect(r.Service.DependsOn).toEqual(expect.arrayContaining(['HTTPSListenerRuleForImportedALB', 'HTTPListenerRedirectRuleForImportedALB1']))
  })

  it('forwards on a lone HTTP listener', () => {
    const r = render({importedAlb: alb([{arn: HTTP, port: 80, protocol: 'HTTP'}])}).template.Resources
    expect(r.HTTPListenerRuleForImportedALB.Properties.ListenerArn).toBe(HTTP)
    expect(r.HTTPSListenerRuleForImportedALB).toBeUndefined()
    expect(r.HTTPListenerRedirectRuleForImportedALB).toBeUndefined()
  })

  it('refuses listeners Copilot refused, and rendering before the lookup', () => {
    expect(() => render({importedAlb: alb([{arn: HTTP, port: 80, protocol: 'HTTP'}, {arn: HTTP + '1', port: 8080, protocol: 'HTTP'}])})).toThrow(/one HTTP and one HTTPS listener.*HTTP:80, HTTP:8080/)
    expect(() => render({importedAlb: alb([])})).toThrow(/it has none/)
    expect(() => renderWorkloadStack({app: APP, env: ENV, name: 'web', manifest: svc, inputs: {}})).toThrow(RenderError)
    expect(() => renderWorkloadStack({app: APP, env: ENV, name: 'web', manifest: svc, inputs: {}})).toThrow(/looked up in ELBv2/)
  })

  it('needs nothing of the environment’s load balancers', () => {
    expect(environmentNeeds([{name: 'web', manifest: svc}])).toMatchObject({publicAlb: [], internalAlb: []})
  })
})
