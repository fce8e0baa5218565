// `http.alb`: a service routed through an existing Application Load Balancer instead of the
// environment's, as Copilot rendered it (its logical IDs): a target group per rule
// (TargetGroupForImportedALB, 1, 2...), listener rules on the imported listeners, the environment's
// security group opened to the load balancer's groups, and alias records aiming at its DNS name.
// The listeners and groups are looked up at deploy time (WorkloadDeployInputs.importedAlb); with an
// HTTPS listener, rules forward there and an HTTP listener beside it redirects to HTTPS, as Copilot did.
// Priorities are parameters computed at deploy from the imported listeners' rules, as for the
// environment's load balancer.

import {RenderError} from '../errors.js'
import type {ImportedAlb} from '../inputs.js'
import {ENV_OUTPUTS} from '../names.js'
import {getAtt, ref, sub} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'
import {hostedZoneAliases} from './dns.js'
import {fallbackPriority, httpRules, type HttpRouting, pathPatterns, ruleConditions, ruleTarget, targetGroupProperties} from './http.js'

const HTTPS_REDIRECT = {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}

/** Whether the service routes through an imported load balancer. */
export function importsAlb(ctx: WorkloadContext): boolean {
  const m = ctx.manifest
  return (m.type === 'Load Balanced Web Service' || m.type === 'Backend Service') && Boolean(m.http && m.http.alb)
}

/** The imported listeners Copilot accepted: one (HTTP or HTTPS), or one HTTP and one HTTPS. */
function listenersOf(alb: ImportedAlb): {http?: string; https?: string} {
  const http = alb.listeners.find((l) => l.protocol === 'HTTP')?.arn
  const https = alb.listeners.find((l) => l.protocol === 'HTTPS')?.arn
  const n = alb.listeners.length
  if (n === 0 || n > 2 || (!http && !https) || (n === 2 && !(http && https))) {
    const have = alb.listeners.map((l) => `${l.protocol}:${l.port}`).join(', ') || 'none'
    throw new RenderError(`http.alb: the load balancer ${alb.name} must have one listener (HTTP or HTTPS), or one HTTP and one HTTPS listener, to take the service's rules; it has ${have}`)
  }
  return {http, https}
}

/** `app/<name>/<id>`: the part of the ARN CloudWatch metrics name a load balancer by. */
function fullName(arn: string): string {
  const i = arn.indexOf(':loadbalancer/')
  return i < 0 ? arn : arn.slice(i + ':loadbalancer/'.length)
}

export function renderImportedAlbHttp(ctx: WorkloadContext): HttpRouting {
  const alb = ctx.inputs.importedAlb
  const m = ctx.manifest
  const named = 'http' in m && m.http ? m.http.alb : undefined
  if (!alb) {
    throw new RenderError(`http.alb names the load balancer ${String(named)}: its listeners and security groups must be looked up in ELBv2 before rendering (deploy does; package does with AWS access)`)
  }
  const {http, https} = listenersOf(alb)
  const rules = httpRules(ctx.manifest)
  const out: HttpRouting = {loadBalancers: [], listenerRules: []}
  rules.forEach((rule, i) => {
    const {suffix, container, port, version, hc} = ruleTarget(ctx, rule, i, out)
    const tg = `TargetGroupForImportedALB${suffix}`
    ctx.t.resource(tg, 'AWS::ElasticLoadBalancingV2::TargetGroup', `A target group to connect the load balancer to your service on port ${port}`, targetGroupProperties(ctx, rule, port, version, hc.props))
    const priorityParam = `HTTPRulePriority${suffix}`
    ctx.t.parameter(priorityParam, String(ctx.inputs.rulePriorities?.[i] ?? fallbackPriority(ctx.name, rule, i)), {type: 'Number', description: `Priority of listener rule ${i + 1} on the imported load balancer`})
    // Copilot's order on an imported load balancer: source IPs, host names, paths (the reverse of Pier's).
    const when = ruleConditions(rule).reverse()
    const forward = [{Type: 'forward', TargetGroupArn: ref(tg)}]
    const path = pathPatterns(rule.path)[0]
    const forwardId = https ? `HTTPSListenerRuleForImportedALB${suffix}` : `HTTPListenerRuleForImportedALB${suffix}`
    ctx.t.resource(forwardId, 'AWS::ElasticLoadBalancingV2::ListenerRule', `An ${https ? 'HTTPS' : 'HTTP'} listener rule for path \`${path}\` that forwards traffic to your tasks`, {
      ListenerArn: https ?? http,
      Priority: ref(priorityParam),
      Conditions: when,
      Actions: forward,
    })
    out.listenerRules.push(forwardId)
    if (https && http) {
      const redirectId = `HTTPListenerRedirectRuleForImportedALB${suffix}`
      ctx.t.resource(redirectId, 'AWS::ElasticLoadBalancingV2::ListenerRule', 'An HTTP listener rule that redirects HTTP to HTTPS', {
        ListenerArn: http,
        Priority: ref(priorityParam),
        Conditions: when,
        Actions: [{Type: 'redirect', RedirectConfig: HTTPS_REDIRECT}],
      })
      out.listenerRules.push(redirectId)
    }
    out.loadBalancers.push({ContainerName: container, ContainerPort: port, TargetGroupArn: ref(tg)})
    if (i === 0) {
      out.targetGroupFullName = getAtt(tg, 'TargetGroupFullName')
      out.loadBalancerFullName = fullName(alb.arn)
      out.resourceLabel = {'Fn::Join': ['/', [fullName(alb.arn), getAtt(tg, 'TargetGroupFullName')]]}
    }
  })
  alb.securityGroups.forEach((group, i) => {
    ctx.t.resource(`EnvironmentSecurityGroupIngressFromImportedALB${i === 0 ? '' : i}`, 'AWS::EC2::SecurityGroupIngress', 'Traffic from the imported load balancer to the tasks', {
      GroupId: envImport(ctx, ENV_OUTPUTS.environmentSecurityGroup),
      Description: 'Ingress from the imported ALB',
      SourceSecurityGroupId: group,
      IpProtocol: '-1',
    })
  })
  for (const [zone, names] of hostedZoneAliases(rules)) {
    ctx.t.resource(`LoadBalancerDNSAlias${zone.replace(/[^A-Za-z0-9]/g, '')}`, 'AWS::Route53::RecordSetGroup', `Alias records for the application load balancer in hosted zone ${zone}`, {
      HostedZoneId: zone,
      Comment: sub(`LoadBalancer aliases for service \${WorkloadName} in hosted zone ${zone}`),
      RecordSets: names.map((name) => ({Name: name, Type: 'A', AliasTarget: {HostedZoneId: alb.hostedZoneId, DNSName: alb.dnsName}})),
    })
  }
  return out
}
