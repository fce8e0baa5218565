import {mkdtempSync, rmSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, expect, it} from 'vitest'
import type {LocalApi} from '../../../src/local/contracts.js'
import {registerAutoScalingProviders, ServiceAutoScaler} from '../../../src/local/cloudformation/providers/autoscaling.js'
import {registerRecordedProviders} from '../../../src/local/cloudformation/providers/recorded.js'
import type {ResourceProvider} from '../../../src/local/cloudformation/provider.js'

let dir: string
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pier-as-'))))
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function ecs(desired: number) {
  const svc = {desiredCount: desired}
  const updates: number[] = []
  const api: LocalApi = {
    context: () => ({}) as any,
    async json(_p, op, input: any) {
      if (op === 'DescribeServices') return {services: input.services[0] === 'web' ? [svc] : []}
      if (op === 'UpdateService') {
        svc.desiredCount = input.desiredCount
        updates.push(input.desiredCount)
        return {service: svc}
      }
      throw new Error(op)
    },
  }
  return {api, svc, updates}
}

const ctx = {stackName: 'demo-test-web', stackId: 's', logicalId: 'AutoScalingTarget', region: 'us-east-1', accountId: '000000000000', api: {} as any, tags: {}, signal: new AbortController().signal, progress() {}}

function providers(scaler: ServiceAutoScaler) {
  const map = new Map<string, ResourceProvider>()
  const registry = {register: (t: string, p: ResourceProvider) => map.set(t, p), get: (t: string) => map.get(t)}
  registerAutoScalingProviders(registry, scaler)
  registerRecordedProviders(registry, {stateDir: dir})
  return map
}

it('keeps the desired count within the scalable target bounds and tracks CPU towards the target', async () => {
  const e = ecs(1)
  let cpu: number | undefined = 90
  const scaler = new ServiceAutoScaler(e.api, {average: () => cpu}, join(dir, 'autoscaling.json'))
  const p = providers(scaler)
  const target = await p.get('AWS::ApplicationAutoScaling::ScalableTarget')!.create({ResourceId: 'service/demo-test/web', ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs', MinCapacity: 2, MaxCapacity: 5}, ctx)
  expect(e.svc.desiredCount).toBe(2)
  await p.get('AWS::ApplicationAutoScaling::ScalingPolicy')!.create({PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', ScalingTargetId: target.physicalId, TargetTrackingScalingPolicyConfiguration: {PredefinedMetricSpecification: {PredefinedMetricType: 'ECSServiceAverageCPUUtilization'}, TargetValue: 45, ScaleOutCooldown: 60, ScaleInCooldown: 60}}, ctx)
  await scaler.evaluate(1_000_000)
  expect(e.svc.desiredCount).toBe(4) // 2 tasks at 90% against a 45% target
  await scaler.evaluate(1_010_000) // inside the cooldown: no change
  expect(e.svc.desiredCount).toBe(4)
  cpu = 10
  await scaler.evaluate(1_100_000)
  expect(e.svc.desiredCount).toBe(3) // scale in one task at a time
  cpu = 1000
  await scaler.evaluate(1_200_000)
  expect(e.svc.desiredCount).toBe(5) // never above MaxCapacity
  cpu = undefined
  await scaler.evaluate(1_300_000)
  expect(e.svc.desiredCount).toBe(5)
  scaler.close()
  const reopened = new ServiceAutoScaler(e.api, undefined, join(dir, 'autoscaling.json'))
  expect([...reopened.targets.keys()]).toEqual([target.physicalId])
  expect(reopened.policies.size).toBe(1)
})

it('refuses bounds the wrong way round and services that do not exist', async () => {
  const p = providers(new ServiceAutoScaler(ecs(1).api))
  const st = p.get('AWS::ApplicationAutoScaling::ScalableTarget')!
  await expect(st.create({ResourceId: 'service/demo-test/web', ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs', MinCapacity: 5, MaxCapacity: 2}, ctx)).rejects.toThrow(/cannot be greater/)
  await expect(st.create({ResourceId: 'service/demo-test/api', ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs', MinCapacity: 1, MaxCapacity: 2}, ctx)).rejects.toThrow(/does not exist/)
})

it('records alarms, DNS records and file systems with realistic identifiers', async () => {
  const p = providers(new ServiceAutoScaler(ecs(1).api))
  const alarm = await p.get('AWS::CloudWatch::Alarm')!.create({MetricName: 'CPUUtilization'}, ctx)
  expect(alarm.attributes.Arn).toMatch(/^arn:aws:cloudwatch:us-east-1:000000000000:alarm:demo-test-web-AutoScalingTarget-/)
  const fs = await p.get('AWS::EFS::FileSystem')!.create({}, ctx)
  expect(fs.physicalId).toMatch(/^fs-[0-9a-f]{8}$/)
  expect(existsSync(join(dir, 'efs', fs.physicalId))).toBe(true)
})
