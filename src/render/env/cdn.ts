// `cdn:` in an environment manifest: a CloudFront distribution in front of the public load balancer,
// as Copilot rendered it (logical ID CloudFrontDistribution, its cache and origin request policies),
// created with the load balancer. Its aliases are the public aliases of the environment's services
// (Copilot computed them in a Lambda; Pier knows them from the workspace, EnvironmentNeeds.aliases).
// `cdn.static_assets` adds the S3 bucket at `location` as a second origin, read through an origin
// access control (CloudFrontOriginAccessControl) for the paths matching `path`, with CloudFront's
// CachingOptimized policy. As with Copilot, the bucket's policy stays the owner's: rendering an
// AWS::S3::BucketPolicy for a bucket the environment does not own would replace the policy it has.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import {envExport} from '../names.js'
import {getAtt, ref, sub, type TemplateBuilder} from '../template.js'
import {CREATE_ALB} from './alb.js'

interface StaticAssets {
  location?: string
  alias?: string
  path?: string
}

interface CdnSettings {
  certificate?: string
  terminate_tls?: boolean
  static_assets?: StaticAssets
}

const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6' // Managed-CachingOptimized

export function cdnSettings(manifest: EnvironmentManifest): CdnSettings | undefined {
  const cdn = manifest.cdn
  if (cdn === undefined || cdn === false) return undefined
  return cdn === true ? {} : (cdn as CdnSettings)
}

export function renderCdn(t: TemplateBuilder, app: string, env: string, manifest: EnvironmentManifest, aliases: string[]): void {
  const cdn = cdnSettings(manifest)
  if (!cdn) return
  const assets = staticAssets(cdn.static_assets)
  const origin = sub('copilot-${AppName}-${EnvironmentName}-origin')
  const s3Origin = sub('copilot-${AppName}-${EnvironmentName}-s3')
  const tls = cdn.terminate_tls === true
  const names = [...new Set([...aliases, ...(assets ? [assets.alias] : [])])].sort()
  if (assets) {
    t.resource('CloudFrontOriginAccessControl', 'AWS::CloudFront::OriginAccessControl', 'Access control to make the content in the S3 bucket only accessible through CloudFront', {
      OriginAccessControlConfig: {
        Description: 'Access control for static s3 origin',
        Name: sub('copilot-${AppName}-${EnvironmentName}-origin-access-control'),
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    })
  }
  t.resource('CloudFrontDistribution', 'AWS::CloudFront::Distribution', 'A CloudFront distribution for global content delivery', {
    DistributionConfig: {
      ...(cdn.certificate && names.length ? {Aliases: names} : {}),
      DefaultCacheBehavior: {
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        TargetOriginId: origin,
        OriginRequestPolicyId: '216adef6-5c7f-47e4-b989-5492eafa07d3', // Managed-AllViewer
        ViewerProtocolPolicy: tls ? 'redirect-to-https' : 'allow-all',
      },
      Enabled: true,
      IPV6Enabled: true,
      Origins: [
        {Id: origin, DomainName: getAtt('PublicLoadBalancer', 'DNSName'), CustomOriginConfig: {OriginProtocolPolicy: tls ? 'http-only' : 'match-viewer'}},
        // An empty origin access identity: S3OriginConfig must be present for an S3 origin, the access is the control's.
        ...(assets ? [{Id: s3Origin, DomainName: assets.location, OriginAccessControlId: ref('CloudFrontOriginAccessControl'), S3OriginConfig: {OriginAccessIdentity: ''}}] : []),
      ],
      ...(assets
        ? {CacheBehaviors: [{AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'], ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_OPTIMIZED, TargetOriginId: s3Origin, PathPattern: assets.path}]}
        : {}),
      ViewerCertificate: cdn.certificate
        ? {AcmCertificateArn: cdn.certificate, MinimumProtocolVersion: 'TLSv1', SslSupportMethod: 'sni-only'}
        : {CloudFrontDefaultCertificate: true},
    },
  }, {condition: CREATE_ALB})
  t.output('CloudFrontDomainName', getAtt('CloudFrontDistribution', 'DomainName'), {description: 'The domain name of an associated CloudFront Distribution.', exportName: envExport(app, env, 'CloudFrontDomainName'), condition: CREATE_ALB})
}

/** `cdn.static_assets` with its three fields, which Copilot required together. */
function staticAssets(raw: StaticAssets | undefined): Required<StaticAssets> | undefined {
  if (!raw || (!raw.location && !raw.alias && !raw.path)) return undefined
  for (const field of ['location', 'alias', 'path'] as const) {
    if (!raw[field]) throw new RenderError(`cdn.static_assets.${field} is missing: static assets need the bucket's domain (location), the alias that serves them and the path they are under`)
  }
  return raw as Required<StaticAssets>
}
