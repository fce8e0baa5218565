// `cdn:` in an environment manifest: a CloudFront distribution in front of the public load balancer,
// as Copilot rendered it (logical ID CloudFrontDistribution, its cache and origin request policies),
// created with the load balancer. Its aliases are the public aliases of the environment's services
// (Copilot computed them in a Lambda; Pier knows them from the workspace, EnvironmentNeeds.aliases).

import type {EnvironmentManifest} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import {envExport} from '../names.js'
import {getAtt, sub, type TemplateBuilder} from '../template.js'
import {CREATE_ALB} from './alb.js'

interface CdnSettings {
  certificate?: string
  terminate_tls?: boolean
  static_assets?: unknown
}

export function cdnSettings(manifest: EnvironmentManifest): CdnSettings | undefined {
  const cdn = manifest.cdn
  if (cdn === undefined || cdn === false) return undefined
  return cdn === true ? {} : (cdn as CdnSettings)
}

export function renderCdn(t: TemplateBuilder, app: string, env: string, manifest: EnvironmentManifest, aliases: string[]): void {
  const cdn = cdnSettings(manifest)
  if (!cdn) return
  if (cdn.static_assets !== undefined) {
    throw new RenderError('cdn.static_assets (an S3 origin for static files) is not rendered by Pier: remove it, or serve the files from a service')
  }
  const origin = sub('copilot-${AppName}-${EnvironmentName}-origin')
  const tls = cdn.terminate_tls === true
  t.resource('CloudFrontDistribution', 'AWS::CloudFront::Distribution', 'A CloudFront distribution for global content delivery', {
    DistributionConfig: {
      ...(cdn.certificate && aliases.length ? {Aliases: [...aliases].sort()} : {}),
      DefaultCacheBehavior: {
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        TargetOriginId: origin,
        OriginRequestPolicyId: '216adef6-5c7f-47e4-b989-5492eafa07d3', // Managed-AllViewer
        ViewerProtocolPolicy: tls ? 'redirect-to-https' : 'allow-all',
      },
      Enabled: true,
      IPV6Enabled: true,
      Origins: [{Id: origin, DomainName: getAtt('PublicLoadBalancer', 'DNSName'), CustomOriginConfig: {OriginProtocolPolicy: tls ? 'http-only' : 'match-viewer'}}],
      ViewerCertificate: cdn.certificate
        ? {AcmCertificateArn: cdn.certificate, MinimumProtocolVersion: 'TLSv1', SslSupportMethod: 'sni-only'}
        : {CloudFrontDefaultCertificate: true},
    },
  }, {condition: CREATE_ALB})
  t.output('CloudFrontDomainName', getAtt('CloudFrontDistribution', 'DomainName'), {description: 'The domain name of an associated CloudFront Distribution.', exportName: envExport(app, env, 'CloudFrontDomainName'), condition: CREATE_ALB})
}
