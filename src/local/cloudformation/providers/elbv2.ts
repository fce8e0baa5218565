// CloudFormation providers for Elastic Load Balancing v2: load balancers, target groups, listeners,
// listener rules and certificates, backed by the local load balancer (a real HTTP proxy).

import {createHash} from 'node:crypto'
import type {LocalLoadBalancing} from '../../elb/index.js'
import {callElb} from '../../elb/service.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'

/** CloudFormation's generated names: stack and logical id, shortened, with a stable suffix; ≤ 32 characters. */
export function generatedName(ctx: ProviderContext, max = 32): string {
  const suffix = createHash('sha256').update(`${ctx.stackId}/${ctx.logicalId}/${Date.now()}`).digest('hex').slice(0, 12).toUpperCase()
  const base = `${ctx.stackName.slice(0, 10)}-${ctx.logicalId.slice(0, 6)}`.replace(/[^a-zA-Z0-9-]/g, '').replace(/-+$/, '')
  return `${base}-${suffix}`.slice(0, max)
}

const tagList = (ctx: ProviderContext, tags: {Key: string; Value: string}[] = []) => [
  ...Object.entries(ctx.tags).map(([Key, Value]) => ({Key, Value})),
  ...tags,
]

async function call(elb: LocalLoadBalancing, action: string, input: Record<string, any>): Promise<any> {
  try {
    return await callElb(elb, action, input)
  } catch (err) {
    throw new ProviderError((err as Error).message)
  }
}

