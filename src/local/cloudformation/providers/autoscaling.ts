// Application Auto Scaling for ECS services: a scalable target keeps the service's desired count
// within its bounds, and target-tracking policies move it towards the target value of a measured
// metric (CPU and memory from the tasks' processes, requests per target from the load balancer).

import {randomUUID} from 'node:crypto'
import type {LocalApi} from '../../contracts.js'
import {JsonDocument} from '../../store/json-file.js'
import {ProviderError, type ProviderRegistry, type ResourceProvider} from '../provider.js'

const ECS = 'AmazonEC2ContainerServiceV20141113'

/** Where measurements come from; a metric with no source leaves the count alone. */
export interface ServiceMetrics {
  /** Average utilisation in percent over the service's running tasks, or undefined when unknown. */
  average(metric: 'ECSServiceAverageCPUUtilization' | 'ECSServiceAverageMemoryUtilization' | 'ALBRequestCountPerTarget', cluster: string, service: string): number | undefined | Promise<number | undefined>
}

interface TargetRecord {
  id: string
  cluster: string
  service: string
  min: number
  max: number
}

interface PolicyRecord {
  arn: string
  targetId: string
  metric: string
  targetValue: number
  scaleInCooldownMs: number
  scaleOutCooldownMs: number
  lastScaledAt: number
}

export class ServiceAutoScaler {
  readonly targets = new Map<string, TargetRecord>()
  readonly policies = new Map<string, PolicyRecord>()
  private timer: NodeJS.Timeout | undefined
  private readonly doc: JsonDocument<{targets: TargetRecord[]; policies: PolicyRecord[]}> | undefined

  /** With `stateFile`, targets and policies survive a restart of the control plane. */
  constructor(private readonly api: LocalApi, private readonly metrics?: ServiceMetrics, stateFile?: string) {
    if (!stateFile) return
    this.doc = new JsonDocument(stateFile, {targets: [], policies: []})
    for (const t of this.doc.value.targets) this.targets.set(t.id, t)
    for (const p of this.doc.value.policies) this.policies.set(p.arn, p)
  }

  /** Records the current targets and policies. */
  save(): void {
    if (!this.doc) return
    this.doc.value = {targets: [...this.targets.values()], policies: [...this.policies.values()]}
    this.doc.save()
  }

  private async service(t: TargetRecord): Promise<{desiredCount: number} | undefined> {
    const out = await this.api.json(ECS, 'DescribeServices', {cluster: t.cluster, services: [t.service]})
    return out.services?.[0]
  }

  private async setDesired(t: TargetRecord, count: number): Promise<void> {
    await this.api.json(ECS, 'UpdateService', {cluster: t.cluster, service: t.service, desiredCount: count})
  }

  /** Brings the desired count within [min, max]. */
  async clamp(t: TargetRecord): Promise<void> {
    const svc = await this.service(t)
    if (!svc) throw new ProviderError(`ECS service ${t.service} does not exist in cluster ${t.cluster}`)
    const want = Math.min(Math.max(svc.desiredCount, t.min), t.max)
    if (want !== svc.desiredCount) await this.setDesired(t, want)
  }

  /** One evaluation of every target-tracking policy. */
  async evaluate(now = Date.now()): Promise<void> {
    if (!this.metrics) return
    for (const p of this.policies.values()) {
      const t = this.targets.get(p.targetId)
      if (!t || !['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization', 'ALBRequestCountPerTarget'].includes(p.metric)) continue
      const value = await this.metrics.average(p.metric as Parameters<ServiceMetrics['average']>[0], t.cluster, t.service)
      if (value === undefined) continue
      const svc = await this.service(t).catch(() => undefined)
      if (!svc || svc.desiredCount === 0) continue
      const proposed = Math.min(Math.max(Math.ceil((svc.desiredCount * value) / p.targetValue), t.min), t.max)
      const out = proposed > svc.desiredCount
      if (proposed === svc.desiredCount || now - p.lastScaledAt < (out ? p.scaleOutCooldownMs : p.scaleInCooldownMs)) continue
      // Target tracking scales in gently: at most one task at a time.
      await this.setDesired(t, out ? proposed : svc.desiredCount - 1)
      p.lastScaledAt = now
    }
  }

