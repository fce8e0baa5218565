// Service autoscaling: each policy's metric and target exactly, cooldowns (a policy's own over
// `count.cooldown` over the defaults), and the field named in a duration error.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {RenderError} from '../../src/render/index.js'
import {render} from './helpers.js'

const web = (count: Record<string, unknown>): LoadBalancedWebService =>
  ({name: 'web', type: 'Load Balanced Web Service', image: {location: 'nginx', port: 8080}, http: {path: '/'}, count}) as LoadBalancedWebService
const config = (m: LoadBalancedWebService, id: string) => render(m).template.Resources[id].Properties.TargetTrackingScalingPolicyConfiguration

describe('count autoscaling', () => {
  it('tracks memory and response time with the metrics and cooldowns given', () => {
    const m = web({range: '1-4', cooldown: {in: '45s', out: '15s'}, memory_percentage: {value: 80, cooldown: {in: '90s'}}, response_time: {value: '2s', cooldown: {in: '30s', out: '20s'}}})
    expect(config(m, 'AutoScalingPolicyECSServiceAverageMemoryUtilization')).toEqual({
      PredefinedMetricSpecification: {PredefinedMetricType: 'ECSServiceAverageMemoryUtilization'}, TargetValue: 80, ScaleInCooldown: 90, ScaleOutCooldown: 15,
    })
    expect(config(m, 'AutoScalingPolicyALBAverageResponseTime')).toEqual({
      CustomizedMetricSpecification: {
        Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', Statistic: 'Average', Unit: 'Seconds',
        Dimensions: [
          {Name: 'LoadBalancer', Value: {'Fn::ImportValue': 'shop-test-PublicLoadBalancerFullName'}},
          {Name: 'TargetGroup', Value: {'Fn::GetAtt': ['TargetGroup', 'TargetGroupFullName']}},
        ],
      },
      TargetValue: 2, ScaleInCooldown: 30, ScaleOutCooldown: 20,
    })
  })

  it('falls back to count.cooldown, then to 120s in and 60s out', () => {
    expect(config(web({range: '1-4', cooldown: {in: '45s', out: '15s'}, cpu_percentage: 70}), 'AutoScalingPolicyECSServiceAverageCPUUtilization')).toMatchObject({ScaleInCooldown: 45, ScaleOutCooldown: 15})
    expect(config(web({range: '1-4', cpu_percentage: 70}), 'AutoScalingPolicyECSServiceAverageCPUUtilization')).toMatchObject({ScaleInCooldown: 120, ScaleOutCooldown: 60})
  })

  it('names the field of every duration it cannot read', () => {
    const bad = (count: Record<string, unknown>, field: string) =>
      expect(() => render(web({range: '1-4', ...count}))).toThrow(new RenderError(`${field} "soon" is not a duration: use a number with a unit, like 30s, 5m or 1h30m`))
    bad({cpu_percentage: 70, cooldown: {in: 'soon'}}, 'count.cooldown.in')
    bad({cpu_percentage: 70, cooldown: {out: 'soon'}}, 'count.cooldown.out')
    bad({response_time: 'soon'}, 'count.response_time')
  })

  it('never scales a job', () => {
    const job = {name: 'job', type: 'Scheduled Job', image: {location: 'busybox'}, on: {schedule: '@daily'}, count: {range: '1-4', cpu_percentage: 50}} as any
    expect(JSON.stringify(render(job).template)).not.toMatch(/AutoScaling/)
  })
})

describe('worker autoscaling on the queue', () => {
  it('names the field of a duration it cannot read', () => {
    const worker = (queue_delay: Record<string, unknown>) => ({name: 'w', type: 'Worker Service', image: {location: 'busybox'}, subscribe: {topics: [{name: 'orders', service: 'api'}]}, count: {range: '1-4', queue_delay}}) as any
    expect(render(worker({})).template.Resources.AutoScalingPolicyBacklogPerTask.Properties.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(2400)
    expect(() => render(worker({acceptable_latency: 'soon'}))).toThrow(/^count\.queue_delay\.acceptable_latency "soon" is not a duration/)
    expect(() => render(worker({msg_processing_time: 'soon'}))).toThrow(/^count\.queue_delay\.msg_processing_time "soon" is not a duration/)
  })
})
