// Rollback alarms (`deployment.rollback_alarms`): the alarms Pier creates from thresholds, with
// Copilot's logical IDs and names, and the alarm names the service rolls back on.
import {describe, expect, it} from 'vitest'

import type {BackendService, WorkerService} from '../../src/manifest/types.js'
import {worker} from './fixtures.js'
import {render} from './helpers.js'

const COMMON = {ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2, Period: 60, TreatMissingData: 'notBreaching'}
const SERVICE_DIMENSIONS = [
  {Name: 'ClusterName', Value: {'Fn::ImportValue': 'shop-test-ClusterId'}},
  {Name: 'ServiceName', Value: {'Fn::Select': ['2', {'Fn::Split': ['/', {Ref: 'Service'}]}]}},
]
/** An alarm's properties but its tags (the stack's tags, checked elsewhere). */
const untagged = (resource: any) => {
  const {Tags: _tags, ...rest} = resource.Properties
  return rest
}
const api: BackendService = {name: 'api', type: 'Backend Service', image: {location: 'repo/api:1', port: 80}}

describe('rollback alarms', () => {
  it('creates CPU and memory alarms on the service, named after it, and rolls back on them', () => {
    const {template} = render({...api, deployment: {rollback_alarms: {cpu_utilization: 70, memory_utilization: 80}}})
    const r = template.Resources
    expect(r.CPURollbackAlarm.Type).toBe('AWS::CloudWatch::Alarm')
    expect(untagged(r.CPURollbackAlarm)).toEqual({
      AlarmName: 'shop-test-api-CopilotRollbackCPUAlarm', ...COMMON, Statistic: 'Average',
      Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: SERVICE_DIMENSIONS, Threshold: 70,
    })
    expect(r.MemoryRollbackAlarm.Type).toBe('AWS::CloudWatch::Alarm')
    expect(untagged(r.MemoryRollbackAlarm)).toEqual({
      AlarmName: 'shop-test-api-CopilotRollbackMemAlarm', ...COMMON, Statistic: 'Average',
      Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Dimensions: SERVICE_DIMENSIONS, Threshold: 80,
    })
    expect(r.MessagesDelayedRollbackAlarm).toBeUndefined()
    expect(r.Service.Properties.DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: ['shop-test-api-CopilotRollbackCPUAlarm', 'shop-test-api-CopilotRollbackMemAlarm'], Enable: true, Rollback: true,
    })
  })

  it('creates the messages-delayed alarm on the worker queue', () => {
    const {template} = render(worker)
    const r = template.Resources
    expect(r.MessagesDelayedRollbackAlarm.Type).toBe('AWS::CloudWatch::Alarm')
    expect(untagged(r.MessagesDelayedRollbackAlarm)).toEqual({
      AlarmName: 'shop-test-billing-CopilotRollbackMsgsDelayedAlarm', ...COMMON, Statistic: 'Sum',
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesDelayed', Threshold: 100,
      Dimensions: [{Name: 'QueueName', Value: {'Fn::GetAtt': ['EventsQueue', 'QueueName']}}],
    })
    expect(r.Service.Properties.DeploymentConfiguration.Alarms.AlarmNames).toEqual(['shop-test-billing-CopilotRollbackMsgsDelayedAlarm'])
  })

  it('creates no messages-delayed alarm without a threshold, nor without a queue', () => {
    const w: WorkerService = {...worker, deployment: {rollback_alarms: {cpu_utilization: 50}}}
    expect(render(w).template.Resources.MessagesDelayedRollbackAlarm).toBeUndefined()
    const {template} = render({...api, deployment: {rollback_alarms: {messages_delayed: 5}}})
    expect(template.Resources.MessagesDelayedRollbackAlarm).toBeUndefined()
    expect(template.Resources.Service.Properties.DeploymentConfiguration.Alarms).toBeUndefined()
  })

  it('rolls back on existing alarms named in a list, and on none without rollback_alarms', () => {
    const {template} = render({...api, deployment: {rollback_alarms: ['a-5xx', 'b-latency']}})
    expect(template.Resources.Service.Properties.DeploymentConfiguration.Alarms.AlarmNames).toEqual(['a-5xx', 'b-latency'])
    expect(render(api).template.Resources.Service.Properties.DeploymentConfiguration.Alarms).toBeUndefined()
  })
})
