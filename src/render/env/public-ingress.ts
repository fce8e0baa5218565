// Who may reach the public load balancer. By default anyone; `http.public.ingress.source_ips` lists
// addresses; `http.public.ingress.cdn` (Copilot's older `security_groups.ingress.restrict_to.cdn`)
// admits only CloudFront, through the region's AWS-managed origin-facing prefix list. The list's ID
// differs per region and is known only by asking EC2, so it is a deploy-time input: Copilot looked it
// up while deploying and wrote it into the template; Pier does the same (src/app/cloudfront-prefix-list.ts).

import type {EnvironmentManifest} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import type {Json} from '../template.js'

/** The name of the AWS-managed prefix list of CloudFront's origin-facing addresses, in every region. */
export const CLOUDFRONT_PREFIX_LIST_NAME = 'com.amazonaws.global.cloudfront.origin-facing'

/** Whether the environment's public load balancer admits CloudFront only. */
export function restrictsToCloudFront(manifest: EnvironmentManifest): boolean {
  return manifest.http?.public?.ingress?.cdn === true
}

/** The ingress rules of the public load balancer's security group on HTTP (80) and, with a certificate,
 * HTTPS (443): from CloudFront's prefix list when restricted to it, from `source_ips` when listed (both
 * when both are set, as Copilot allowed), from anywhere otherwise. */
export function publicIngressRules(manifest: EnvironmentManifest, https: boolean, cloudFrontPrefixListId: string | undefined): Json[] {
  const sourceIps = manifest.http?.public?.ingress?.source_ips ?? []
  const prefixLists: {SourcePrefixListId: string}[] = []
  if (restrictsToCloudFront(manifest)) {
    if (!cloudFrontPrefixListId) {
      throw new RenderError(`http.public.ingress.cdn admits only CloudFront, through the region's prefix list ${CLOUDFRONT_PREFIX_LIST_NAME}: its ID must be looked up in EC2 before rendering (deploy does; package does with AWS access)`)
    }
    prefixLists.push({SourcePrefixListId: cloudFrontPrefixListId})
  }
  const cidrs = sourceIps.length || prefixLists.length ? sourceIps : ['0.0.0.0/0']
  const all: [Record<string, string>, string][] = [
    ...prefixLists.map((p): [Record<string, string>, string] => [p, `prefix list ${p.SourcePrefixListId}`]),
    ...cidrs.map((CidrIp): [Record<string, string>, string] => [{CidrIp}, CidrIp]),
  ]
  return all.flatMap(([source, label]) => [
    {...source, Description: `HTTP from ${label}`, FromPort: 80, ToPort: 80, IpProtocol: 'tcp'},
    ...(https ? [{...source, Description: `HTTPS from ${label}`, FromPort: 443, ToPort: 443, IpProtocol: 'tcp'}] : []),
  ])
}
