// ALB routing (`http`): the listener a rule lands on, target group attributes, defaults of paths and
// priorities, the first rule's grace period and metrics, and the errors users read for bad fields.
import {describe, expect, it} from 'vitest'

import type {BackendService, LoadBalancedWebService} from '../../src/manifest/types.js'
import {httpRules, pathPatterns, RenderError, type WorkloadDeployInputs} from '../../src/render/index.js'
import {render} from './helpers.js'

const lbws = (http: Record<string, unknown> | false, extra: Record<string, unknown> = {}): LoadBalancedWebService =>
  ({name: 'web', type: 'Load Balanced Web Service', image: {location: 'nginx', port: 8080}, http, ...extra}) as LoadBalancedWebService
const tgAttrs = (s: ReturnType<typeof render>, id = 'TargetGroup') => s.template.Resources[id].Properties.TargetGroupAttributes

describe('http rules', () => {
  it('trims every leading and trailing slash of a path', () => {
    expect(pathPatterns('//api//')).toEqual(['/api', '/api/*'])
    expect(pathPatterns('///')).toEqual(['/*'])
    expect(pathPatterns(undefined)).toEqual(['/*'])
  })

  it('takes no rules from a workload type that is not routed by a load balancer', () => {
    expect(httpRules({name: 'w', type: 'Worker Service', image: {location: 'x'}, http: {path: '/'}} as any)).toEqual([])
  })

  it('gives a rule without a path, when deploy computed no priority, the catch-all range priority of "/"', () => {
    const a = render(lbws({}))
    const b = render(lbws({path: '/'}))
    expect(a.parameters.HTTPRulePriority).toBe(b.parameters.HTTPRulePriority)
    expect(Number(a.parameters.HTTPRulePriority)).toBeGreaterThanOrEqual(49000)
    expect(render(lbws({path: ''})).parameters.HTTPRulePriority).not.toBe(a.parameters.HTTPRulePriority)
  })

  it('sets the protocol version, HTTP1 left out, and refuses others with the choices', () => {
    expect(render(lbws({path: '/', version: 'http2'})).template.Resources.TargetGroup.Properties.ProtocolVersion).toBe('HTTP2')
    expect(render(lbws({path: '/', version: 'gRPC'})).template.Resources.TargetGroup.Properties.ProtocolVersion).toBe('GRPC')
    expect(render(lbws({path: '/', version: 'Http1'})).template.Resources.TargetGroup.Properties).not.toHaveProperty('ProtocolVersion')
    expect(() => render(lbws({path: '/', version: 'HTTP3'}))).toThrow(new RenderError('http.version "HTTP3" is not supported: use HTTP1, HTTP2 or gRPC'))
  })

  it('turns stickiness on with load balancer cookies, off by default', () => {
    expect(tgAttrs(render(lbws({path: '/', stickiness: true})))).toEqual([
      {Key: 'deregistration_delay.timeout_seconds', Value: '60'}, {Key: 'stickiness.enabled', Value: 'true'}, {Key: 'stickiness.type', Value: 'lb_cookie'},
    ])
    expect(tgAttrs(render(lbws({path: '/'})))).toEqual([{Key: 'deregistration_delay.timeout_seconds', Value: '60'}, {Key: 'stickiness.enabled', Value: 'false'}])
  })

  it('names the field of every duration it cannot read', () => {
    for (const f of ['interval', 'timeout', 'grace_period']) {
      expect(() => render(lbws({path: '/', healthcheck: {[f]: 'soon'}}))).toThrow(new RenderError(`http.healthcheck.${f} "soon" is not a duration: use a number with a unit, like 30s, 5m or 1h30m`))
    }
    expect(() => render(lbws({path: '/', deregistration_delay: 'soon'}))).toThrow(/^http\.deregistration_delay "soon" is not a duration/)
  })

  it('takes the grace period and the scaling metrics from the first rule', () => {
    const s = render(lbws({path: '/', healthcheck: {grace_period: '30s'}, additional_rules: [{path: 'admin', healthcheck: {grace_period: '90s'}}]}, {count: {range: '1-3', requests: 10, response_time: '1s'}}))
    const r = s.template.Resources
    expect(r.Service.Properties.HealthCheckGracePeriodSeconds).toBe(30)
    const tg = {'Fn::GetAtt': ['TargetGroup', 'TargetGroupFullName']}
    expect(r.AutoScalingPolicyALBSumRequestCountPerTarget.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel)
      .toEqual({'Fn::Join': ['/', [{'Fn::ImportValue': 'shop-test-PublicLoadBalancerFullName'}, tg]]})
    expect(r.AutoScalingPolicyALBAverageResponseTime.Properties.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Dimensions[1]).toEqual({Name: 'TargetGroup', Value: tg})
  })

  it('routes a private Load Balanced Web Service on the internal load balancer', () => {
    const listener = (m: LoadBalancedWebService) => render(m).template.Resources.HTTPListenerRule.Properties.ListenerArn
    expect(listener(lbws({path: '/', private: true}))).toEqual({'Fn::ImportValue': 'shop-test-InternalHTTPListenerArn'})
    expect(listener(lbws({path: '/', private: false}))).toEqual({'Fn::ImportValue': 'shop-test-HTTPListenerArn'})
    expect(listener(lbws({path: '/'}))).toEqual({'Fn::ImportValue': 'shop-test-HTTPListenerArn'})
  })

  it('renders no internal alias for a Backend Service without rules', () => {
    const inputs: WorkloadDeployInputs = {environment: {internalWorkloadsZone: true}}
    const api = {name: 'api', type: 'Backend Service', image: {location: 'nginx', port: 8080}} as BackendService
    expect(Object.keys(render(api, inputs).template.Resources).filter((k) => /Alias|ListenerRule/.test(k))).toEqual([])
    expect(render({...api, http: {path: '/'}}, inputs).template.Resources.LoadBalancerInternalDNSAlias).toBeDefined()
  })

  it('refuses a target container the task does not have, and a routed service without a port', () => {
    expect(() => render(lbws({path: '/', target_container: 'ghost'}, {sidecars: {envoy: {image: 'e', port: 9000}}})))
      .toThrow(new RenderError('http.target_container "ghost" is not a container of web: name the service or one of its sidecars'))
    expect(() => render(lbws({path: '/'}, {image: {location: 'nginx'}}))).toThrow(new RenderError('web routes HTTP traffic but has no port: set image.port'))
  })

  it('names the rule’s path when it has too many condition values', () => {
    const ips = ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16']
    expect(() => render(lbws({allowed_source_ips: ips}))).toThrow(new RenderError('the rule for path / has 6 condition values (paths, aliases, allowed_source_ips): a load balancer rule takes at most 5; split it into additional_rules'))
    expect(() => render(lbws({path: 'api', allowed_source_ips: ips}))).toThrow(/^the rule for path api has 7 condition values/)
  })
})
