// `nlb`: the network load balancer a Load Balanced Web Service owns, rendered resource by resource
// with Copilot's logical IDs, and the errors a user reads for ports and certificates.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {RenderError, type WorkloadDeployInputs} from '../../src/render/index.js'
import {DESCRIPTION_KEY} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {render} from './helpers.js'

const TAGS = [{Key: 'copilot-application', Value: 'shop'}, {Key: 'copilot-environment', Value: 'test'}, {Key: 'copilot-service', Value: 'web'}]
const VPC = {'Fn::ImportValue': 'shop-test-VpcId'}
const SG = {'Fn::GetAtt': ['NetworkLoadBalancerSecurityGroup', 'GroupId']}
const res = (Type: string, description: string, Properties: Record<string, unknown>) => ({Type, Metadata: {[DESCRIPTION_KEY]: description}, Properties: {...Properties, Tags: [...((Properties.Tags as unknown[]) ?? []), ...TAGS]}})

function svc(nlb: Record<string, unknown>, extra: Partial<LoadBalancedWebService> = {}): LoadBalancedWebService {
  return {name: 'web', type: 'Load Balanced Web Service', image: {location: 'nginx', port: 8080}, sidecars: {envoy: {image: 'envoy', port: '9000/tcp'}}, http: false, nlb, ...extra} as LoadBalancedWebService
}

const three = svc({
  port: '443/tls',
  healthcheck: {port: 8081, timeout: '7s', interval: '11s', healthy_threshold: 2, unhealthy_threshold: 3},
  stickiness: true,
  deregistration_delay: '20s',
  additional_listeners: [{port: '53/udp', target_container: 'envoy'}, {port: '8080'}],
})

const renderNlb = (m: LoadBalancedWebService, inputs: WorkloadDeployInputs = {environment: {certificates: ['arn:cert'], httpsListener: false}}) => render(m, inputs)

