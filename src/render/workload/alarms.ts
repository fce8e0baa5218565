// Rollback alarms (`deployment.rollback_alarms`): names of existing alarms, or thresholds for which
// Pier creates the alarms. Alarms on the service's own metrics need its name before it exists, so the
// service then gets a fixed name, `<app>-<env>-<name>`.

import type {DeploymentConfig} from '../../manifest/types.js'
import {ENV_OUTPUTS} from '../names.js'
import {getAtt, type Json} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'

export function renderRollbackAlarms(ctx: WorkloadContext, d: DeploymentConfig | undefined, queueId: string | undefined): {alarmNames: unknown[]; fixedName?: string} {
  const alarms = d?.rollback_alarms
  if (!alarms) return {alarmNames: []}
  if (Array.isArray(alarms)) return {alarmNames: [...alarms]}
  const serviceName = `${ctx.app}-${ctx.env}-${ctx.name}`
  const names: unknown[] = []
  const serviceDims: Json[] = [
    {Name: 'ClusterName', Value: envImport(ctx, ENV_OUTPUTS.cluster)},
    {Name: 'ServiceName', Value: serviceName},
  ]
  const alarm = (id: string, label: string, props: Json) => {
    ctx.t.resource(id, 'AWS::CloudWatch::Alarm', label, {
      AlarmName: `${serviceName}-${id}`,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      Period: 60,
      Statistic: 'Average',
      TreatMissingData: 'notBreaching',
      ...props,
    })
    names.push(`${serviceName}-${id}`)
  }
  let usesService = false
  if (alarms.cpu_utilization !== undefined) {
    usesService = true
    alarm('RollbackAlarmCPUUtilization', `Rolls a deployment back when CPU reaches ${alarms.cpu_utilization}%`, {
      Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: serviceDims, Threshold: alarms.cpu_utilization,
    })
  }
  if (alarms.memory_utilization !== undefined) {
    usesService = true
    alarm('RollbackAlarmMemoryUtilization', `Rolls a deployment back when memory reaches ${alarms.memory_utilization}%`, {
      Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Dimensions: serviceDims, Threshold: alarms.memory_utilization,
    })
  }
  if (alarms.messages_delayed !== undefined && queueId) {
    alarm('RollbackAlarmMessagesDelayed', `Rolls a deployment back when ${alarms.messages_delayed} messages wait in the queue`, {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesDelayed', Statistic: 'Sum', Threshold: alarms.messages_delayed,
      Dimensions: [{Name: 'QueueName', Value: getAtt(queueId, 'QueueName')}],
    })
  }
  return {alarmNames: names, ...(usesService ? {fixedName: serviceName} : {})}
}
