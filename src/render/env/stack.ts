// The environment stack `<app>-<env>`: network, cluster, namespace, load balancers, and the outputs
// workload stacks import as `<app>-<env>-<Name>`.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {type AddonsWiring, environmentAddonParameters, renderAddonsStack} from '../addons.js'
import type {EnvironmentNeeds} from '../inputs.js'
import {copilotTags, discoveryEndpoint, ENV_OUTPUTS, envExport, environmentStackName} from '../names.js'
import {getAtt, join, ref, sub, TemplateBuilder} from '../template.js'
import type {RenderedStack} from '../types.js'
import {CREATE_ALB, CREATE_INTERNAL_ALB, renderInternalAlb, renderPublicAlb} from './alb.js'
import {renderCluster, renderNamespace, renderSharedSecurity} from './cluster.js'
import {RenderError} from '../errors.js'
import {cdnSettings, renderCdn} from './cdn.js'
import {renderManagedFileSystem} from './efs.js'
import {renderFlowLogs} from './flow-logs.js'
import {renderNetwork} from './network.js'
import {type EnvironmentRolesInput, renderEnvironmentRoles, renderLogResourcePolicy} from './roles.js'

export interface EnvironmentStackInput {
  app: string
  env: string
  manifest: EnvironmentManifest
  needs: EnvironmentNeeds
  /** The environment's addons (copilot/environments/addons/): the `AddonsStack` nested stack. */
  addons?: AddonsWiring
  /** The ID of the region's CloudFront origin-facing prefix list, looked up in EC2 at deploy time;
   * needed when the public load balancer admits CloudFront only (`http.public.ingress.cdn`). */
  cloudFrontPrefixListId?: string
  /** Who may assume the environment's roles, and whether they outlive the stack. */
  roles?: EnvironmentRolesInput
}

