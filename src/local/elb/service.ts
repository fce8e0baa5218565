// The Elastic Load Balancing v2 query API (version 2015-12-01) over the local load balancer's
// records, in AWS's result shapes and error codes.

import {ServiceError, type QueryService} from '../frontend/types.js'
import type {LocalLoadBalancing} from './index.js'
import type {ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord} from './model.js'
import {list} from '../query-params.js'
import {queryServiceFromTable} from '../service-table.js'

const ZONE_ID = 'Z35SXDOTRQ7X7K'

export function describeLoadBalancer(lb: LoadBalancerRecord): Record<string, unknown> {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: ZONE_ID,
    CreatedTime: lb.createdAt,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: {Code: 'active'},
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((s, i) => ({ZoneName: `us-east-1${'abcdef'[i % 6]}`, SubnetId: s})),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  }
}

export function describeTargetGroup(elb: LocalLoadBalancing, g: TargetGroupRecord): Record<string, unknown> {
  const hc = g.healthCheck
  return {
    TargetGroupArn: g.arn,
    TargetGroupName: g.name,
    Protocol: g.protocol,
    Port: g.port,
    VpcId: g.vpcId,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: {HttpCode: hc.matcher},
    LoadBalancerArns: elb.loadBalancerArnsOf(g.arn),
    TargetType: g.targetType,
    ProtocolVersion: g.protocolVersion,
    IpAddressType: 'ipv4',
  }
}

export function describeListener(l: ListenerRecord): Record<string, unknown> {
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    Certificates: l.certificates.map((c) => ({CertificateArn: c})),
    SslPolicy: l.sslPolicy,
    DefaultActions: l.defaultActions,
  }
}

function describeRule(r: RuleRecord): Record<string, unknown> {
  return {RuleArn: r.arn, Priority: String(r.priority), Conditions: r.conditions, Actions: r.actions, IsDefault: false}
}

const attributeList = (attrs: Record<string, string>) => Object.entries(attrs).map(([Key, Value]) => ({Key, Value}))

type Handler = (elb: LocalLoadBalancing, input: Record<string, any>) => Promise<unknown> | unknown

