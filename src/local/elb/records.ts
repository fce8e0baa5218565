// The records of Elastic Load Balancing v2 (the API's side): load balancers, target groups,
// listeners, rules and tags, persisted in `elb.json`. Serving a listener's port and target health are
// the data plane's (index.ts), reached through the hooks below.

import {randomBytes} from 'node:crypto'
import {join} from 'node:path'
import {ServiceError} from '../frontend/types.js'
import {JsonDocument} from '../store/json-file.js'
import {
  emptyState,
  LOAD_BALANCER_DEFAULT_ATTRIBUTES,
  TARGET_GROUP_DEFAULT_ATTRIBUTES,
  type Action,
  type Condition,
  type ElbState,
  type ListenerRecord,
  type LoadBalancerRecord,
  type RuleRecord,
  type TargetGroupRecord,
} from './model.js'
import {dict} from '../store/dict.js'

export interface RecordOptions {
  stateDir: string
  region: string
  accountId: string
}

export const hex = (n: number) => randomBytes(n).toString('hex')
const num = (v: unknown, d: number) => (v === undefined || v === null || v === '' ? d : Number(v))
const notFound = (code: string, what: string) => new ServiceError(code, `One or more ${what} not found`)

export abstract class ElbRecords {
  protected readonly doc: JsonDocument<ElbState>

  constructor(private readonly scope: RecordOptions) {
    this.doc = new JsonDocument<ElbState>(join(scope.stateDir, 'elb.json'), emptyState())
  }

  get state(): ElbState {
    return this.doc.value
  }

  /** A free local port for a new load balancer's first listener (known at creation: its DNS name). */
  protected abstract reservePort(): Promise<number>
  /** Opens a listener's local port. */
  protected abstract serve(l: ListenerRecord): Promise<void>
  /** Closes a listener's local port. */
  protected abstract unserve(listenerArn: string): Promise<void>

  protected changed(): void {
    this.doc.saveSoon()
  }

  private arn(kind: string, rest: string): string {
    return `arn:aws:elasticloadbalancing:${this.scope.region}:${this.scope.accountId}:${kind}/${rest}`
  }

  // ---- load balancers

  loadBalancer(arn: string): LoadBalancerRecord {
    const lb = this.state.loadBalancers.find((x) => x.arn === arn)
    if (!lb) throw notFound('LoadBalancerNotFound', 'load balancers')
    return lb
  }

