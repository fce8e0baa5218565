import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, expect, it} from 'vitest'
import {createLoadBalancing, type LocalLoadBalancing} from '../../../src/local/elb/index.js'
import {registerElbv2Providers} from '../../../src/local/cloudformation/providers/elbv2.js'
import type {ProviderContext, ResourceProvider} from '../../../src/local/cloudformation/provider.js'

let dir: string
let elb: LocalLoadBalancing
const providers = new Map<string, ResourceProvider>()
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pier-elbp-'))
  elb = await createLoadBalancing({stateDir: dir, region: 'us-east-1', accountId: '000000000000', health: {initialIntervalMs: 20}})
  registerElbv2Providers({register: (t, p) => providers.set(t, p), get: (t) => providers.get(t)}, elb)
})
afterEach(async () => {
  await elb.close()
  rmSync(dir, {recursive: true, force: true})
})

const ctx = (logicalId: string): ProviderContext => ({
  stackName: 'demo-test-web',
  stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/demo-test-web/1',
  logicalId,
  region: 'us-east-1',
  accountId: '000000000000',
  api: {} as any,
  tags: {'aws:cloudformation:stack-name': 'demo-test-web'},
  signal: new AbortController().signal,
  progress: () => {},
})
const p = (type: string) => providers.get(`AWS::ElasticLoadBalancingV2::${type}`)!

it('provisions a load balancer, target group, listener and rule from template properties, and serves through them', async () => {
  const lb = await p('LoadBalancer').create({Scheme: 'internet-facing', Subnets: ['subnet-1', 'subnet-2'], LoadBalancerAttributes: [{Key: 'idle_timeout.timeout_seconds', Value: '30'}]}, ctx('PublicLoadBalancer'))
  expect(lb.attributes.DNSName).toMatch(/^127\.0\.0\.1:\d+$/)
  expect(String(lb.attributes.LoadBalancerName).length).toBeLessThanOrEqual(32)
  const tg = await p('TargetGroup').create({Port: 80, Protocol: 'HTTP', TargetType: 'ip', HealthCheckPath: '/', HealthyThresholdCount: 2, TargetGroupAttributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '60'}]}, ctx('TargetGroup'))
  expect(elb.targetGroup(tg.physicalId).attributes['deregistration_delay.timeout_seconds']).toBe('60')
  const listener = await p('Listener').create({LoadBalancerArn: lb.physicalId, Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}]}, ctx('HTTPListener'))
  const rule = await p('ListenerRule').create({ListenerArn: listener.physicalId, Priority: 100, Conditions: [{Field: 'path-pattern', Values: ['/*']}], Actions: [{Type: 'forward', TargetGroupArn: tg.physicalId}]}, ctx('HTTPListenerRule'))
  expect(tg.attributes.LoadBalancerArns).toEqual([])
  const server = http.createServer((_q, r) => r.end('ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  await elb.register(tg.physicalId, [{id: '127.0.0.1', port: (server.address() as AddressInfo).port}])
  const end = Date.now() + 5000
  while (elb.health(tg.physicalId)[0]?.state !== 'healthy' && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  expect(await (await fetch(`http://${lb.attributes.DNSName}/x`)).text()).toBe('ok')
  await p('ListenerRule').update!(rule.physicalId, {ListenerArn: listener.physicalId, Priority: 200, Conditions: [{Field: 'path-pattern', Values: ['/*']}], Actions: [{Type: 'forward', TargetGroupArn: tg.physicalId}]}, {Priority: 100}, ctx('HTTPListenerRule'))
  expect(elb.rule(rule.physicalId).priority).toBe(200)
  server.close()
  await p('ListenerRule').delete(rule.physicalId, {}, ctx('HTTPListenerRule'))
  await p('Listener').delete(listener.physicalId, {}, ctx('HTTPListener'))
  await p('TargetGroup').delete(tg.physicalId, {}, ctx('TargetGroup'))
  await p('LoadBalancer').delete(lb.physicalId, {}, ctx('PublicLoadBalancer'))
  expect(elb.state).toMatchObject({loadBalancers: [], listeners: [], rules: [], targetGroups: []})
})

it('fails a listener rule pointing at a missing target group with the API reason', async () => {
  const lb = await p('LoadBalancer').create({}, ctx('LB'))
  const listener = await p('Listener').create({LoadBalancerArn: lb.physicalId, Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}]}, ctx('L'))
  await expect(
    p('ListenerRule').create({ListenerArn: listener.physicalId, Priority: 1, Conditions: [{Field: 'path-pattern', Values: ['/']}], Actions: [{Type: 'forward', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/nope/1'}]}, ctx('R')),
  ).rejects.toThrow(/target groups not found/)
})
