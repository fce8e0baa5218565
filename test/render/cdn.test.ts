// `cdn:` renders CloudFront in front of the public load balancer as Copilot did; what Pier cannot
// render (restricting the load balancer to CloudFront, static assets) is refused when validating;
// `http.private.ingress.vpc` opens the internal load balancer for an imported VPC too.
import {describe, expect, it} from 'vitest'

import {resolveEnvironmentText} from '../../src/manifest/index.js'
import type {EnvironmentManifest} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {APP, defaultEnv, importedEnv} from './fixtures.js'

const needs = {publicAlb: ['web'], internalAlb: ['api'], nat: [], aliases: ['b.example.com', 'a.example.com']}

function resolve(text: string) {
  return resolveEnvironmentText({file: 'e.yml', text: `name: test\ntype: Environment\n${text}`, app: APP, env: 'test', environments: ['test'], vars: {}})
}

describe('cdn', () => {
  it('a CloudFront distribution whose origin is the public load balancer, with the services’ aliases', () => {
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: {...defaultEnv, cdn: {certificate: 'arn:aws:acm:us-east-1:1:certificate/x', terminate_tls: true}} as EnvironmentManifest, needs})
    const d = s.template.Resources.CloudFrontDistribution
    expect(d.Type).toBe('AWS::CloudFront::Distribution')
    expect(d.Condition).toBe('CreateALB')
    const c = d.Properties.DistributionConfig
    expect(c.Aliases).toEqual(['a.example.com', 'b.example.com'])
    expect(c.Origins[0]).toMatchObject({DomainName: {'Fn::GetAtt': ['PublicLoadBalancer', 'DNSName']}, CustomOriginConfig: {OriginProtocolPolicy: 'http-only'}})
    expect(c.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https')
    expect(c.ViewerCertificate).toEqual({AcmCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/x', MinimumProtocolVersion: 'TLSv1', SslSupportMethod: 'sni-only'})
    expect(s.template.Outputs.CloudFrontDomainName.Export.Name).toBe(`${APP}-test-CloudFrontDomainName`)
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
  })

  it('cdn: true uses CloudFront’s certificate and passes the viewer’s protocol through', () => {
    const c = renderEnvironmentStack({app: APP, env: 'test', manifest: {...defaultEnv, cdn: true} as EnvironmentManifest, needs}).template.Resources.CloudFrontDistribution.Properties.DistributionConfig
    expect(c.ViewerCertificate).toEqual({CloudFrontDefaultCertificate: true})
    expect(c.Aliases).toBeUndefined()
    expect(c.Origins[0].CustomOriginConfig.OriginProtocolPolicy).toBe('match-viewer')
  })

  it('refuses, when validating, what it cannot render: the load balancer restricted to CloudFront, static assets', () => {
    expect(resolve('cdn: true\nhttp:\n  public:\n    ingress:\n      cdn: true\n').diagnostics.map((d) => `${d.code} ${d.path}`)).toEqual(['unsupported http.public.ingress.cdn'])
    // The spelling of Copilot before v1.23, read the same way.
    const old = resolve('cdn: true\nhttp:\n  public:\n    security_groups:\n      ingress:\n        restrict_to:\n          cdn: true\n')
    expect(old.diagnostics.map((d) => `${d.code} ${d.path}`)).toEqual(['unsupported http.public.ingress.cdn'])
    expect(resolve('cdn:\n  static_assets:\n    location: bucket\n').diagnostics.map((d) => d.code)).toEqual(['unsupported'])
  })
})

describe('http.private.ingress.vpc', () => {
  it('reads from_vpc, Copilot’s old spelling', () => {
    const r = resolve('http:\n  private:\n    security_groups:\n      ingress:\n        from_vpc: true\n')
    expect(r.diagnostics).toEqual([])
    expect(r.manifest.http?.private?.ingress).toEqual({vpc: true})
  })

  it('opens the internal load balancer in an imported VPC, as Copilot did', () => {
    const m = {...importedEnv, http: {private: {ingress: {vpc: true}}}} as EnvironmentManifest
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: m, needs})
    expect(s.template.Resources.InternalLoadBalancerSecurityGroupIngressFromHttp.Properties.CidrIp).toBe('0.0.0.0/0')
  })
})