  start(everyMs = 5000): void {
    this.timer = setInterval(() => void this.evaluate().catch(() => undefined), everyMs)
    this.timer.unref()
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.doc?.flush()
  }
}

function parseResourceId(id: string): {cluster: string; service: string} {
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(id)
  if (!m) throw new ProviderError(`ResourceId ${id} is not supported by the local control plane (expected service/<cluster>/<service>)`)
  return {cluster: m[1]!, service: m[2]!}
}

export function registerAutoScalingProviders(registry: ProviderRegistry, scaler: ServiceAutoScaler): void {
  const scalableTarget: ResourceProvider = {
    immutable: ['ResourceId', 'ScalableDimension', 'ServiceNamespace'],
    required: ['ResourceId', 'ScalableDimension', 'ServiceNamespace', 'MinCapacity', 'MaxCapacity'],
    async create(props) {
      if (props.ServiceNamespace !== 'ecs' || props.ScalableDimension !== 'ecs:service:DesiredCount') {
        throw new ProviderError(`Scalable dimension ${props.ScalableDimension} is not supported by the local control plane`)
      }
      const min = Number(props.MinCapacity)
      const max = Number(props.MaxCapacity)
      if (min > max) throw new ProviderError(`Minimum capacity ${min} cannot be greater than maximum capacity ${max}`)
      const id = `${props.ResourceId}|${props.ScalableDimension}|${props.ServiceNamespace}`
      const t = {id, ...parseResourceId(props.ResourceId), min, max}
      await scaler.clamp(t)
      scaler.targets.set(id, t)
      scaler.save()
      return {physicalId: id, attributes: {}}
    },
    async update(physicalId, props) {
      const t = scaler.targets.get(physicalId) ?? {id: physicalId, ...parseResourceId(props.ResourceId), min: 0, max: 0}
      t.min = Number(props.MinCapacity)
      t.max = Number(props.MaxCapacity)
      await scaler.clamp(t)
      scaler.targets.set(physicalId, t)
      scaler.save()
      return {physicalId, attributes: {}}
    },
    async delete(physicalId) {
      scaler.targets.delete(physicalId)
      scaler.save()
    },
  }

  const policy: ResourceProvider = {
    immutable: ['PolicyName', 'ScalingTargetId', 'ResourceId'],
    required: ['PolicyName', 'PolicyType'],
    async create(props, ctx) {
      if (props.PolicyType !== 'TargetTrackingScaling') throw new ProviderError(`Policy type ${props.PolicyType} is not supported by the local control plane`)
      const cfg = props.TargetTrackingScalingPolicyConfiguration ?? {}
      const targetId = props.ScalingTargetId ?? `${props.ResourceId}|${props.ScalableDimension}|${props.ServiceNamespace}`
      const arn = `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scalingPolicy:${randomUUID()}:resource/ecs/${String(targetId).split('|')[0]}:policyName/${props.PolicyName}`
      scaler.policies.set(arn, {
        arn,
        targetId,
        // Custom metrics (a worker's queue backlog through metric math) are recorded; only predefined ones are measured locally.
        metric: cfg.PredefinedMetricSpecification?.PredefinedMetricType ?? 'Custom',
        targetValue: Number(cfg.TargetValue ?? 70),
        scaleInCooldownMs: Number(cfg.ScaleInCooldown ?? 300) * 1000,
        scaleOutCooldownMs: Number(cfg.ScaleOutCooldown ?? 300) * 1000,
        lastScaledAt: 0,
      })
      scaler.save()
      return {physicalId: arn, attributes: {Arn: arn}}
    },
    async update(physicalId, props, _old, ctx) {
      await this.delete(physicalId, props, ctx)
      const created = await this.create(props, ctx)
      const p = scaler.policies.get(created.physicalId)!
      scaler.policies.delete(created.physicalId)
      scaler.policies.set(physicalId, {...p, arn: physicalId})
      scaler.save()
      return {physicalId, attributes: {Arn: physicalId}}
    },
    async delete(physicalId) {
      scaler.policies.delete(physicalId)
      scaler.save()
    },
  }

  registry.register('AWS::ApplicationAutoScaling::ScalableTarget', scalableTarget)
  registry.register('AWS::ApplicationAutoScaling::ScalingPolicy', policy)
}
