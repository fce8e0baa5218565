// The ID of the region's AWS-managed CloudFront origin-facing prefix list, which the public load
// balancer's security group names when the environment admits CloudFront only. Each region has its
// own ID and only EC2 knows it: Copilot asked DescribeManagedPrefixLists by name while deploying, and
// so does Pier, before rendering (the renderer takes the ID as an input).

import type {NetworksApi} from '../aws/interfaces.js'
import {UserError} from '../errors.js'
import type {EnvironmentManifest} from '../manifest/types.js'
import {CLOUDFRONT_PREFIX_LIST_NAME, restrictsToCloudFront} from '../render/index.js'

/** The prefix list's ID, or undefined when the environment does not need it. */
export async function cloudFrontPrefixListFor(networks: Pick<NetworksApi, 'describeManagedPrefixLists'>, region: string, manifest: EnvironmentManifest): Promise<string | undefined> {
  if (!restrictsToCloudFront(manifest)) return undefined
  return cloudFrontPrefixListId(networks, region)
}

export async function cloudFrontPrefixListId(networks: Pick<NetworksApi, 'describeManagedPrefixLists'>, region: string): Promise<string> {
  const out = await networks.describeManagedPrefixLists({Filters: [{Name: 'prefix-list-name', Values: [CLOUDFRONT_PREFIX_LIST_NAME]}]})
  const ids = (out.PrefixLists ?? []).map((p) => p.PrefixListId).filter((id): id is string => Boolean(id))
  if (ids.length === 1) return ids[0]!
  const where = `http.public.ingress.cdn admits only CloudFront to the public load balancer, through the prefix list ${CLOUDFRONT_PREFIX_LIST_NAME}`
  if (ids.length === 0) {
    throw new UserError(`${where}: EC2 in ${region} has no prefix list of that name`, {
      hint: 'CloudFront\'s managed prefix list exists in every commercial AWS region; check --region, or remove `http.public.ingress.cdn` (the load balancer then accepts all addresses).',
    })
  }
  throw new UserError(`${where}: EC2 in ${region} has ${ids.length} prefix lists of that name (${ids.join(', ')}), so Pier cannot tell which one CloudFront uses`, {
    hint: 'An AWS-managed prefix list has one ID per region: check the region and the endpoint Pier talks to (--region, --endpoint-url).',
  })
}
