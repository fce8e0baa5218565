// Application Load Balancer routing of a service: one target group (type ip) and one listener rule per
// rule (`http`, then `http.additional_rules`), on the environment's public ALB for a Load Balanced Web
// Service or its internal ALB for a Backend Service (whose rules there also require its own host names,
// see dns.ts). Rule priorities are parameters computed at deploy.

import type {EcsWorkloadManifest, HttpHealthCheck, RoutingRule} from '../../manifest/types.js'
import {wholeSeconds} from '../duration.js'
import {RenderError} from '../errors.js'
import {ENV_OUTPUTS} from '../names.js'
import {compact, getAtt, type Json, ref} from '../template.js'
import {envImport, portNumber, targetContainer, type WorkloadContext} from './context.js'
import {internalHostNames, renderAliasRecords, renderInternalAlias} from './dns.js'

export interface HttpRouting {
  loadBalancers: Json[]
  listenerRules: string[]
  gracePeriodSeconds?: number
  /** For request-count autoscaling: `<lb full name>/<target group full name>` of the first rule. */
  resourceLabel?: Json
  targetGroupFullName?: Json
  /** An import of the environment's output, or the literal name of an imported load balancer. */
  loadBalancerFullName?: Json | string
}

/** The workload's ALB rules in the order of `WorkloadDeployInputs.rulePriorities`. */
export function httpRules(m: EcsWorkloadManifest): RoutingRule[] {
  if (m.type !== 'Load Balanced Web Service' && m.type !== 'Backend Service') return []
  if (!m.http) return []
  const {additional_rules: more, alb: _alb, private: _p, ...main} = m.http
  return [main, ...(more ?? [])]
}

/** `/api` -> ["/api", "/api/*"]; "" or "/" -> ["/*"]. */
export function pathPatterns(path: string | undefined): string[] {
  const clean = (path ?? '/').replace(/^\/+|\/+$/g, '')
  return clean === '' ? ['/*'] : [`/${clean}`, `/${clean}/*`]
}