export function registerElbv2Providers(registry: ProviderRegistry, elb: LocalLoadBalancing): void {
  const loadBalancer: ResourceProvider = {
    immutable: ['Name', 'Scheme', 'Type'],
    async create(props, ctx) {
      const name = props.Name ?? generatedName(ctx)
      const out = await call(elb, 'CreateLoadBalancer', {...props, Name: name, Tags: tagList(ctx, props.Tags)})
      const lb = out.LoadBalancers[0]
      if (props.LoadBalancerAttributes) elb.modifyLoadBalancerAttributes(lb.LoadBalancerArn, props.LoadBalancerAttributes)
      return {physicalId: lb.LoadBalancerArn, attributes: lbAttributes(lb)}
    },
    async update(physicalId, props) {
      const lb = elb.loadBalancer(physicalId)
      if (props.LoadBalancerAttributes) elb.modifyLoadBalancerAttributes(physicalId, props.LoadBalancerAttributes)
      lb.securityGroups = (props.SecurityGroups ?? lb.securityGroups).map(String)
      lb.subnets = (props.Subnets ?? lb.subnets).map(String)
      const out = await call(elb, 'DescribeLoadBalancers', {LoadBalancerArns: [physicalId]})
      return {physicalId, attributes: lbAttributes(out.LoadBalancers[0])}
    },
    async delete(physicalId) {
      await elb.deleteLoadBalancer(physicalId)
    },
  }

  const targetGroup: ResourceProvider = {
    immutable: ['Name', 'Port', 'Protocol', 'ProtocolVersion', 'TargetType', 'VpcId'],
    async create(props, ctx) {
      const out = await call(elb, 'CreateTargetGroup', {...props, Name: props.Name ?? generatedName(ctx), Tags: tagList(ctx, props.Tags)})
      const arn = out.TargetGroups[0].TargetGroupArn as string
      if (props.TargetGroupAttributes) elb.modifyTargetGroupAttributes(arn, props.TargetGroupAttributes)
      if (props.Targets?.length) await call(elb, 'RegisterTargets', {TargetGroupArn: arn, Targets: props.Targets})
      return {physicalId: arn, attributes: tgAttributes(elb, arn)}
    },
    async update(physicalId, props) {
      await call(elb, 'ModifyTargetGroup', {...props, TargetGroupArn: physicalId})
      if (props.TargetGroupAttributes) elb.modifyTargetGroupAttributes(physicalId, props.TargetGroupAttributes)
      return {physicalId, attributes: tgAttributes(elb, physicalId)}
    },
    async delete(physicalId) {
      elb.deleteTargetGroup(physicalId)
    },
  }

  const listener: ResourceProvider = {
    immutable: ['LoadBalancerArn'],
    required: ['LoadBalancerArn', 'DefaultActions'],
    async create(props, ctx) {
      const out = await call(elb, 'CreateListener', {...props, Tags: tagList(ctx, props.Tags)})
      const arn = out.Listeners[0].ListenerArn as string
      return {physicalId: arn, attributes: {ListenerArn: arn}}
    },
    async update(physicalId, props) {
      await call(elb, 'ModifyListener', {...props, ListenerArn: physicalId})
      return {physicalId, attributes: {ListenerArn: physicalId}}
    },
    async delete(physicalId) {
      if (elb.state.listeners.some((l) => l.arn === physicalId)) await elb.deleteListener(physicalId)
    },
  }

  const rule: ResourceProvider = {
    immutable: ['ListenerArn'],
    required: ['ListenerArn', 'Priority', 'Conditions', 'Actions'],
    async create(props) {
      const out = await call(elb, 'CreateRule', props)
      const arn = out.Rules[0].RuleArn as string
      return {physicalId: arn, attributes: {RuleArn: arn, IsDefault: false}}
    },
    async update(physicalId, props, old) {
      if (Number(props.Priority) !== Number(old.Priority)) {
        await call(elb, 'SetRulePriorities', {RulePriorities: [{RuleArn: physicalId, Priority: props.Priority}]}).catch(() => {
          throw new ProviderError(`Priority '${props.Priority}' is currently in use`)
        })
      }
      await call(elb, 'ModifyRule', {...props, RuleArn: physicalId})
      return {physicalId, attributes: {RuleArn: physicalId, IsDefault: false}}
    },
    async delete(physicalId) {
      if (elb.state.rules.some((r) => r.arn === physicalId)) elb.deleteRule(physicalId)
    },
    // A listener's priorities are unique: the stack's rule is the one at its priority.
    async find(props) {
      return elb.state.rules.find((r) => r.listenerArn === String(props.ListenerArn) && r.priority === Number(props.Priority))?.arn
    },
  }

  const listenerCertificate: ResourceProvider = {
    immutable: ['ListenerArn', 'Certificates'],
    required: ['ListenerArn', 'Certificates'],
    async create(props, ctx) {
      const l = elb.listener(String(props.ListenerArn))
      for (const c of props.Certificates as {CertificateArn: string}[]) if (!l.certificates.includes(c.CertificateArn)) l.certificates.push(c.CertificateArn)
      return {physicalId: `${ctx.stackName}-${ctx.logicalId}-${Date.now().toString(36)}`, attributes: {}}
    },
    async delete(_id, props) {
      const l = elb.state.listeners.find((x) => x.arn === props.ListenerArn)
      if (l) l.certificates = l.certificates.filter((c) => !(props.Certificates ?? []).some((x: any) => x.CertificateArn === c))
    },
  }

  registry.register('AWS::ElasticLoadBalancingV2::LoadBalancer', loadBalancer)
  registry.register('AWS::ElasticLoadBalancingV2::TargetGroup', targetGroup)
  registry.register('AWS::ElasticLoadBalancingV2::Listener', listener)
  registry.register('AWS::ElasticLoadBalancingV2::ListenerRule', rule)
  registry.register('AWS::ElasticLoadBalancingV2::ListenerCertificate', listenerCertificate)
}

function lbAttributes(lb: Record<string, any>): Record<string, unknown> {
  return {
    LoadBalancerArn: lb.LoadBalancerArn,
    DNSName: lb.DNSName,
    CanonicalHostedZoneID: lb.CanonicalHostedZoneId,
    LoadBalancerFullName: String(lb.LoadBalancerArn).split(':loadbalancer/')[1],
    LoadBalancerName: lb.LoadBalancerName,
    SecurityGroups: lb.SecurityGroups,
  }
}

function tgAttributes(elb: LocalLoadBalancing, arn: string): Record<string, unknown> {
  const g = elb.targetGroup(arn)
  return {
    TargetGroupArn: arn,
    TargetGroupName: g.name,
    TargetGroupFullName: arn.split(':')[5],
    LoadBalancerArns: elb.loadBalancerArnsOf(arn),
  }
}
