// `cdn:` renders CloudFront in front of the public load balancer as Copilot did, with static assets
// from an S3 bucket (restricting the load balancer to CloudFront: cloudfront-ingress.test.ts);
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

  it('static assets: the bucket as a second origin behind an origin access control, cached for its path, as Copilot rendered them', () => {
    const r = resolve('cdn:\n  certificate: arn:aws:acm:us-east-1:1:certificate/x\n  terminate_tls: true\n  static_assets:\n    location: assets.s3.us-west-2.amazonaws.com\n    alias: static.example.com\n    path: static/*\n')
    expect(r.diagnostics).toEqual([])
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: r.manifest, needs})
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    const oac = s.template.Resources.CloudFrontOriginAccessControl
    expect(oac.Type).toBe('AWS::CloudFront::OriginAccessControl')
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4'})
    const c = s.template.Resources.CloudFrontDistribution.Properties.DistributionConfig
    expect(c.Origins[1]).toEqual({
      Id: {'Fn::Sub': 'copilot-${AppName}-${EnvironmentName}-s3'}, DomainName: 'assets.s3.us-west-2.amazonaws.com',
      OriginAccessControlId: {Ref: 'CloudFrontOriginAccessControl'}, S3OriginConfig: {OriginAccessIdentity: ''},
    })
    expect(c.CacheBehaviors).toEqual([expect.objectContaining({PathPattern: 'static/*', TargetOriginId: {'Fn::Sub': 'copilot-${AppName}-${EnvironmentName}-s3'}, CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6'})])
    // The rest still goes to the load balancer; the assets' alias joins the services' aliases.
    expect(c.DefaultCacheBehavior.TargetOriginId).toEqual({'Fn::Sub': 'copilot-${AppName}-${EnvironmentName}-origin'})
    expect(c.Aliases).toEqual(['a.example.com', 'b.example.com', 'static.example.com'])
    // The bucket's policy stays the owner's, as with Copilot.
    expect(Object.values<{Type: string}>(s.template.Resources).some((x) => x.Type === 'AWS::S3::BucketPolicy')).toBe(false)
  })

  it('static assets need location, alias and path, as Copilot required', () => {
    const r = resolve('cdn:\n  static_assets:\n    location: bucket.s3.us-east-1.amazonaws.com\n')
    expect(r.diagnostics.map((d) => `${d.code} ${d.path}: ${d.message}`)).toEqual([
      'missing-field cdn.static_assets: `static_assets` has no `alias`: CloudFront needs the domain name that serves the assets',
      'missing-field cdn.static_assets: `static_assets` has no `path`: CloudFront needs the path pattern served from the bucket (static/*)',
    ])
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