/** A stable priority for `package` when deploy has not computed one: catch-all paths sort last. */
export function fallbackPriority(name: string, rule: RoutingRule, index: number): number {
  let h = 2166136261
  for (const ch of `${name}:${rule.path ?? '/'}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  return pathPatterns(rule.path)[0] === '/*' ? 49000 + (h % 1000) : 1 + (h % 48000)
}

export function aliases(alias: RoutingRule['alias']): string[] {
  if (!alias) return []
  if (typeof alias === 'string') return [alias]
  return alias.map((a) => (typeof a === 'string' ? a : a.name))
}

export function protocolVersion(v: string | undefined): string {
  const x = (v ?? 'HTTP1').toLowerCase()
  if (x === 'grpc') return 'GRPC'
  if (x === 'http2') return 'HTTP2'
  if (x === 'http1') return 'HTTP1'
  throw new RenderError(`http.version "${v}" is not supported: use HTTP1, HTTP2 or gRPC`)
}

export function targetPort(ctx: WorkloadContext, rule: RoutingRule): {container: string; port: number} {
  const container = targetContainer(ctx, 'http', rule.target_container, rule.target_port)
  const port = rule.target_port ?? portNumber(container === ctx.name ? ctx.manifest.image?.port : ctx.manifest.sidecars?.[container]?.port)
  if (!port) throw new RenderError(`${ctx.name} routes HTTP traffic but has no port: set image.port`)
  return {container, port}
}

export function healthCheck(hc: string | HttpHealthCheck | undefined, grpc: boolean): {props: Json; grace?: string} {
  const h: HttpHealthCheck = typeof hc === 'string' ? {path: hc} : (hc ?? {})
  const seconds = (v: string | undefined, f: string) => (v === undefined ? undefined : wholeSeconds(v, `http.healthcheck.${f}`))
  return {
    props: compact({
      // Copilot's default, gRPC included (AWS's own gRPC default is /AWS.ALB/healthcheck).
      HealthCheckPath: h.path ?? '/',
      HealthCheckPort: h.port === undefined ? undefined : String(h.port),
      Matcher: grpc ? {GrpcCode: h.success_codes ?? '12'} : {HttpCode: h.success_codes ?? '200'},
      HealthyThresholdCount: h.healthy_threshold,
      UnhealthyThresholdCount: h.unhealthy_threshold,
      HealthCheckIntervalSeconds: seconds(h.interval, 'interval'),
      HealthCheckTimeoutSeconds: seconds(h.timeout, 'timeout'),
    }),
    ...(h.grace_period ? {grace: h.grace_period} : {}),
  }
}

/** A rule's target group: the tasks' IPs on the routed port, its health check, deregistration delay and stickiness. */
export function targetGroupProperties(ctx: WorkloadContext, rule: RoutingRule, port: number, version: string, healthCheckProps: Json): Json {
  return {
    TargetType: 'ip',
    Port: port,
    Protocol: 'HTTP',
    // HTTP1 is the default, and Copilot left it out: naming it would replace the target group.
    ...(version === 'HTTP1' ? {} : {ProtocolVersion: version}),
    VpcId: envImport(ctx, ENV_OUTPUTS.vpcId),
    ...(healthCheckProps as Record<string, Json>),
    TargetGroupAttributes: [
      {Key: 'deregistration_delay.timeout_seconds', Value: String(wholeSeconds(rule.deregistration_delay ?? '60s', 'http.deregistration_delay'))},
      {Key: 'stickiness.enabled', Value: String(Boolean(rule.stickiness))},
      ...(rule.stickiness ? [{Key: 'stickiness.type', Value: 'lb_cookie'}] : []),
    ],
  }
}

/** What a routing rule sends traffic to: the container and port, the protocol version and the health
 * check of its target group; the first rule's grace period becomes the service's. */
export function ruleTarget(ctx: WorkloadContext, rule: RoutingRule, index: number, out: HttpRouting) {
  const {container, port} = targetPort(ctx, rule)
  const version = protocolVersion(rule.version)
  const hc = healthCheck(rule.healthcheck, version === 'GRPC')
  if (index === 0 && hc.grace) out.gracePeriodSeconds = wholeSeconds(hc.grace, 'http.healthcheck.grace_period')
  return {suffix: index === 0 ? '' : String(index), container, port, version, hc}
}

/** A listener rule's conditions (paths, host names, source IPs): the rule's aliases are its host names,
 * else `ownHosts` (a Backend Service's own names on the internal HTTP listener); a load balancer rule
 * takes at most 5 condition values. */
export function ruleConditions(rule: RoutingRule, ownHosts: Json[] = []): Json[] {
  const out: Json[] = [{Field: 'path-pattern', PathPatternConfig: {Values: pathPatterns(rule.path)}}]
  const named = aliases(rule.alias)
  const hosts: (string | Json)[] = named.length ? named : ownHosts
  if (hosts.length) out.push({Field: 'host-header', HostHeaderConfig: {Values: hosts}})
  if (rule.allowed_source_ips?.length) out.push({Field: 'source-ip', SourceIpConfig: {Values: rule.allowed_source_ips}})
  const values = pathPatterns(rule.path).length + hosts.length + (rule.allowed_source_ips?.length ?? 0)
  if (values > 5) {
    const what = named.length || !ownHosts.length ? 'paths, aliases, allowed_source_ips' : `paths, the service's ${ownHosts.length} host names on the internal load balancer, allowed_source_ips`
    throw new RenderError(`the rule for path ${rule.path ?? '/'} has ${values} condition values (${what}): a load balancer rule takes at most 5; split it into additional_rules`)
  }
  return out
}