const handlers: Record<string, Handler> = {
  async CreateLoadBalancer(elb, input) {
    return {LoadBalancers: [describeLoadBalancer(await elb.createLoadBalancer(input))]}
  },
  DescribeLoadBalancers(elb, input) {
    const arns = list<string>(input.LoadBalancerArns)
    const names = list<string>(input.Names)
    let lbs = elb.state.loadBalancers
    if (arns.length) lbs = arns.map((a) => elb.loadBalancer(a))
    if (names.length) {
      lbs = names.map((n) => {
        const lb = elb.state.loadBalancers.find((x) => x.name === n)
        if (!lb) throw new ServiceError('LoadBalancerNotFound', `Load balancers '[${n}]' not found`)
        return lb
      })
    }
    return {LoadBalancers: lbs.map(describeLoadBalancer)}
  },
  async DeleteLoadBalancer(elb, input) {
    await elb.deleteLoadBalancer(String(input.LoadBalancerArn))
    return {}
  },
  DescribeLoadBalancerAttributes(elb, input) {
    return {Attributes: attributeList(elb.loadBalancer(String(input.LoadBalancerArn)).attributes)}
  },
  ModifyLoadBalancerAttributes(elb, input) {
    return {Attributes: attributeList(elb.modifyLoadBalancerAttributes(String(input.LoadBalancerArn), list(input.Attributes)))}
  },
  CreateTargetGroup(elb, input) {
    return {TargetGroups: [describeTargetGroup(elb, elb.createTargetGroup(input))]}
  },
  DescribeTargetGroups(elb, input) {
    let groups = elb.state.targetGroups
    const arns = list<string>(input.TargetGroupArns)
    const names = list<string>(input.Names)
    if (arns.length) groups = arns.map((a) => elb.targetGroup(a))
    if (names.length) {
      groups = names.map((n) => {
        const g = elb.state.targetGroups.find((x) => x.name === n)
        if (!g) throw new ServiceError('TargetGroupNotFound', `Target groups '[${n}]' not found`)
        return g
      })
    }
    if (input.LoadBalancerArn) {
      elb.loadBalancer(String(input.LoadBalancerArn))
      groups = groups.filter((g) => elb.loadBalancerArnsOf(g.arn).includes(String(input.LoadBalancerArn)))
    }
    return {TargetGroups: groups.map((g) => describeTargetGroup(elb, g))}
  },
  ModifyTargetGroup(elb, input) {
    return {TargetGroups: [describeTargetGroup(elb, elb.modifyTargetGroup(String(input.TargetGroupArn), input))]}
  },
  DescribeTargetGroupAttributes(elb, input) {
    return {Attributes: attributeList(elb.targetGroup(String(input.TargetGroupArn)).attributes)}
  },
  ModifyTargetGroupAttributes(elb, input) {
    return {Attributes: attributeList(elb.modifyTargetGroupAttributes(String(input.TargetGroupArn), list(input.Attributes)))}
  },
  DeleteTargetGroup(elb, input) {
    elb.deleteTargetGroup(String(input.TargetGroupArn))
    return {}
  },
  async RegisterTargets(elb, input) {
    const targets = list<{Id: string; Port?: string}>(input.Targets).map((t) => ({id: t.Id, port: Number(t.Port ?? 0) || undefined}))
    const g = elb.targetGroup(String(input.TargetGroupArn))
    await elb.register(g.arn, targets.map((t) => ({id: t.id, port: t.port ?? g.port})))
    return {}
  },
  DeregisterTargets(elb, input) {
    const g = elb.targetGroup(String(input.TargetGroupArn))
    const targets = list<{Id: string; Port?: string}>(input.Targets).map((t) => ({id: t.Id, port: Number(t.Port ?? 0) || g.port}))
    void elb.deregister(g.arn, targets) // returns at once; targets drain in the background, as on AWS
    return {}
  },
  DescribeTargetHealth(elb, input) {
    const g = elb.targetGroup(String(input.TargetGroupArn))
    const only = list<{Id: string; Port?: string}>(input.Targets)
    const rows = g.targets.filter((t) => only.length === 0 || only.some((o) => o.Id === t.id && (!o.Port || Number(o.Port) === t.port)))
    return {
      TargetHealthDescriptions: rows.map((t) => ({
        Target: {Id: t.id, Port: t.port},
        HealthCheckPort: g.healthCheck.port === 'traffic-port' ? String(t.port) : g.healthCheck.port,
        TargetHealth: {State: t.state, Reason: t.reason, Description: t.description},
      })),
    }
  },
  async CreateListener(elb, input) {
    return {Listeners: [describeListener(await elb.createListener(input))]}
  },
  DescribeListeners(elb, input) {
    const arns = list<string>(input.ListenerArns)
    let ls = elb.state.listeners
    if (arns.length) ls = arns.map((a) => elb.listener(a))
    if (input.LoadBalancerArn) {
      elb.loadBalancer(String(input.LoadBalancerArn))
      ls = ls.filter((l) => l.loadBalancerArn === input.LoadBalancerArn)
    }
    return {Listeners: ls.map(describeListener)}
  },
  ModifyListener(elb, input) {
    return {Listeners: [describeListener(elb.modifyListener(String(input.ListenerArn), input))]}
  },
  async DeleteListener(elb, input) {
    elb.listener(String(input.ListenerArn))
    await elb.deleteListener(String(input.ListenerArn))
    return {}
  },
  CreateRule(elb, input) {
    return {Rules: [describeRule(elb.createRule(input))]}
  },
  DescribeRules(elb, input) {
    const arns = list<string>(input.RuleArns)
    if (arns.length) return {Rules: arns.map((a) => describeRule(elb.rule(a)))}
    const l = elb.listener(String(input.ListenerArn))
    const rules = elb.state.rules.filter((r) => r.listenerArn === l.arn).sort((a, b) => a.priority - b.priority)
    const fallback = {RuleArn: `${l.arn.replace(':listener/', ':listener-rule/')}/default`, Priority: 'default', Conditions: [], Actions: l.defaultActions, IsDefault: true}
    return {Rules: [...rules.map(describeRule), fallback]}
  },
  ModifyRule(elb, input) {
    return {Rules: [describeRule(elb.modifyRule(String(input.RuleArn), input))]}
  },
  SetRulePriorities(elb, input) {
    return {Rules: elb.setRulePriorities(list(input.RulePriorities)).map(describeRule)}
  },
  DeleteRule(elb, input) {
    elb.deleteRule(String(input.RuleArn))
    return {}
  },
  AddTags(elb, input) {
    for (const arn of list<string>(input.ResourceArns)) elb.setTags(arn, list(input.Tags))
    return {}
  },
  RemoveTags(elb, input) {
    for (const arn of list<string>(input.ResourceArns)) elb.removeTags(arn, list<string>(input.TagKeys))
    return {}
  },
  DescribeTags(elb, input) {
    return {
      TagDescriptions: list<string>(input.ResourceArns).map((arn) => ({
        ResourceArn: arn,
        Tags: Object.entries(elb.state.tags[arn] ?? {}).map(([Key, Value]) => ({Key, Value})),
      })),
    }
  },
}

export function createElbQueryService(elb: LocalLoadBalancing): QueryService {
  const ops = Object.fromEntries(Object.entries(handlers).map(([action, handler]) => [action, (input: Record<string, any>) => handler(elb, input)]))
  return queryServiceFromTable({signingName: 'elasticloadbalancing', version: '2015-12-01', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/'}, ops)
}

/** The same operations in process, with already-decoded input (for CloudFormation providers). */
export function callElb(elb: LocalLoadBalancing, action: string, input: Record<string, any>): Promise<any> {
  const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined
  if (!handler) throw new ServiceError('InvalidAction', `The action ${action} is not valid for this endpoint.`)
  return Promise.resolve(handler(elb, input))
}
