// Rollback alarms (`deployment.rollback_alarms`): names of existing alarms, or thresholds for which
// Pier creates the alarms, with Copilot's logical IDs and names (`<app>-<env>-<name>-CopilotRollback…`).
// The service lists them by name, and they read the service's name from its ARN, so the service keeps
// the name ECS generated (Copilot's services have none fixed, and a name change replaces a service).

import type {DeploymentConfig} from '../../manifest/types.js'
import {ENV_OUTPUTS} from '../names.js'
import {getAtt, type Json, ref, select, split} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'

export function renderRollbackAlarms(ctx: WorkloadContext, d: DeploymentConfig | undefined, queueId: string | undefined): {alarmNames: unknown[]} {
  const alarms = d?.rollback_alarms
  if (!alarms) return {alarmNames: []}
  if (Array.isArray(alarms)) return {alarmNames: [...alarms]}
  const serviceName = `${ctx.app}-${ctx.env}-${ctx.name}`
  const names: unknown[] = []
  const serviceDims: Json[] = [
    {Name: 'ClusterName', Value: envImport(ctx, ENV_OUTPUTS.cluster)},
    {Name: 'ServiceName', Value: select(2, split('/', ref('Service')))},
  ]
  const alarm = (id: string, suffix: string, label: string, props: Json) => {
    ctx.t.resource(id, 'AWS::CloudWatch::Alarm', label, {
      AlarmName: `${serviceName}-${suffix}`,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      Period: 60,
      Statistic: 'Average',
      TreatMissingData: 'notBreaching',
      ...props,
    })
    names.push(`${serviceName}-${suffix}`)
  }
  if (alarms.cpu_utilization !== undefined) {
    alarm('CPURollbackAlarm', 'CopilotRollbackCPUAlarm', `Rolls a deployment back when CPU reaches ${alarms.cpu_utilization}%`, {
      Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: serviceDims, Threshold: alarms.cpu_utilization,
    })
  }
  if (alarms.memory_utilization !== undefined) {
    alarm('MemoryRollbackAlarm', 'CopilotRollbackMemAlarm', `Rolls a deployment back when memory reaches ${alarms.memory_utilization}%`, {
      Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Dimensions: serviceDims, Threshold: alarms.memory_utilization,
    })
  }
  if (alarms.messages_delayed !== undefined && queueId) {
    alarm('MessagesDelayedRollbackAlarm', 'CopilotRollbackMsgsDelayedAlarm', `Rolls a deployment back when ${alarms.messages_delayed} messages wait in the queue`, {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesDelayed', Statistic: 'Sum', Threshold: alarms.messages_delayed,
      Dimensions: [{Name: 'QueueName', Value: getAtt(queueId, 'QueueName')}],
    })
  }
  return {alarmNames: names}
}
