// The load balancer's records, as Elastic Load Balancing v2 describes them, plus the local ports
// each listener is served on.

import {dict} from '../store/dict.js'

export interface Action {
  Type: 'forward' | 'redirect' | 'fixed-response' | string
  Order?: number
  TargetGroupArn?: string
  ForwardConfig?: {TargetGroups?: {TargetGroupArn: string; Weight?: number}[]; TargetGroupStickinessConfig?: {Enabled?: boolean; DurationSeconds?: number}}
  RedirectConfig?: {Protocol?: string; Port?: string; Host?: string; Path?: string; Query?: string; StatusCode: string}
  FixedResponseConfig?: {StatusCode: string; ContentType?: string; MessageBody?: string}
}

export interface Condition {
  Field?: string
  Values?: string[]
  PathPatternConfig?: {Values?: string[]}
  HostHeaderConfig?: {Values?: string[]}
  HttpHeaderConfig?: {HttpHeaderName?: string; Values?: string[]}
  HttpRequestMethodConfig?: {Values?: string[]}
  QueryStringConfig?: {Values?: {Key?: string; Value: string}[]}
  SourceIpConfig?: {Values?: string[]}
}

export interface LoadBalancerRecord {
  arn: string
  name: string
  type: 'application' | 'network'
  scheme: 'internet-facing' | 'internal'
  ipAddressType: string
  vpcId: string
  subnets: string[]
  securityGroups: string[]
  createdAt: string
  /** Loopback port of the first listener; the DNS name points at it. */
  localPort: number
  dnsName: string
  attributes: Record<string, string>
}

export interface ListenerRecord {
  arn: string
  loadBalancerArn: string
  port: number
  protocol: string
  localPort: number
  defaultActions: Action[]
  certificates: string[]
  sslPolicy?: string
  alpnPolicy?: string[]
}

export interface RuleRecord {
  arn: string
  listenerArn: string
  priority: number
  conditions: Condition[]
  actions: Action[]
}

export interface HealthCheckSettings {
  enabled: boolean
  protocol: string
  port: string
  path: string
  intervalSeconds: number
  timeoutSeconds: number
  healthyThreshold: number
  unhealthyThreshold: number
  matcher: string
}

export interface TargetRecord {
  id: string
  port: number
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining'
  reason?: string
  description?: string
  successes: number
  failures: number
  drainUntil?: number
}

export interface TargetGroupRecord {
  arn: string
  name: string
  protocol: string
  protocolVersion?: string
  port: number
  targetType: string
  vpcId?: string
  healthCheck: HealthCheckSettings
  attributes: Record<string, string>
  targets: TargetRecord[]
}

export interface ElbState {
  loadBalancers: LoadBalancerRecord[]
  listeners: ListenerRecord[]
  rules: RuleRecord[]
  targetGroups: TargetGroupRecord[]
  tags: Record<string, Record<string, string>>
}

export const emptyState = (): ElbState => ({loadBalancers: [], listeners: [], rules: [], targetGroups: [], tags: dict()})

export const TARGET_GROUP_DEFAULT_ATTRIBUTES: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'slow_start.duration_seconds': '0',
}

export const LOAD_BALANCER_DEFAULT_ATTRIBUTES: Record<string, string> = {
  'idle_timeout.timeout_seconds': '60',
  'routing.http2.enabled': 'true',
  'deletion_protection.enabled': 'false',
  'access_logs.s3.enabled': 'false',
}
