// The CloudFront distribution of `cdn:` as a whole, beside cdn.test.ts's cases.
import {describe, expect, it} from 'vitest'

import type {EnvironmentManifest} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'
import {APP, defaultEnv} from './fixtures.js'

const needs = {publicAlb: ['web'], internalAlb: [], nat: [], aliases: ['b.example.com']}
const render = (cdn: unknown) => renderEnvironmentStack({app: APP, env: 'test', manifest: {...defaultEnv, cdn} as EnvironmentManifest, needs}).template
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']

describe('the CloudFront distribution', () => {
  it('with static assets: every property, the access control and the output', () => {
    const t = render({certificate: 'arn:aws:acm:us-east-1:1:certificate/x', static_assets: {location: 'assets.s3.us-west-2.amazonaws.com', alias: 'a.example.com', path: 'static/*'}})
    const d = t.Resources.CloudFrontDistribution
    expect(d.Metadata).toEqual({'aws:copilot:description': 'A CloudFront distribution for global content delivery'})
    const origin = {'Fn::Sub': 'copilot-${AppName}-${EnvironmentName}-origin'}
    const s3 = {'Fn::Sub': 'copilot-${AppName}-${EnvironmentName}-s3'}
    expect(d.Properties.DistributionConfig).toEqual({
      Aliases: ['a.example.com', 'b.example.com'],
      DefaultCacheBehavior: {AllowedMethods: ALL_METHODS, CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', TargetOriginId: origin, OriginRequestPolicyId: '216adef6-5c7f-47e4-b989-5492eafa07d3', ViewerProtocolPolicy: 'allow-all'},
      Enabled: true,
      IPV6Enabled: true,
      Origins: [
        {Id: origin, DomainName: {'Fn::GetAtt': ['PublicLoadBalancer', 'DNSName']}, CustomOriginConfig: {OriginProtocolPolicy: 'match-viewer'}},
        {Id: s3, DomainName: 'assets.s3.us-west-2.amazonaws.com', OriginAccessControlId: {Ref: 'CloudFrontOriginAccessControl'}, S3OriginConfig: {OriginAccessIdentity: ''}},
      ],
      CacheBehaviors: [{AllowedMethods: ALL_METHODS, ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', TargetOriginId: s3, PathPattern: 'static/*'}],
      ViewerCertificate: {AcmCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/x', MinimumProtocolVersion: 'TLSv1', SslSupportMethod: 'sni-only'},
    })
    expect(t.Resources.CloudFrontOriginAccessControl).toMatchObject({
      Type: 'AWS::CloudFront::OriginAccessControl',
      Metadata: {'aws:copilot:description': 'Access control to make the content in the S3 bucket only accessible through CloudFront'},
      Properties: {OriginAccessControlConfig: {Description: 'Access control for static s3 origin', Name: {'Fn::Sub': 'copilot-${AppName}-${EnvironmentName}-origin-access-control'}, OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4'}},
    })
    expect(t.Outputs.CloudFrontDomainName).toMatchObject({Description: 'The domain name of an associated CloudFront Distribution.', Value: {'Fn::GetAtt': ['CloudFrontDistribution', 'DomainName']}})
  })

  it('without static assets: no access control, no bucket origin, no cache behaviours', () => {
    for (const cdn of [true, {}, {static_assets: {}}]) {
      const t = render(cdn)
      expect(t.Resources.CloudFrontOriginAccessControl).toBeUndefined()
      expect(t.Resources.CloudFrontDistribution.Properties.DistributionConfig.Origins).toHaveLength(1)
      expect(t.Resources.CloudFrontDistribution.Properties.DistributionConfig.CacheBehaviors).toBeUndefined()
    }
    for (const cdn of [undefined, false]) expect(render(cdn).Resources.CloudFrontDistribution).toBeUndefined()
  })

  it('names the static_assets field left out', () => {
    const message = (field: string) => `cdn.static_assets.${field} is missing: static assets need the bucket's domain (location), the alias that serves them and the path they are under`
    expect(() => render({static_assets: {alias: 'a.example.com', path: 'static/*'}})).toThrow(message('location'))
    expect(() => render({static_assets: {location: 'b.s3.amazonaws.com', path: 'static/*'}})).toThrow(message('alias'))
    expect(() => render({static_assets: {location: 'b.s3.amazonaws.com', alias: 'a.example.com'}})).toThrow(message('path'))
    expect(() => render({static_assets: {path: 'static/*'}})).toThrow(message('location'))
  })
})
