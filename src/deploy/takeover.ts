// The takeover of a stack that Copilot deployed: which of its resources a change set keeps, modifies,
// replaces or removes, and which of those changes would lose state or identity (a VPC, a load balancer
// and its DNS name, a queue and its messages). Pure: the deploy core feeds it a change set.
import type {ResourceChange} from './events.js'
import {STATEFUL_TYPE_NAMES} from './stateful-types.js'

/** Types whose replacement or removal loses data, an address clients know, or an identity others trust. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set(STATEFUL_TYPE_NAMES)

/** Roles whose ARN others trust or name: the roles Copilot's machinery assumes to deploy the
 * environment, and the roles tasks run with. Other roles (a custom resource's) carry no identity. */
const STATEFUL_ROLES: ReadonlySet<string> = new Set(['CloudformationExecutionRole', 'EnvironmentManagerRole', 'TaskRole', 'ExecutionRole'])

export function isStateful(type: string, logicalId: string): boolean {
  return STATEFUL_TYPES.has(type) || (type === 'AWS::IAM::Role' && STATEFUL_ROLES.has(logicalId))
}

/** Which manifest field sets a property whose change forces a replacement, by resource type (each
 * one a create-only property of its type: test/deploy/takeover.test.ts checks it against the spec). */
export const CAUSES: Record<string, Record<string, string>> = {
  'AWS::EC2::VPC': {CidrBlock: 'network.vpc.cidr in the environment manifest'},
  'AWS::EC2::Subnet': {CidrBlock: 'network.vpc.subnets[].cidr in the environment manifest', AvailabilityZone: 'network.vpc.subnets[].az in the environment manifest', VpcId: 'network.vpc.id in the environment manifest'},
  'AWS::EC2::SecurityGroup': {GroupDescription: 'no manifest field (the description of the group differs from Copilot\'s)', VpcId: 'network.vpc.id in the environment manifest'},
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {Scheme: 'http.public / http.private in the environment manifest', Type: 'http or nlb in the service manifest', Name: 'no manifest field (the load balancer\'s name differs from Copilot\'s)'},
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    Port: 'image.port or http.target_port', Protocol: 'http.version or nlb.port', ProtocolVersion: 'http.version', TargetType: 'no manifest field', VpcId: 'network.vpc.id in the environment manifest', Name: 'no manifest field',
  },
  'AWS::ECS::Cluster': {ClusterName: 'no manifest field (the cluster\'s name differs from Copilot\'s)'},
  'AWS::ECS::Service': {ServiceName: 'no manifest field (the service\'s name differs from Copilot\'s)', LaunchType: 'platform or capacity providers', Cluster: 'the environment'},
  'AWS::Logs::LogGroup': {LogGroupName: 'no manifest field (the log group\'s name differs from Copilot\'s)'},
  'AWS::SQS::Queue': {FifoQueue: 'subscribe.queue.fifo', QueueName: 'subscribe.queue (its name follows from the service\'s name and fifo)'},
  'AWS::SNS::Topic': {FifoTopic: 'publish.topics[].fifo', TopicName: 'publish.topics[].name'},
  'AWS::EFS::FileSystem': {Encrypted: 'storage.volumes.<name>.efs', KmsKeyId: 'storage.volumes.<name>.efs', PerformanceMode: 'storage.volumes.<name>.efs'},
  'AWS::ServiceDiscovery::Service': {Name: 'the service\'s name', NamespaceId: 'the environment'},
  'AWS::ServiceDiscovery::PrivateDnsNamespace': {Name: 'the application or environment name', Vpc: 'network.vpc.id in the environment manifest'},
  'AWS::EC2::FlowLog': {LogGroupName: 'network.vpc.flow_logs in the environment manifest', MaxAggregationInterval: 'no manifest field (the flow log differs from Copilot\'s)'},
  'AWS::IAM::Role': {RoleName: 'no manifest field (the role\'s name differs from Copilot\'s)', Path: 'no manifest field'},
  'AWS::StepFunctions::StateMachine': {StateMachineName: 'no manifest field (the state machine\'s name differs from Copilot\'s)'},
  'AWS::Route53::HostedZone': {Name: 'the application or environment name'},
}

export type TakeoverAction = 'kept' | 'modified' | 'replaced' | 'removed' | 'added'

export interface TakeoverItem {
  logicalId: string
  type: string
  action: TakeoverAction
  stateful: boolean
  /** For replacements: the properties that force it, and the manifest field that sets each. */
  causes?: {property: string; field: string}[]
  /** A replacement that CloudFormation decides at deploy time (Replacement: Conditional). */
  conditional?: boolean
  /** Removed from the stack but kept in the account (DeletionPolicy Retain): nothing is lost. */
  keptInAccount?: boolean
  /** A custom resource of a Copilot stack that the deploy retains first, so its handler is not run. */
  retainFirst?: boolean
  /** The log group of a Lambda function removed in the same change set (`XLogGroup` of `XFunction`, as
   * Copilot names its machinery's): it holds only that function's logs, nothing of the application's. */
  functionLogs?: string
}

export interface TakeoverPlan {
  stack: string
  items: TakeoverItem[]
  /** Stateful resources that would be replaced or removed: the deploy refuses them unless allowed. */
  blocking: TakeoverItem[]
}