export function renderHttp(ctx: WorkloadContext): HttpRouting {
  const rules = httpRules(ctx.manifest)
  const out: HttpRouting = {loadBalancers: [], listenerRules: []}
  if (!rules.length) return out
  if (ctx.manifest.type !== 'Backend Service' && ctx.manifest.type !== 'Load Balanced Web Service') return out
  const internal = ctx.manifest.type === 'Backend Service' || (ctx.manifest.http !== false && ctx.manifest.http?.private === true)
  const facts = ctx.inputs.environment ?? {}
  const https = internal ? facts.internalHttpsListener : facts.httpsListener
  const listener = envImport(ctx, internal ? (https ? ENV_OUTPUTS.internalHttpsListener : ENV_OUTPUTS.internalHttpListener) : https ? ENV_OUTPUTS.httpsListener : ENV_OUTPUTS.httpListener)
  const lbFullName = envImport(ctx, internal ? ENV_OUTPUTS.internalLbFullName : ENV_OUTPUTS.publicLbFullName)
  // Copilot's rules on the internal HTTP listener required the service's own host names; on the internal
  // HTTPS listener a Backend Service routes by its aliases instead (Copilot required them there).
  const ownNames = ctx.manifest.type === 'Backend Service' && !https && facts.internalWorkloadsZone
  const ownHosts = ownNames ? internalHostNames(ctx) : []

  rules.forEach((rule, i) => {
    const {suffix, container, port, version, hc} = ruleTarget(ctx, rule, i, out)
    const tg = `TargetGroup${suffix}`
    ctx.t.resource(tg, 'AWS::ElasticLoadBalancingV2::TargetGroup', `Target group of ${container}:${port} for path ${pathPatterns(rule.path)[0]}`, targetGroupProperties(ctx, rule, port, version, hc.props))
    const priority = ctx.inputs.rulePriorities?.[i] ?? fallbackPriority(ctx.name, rule, i)
    const priorityParam = `HTTPRulePriority${suffix}`
    ctx.t.parameter(priorityParam, String(priority), {type: 'Number', description: `Priority of listener rule ${i + 1}`})
    const conditions = ruleConditions(rule, ownHosts)
    const forward = [{Type: 'forward', TargetGroupArn: ref(tg)}]
    const ruleId = `HTTPListenerRule${suffix}`
    ctx.t.resource(ruleId, 'AWS::ElasticLoadBalancingV2::ListenerRule', `Listener rule sending ${pathPatterns(rule.path)[0]} to ${ctx.name}`, {
      ListenerArn: listener,
      Priority: ref(priorityParam),
      Conditions: conditions,
      Actions: forward,
    })
    out.listenerRules.push(ruleId)
    // With HTTPS the environment's HTTP listener redirects to HTTPS; `redirect_to_https: false` keeps
    // plain HTTP working for this rule too.
    if (https && !internal && rule.redirect_to_https === false) {
      const plainId = `HTTPListenerRuleWithoutRedirect${suffix}`
      ctx.t.resource(plainId, 'AWS::ElasticLoadBalancingV2::ListenerRule', `Plain HTTP listener rule sending ${pathPatterns(rule.path)[0]} to ${ctx.name}`, {
        ListenerArn: envImport(ctx, ENV_OUTPUTS.httpListener),
        Priority: ref(priorityParam),
        Conditions: conditions,
        Actions: forward,
      })
      out.listenerRules.push(plainId)
    }
    out.loadBalancers.push({ContainerName: container, ContainerPort: port, TargetGroupArn: ref(tg)})
    if (i === 0) {
      out.targetGroupFullName = getAtt(tg, 'TargetGroupFullName')
      out.loadBalancerFullName = lbFullName
      out.resourceLabel = {'Fn::Join': ['/', [lbFullName, getAtt(tg, 'TargetGroupFullName')]]}
    }
  })
  renderAliasRecords(ctx, rules, internal)
  if (ownNames) renderInternalAlias(ctx)
  return out
}
