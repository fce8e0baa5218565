// A Network Load Balancer owned by the service (`nlb`): public subnets, its own security group, one
// listener and target group (type ip) per listener, and access from it into the environment's tasks.
// Logical IDs and the group's description are Copilot's: taking over a Copilot service keeps the load
// balancer, and with it the address its clients know.

import type {NlbListener} from '../../manifest/types.js'
import {wholeSeconds} from '../duration.js'
import {RenderError} from '../errors.js'
import {ENV_OUTPUTS, workloadStackName} from '../names.js'
import {compact, getAtt, type Json, ref, split, sub} from '../template.js'
import {envImport, portNumber, targetContainer, type WorkloadContext} from './context.js'

/** Copilot's logical ID of a service's network load balancer (its second version, on which the
 * security group was added). */
export const NLB = 'PublicNetworkLoadBalancerV2'

const PROTOCOLS: Record<string, {listener: string; target: string; ip: string}> = {
  tcp: {listener: 'TCP', target: 'TCP', ip: 'tcp'},
  udp: {listener: 'UDP', target: 'UDP', ip: 'udp'},
  tcp_udp: {listener: 'TCP_UDP', target: 'TCP_UDP', ip: '-1'},
  tls: {listener: 'TLS', target: 'TCP', ip: 'tcp'},
}

function parsePort(port: string): {port: number; protocol: (typeof PROTOCOLS)[string]} {
  const [p, proto = 'tcp'] = String(port).split('/')
  const protocol = PROTOCOLS[proto.toLowerCase()]
  if (!protocol || !Number.isInteger(Number(p))) throw new RenderError(`nlb.port "${port}" is not valid: write it like 443/tls, 8080/tcp or 53/udp`)
  return {port: Number(p), protocol}
}

/** A port a load balancer sends to, and the protocols the container must map it with. */
export interface RoutedPort {
  ContainerName: string
  ContainerPort: number
  protocols: ('tcp' | 'udp')[]
}

