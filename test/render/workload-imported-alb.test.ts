// `http.alb` rendered resource by resource: descriptions, parameters, the listeners Copilot accepted
// (and the error for the others), and the metric names autoscaling takes from the imported ARN.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {DESCRIPTION_KEY, type ImportedAlb, RenderError, renderWorkloadStack} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {APP, ENV} from './fixtures.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/shared/0123456789abcdef'
const HTTP = {arn: 'L80', port: 80, protocol: 'HTTP'}
const HTTPS = {arn: 'L443', port: 443, protocol: 'HTTPS'}
const alb = (listeners: ImportedAlb['listeners'], arn = ARN): ImportedAlb => ({arn, name: 'shared', dnsName: 'd', hostedZoneId: 'Z', listeners, securityGroups: ['sg-1']})

const svc: LoadBalancedWebService = {
  name: 'web',
  type: 'Load Balanced Web Service',
  image: {location: 'nginx', port: 8080},
  count: {range: '1-4', requests: 100, response_time: '2s'},
  http: {path: 'api', alb: 'shared', alias: [{name: 'www.example.com', hosted_zone: 'Z01-23'}], additional_rules: [{path: 'admin'}]},
} as LoadBalancedWebService

function render(importedAlb: ImportedAlb | undefined) {
  const s = renderWorkloadStack({app: APP, env: ENV, name: 'web', manifest: svc, inputs: {importedAlb}})
  expect(checkTemplate(s.template, s.parameters)).toEqual([])
  return s
}
const described = (r: any) => r.Metadata[DESCRIPTION_KEY]
// Properties without the stack's own tags, which the template adds to every taggable resource.
const props = (r: any) => Object.fromEntries(Object.entries(r.Properties).filter(([k]) => k !== 'Tags'))

describe('http.alb resources', () => {
  it('on one HTTP listener: rules, target groups, ingress, aliases and parameters exactly', () => {
    const s = render(alb([HTTP]))
    const r = s.template.Resources
    expect(Object.keys(r).filter((k) => /ImportedALB|DNSAlias/.test(k))).toEqual([
      'TargetGroupForImportedALB', 'HTTPListenerRuleForImportedALB', 'TargetGroupForImportedALB1', 'HTTPListenerRuleForImportedALB1', 'EnvironmentSecurityGroupIngressFromImportedALB', 'LoadBalancerDNSAliasZ0123',
    ])
    expect(described(r.TargetGroupForImportedALB)).toBe('A target group to connect the load balancer to your service on port 8080')
    expect(described(r.HTTPListenerRuleForImportedALB)).toBe('An HTTP listener rule for path `/api` that forwards traffic to your tasks')
    expect(described(r.HTTPListenerRuleForImportedALB1)).toBe('An HTTP listener rule for path `/admin` that forwards traffic to your tasks')
    expect(props(r.HTTPListenerRuleForImportedALB)).toEqual({
      ListenerArn: 'L80', Priority: {Ref: 'HTTPRulePriority'},
      Conditions: [{Field: 'host-header', HostHeaderConfig: {Values: ['www.example.com']}}, {Field: 'path-pattern', PathPatternConfig: {Values: ['/api', '/api/*']}}],
      Actions: [{Type: 'forward', TargetGroupArn: {Ref: 'TargetGroupForImportedALB'}}],
    })
    expect(s.template.Parameters.HTTPRulePriority).toEqual({Type: 'Number', Description: 'Priority of listener rule 1 on the imported load balancer'})
    expect(s.template.Parameters.HTTPRulePriority1).toEqual({Type: 'Number', Description: 'Priority of listener rule 2 on the imported load balancer'})
    expect(r.EnvironmentSecurityGroupIngressFromImportedALB).toEqual({
      Type: 'AWS::EC2::SecurityGroupIngress',
      Metadata: {[DESCRIPTION_KEY]: 'Traffic from the imported load balancer to the tasks'},
      Properties: {GroupId: {'Fn::ImportValue': 'shop-test-EnvironmentSecurityGroup'}, Description: 'Ingress from the imported ALB', SourceSecurityGroupId: 'sg-1', IpProtocol: '-1'},
    })
    expect(described(r.LoadBalancerDNSAliasZ0123)).toBe('Alias records for the application load balancer in hosted zone Z01-23')
    expect(props(r.LoadBalancerDNSAliasZ0123)).toEqual({
      HostedZoneId: 'Z01-23',
      Comment: {'Fn::Sub': 'LoadBalancer aliases for service ${WorkloadName} in hosted zone Z01-23'},
      RecordSets: [{Name: 'www.example.com', Type: 'A', AliasTarget: {HostedZoneId: 'Z', DNSName: 'd'}}],
    })
  })

  it('scales on the first rule’s target group and the load balancer’s name from its ARN', () => {
    const tg = {'Fn::GetAtt': ['TargetGroupForImportedALB', 'TargetGroupFullName']}
    for (const [arn, name] of [[ARN, 'app/shared/0123456789abcdef'], ['app/plain/42', 'app/plain/42']]) {
      const r = render(alb([HTTP], arn)).template.Resources
      expect(r.AutoScalingPolicyALBSumRequestCountPerTarget.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification)
        .toEqual({PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: {'Fn::Join': ['/', [name, tg]]}})
      expect(r.AutoScalingPolicyALBAverageResponseTime.Properties.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Dimensions)
        .toEqual([{Name: 'LoadBalancer', Value: name}, {Name: 'TargetGroup', Value: tg}])
    }
  })

  it('on an HTTPS listener alone forwards there and redirects nowhere; beside HTTP it redirects in either order', () => {
    const only = render(alb([HTTPS])).template.Resources
    expect(described(only.HTTPSListenerRuleForImportedALB)).toBe('An HTTPS listener rule for path `/api` that forwards traffic to your tasks')
    expect(only.HTTPSListenerRuleForImportedALB.Properties.ListenerArn).toBe('L443')
    expect(Object.keys(only).filter((k) => k.includes('Redirect'))).toEqual([])
    const both = render(alb([HTTPS, HTTP])).template.Resources
    expect(both.HTTPSListenerRuleForImportedALB.Properties.ListenerArn).toBe('L443')
    expect(described(both.HTTPListenerRedirectRuleForImportedALB)).toBe('An HTTP listener rule that redirects HTTP to HTTPS')
    expect(both.HTTPListenerRedirectRuleForImportedALB.Properties.ListenerArn).toBe('L80')
  })

  it('refuses the listeners Copilot refused, naming what the load balancer has', () => {
    const err = (have: string) => new RenderError(`http.alb: the load balancer shared must have one listener (HTTP or HTTPS), or one HTTP and one HTTPS listener, to take the service's rules; it has ${have}`)
    expect(() => render(alb([]))).toThrow(err('none'))
    expect(() => render(alb([{arn: 'T', port: 53, protocol: 'TCP'}]))).toThrow(err('TCP:53'))
    expect(() => render(alb([HTTP, {...HTTP, arn: 'L8080', port: 8080}]))).toThrow(err('HTTP:80, HTTP:8080'))
    expect(() => render(alb([HTTP, HTTPS, {...HTTPS, arn: 'L8443', port: 8443}]))).toThrow(err('HTTP:80, HTTPS:443, HTTPS:8443'))
  })

  it('needs the load balancer looked up before rendering', () => {
    expect(() => render(undefined)).toThrow(new RenderError('http.alb names the load balancer shared: its listeners and security groups must be looked up in ELBv2 before rendering (deploy does; package does with AWS access)'))
  })
})
