// Environment manifests: an imported VPC names subnets by ID; a created VPC describes them by CIDR.
import type {Issue} from '../locate.js'
import type {EnvironmentManifest} from '../types.js'

/** CloudFront settings that only make sense together, checked as Copilot checked them. */
export function environmentCdnRule(m: EnvironmentManifest): Issue[] {
  const issues: Issue[] = []
  // As Copilot: only CloudFront may reach the load balancer, so without a distribution nothing could.
  if (m.http?.public?.ingress?.cdn === true && (m.cdn === undefined || m.cdn === false)) {
    issues.push({path: ['http', 'public', 'ingress', 'cdn'], code: 'missing-field',
      message: 'the public load balancer admits CloudFront only, but the environment has no CloudFront distribution (`cdn`): nothing could reach it',
      hint: 'Add `cdn: true` to the environment manifest, or remove `ingress.cdn`.'})
  }
  // As Copilot: static assets need all three fields (CDNStaticConfig.validate).
  const cdn = m.cdn
  const assets = cdn !== null && typeof cdn === 'object' ? (cdn as {static_assets?: Record<string, unknown>}).static_assets : undefined
  if (assets && typeof assets === 'object' && Object.keys(assets).length > 0) {
    const what = {location: 'the bucket\'s domain name (my-bucket.s3.us-west-2.amazonaws.com)', alias: 'the domain name that serves the assets', path: 'the path pattern served from the bucket (static/*)'}
    for (const [field, meaning] of Object.entries(what)) {
      if (!assets[field]) {
        issues.push({path: ['cdn', 'static_assets'], atKey: true, code: 'missing-field', message: `\`static_assets\` has no \`${field}\`: CloudFront needs ${meaning}`, hint: `Add \`${field}\` under \`cdn.static_assets\`.`})
      }
    }
  }
  return issues
}

export function environmentNetworkRule(m: EnvironmentManifest): Issue[] {
  const vpc = m.network?.vpc
  if (!vpc) return []
  const issues: Issue[] = []
  const imported = vpc.id !== undefined
  if (imported && vpc.cidr !== undefined) {
    issues.push({path: ['network', 'vpc', 'cidr'], atKey: true, code: 'exclusive-fields', message: '`cidr` is set on an imported VPC: the CIDR belongs to the VPC Pier creates, an imported VPC keeps its own', hint: 'Remove `cidr`, or remove `id` to have Pier create the VPC.'})
  }
  for (const kind of ['public', 'private'] as const) {
    ;(vpc.subnets?.[kind] ?? []).forEach((s, i) => {
      if (imported && s.id === undefined) {
        issues.push({path: ['network', 'vpc', 'subnets', kind, i], code: 'missing-field', message: `${kind} subnet ${i + 1} has no \`id\`: an imported VPC's subnets are named by ID`, hint: 'Add `id: subnet-...`.'})
      }
      if (!imported && s.id !== undefined) {
        issues.push({path: ['network', 'vpc', 'subnets', kind, i, 'id'], atKey: true, code: 'exclusive-fields', message: `${kind} subnet ${i + 1} has an \`id\` but the VPC is not imported: subnets of a created VPC are described by \`cidr\` and \`az\``, hint: 'Add `network.vpc.id` to import the VPC, or replace `id` with `cidr`.'})
      }
    })
  }
  if (imported && (vpc.subnets?.public?.length ?? 0) === 1) {
    issues.push({path: ['network', 'vpc', 'subnets', 'public'], code: 'subnet-count', message: 'only one public subnet: a load balancer needs subnets in at least two availability zones', hint: 'Add a second public subnet in another zone.'})
  }
  return issues
}