  async createLoadBalancer(input: Record<string, any>): Promise<LoadBalancerRecord> {
    const name = String(input.Name ?? '')
    if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/.test(name) || name.startsWith('internal-')) {
      throw new ServiceError('ValidationError', `The load balancer name '${name}' is not valid: up to 32 alphanumeric characters or hyphens, not starting or ending with a hyphen`)
    }
    const existing = this.state.loadBalancers.find((x) => x.name === name)
    if (existing) return existing
    const type = input.Type === 'network' ? 'network' : 'application'
    const id = hex(8)
    // The DNS name is where the first listener is served; reserve the port now so it is known at creation.
    const localPort = await this.reservePort()
    const lb: LoadBalancerRecord = {
      arn: this.arn('loadbalancer', `${type === 'network' ? 'net' : 'app'}/${name}/${id}`),
      name,
      type,
      scheme: input.Scheme === 'internal' ? 'internal' : 'internet-facing',
      ipAddressType: input.IpAddressType ?? 'ipv4',
      vpcId: 'vpc-' + hex(8).slice(0, 17),
      subnets: (input.Subnets ?? input.SubnetMappings?.map((m: any) => m.SubnetId) ?? []).map(String),
      securityGroups: (input.SecurityGroups ?? []).map(String),
      createdAt: new Date().toISOString(),
      localPort,
      dnsName: `127.0.0.1:${localPort}`,
      attributes: {...LOAD_BALANCER_DEFAULT_ATTRIBUTES},
    }
    this.state.loadBalancers.push(lb)
    this.setTags(lb.arn, input.Tags)
    this.doc.save()
    return lb
  }

  async deleteLoadBalancer(arn: string): Promise<void> {
    const lb = this.state.loadBalancers.find((x) => x.arn === arn)
    if (!lb) return
    for (const l of this.state.listeners.filter((x) => x.loadBalancerArn === arn)) await this.deleteListener(l.arn)
    this.state.loadBalancers = this.state.loadBalancers.filter((x) => x !== lb)
    delete this.state.tags[arn]
    this.doc.save()
  }

  modifyLoadBalancerAttributes(arn: string, attrs: {Key: string; Value: string}[]): Record<string, string> {
    const lb = this.loadBalancer(arn)
    for (const a of attrs) lb.attributes[a.Key] = String(a.Value)
    this.changed()
    return lb.attributes
  }

  // ---- target groups

  targetGroup(arn: string): TargetGroupRecord {
    const g = this.state.targetGroups.find((x) => x.arn === arn)
    if (!g) throw notFound('TargetGroupNotFound', 'target groups')
    return g
  }

  createTargetGroup(input: Record<string, any>): TargetGroupRecord {
    const name = String(input.Name ?? '')
    if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/.test(name)) {
      throw new ServiceError('ValidationError', `Target group name '${name}' is not valid: up to 32 alphanumeric characters or hyphens`)
    }
    const existing = this.state.targetGroups.find((x) => x.name === name)
    if (existing) return existing
    const protocol = String(input.Protocol ?? 'HTTP')
    const g: TargetGroupRecord = {
      arn: this.arn('targetgroup', `${name}/${hex(8)}`),
      name,
      protocol,
      protocolVersion: input.ProtocolVersion ?? (protocol.startsWith('HTTP') ? 'HTTP1' : undefined),
      port: num(input.Port, 80),
      targetType: input.TargetType ?? 'instance',
      vpcId: input.VpcId,
      healthCheck: {
        enabled: String(input.HealthCheckEnabled ?? 'true') !== 'false',
        protocol: input.HealthCheckProtocol ?? (protocol === 'TCP' ? 'TCP' : 'HTTP'),
        port: String(input.HealthCheckPort ?? 'traffic-port'),
        path: input.HealthCheckPath ?? '/',
        intervalSeconds: num(input.HealthCheckIntervalSeconds, 30),
        timeoutSeconds: num(input.HealthCheckTimeoutSeconds, 5),
        healthyThreshold: num(input.HealthyThresholdCount, 5),
        unhealthyThreshold: num(input.UnhealthyThresholdCount, 2),
        matcher: String(input.Matcher?.HttpCode ?? input.Matcher?.GrpcCode ?? '200'),
      },
      attributes: {...TARGET_GROUP_DEFAULT_ATTRIBUTES},
      targets: [],
    }
    this.state.targetGroups.push(g)
    this.setTags(g.arn, input.Tags)
    this.doc.save()
    return g
  }

  modifyTargetGroup(arn: string, input: Record<string, any>): TargetGroupRecord {
    const g = this.targetGroup(arn)
    const hc = g.healthCheck
    if (input.HealthCheckPath !== undefined) hc.path = input.HealthCheckPath
    if (input.HealthCheckPort !== undefined) hc.port = String(input.HealthCheckPort)
    if (input.HealthCheckProtocol !== undefined) hc.protocol = input.HealthCheckProtocol
    if (input.HealthCheckEnabled !== undefined) hc.enabled = String(input.HealthCheckEnabled) !== 'false'
    hc.intervalSeconds = num(input.HealthCheckIntervalSeconds, hc.intervalSeconds)
    hc.timeoutSeconds = num(input.HealthCheckTimeoutSeconds, hc.timeoutSeconds)
    hc.healthyThreshold = num(input.HealthyThresholdCount, hc.healthyThreshold)
    hc.unhealthyThreshold = num(input.UnhealthyThresholdCount, hc.unhealthyThreshold)
    if (input.Matcher) hc.matcher = String(input.Matcher.HttpCode ?? input.Matcher.GrpcCode ?? hc.matcher)
    this.changed()
    return g
  }

  modifyTargetGroupAttributes(arn: string, attrs: {Key: string; Value: string}[]): Record<string, string> {
    const g = this.targetGroup(arn)
    for (const a of attrs) g.attributes[a.Key] = String(a.Value)
    this.changed()
    return g.attributes
  }

  deleteTargetGroup(arn: string): void {
    if (!this.state.targetGroups.some((g) => g.arn === arn)) return
    const inUse = [...this.state.listeners.map((l) => l.defaultActions), ...this.state.rules.map((r) => r.actions)].some((actions) =>
      actionGroups(actions).includes(arn),
    )
    if (inUse) throw new ServiceError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`)
    this.state.targetGroups = this.state.targetGroups.filter((g) => g.arn !== arn)
    delete this.state.tags[arn]
    this.doc.save()
  }

  loadBalancerArnsOf(groupArn: string): string[] {
    const lbs = new Set<string>()
    for (const l of this.state.listeners) {
      const actions = [l.defaultActions, ...this.state.rules.filter((r) => r.listenerArn === l.arn).map((r) => r.actions)]
      if (actions.some((a) => actionGroups(a).includes(groupArn))) lbs.add(l.loadBalancerArn)
    }
    return [...lbs]
  }

  // ---- listeners and rules

  listener(arn: string): ListenerRecord {
    const l = this.state.listeners.find((x) => x.arn === arn)
    if (!l) throw notFound('ListenerNotFound', 'listeners')
    return l
  }

  protected checkActions(actions: Action[]): Action[] {
    if (!Array.isArray(actions) || actions.length === 0) throw new ServiceError('ValidationError', 'At least one action must be specified')
    for (const arn of actionGroups(actions)) this.targetGroup(arn)
    return actions.map((a) => ({...a, Order: a.Order === undefined ? undefined : Number(a.Order)}))
  }

  async createListener(input: Record<string, any>): Promise<ListenerRecord> {
    const lb = this.loadBalancer(String(input.LoadBalancerArn))
    const port = num(input.Port, 80)
    const existing = this.state.listeners.find((l) => l.loadBalancerArn === lb.arn && l.port === port)
    if (existing) throw new ServiceError('DuplicateListener', 'A listener already exists on this port for this load balancer')
    const first = !this.state.listeners.some((l) => l.loadBalancerArn === lb.arn)
    const l: ListenerRecord = {
      arn: this.arn('listener', `${lb.arn.split(':loadbalancer/')[1]}/${hex(8)}`),
      loadBalancerArn: lb.arn,
      port,
      protocol: String(input.Protocol ?? 'HTTP'),
      localPort: first ? lb.localPort : 0,
      defaultActions: this.checkActions(input.DefaultActions),
      certificates: (input.Certificates ?? []).map((c: any) => String(c.CertificateArn)),
      sslPolicy: input.SslPolicy,
    }
    this.state.listeners.push(l)
    await this.serve(l)
    this.setTags(l.arn, input.Tags)
    this.doc.save()
    return l
  }

  modifyListener(arn: string, input: Record<string, any>): ListenerRecord {
    const l = this.listener(arn)
    if (input.DefaultActions) l.defaultActions = this.checkActions(input.DefaultActions)
    if (input.Protocol) l.protocol = String(input.Protocol)
    if (input.SslPolicy) l.sslPolicy = input.SslPolicy
    if (input.Certificates) l.certificates = input.Certificates.map((c: any) => String(c.CertificateArn))
    this.doc.save()
    return l
  }

  async deleteListener(arn: string): Promise<void> {
    await this.unserve(arn)
    this.state.rules = this.state.rules.filter((r) => r.listenerArn !== arn)
    this.state.listeners = this.state.listeners.filter((l) => l.arn !== arn)
    delete this.state.tags[arn]
    this.doc.save()
  }

  rule(arn: string): RuleRecord {
    const r = this.state.rules.find((x) => x.arn === arn)
    if (!r) throw notFound('RuleNotFound', 'rules')
    return r
  }

  createRule(input: Record<string, any>): RuleRecord {
    const l = this.listener(String(input.ListenerArn))
    const priority = num(input.Priority, NaN)
    if (!Number.isInteger(priority) || priority < 1 || priority > 50000) {
      throw new ServiceError('ValidationError', `Priority must be between 1 and 50000`)
    }
    if (this.state.rules.some((r) => r.listenerArn === l.arn && r.priority === priority)) {
      throw new ServiceError('PriorityInUse', `Priority '${priority}' is currently in use`)
    }
    const conditions: Condition[] = input.Conditions ?? []
    if (conditions.length === 0) throw new ServiceError('ValidationError', 'A rule must have at least one condition')
    const r: RuleRecord = {
      arn: this.arn('listener-rule', `${l.arn.split(':listener/')[1]}/${hex(8)}`),
      listenerArn: l.arn,
      priority,
      conditions,
      actions: this.checkActions(input.Actions),
    }
    this.state.rules.push(r)
    this.setTags(r.arn, input.Tags)
    this.doc.save()
    return r
  }

  modifyRule(arn: string, input: Record<string, any>): RuleRecord {
    const r = this.rule(arn)
    if (input.Conditions) r.conditions = input.Conditions
    if (input.Actions) r.actions = this.checkActions(input.Actions)
    this.doc.save()
    return r
  }

  setRulePriorities(items: {RuleArn: string; Priority: number | string}[]): RuleRecord[] {
    const rules = items.map((i) => this.rule(i.RuleArn))
    rules.forEach((r, n) => (r.priority = Number(items[n]!.Priority)))
    this.doc.save()
    return rules
  }

  deleteRule(arn: string): void {
    this.rule(arn)
    this.state.rules = this.state.rules.filter((r) => r.arn !== arn)
    this.doc.save()
  }

  // ---- tags

  setTags(arn: string, tags: {Key: string; Value?: string}[] | undefined): void {
    if (!tags) return
    const t = (this.state.tags[arn] ??= dict())
    for (const tag of tags) t[tag.Key] = String(tag.Value ?? '')
    this.changed()
  }

  removeTags(arn: string, keys: string[]): void {
    for (const k of keys) delete this.state.tags[arn]?.[k]
    this.changed()
  }
}

export function actionGroups(actions: Action[]): string[] {
  return actions.flatMap((a) => [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((g) => g.TargetGroupArn)]).filter(
    (x): x is string => typeof x === 'string',
  )
}
