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

/** The ingress rules of the public load balancer's security group for one port (80 on the HTTP group,
 * 443 on the HTTPS group), in Copilot's words: from CloudFront's prefix list when restricted to it, from
 * `source_ips` when listed (both when both are set, as Copilot allowed), from anyone otherwise. */
export function publicIngressRules(manifest: EnvironmentManifest, port: number, cloudFrontPrefixListId: string | undefined): Json[] {
  const sourceIps = manifest.http?.public?.ingress?.source_ips ?? []
  const rules: Json[] = []
  const rule = (source: Record<string, string>, description: string) => ({...source, Description: description, FromPort: port, ToPort: port, IpProtocol: 'tcp'})
  if (restrictsToCloudFront(manifest)) {
    if (!cloudFrontPrefixListId) {
      throw new RenderError(`http.public.ingress.cdn admits only CloudFront, through the region's prefix list ${CLOUDFRONT_PREFIX_LIST_NAME}: its ID must be looked up in EC2 before rendering (deploy does; package does with AWS access)`)
    }
    rules.push(rule({SourcePrefixListId: cloudFrontPrefixListId}, `Allow ingress from prefix list ${cloudFrontPrefixListId} on port ${port}`))
  }
  for (const CidrIp of sourceIps) rules.push(rule({CidrIp}, `Allow ingress from source IP ${CidrIp} on port ${port}`))
  if (rules.length === 0) rules.push(rule({CidrIp: '0.0.0.0/0'}, `Allow from anyone on port ${port}`))
  return rules
}
