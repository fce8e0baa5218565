// Service autoscaling: a scalable target over the range in `count`, and target-tracking policies for
// CPU, memory, requests per target, response time, and for workers the queue backlog per task
// computed with CloudWatch metric math (Copilot published that metric from a Lambda).

import type {AdvancedCount, Cooldown, ScalingTarget} from '../../manifest/types.js'
import {durationSeconds, wholeSeconds} from '../duration.js'
import {ENV_OUTPUTS} from '../names.js'
import {compact, getAtt, type Json, join} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'
import {scalingRange} from './count.js'
import type {HttpRouting} from './http.js'

const DEFAULT_IN = '120s'
const DEFAULT_OUT = '60s'

function cooldowns(count: AdvancedCount, own: Cooldown | undefined): {ScaleInCooldown: number; ScaleOutCooldown: number} {
  return {
    ScaleInCooldown: wholeSeconds(own?.in ?? count.cooldown?.in ?? DEFAULT_IN, 'count.cooldown.in'),
    ScaleOutCooldown: wholeSeconds(own?.out ?? count.cooldown?.out ?? DEFAULT_OUT, 'count.cooldown.out'),
  }
}

function target(v: number | string | ScalingTarget | undefined): {value: number | string; cooldown?: Cooldown} | undefined {
  if (v === undefined) return undefined
  if (typeof v === 'object') return v.value === undefined ? undefined : {value: v.value, ...(v.cooldown ? {cooldown: v.cooldown} : {})}
  return {value: v}
}

export function renderAutoscaling(ctx: WorkloadContext, http: HttpRouting, queueId: string | undefined): void {
  const m = ctx.manifest
  if (m.type === 'Scheduled Job' || typeof m.count !== 'object' || m.count === null) return
  const count = m.count
  const range = scalingRange(count)
  if (!range) return
  ctx.t.resource('AutoScalingTarget', 'AWS::ApplicationAutoScaling::ScalableTarget', `Autoscaling of ${ctx.name} between ${range.min} and ${range.max} tasks`, {
    MinCapacity: range.min,
    MaxCapacity: range.max,
    ResourceId: join('/', ['service', envImport(ctx, ENV_OUTPUTS.cluster), getAtt('Service', 'Name')]),
    ScalableDimension: 'ecs:service:DesiredCount',
    ServiceNamespace: 'ecs',
  })
  const policy = (id: string, label: string, targetValue: number, spec: Json, cd: Cooldown | undefined) =>
    ctx.t.resource(id, 'AWS::ApplicationAutoScaling::ScalingPolicy', label, {
      PolicyName: id,
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: {Ref: 'AutoScalingTarget'},
      TargetTrackingScalingPolicyConfiguration: {...spec, TargetValue: targetValue, ...cooldowns(count, cd)},
    })
  const cpu = target(count.cpu_percentage)
  if (cpu) policy('AutoScalingPolicyECSServiceAverageCPUUtilization', `Scale ${ctx.name} to keep CPU near ${cpu.value}%`, Number(cpu.value), {PredefinedMetricSpecification: {PredefinedMetricType: 'ECSServiceAverageCPUUtilization'}}, cpu.cooldown)
  const mem = target(count.memory_percentage)
  if (mem) policy('AutoScalingPolicyECSServiceAverageMemoryUtilization', `Scale ${ctx.name} to keep memory near ${mem.value}%`, Number(mem.value), {PredefinedMetricSpecification: {PredefinedMetricType: 'ECSServiceAverageMemoryUtilization'}}, mem.cooldown)
  const req = target(count.requests)
  if (req && http.resourceLabel) {
    policy('AutoScalingPolicyALBSumRequestCountPerTarget', `Scale ${ctx.name} to keep ${req.value} requests per task`, Number(req.value), {PredefinedMetricSpecification: {PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: http.resourceLabel}}, req.cooldown)
  }
  const rt = target(count.response_time)
  if (rt && http.targetGroupFullName) {
    policy('AutoScalingPolicyALBAverageResponseTime', `Scale ${ctx.name} to keep response time near ${rt.value}`, durationSeconds(rt.value, 'count.response_time'), {
      CustomizedMetricSpecification: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'TargetResponseTime',
        Statistic: 'Average',
        Unit: 'Seconds',
        Dimensions: [{Name: 'LoadBalancer', Value: http.loadBalancerFullName}, {Name: 'TargetGroup', Value: http.targetGroupFullName}],
      },
    }, rt.cooldown)
  }
  if (count.queue_delay && queueId) {
    const latency = durationSeconds(count.queue_delay.acceptable_latency ?? '10m', 'count.queue_delay.acceptable_latency')
    const perMessage = durationSeconds(count.queue_delay.msg_processing_time ?? '250ms', 'count.queue_delay.msg_processing_time')
    const backlog = Math.max(1, Math.floor(latency / perMessage))
    policy('AutoScalingPolicyBacklogPerTask', `Scale ${ctx.name} to keep at most ${backlog} queued messages per task`, backlog, {
      CustomizedMetricSpecification: {
        Metrics: [
          metric('visible', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{Name: 'QueueName', Value: getAtt(queueId, 'QueueName')}], 'Sum'),
          metric('tasks', 'ECS/ContainerInsights', 'RunningTaskCount', [
            {Name: 'ClusterName', Value: envImport(ctx, ENV_OUTPUTS.cluster)},
            {Name: 'ServiceName', Value: getAtt('Service', 'Name')},
          ], 'Average'),
          {Id: 'backlogPerTask', Expression: 'IF(tasks > 0, visible / tasks, visible)', Label: 'Queued messages per task', ReturnData: true},
        ],
      },
    }, count.queue_delay.cooldown)
  }
}

function metric(Id: string, Namespace: string, MetricName: string, Dimensions: Json[], Stat: string): Json {
  return compact({Id, MetricStat: {Metric: {Namespace, MetricName, Dimensions}, Stat}, ReturnData: false})
}