export function renderNlb(ctx: WorkloadContext): {loadBalancers: Json[]; listeners: string[]; routed: RoutedPort[]} {
  const m = ctx.manifest
  if (m.type !== 'Load Balanced Web Service' || !m.nlb) return {loadBalancers: [], listeners: [], routed: []}
  const {additional_listeners: more, alias: _alias, ...main} = m.nlb
  const listeners: NlbListener[] = [main, ...(more ?? [])]
  ctx.t.resource('NetworkLoadBalancerSecurityGroup', 'AWS::EC2::SecurityGroup', 'Security group of the network load balancer', {
    GroupDescription: 'Allow traffic to the public facing load balancer on listener ports',
    VpcId: envImport(ctx, ENV_OUTPUTS.vpcId),
    SecurityGroupIngress: listeners.map((l) => {
      const {port, protocol} = parsePort(l.port)
      return {CidrIp: '0.0.0.0/0', IpProtocol: protocol.ip, FromPort: port, ToPort: port, Description: `Listener ${l.port}`}
    }),
    Tags: [{Key: 'Name', Value: sub(`copilot-\${AppName}-\${EnvName}-\${WorkloadName}-nlb`)}],
  })
  ctx.t.resource(NLB, 'AWS::ElasticLoadBalancingV2::LoadBalancer', `Network load balancer of ${ctx.name}`, {
    Type: 'network',
    Scheme: 'internet-facing',
    Subnets: split(',', envImport(ctx, ENV_OUTPUTS.publicSubnets)),
    SecurityGroups: [getAtt('NetworkLoadBalancerSecurityGroup', 'GroupId')],
  })
  const loadBalancers: Json[] = []
  const routed: RoutedPort[] = []
  const listenerIds: string[] = []
  listeners.forEach((l, i) => {
    const suffix = i === 0 ? '' : String(i)
    const {port, protocol} = parsePort(l.port)
    const container = targetContainer(ctx, 'nlb', l.target_container, l.target_port)
    // Copilot's default: the listener's port on the main container, a sidecar's own port on a sidecar.
    const sidecarPort = container === ctx.name ? undefined : portNumber(m.sidecars?.[container]?.port)
    const targetPort = l.target_port ?? sidecarPort ?? port
    const hc = l.healthcheck ?? {}
    const tg = `NetworkLoadBalancerTargetGroup${suffix}`
    ctx.t.resource(tg, 'AWS::ElasticLoadBalancingV2::TargetGroup', `Target group of ${container}:${targetPort} behind NLB port ${l.port}`, compact({
      TargetType: 'ip',
      Port: targetPort,
      Protocol: protocol.target,
      VpcId: envImport(ctx, ENV_OUTPUTS.vpcId),
      HealthCheckPort: hc.port === undefined ? undefined : String(hc.port),
      HealthyThresholdCount: hc.healthy_threshold,
      UnhealthyThresholdCount: hc.unhealthy_threshold,
      HealthCheckTimeoutSeconds: hc.timeout === undefined ? undefined : wholeSeconds(hc.timeout, 'nlb.healthcheck.timeout'),
      HealthCheckIntervalSeconds: hc.interval === undefined ? undefined : wholeSeconds(hc.interval, 'nlb.healthcheck.interval'),
      TargetGroupAttributes: [
        {Key: 'deregistration_delay.timeout_seconds', Value: String(wholeSeconds(l.deregistration_delay ?? '60s', 'nlb.deregistration_delay'))},
        ...(l.stickiness ? [{Key: 'stickiness.enabled', Value: 'true'}, {Key: 'stickiness.type', Value: 'source_ip'}] : []),
      ],
    }))
    let tls: Json = {}
    if (protocol.listener === 'TLS') {
      // The environment's first certificate: given by deploy, else imported from the environment stack.
      const facts = ctx.inputs.environment
      if (facts?.certificates && facts.certificates.length === 0 && facts.httpsListener === false) {
        throw new RenderError(`nlb.port "${l.port}" uses TLS but the environment has no certificate: add http.public.certificates to the environment manifest`)
      }
      const cert = facts?.certificates?.[0] ?? envImport(ctx, ENV_OUTPUTS.publicCertificate)
      tls = {Certificates: [{CertificateArn: cert}], SslPolicy: l.ssl_policy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06'}
    }
    const listenerId = `NLBListener${suffix}`
    ctx.t.resource(listenerId, 'AWS::ElasticLoadBalancingV2::Listener', `NLB listener on port ${l.port}`, {
      LoadBalancerArn: ref(NLB),
      Port: port,
      Protocol: protocol.listener,
      ...tls,
      DefaultActions: [{Type: 'forward', TargetGroupArn: ref(tg)}],
    })
    listenerIds.push(listenerId)
    loadBalancers.push({ContainerName: container, ContainerPort: targetPort, TargetGroupArn: ref(tg)})
    // As Copilot mapped it: a UDP listener's port as udp, TLS (ended at the listener) as tcp; TCP_UDP both.
    routed.push({ContainerName: container, ContainerPort: targetPort, protocols: protocol.ip === '-1' ? ['tcp', 'udp'] : protocol.ip === 'udp' ? ['udp'] : ['tcp']})
  })
  ctx.t.resource('EnvironmentSecurityGroupIngressFromNetworkLoadBalancerSecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'Traffic from the network load balancer to the tasks', {
    Description: `Ingress from the NLB of ${ctx.name}`,
    GroupId: envImport(ctx, ENV_OUTPUTS.environmentSecurityGroup),
    IpProtocol: '-1',
    SourceSecurityGroupId: getAtt('NetworkLoadBalancerSecurityGroup', 'GroupId'),
  })
  // Copilot's output and export: other stacks may import the address.
  ctx.t.output('PublicNetworkLoadBalancerDNSName', getAtt(NLB, 'DNSName'), {
    description: 'DNS name of the network load balancer',
    exportName: `${workloadStackName(ctx.app, ctx.env, ctx.name)}-PublicNetworkLoadBalancerDNSName`,
  })
  return {loadBalancers, listeners: listenerIds, routed}
}
