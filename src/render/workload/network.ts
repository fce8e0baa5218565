// awsvpc placement: public subnets with a public IP, private subnets without (egress through the
// environment's NAT), or explicit subnets; the environment's security group plus the manifest's.

import {addonOutputs} from '../addons.js'
import {RenderError} from '../errors.js'
import {ENV_OUTPUTS} from '../names.js'
import {importValue, type Json, split} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'

export interface Placement {
  subnets: unknown
  assignPublicIp: 'ENABLED' | 'DISABLED'
  securityGroups: unknown[]
}

export function placement(ctx: WorkloadContext): Placement {
  const vpc = ctx.manifest.network?.vpc
  const p = vpc?.placement ?? 'public'
  const sg = vpc?.security_groups
  const extra = (Array.isArray(sg) ? sg : (sg?.groups ?? [])).map((g) => (typeof g === 'string' ? g : importValue(g.from_cfn)))
  const denyDefault = !Array.isArray(sg) && sg?.deny_default === true
  // Security groups an addons stack outputs join the task's, as in Copilot.
  const fromAddons = addonOutputs(ctx.inputs.addons, 'securityGroup').map((o) => o.value)
  const securityGroups = [...(denyDefault ? [] : [envImport(ctx, ENV_OUTPUTS.environmentSecurityGroup)]), ...extra, ...fromAddons]
  if (securityGroups.length === 0) {
    throw new RenderError('network.vpc.security_groups.deny_default is true but no groups are listed: tasks need at least one security group')
  }
  if (p === 'public') return {subnets: split(',', envImport(ctx, ENV_OUTPUTS.publicSubnets)), assignPublicIp: 'ENABLED', securityGroups}
  if (p === 'private') return {subnets: split(',', envImport(ctx, ENV_OUTPUTS.privateSubnets)), assignPublicIp: 'DISABLED', securityGroups}
  if (Array.isArray(p.subnets)) return {subnets: p.subnets, assignPublicIp: 'DISABLED', securityGroups}
  if (!ctx.inputs.subnetIds?.length) {
    throw new RenderError('network.vpc.placement.subnets.from_tags must be resolved to subnet ids before rendering: deploy looks them up')
  }
  return {subnets: ctx.inputs.subnetIds, assignPublicIp: 'DISABLED', securityGroups}
}

export function awsvpcConfiguration(p: Placement): Json {
  return {AwsvpcConfiguration: {AssignPublicIp: p.assignPublicIp, Subnets: p.subnets, SecurityGroups: p.securityGroups}}
}