describe('nlb', () => {
  it('renders the security group, load balancer, target groups, listeners, ingress and output exactly', () => {
    const s = renderNlb(three)
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    const r = s.template.Resources
    expect(r.NetworkLoadBalancerSecurityGroup).toEqual(res('AWS::EC2::SecurityGroup', 'Security group of the network load balancer', {
      GroupDescription: 'Allow traffic to the public facing load balancer on listener ports',
      VpcId: VPC,
      SecurityGroupIngress: [
        {CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'Listener 443/tls'},
        {CidrIp: '0.0.0.0/0', IpProtocol: 'udp', FromPort: 53, ToPort: 53, Description: 'Listener 53/udp'},
        {CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, Description: 'Listener 8080'},
      ],
      Tags: [{Key: 'Name', Value: {'Fn::Sub': 'copilot-${AppName}-${EnvName}-${WorkloadName}-nlb'}}],
    }))
    expect(r.PublicNetworkLoadBalancerV2).toEqual(res('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Network load balancer of web', {
      Type: 'network', Scheme: 'internet-facing', Subnets: {'Fn::Split': [',', {'Fn::ImportValue': 'shop-test-PublicSubnets'}]}, SecurityGroups: [SG],
    }))
    expect(r.NetworkLoadBalancerTargetGroup).toEqual(res('AWS::ElasticLoadBalancingV2::TargetGroup', 'Target group of web:443 behind NLB port 443/tls', {
      TargetType: 'ip', Port: 443, Protocol: 'TCP', VpcId: VPC,
      HealthCheckPort: '8081', HealthyThresholdCount: 2, UnhealthyThresholdCount: 3, HealthCheckTimeoutSeconds: 7, HealthCheckIntervalSeconds: 11,
      TargetGroupAttributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '20'}, {Key: 'stickiness.enabled', Value: 'true'}, {Key: 'stickiness.type', Value: 'source_ip'}],
    }))
    expect(r.NLBListener).toEqual(res('AWS::ElasticLoadBalancingV2::Listener', 'NLB listener on port 443/tls', {
      LoadBalancerArn: {Ref: 'PublicNetworkLoadBalancerV2'}, Port: 443, Protocol: 'TLS', Certificates: [{CertificateArn: 'arn:cert'}], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{Type: 'forward', TargetGroupArn: {Ref: 'NetworkLoadBalancerTargetGroup'}}],
    }))
    // A sidecar's own port by default; no health check settings and the default delay without them.
    expect(r.NetworkLoadBalancerTargetGroup1).toEqual(res('AWS::ElasticLoadBalancingV2::TargetGroup', 'Target group of envoy:9000 behind NLB port 53/udp', {
      TargetType: 'ip', Port: 9000, Protocol: 'UDP', VpcId: VPC, TargetGroupAttributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '60'}],
    }))
    expect(r.NLBListener1).toEqual(res('AWS::ElasticLoadBalancingV2::Listener', 'NLB listener on port 53/udp', {
      LoadBalancerArn: {Ref: 'PublicNetworkLoadBalancerV2'}, Port: 53, Protocol: 'UDP', DefaultActions: [{Type: 'forward', TargetGroupArn: {Ref: 'NetworkLoadBalancerTargetGroup1'}}],
    }))
    // No protocol is TCP.
    expect(r.NetworkLoadBalancerTargetGroup2.Properties).toMatchObject({Port: 8080, Protocol: 'TCP'})
    expect(r.NLBListener2.Properties).toMatchObject({Port: 8080, Protocol: 'TCP'})
    expect(r.EnvironmentSecurityGroupIngressFromNetworkLoadBalancerSecurityGroup).toEqual({
      Type: 'AWS::EC2::SecurityGroupIngress',
      Metadata: {[DESCRIPTION_KEY]: 'Traffic from the network load balancer to the tasks'},
      Properties: {Description: 'Ingress from the NLB of web', GroupId: {'Fn::ImportValue': 'shop-test-EnvironmentSecurityGroup'}, IpProtocol: '-1', SourceSecurityGroupId: SG},
    })
    expect(s.template.Outputs.PublicNetworkLoadBalancerDNSName).toEqual({
      Description: 'DNS name of the network load balancer',
      Value: {'Fn::GetAtt': ['PublicNetworkLoadBalancerV2', 'DNSName']},
      Export: {Name: 'shop-test-web-PublicNetworkLoadBalancerDNSName'},
    })
    expect(r.Service.Properties.LoadBalancers).toEqual([
      {ContainerName: 'web', ContainerPort: 443, TargetGroupArn: {Ref: 'NetworkLoadBalancerTargetGroup'}},
      {ContainerName: 'envoy', ContainerPort: 9000, TargetGroupArn: {Ref: 'NetworkLoadBalancerTargetGroup1'}},
      {ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: {Ref: 'NetworkLoadBalancerTargetGroup2'}},
    ])
  })

  it('takes the TLS certificate from the environment stack when deploy gave none, and the manifest’s SSL policy', () => {
    for (const environment of [{httpsListener: true}, {certificates: [], httpsListener: true}, undefined]) {
      const l = renderNlb(svc({port: '443/tls', ssl_policy: 'ELBSecurityPolicy-FS-1-2-2019-08'}), {environment}).template.Resources.NLBListener.Properties
      expect(l.Certificates).toEqual([{CertificateArn: {'Fn::ImportValue': 'shop-test-PublicCertificateArn'}}])
      expect(l.SslPolicy).toBe('ELBSecurityPolicy-FS-1-2-2019-08')
    }
  })

  it('refuses TLS when the environment has no certificate', () => {
    expect(() => renderNlb(svc({port: '443/tls'}), {environment: {certificates: [], httpsListener: false}})).toThrow(
      new RenderError('nlb.port "443/tls" uses TLS but the environment has no certificate: add http.public.certificates to the environment manifest'))
  })

  it('refuses ports it cannot read, with the field and an example', () => {
    for (const port of ['443/http', 'abc/tcp', 'abc']) {
      expect(() => renderNlb(svc({port}))).toThrow(new RenderError(`nlb.port "${port}" is not valid: write it like 443/tls, 8080/tcp or 53/udp`))
    }
    expect(renderNlb(svc({port: '53/TCP_UDP'})).template.Resources.NetworkLoadBalancerSecurityGroup.Properties.SecurityGroupIngress[0].IpProtocol).toBe('-1')
  })

  it('names the field of a duration it cannot read', () => {
    expect(() => renderNlb(svc({port: '80', healthcheck: {timeout: 'soon'}}))).toThrow(/^nlb\.healthcheck\.timeout "soon" is not a duration/)
    expect(() => renderNlb(svc({port: '80', healthcheck: {interval: 'soon'}}))).toThrow(/^nlb\.healthcheck\.interval "soon" is not a duration/)
    expect(() => renderNlb(svc({port: '80', deregistration_delay: 'soon'}))).toThrow(/^nlb\.deregistration_delay "soon" is not a duration/)
  })

  it('refuses a target container the task does not have (ECS would refuse the service)', () => {
    const err = new RenderError('nlb.target_container "ghost" is not a container of web: name the service or one of its sidecars')
    expect(() => renderNlb(svc({port: '80', target_container: 'ghost'}))).toThrow(err)
    expect(() => renderNlb(svc({port: '80', target_container: 'ghost'}, {sidecars: undefined}))).toThrow(err)
  })

  it('is only a Load Balanced Web Service’s', () => {
    const backend = {name: 'web', type: 'Backend Service', image: {location: 'nginx', port: 8080}, nlb: {port: '80'}} as any
    expect(JSON.stringify(render(backend).template)).not.toMatch(/NetworkLoadBalancer|NLB/)
  })
})
