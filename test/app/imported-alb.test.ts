// The lookup of the load balancer `http.alb` names, before a deploy renders the service's rules on it:
// by name or by ARN (as Copilot told them apart), its listeners over every page.
import {describe, expect, it} from 'vitest'

import {describeImportedAlb, importedAlbFor} from '../../src/app/imported-alb.js'
import {AwsError} from '../../src/aws/errors.js'
import {UserError} from '../../src/errors.js'
import type {LoadBalancedWebService} from '../../src/manifest/types.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/shared/0123456789abcdef'

function fakeElb(opts: {type?: string; missing?: boolean} = {}) {
  const calls: {op: string; input: any}[] = []
  const elb = {
    describeLoadBalancers: async (input: any) => {
      calls.push({op: 'describeLoadBalancers', input})
      if (opts.missing) throw new AwsError('LoadBalancerNotFound', 'elasticloadbalancing:DescribeLoadBalancers', 'One or more load balancers not found')
      return {LoadBalancers: [{LoadBalancerArn: ARN, LoadBalancerName: 'shared', DNSName: 'shared-1.elb.amazonaws.com', CanonicalHostedZoneId: 'Z35', SecurityGroups: ['sg-1'], Type: opts.type ?? 'application'}], $metadata: {}}
    },
    describeListeners: async (input: any) => {
      calls.push({op: 'describeListeners', input})
      return input.Marker
        ? {Listeners: [{ListenerArn: `${ARN}/443`, Port: 443, Protocol: 'HTTPS'}], $metadata: {}}
        : {Listeners: [{ListenerArn: `${ARN}/80`, Port: 80, Protocol: 'HTTP'}], NextMarker: 'page2', $metadata: {}}
    },
  }
  return {elb: elb as never, calls}
}

const svc = (alb?: string): LoadBalancedWebService => ({name: 'web', type: 'Load Balanced Web Service', image: {location: 'nginx', port: 80}, http: {path: '/', ...(alb ? {alb} : {})}})

describe('the imported load balancer', () => {
  it('is described by name, with its listeners from every page, security groups, DNS name and zone', async () => {
    const f = fakeElb()
    expect(await importedAlbFor(f.elb, 'us-east-1', svc('shared'))).toEqual({
      arn: ARN, name: 'shared', dnsName: 'shared-1.elb.amazonaws.com', hostedZoneId: 'Z35', securityGroups: ['sg-1'],
      listeners: [{arn: `${ARN}/80`, port: 80, protocol: 'HTTP'}, {arn: `${ARN}/443`, port: 443, protocol: 'HTTPS'}],
    })
    expect(f.calls.map((c) => [c.op, c.input])).toEqual([
      ['describeLoadBalancers', {Names: ['shared']}],
      ['describeListeners', {LoadBalancerArn: ARN, Marker: undefined}],
      ['describeListeners', {LoadBalancerArn: ARN, Marker: 'page2'}],
    ])
  })

  it('is described by ARN when http.alb holds one, and not at all without http.alb', async () => {
    const f = fakeElb()
    await describeImportedAlb(f.elb, 'us-east-1', ARN)
    expect(f.calls[0]!.input).toEqual({LoadBalancerArns: [ARN]})
    const none = fakeElb()
    expect(await importedAlbFor(none.elb, 'us-east-1', svc())).toBeUndefined()
    expect(none.calls).toEqual([])
  })

  it('refuses a load balancer that does not exist, or is not an Application Load Balancer', async () => {
    const missing = describeImportedAlb(fakeElb({missing: true}).elb, 'eu-west-1', 'gone')
    await expect(missing).rejects.toBeInstanceOf(UserError)
    await expect(missing).rejects.toThrow('http.alb names the load balancer gone, which does not exist in eu-west-1')
    await expect(describeImportedAlb(fakeElb({type: 'network'}).elb, 'us-east-1', 'shared')).rejects.toThrow('a network load balancer')
  })
})