export function renderEnvironmentStack(input: EnvironmentStackInput): RenderedStack {
  const {app, env, manifest, needs} = input
  const tags = copilotTags(app, env)
  const t = new TemplateBuilder(`Pier environment ${env} of application ${app}.`, tags)
  t.parameter('AppName', app)
  t.parameter('EnvironmentName', env)
  t.parameter('ServiceDiscoveryEndpoint', discoveryEndpoint(app, env), {description: 'Cloud Map namespace of the environment'})
  t.parameter('ALBWorkloads', [...needs.publicAlb].sort().join(','), {description: 'Workloads behind the public load balancer'})
  t.parameter('InternalALBWorkloads', [...needs.internalAlb].sort().join(','), {description: 'Workloads behind the internal load balancer'})
  t.parameter('NATWorkloads', [...needs.nat].sort().join(','), {description: 'Workloads in private subnets that need NAT'})
  t.parameter('EFSWorkloads', [...(needs.efs ?? [])].sort().join(','), {description: 'Workloads with a volume on the environment’s EFS file system'})

  renderEnvironmentRoles(t, app, env, input.roles)
  const net = renderNetwork(t, manifest)
  renderCluster(t, manifest)
  renderSharedSecurity(t, manifest, net)
  renderManagedFileSystem(t, app, env, net)
  renderFlowLogs(t, manifest, net)
  renderNamespace(t, net)
  renderLogResourcePolicy(t)
  if (input.addons) renderAddonsStack(t, input.addons, environmentAddonParameters())
  const pub = net.publicSubnets.length > 0 ? renderPublicAlb(t, manifest, net, input.cloudFrontPrefixListId) : undefined
  if (pub) renderCdn(t, app, env, manifest, needs.aliases ?? [])
  else if (cdnSettings(manifest)) throw new RenderError('cdn needs the public load balancer, which needs public subnets: add public subnets to network.vpc.subnets')
  const internal = net.privateSubnets.length > 0 || manifest.http?.private?.subnets?.length ? renderInternalAlb(t, manifest, net) : undefined

  const out = (name: string, value: unknown, condition?: string) =>
    t.output(name, value, {exportName: envExport(app, env, name), ...(condition ? {condition} : {})})
  out(ENV_OUTPUTS.vpcId, net.vpcId)
  if (net.publicSubnets.length) out(ENV_OUTPUTS.publicSubnets, join(',', net.publicSubnets))
  if (net.privateSubnets.length) out(ENV_OUTPUTS.privateSubnets, join(',', net.privateSubnets))
  // Copilot's exports of the network, which other stacks (users' addons) may import.
  if (net.routing) {
    out('InternetGatewayID', net.routing.internetGateway)
    out('PublicRouteTableID', net.routing.publicRouteTable)
    if (net.routing.privateRouteTables.length) out('PrivateRouteTableIDs', join(',', net.routing.privateRouteTables))
  }
  out(ENV_OUTPUTS.cluster, ref('Cluster'))
  out(ENV_OUTPUTS.environmentSecurityGroup, ref('EnvironmentSecurityGroup'))
  out(ENV_OUTPUTS.namespaceId, getAtt('ServiceDiscoveryNamespace', 'Id'))
  // Unconditional: a service's own Network Load Balancer uses it for TLS even without the ALB.
  const certificate = manifest.http?.public?.certificates?.[0]
  if (certificate) out(ENV_OUTPUTS.publicCertificate, certificate)
  if (pub) {
    out(ENV_OUTPUTS.publicLbDns, getAtt('PublicLoadBalancer', 'DNSName'), CREATE_ALB)
    out(ENV_OUTPUTS.publicLbFullName, getAtt('PublicLoadBalancer', 'LoadBalancerFullName'), CREATE_ALB)
    t.output('PublicLoadBalancerHostedZone', getAtt('PublicLoadBalancer', 'CanonicalHostedZoneID'), {exportName: envExport(app, env, ENV_OUTPUTS.publicLbHostedZone), condition: CREATE_ALB})
    out(ENV_OUTPUTS.httpListener, ref('HTTPListener'), CREATE_ALB)
    t.output('DefaultHTTPTargetGroupArn', ref('DefaultHTTPTargetGroup'), {exportName: envExport(app, env, 'DefaultHTTPTargetGroup'), condition: CREATE_ALB})
    if (pub.https) out(ENV_OUTPUTS.httpsListener, ref('HTTPSListener'), CREATE_ALB)
  }
  if (internal) {
    out(ENV_OUTPUTS.internalLbDns, getAtt('InternalLoadBalancer', 'DNSName'), CREATE_INTERNAL_ALB)
    out(ENV_OUTPUTS.internalLbFullName, getAtt('InternalLoadBalancer', 'LoadBalancerFullName'), CREATE_INTERNAL_ALB)
    t.output('InternalLoadBalancerHostedZone', getAtt('InternalLoadBalancer', 'CanonicalHostedZoneID'), {exportName: envExport(app, env, ENV_OUTPUTS.internalLbHostedZone), condition: CREATE_INTERNAL_ALB})
    out(ENV_OUTPUTS.internalHttpListener, ref('InternalHTTPListener'), CREATE_INTERNAL_ALB)
    out('InternalLoadBalancerSecurityGroup', ref('InternalLoadBalancerSecurityGroup'), CREATE_INTERNAL_ALB)
    if (internal.https) out(ENV_OUTPUTS.internalHttpsListener, ref('InternalHTTPSListener'), CREATE_INTERNAL_ALB)
    t.output('InternalWorkloadsHostedZone', ref('InternalWorkloadsHostedZone'), {exportName: envExport(app, env, ENV_OUTPUTS.internalWorkloadsZone), condition: CREATE_INTERNAL_ALB})
    t.output(ENV_OUTPUTS.internalWorkloadsZoneName, sub('${EnvironmentName}.${AppName}.internal'), {exportName: envExport(app, env, ENV_OUTPUTS.internalWorkloadsZoneName), condition: CREATE_INTERNAL_ALB})
  }
  return {stackName: environmentStackName(app, env), template: t.build(), parameters: {...t.parameterValues}, tags}
}
