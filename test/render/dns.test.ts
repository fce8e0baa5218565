// `http.hosted_zone` and `alias[].hosted_zone`: Route 53 alias records to the environment's load
// balancer, as Copilot rendered them; and Copilot's health check default for gRPC.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'
import {APP, defaultEnv, web, webInputs} from './fixtures.js'
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

describe('Copilot’s defaults', () => {
  it('a gRPC target group checks / unless told otherwise', () => {
    const tg = render(withHttp({version: 'gRPC'}), webInputs).template.Resources.TargetGroup.Properties
    expect(tg.HealthCheckPath).toBe('/')
    expect(tg.Matcher).toEqual({GrpcCode: '12'})
  })
})
