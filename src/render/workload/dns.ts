// Route 53 alias records for `http.alias` names in a hosted zone (`http.hosted_zone`, or
// `alias: [{name, hosted_zone}]`), as Copilot rendered them: one record set group per hosted zone
// (logical ID LoadBalancerDNSAlias<zone>), A records aliasing the environment's load balancer; and a
// Backend Service's own name in the environment's private zone <env>.<app>.internal, which with the
// internal load balancer's DNS name is also the host its listener rules require.

import type {RoutingRule} from '../../manifest/types.js'
import {ENV_OUTPUTS} from '../names.js'
import {type Json, ref, sub} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'

/** Alias names by hosted zone ID, over every rule. */
export function hostedZoneAliases(rules: RoutingRule[]): Map<string, string[]> {
  const zones = new Map<string, string[]>()
  const add = (zone: string | undefined, name: string) => {
    if (!zone) return
    const list = zones.get(zone) ?? []
    if (!list.includes(name)) list.push(name)
    zones.set(zone, list)
  }
  for (const rule of rules) {
    const alias = rule.alias
    if (!alias) continue
    for (const a of typeof alias === 'string' ? [alias] : alias) {
      if (typeof a === 'string') add(rule.hosted_zone, a)
      else add(a.hosted_zone ?? rule.hosted_zone, a.name)
    }
  }
  return zones
}

export function renderAliasRecords(ctx: WorkloadContext, rules: RoutingRule[], internal: boolean): void {
  for (const [zone, names] of hostedZoneAliases(rules)) {
    const target: Json = {
      HostedZoneId: envImport(ctx, internal ? ENV_OUTPUTS.internalLbHostedZone : ENV_OUTPUTS.publicLbHostedZone),
      DNSName: envImport(ctx, internal ? ENV_OUTPUTS.internalLbDns : ENV_OUTPUTS.publicLbDns),
    }
    ctx.t.resource(`LoadBalancerDNSAlias${zone.replace(/[^A-Za-z0-9]/g, '')}`, 'AWS::Route53::RecordSetGroup', `Alias records for the application load balancer in hosted zone ${zone}`, {
      HostedZoneId: zone,
      Comment: sub(`LoadBalancer aliases for service \${WorkloadName} in hosted zone ${zone}`),
      RecordSets: names.map((name) => ({Name: name, Type: 'A', AliasTarget: target})),
    })
  }
}

/** `<name>.<env>.<app>.internal`, the service's name in the environment's private hosted zone. */
function internalName(ctx: WorkloadContext): Json {
  return {'Fn::Join': ['.', [ref('WorkloadName'), envImport(ctx, ENV_OUTPUTS.internalWorkloadsZoneName)]]}
}

/** The host names a Backend Service's rules on the internal HTTP listener require, as Copilot's did: the
 * internal load balancer's DNS name (callers of COPILOT_LB_DNS) and the service's own private name. With
 * them, services sharing a path on the internal load balancer each receive only their own requests. */
export function internalHostNames(ctx: WorkloadContext): Json[] {
  return [envImport(ctx, ENV_OUTPUTS.internalLbDns), internalName(ctx)]
}

/** A Backend Service behind the internal load balancer without HTTPS: `<name>.<env>.<app>.internal` in
 * the environment's private hosted zone, aliasing the internal load balancer, as Copilot made it. */
export function renderInternalAlias(ctx: WorkloadContext): void {
  ctx.t.resource('LoadBalancerInternalDNSAlias', 'AWS::Route53::RecordSetGroup', `Alias ${ctx.name}.${ctx.env}.${ctx.app}.internal to the internal load balancer`, {
    Comment: sub('Load balancer alias for service ${WorkloadName}'),
    HostedZoneId: envImport(ctx, ENV_OUTPUTS.internalWorkloadsZone),
    RecordSets: [{
      Type: 'A',
      AliasTarget: {HostedZoneId: envImport(ctx, ENV_OUTPUTS.internalLbHostedZone), DNSName: envImport(ctx, ENV_OUTPUTS.internalLbDns)},
      Name: internalName(ctx),
    }],
  })
}