/** Builds the plan of a change set over a stack whose current resources are `existing`. */
export function takeoverPlan(stack: string, changes: ResourceChange[], existing: {logicalId: string; type: string}[] = []): TakeoverPlan {
  const changed = new Set(changes.map((c) => c.logicalId))
  const items: TakeoverItem[] = changes.map(planItem)
  for (const r of existing) if (!changed.has(r.logicalId)) items.push({logicalId: r.logicalId, type: r.type, action: 'kept', stateful: isStateful(r.type, r.logicalId)})
  const removedFunctions = new Set(changes.filter((c) => c.action === 'Remove' && c.type === 'AWS::Lambda::Function').map((c) => c.logicalId))
  for (const i of items) {
    const fn = i.action === 'removed' && i.type === 'AWS::Logs::LogGroup' && i.logicalId.endsWith('LogGroup') ? `${i.logicalId.slice(0, -'LogGroup'.length)}Function` : undefined
    if (fn && removedFunctions.has(fn)) i.functionLogs = fn
  }
  const blocking = items.filter(losesState)
  return {stack, items, blocking}
}

/** A stateful resource that the change set replaces, or removes from the account. */
function losesState(i: TakeoverItem): boolean {
  return i.stateful && !i.keptInAccount && !i.functionLogs && (i.action === 'replaced' || i.action === 'removed')
}

function planItem(c: ResourceChange): TakeoverItem {
  const stateful = isStateful(c.type, c.logicalId)
  if (c.action === 'Add') return {logicalId: c.logicalId, type: c.type, action: 'added', stateful}
  if (c.action === 'Remove') return {logicalId: c.logicalId, type: c.type, action: 'removed', stateful, ...(c.policyAction === 'Retain' ? {keptInAccount: true} : {})}
  if (c.replacement === 'True' || c.replacement === 'Conditional') {
    const forcing = (c.details ?? []).filter((d) => d.recreation === 'Always' || d.recreation === 'Conditionally')
    const causes = forcing.map((d) => ({property: d.property, field: CAUSES[c.type]?.[d.property] ?? 'no manifest field known to Pier'}))
    return {logicalId: c.logicalId, type: c.type, action: 'replaced', stateful, causes, ...(c.replacement === 'Conditional' ? {conditional: true} : {})}
  }
  return {logicalId: c.logicalId, type: c.type, action: 'modified', stateful}
}

/** Whether a stack was last deployed by Copilot: its template's metadata carries Copilot's version, or
 * its description is one of the descriptions Copilot's templates have. */
export function deployedByCopilot(stack: {Description?: string}, template?: {Metadata?: Record<string, unknown>; Description?: unknown}): boolean {
  const version = template?.Metadata?.['Version']
  if (typeof version === 'string' && /^v\d+\.\d+/.test(version) && template?.Metadata?.['Manifest'] !== undefined) return true
  const description = String(template?.Description ?? stack.Description ?? '')
  return /^CloudFormation (environment )?template (that represents|for infrastructure shared among Copilot workloads)/.test(description)
}

/** One line per change worth reading, for the terminal and CI logs. */
export function describePlan(plan: TakeoverPlan): string[] {
  const counts = new Map<TakeoverAction, number>()
  for (const i of plan.items) counts.set(i.action, (counts.get(i.action) ?? 0) + 1)
  const order: TakeoverAction[] = ['kept', 'modified', 'replaced', 'removed', 'added']
  const lines = [`Takeover of ${plan.stack}: ${order.map((a) => `${counts.get(a) ?? 0} ${a}`).join(', ')}.`]
  for (const i of plan.items) {
    if (i.action === 'kept' || i.action === 'modified' || (i.action === 'added' && !i.stateful)) continue
    const mark = losesState(i) ? '✘' : '•'
    const why = i.causes?.length ? `: ${i.causes.map((c) => `${c.property} (${c.field})`).join(', ')}` : ''
    const note = i.retainFirst ? ' (retained first: its handler is not run)' : i.keptInAccount ? ' (kept in the account: DeletionPolicy Retain)'
      : i.functionLogs ? ` (the logs of ${i.functionLogs}, removed with it)` : ''
    lines.push(`  ${mark} ${i.action}${i.conditional ? ' (conditionally)' : ''} ${i.logicalId} (${i.type})${why}${note}`)
  }
  return lines
}

export function isCustomResource(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::')
}

/** Logical ID of the resource that makes the retaining update a real change. */
export const RETAIN_MARKER = 'PierTakeoverRetain'

/** The template with `DeletionPolicy: Retain` on these resources and a no-cost marker resource, or
 * undefined when they are all retained already. */
export function withRetainedResources(template: Record<string, any>, ids: string[]): Record<string, any> | undefined {
  const resources = (template.Resources ?? {}) as Record<string, Record<string, unknown>>
  const toRetain = ids.filter((id) => resources[id] && resources[id]!.DeletionPolicy !== 'Retain')
  if (!toRetain.length) return undefined
  const next: Record<string, Record<string, unknown>> = {...resources}
  for (const id of toRetain) next[id] = {...resources[id], DeletionPolicy: 'Retain'}
  next[RETAIN_MARKER] = {Type: 'AWS::CloudFormation::WaitConditionHandle'}
  return {...template, Resources: next}
}
