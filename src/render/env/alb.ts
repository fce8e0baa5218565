// Application Load Balancers: a public one (HTTP, HTTPS with the manifest's certificates, ssl_policy,
// source_ips) while a Load Balanced Web Service needs it, an internal one while a Backend Service with
// `http` needs it. Whether they exist is a parameter (the workloads that need them), computed at deploy.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {getAtt, ref, type TemplateBuilder} from '../template.js'
import type {NetworkRefs} from './network.js'

export const CREATE_ALB = 'CreateALB'
export const CREATE_INTERNAL_ALB = 'CreateInternalALB'
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06'

const notFound = [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found'}}]

export function renderPublicAlb(t: TemplateBuilder, manifest: EnvironmentManifest, net: NetworkRefs): {https: boolean} {
  const pub = manifest.http?.public
  const certificates = pub?.certificates ?? []
  const https = certificates.length > 0
  t.condition(CREATE_ALB, {'Fn::Not': [{'Fn::Equals': [ref('ALBWorkloads'), '']}]})
  const sources = pub?.ingress?.source_ips?.length ? pub.ingress.source_ips : ['0.0.0.0/0']
  const ingress = sources.flatMap((CidrIp) => [
    {CidrIp, Description: `HTTP from ${CidrIp}`, FromPort: 80, ToPort: 80, IpProtocol: 'tcp'},
    ...(https ? [{CidrIp, Description: `HTTPS from ${CidrIp}`, FromPort: 443, ToPort: 443, IpProtocol: 'tcp'}] : []),
  ])
  t.resource(
    'PublicHTTPLoadBalancerSecurityGroup',
    'AWS::EC2::SecurityGroup',
    'Security group of the public load balancer',
    {GroupDescription: 'Access to the public facing load balancer', SecurityGroupIngress: ingress, VpcId: net.vpcId},
    {condition: CREATE_ALB},
  )
  t.resource(
    'EnvironmentSecurityGroupIngressFromPublicALB',
    'AWS::EC2::SecurityGroupIngress',
    'Traffic from the public load balancer to the tasks',
    {
      Description: 'Ingress from the public ALB',
      GroupId: ref('EnvironmentSecurityGroup'),
      IpProtocol: '-1',
      SourceSecurityGroupId: ref('PublicHTTPLoadBalancerSecurityGroup'),
    },
    {condition: CREATE_ALB},
  )
  const accessLogs = pub?.access_logs
  const attributes =
    accessLogs && typeof accessLogs === 'object' && accessLogs.bucket_name
      ? [
          {Key: 'access_logs.s3.enabled', Value: 'true'},
          {Key: 'access_logs.s3.bucket', Value: accessLogs.bucket_name},
          ...(accessLogs.prefix ? [{Key: 'access_logs.s3.prefix', Value: accessLogs.prefix}] : []),
        ]
      : undefined
  t.resource(
    'PublicLoadBalancer',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'Public Application Load Balancer',
    {
      Type: 'application',
      Scheme: 'internet-facing',
      SecurityGroups: [getAtt('PublicHTTPLoadBalancerSecurityGroup', 'GroupId')],
      Subnets: net.publicSubnets,
      ...(attributes ? {LoadBalancerAttributes: attributes} : {}),
    },
    {condition: CREATE_ALB, dependsOn: net.internetReady},
  )
  t.resource(
    'HTTPListener',
    'AWS::ElasticLoadBalancingV2::Listener',
    https ? 'HTTP listener of the public load balancer, redirecting to HTTPS' : 'HTTP listener of the public load balancer',
    {
      LoadBalancerArn: ref('PublicLoadBalancer'),
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: https
        ? [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}]
        : notFound,
    },
    {condition: CREATE_ALB},
  )
  if (https) {
    t.resource(
      'HTTPSListener',
      'AWS::ElasticLoadBalancingV2::Listener',
      'HTTPS listener of the public load balancer',
      {
        LoadBalancerArn: ref('PublicLoadBalancer'),
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{CertificateArn: certificates[0]}],
        SslPolicy: pub?.ssl_policy ?? DEFAULT_SSL_POLICY,
        DefaultActions: notFound,
      },
      {condition: CREATE_ALB},
    )
    if (certificates.length > 1) {
      t.resource(
        'HTTPSListenerCertificates',
        'AWS::ElasticLoadBalancingV2::ListenerCertificate',
        'Additional certificates of the HTTPS listener',
        {ListenerArn: ref('HTTPSListener'), Certificates: certificates.slice(1).map((CertificateArn) => ({CertificateArn}))},
        {condition: CREATE_ALB},
      )
    }
  }
  return {https}
}

export function renderInternalAlb(t: TemplateBuilder, manifest: EnvironmentManifest, net: NetworkRefs): {https: boolean} {
  const priv = manifest.http?.private
  const certificates = priv?.certificates ?? []
  const https = certificates.length > 0
  t.condition(CREATE_INTERNAL_ALB, {'Fn::Not': [{'Fn::Equals': [ref('InternalALBWorkloads'), '']}]})
  const port = https ? 443 : 80
  t.resource(
    'InternalLoadBalancerSecurityGroup',
    'AWS::EC2::SecurityGroup',
    'Security group of the internal load balancer',
    {GroupDescription: 'Access to the internal load balancer', VpcId: net.vpcId},
    {condition: CREATE_INTERNAL_ALB},
  )
  t.resource(
    'InternalLoadBalancerSecurityGroupIngressFromEnvironment',
    'AWS::EC2::SecurityGroupIngress',
    'Traffic from the environment’s tasks to the internal load balancer',
    {
      Description: 'Ingress from tasks in the environment',
      GroupId: ref('InternalLoadBalancerSecurityGroup'),
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      SourceSecurityGroupId: ref('EnvironmentSecurityGroup'),
    },
    {condition: CREATE_INTERNAL_ALB},
  )
  // Copilot opened the internal load balancer to 0.0.0.0/0 here: it has no public address, so that is
  // the VPC and what is peered or routed to it; an imported VPC's CIDR is not known to the template.
  if (priv?.ingress?.vpc) {
    t.resource(
      'InternalLoadBalancerSecurityGroupIngressFromVPC',
      'AWS::EC2::SecurityGroupIngress',
      'Traffic from the whole VPC to the internal load balancer',
      {Description: 'Ingress from the VPC', GroupId: ref('InternalLoadBalancerSecurityGroup'), IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: net.vpcCidr ?? '0.0.0.0/0'},
      {condition: CREATE_INTERNAL_ALB},
    )
  }
  t.resource(
    'EnvironmentSecurityGroupIngressFromInternalALB',
    'AWS::EC2::SecurityGroupIngress',
    'Traffic from the internal load balancer to the tasks',
    {
      Description: 'Ingress from the internal ALB',
      GroupId: ref('EnvironmentSecurityGroup'),
      IpProtocol: '-1',
      SourceSecurityGroupId: ref('InternalLoadBalancerSecurityGroup'),
    },
    {condition: CREATE_INTERNAL_ALB},
  )
  t.resource(
    'InternalLoadBalancer',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'Internal Application Load Balancer',
    {
      Type: 'application',
      Scheme: 'internal',
      SecurityGroups: [getAtt('InternalLoadBalancerSecurityGroup', 'GroupId')],
      Subnets: priv?.subnets?.length ? priv.subnets : net.privateSubnets,
    },
    {condition: CREATE_INTERNAL_ALB},
  )
  // As Copilot did: without certificates, a private hosted zone `<env>.<app>.internal` in the VPC,
  // where each Backend Service behind the internal load balancer gets `<name>.<env>.<app>.internal`.
  if (!https) {
    t.resource(
      'InternalWorkloadsHostedZone',
      'AWS::Route53::HostedZone',
      'Private hosted zone <env>.<app>.internal for the Backend Services behind the internal load balancer',
      {Name: {'Fn::Sub': '${EnvironmentName}.${AppName}.internal'}, VPCs: [{VPCId: net.vpcId, VPCRegion: ref('AWS::Region')}]},
      {condition: CREATE_INTERNAL_ALB},
    )
  }
  t.resource(
    https ? 'InternalHTTPSListener' : 'InternalHTTPListener',
    'AWS::ElasticLoadBalancingV2::Listener',
    `${https ? 'HTTPS' : 'HTTP'} listener of the internal load balancer`,
    {
      LoadBalancerArn: ref('InternalLoadBalancer'),
      Port: port,
      Protocol: https ? 'HTTPS' : 'HTTP',
      ...(https ? {Certificates: [{CertificateArn: certificates[0]}], SslPolicy: priv?.ssl_policy ?? DEFAULT_SSL_POLICY} : {}),
      DefaultActions: notFound,
    },
    {condition: CREATE_INTERNAL_ALB},
  )
  // With HTTPS, Copilot kept the internal load balancer's HTTP listener, redirecting to HTTPS (a
  // Backend Service's http rules did, whatever its redirect_to_https); clients of port 80 keep working.
  if (https) renderInternalRedirect(t, Boolean(priv?.ingress?.vpc), net)
  return {https}
}

function renderInternalRedirect(t: TemplateBuilder, fromVpc: boolean, net: NetworkRefs): void {
  const ingress = (id: string, description: string, from: Record<string, unknown>) =>
    t.resource(id, 'AWS::EC2::SecurityGroupIngress', description, {GroupId: ref('InternalLoadBalancerSecurityGroup'), IpProtocol: 'tcp', FromPort: 80, ToPort: 80, ...from}, {condition: CREATE_INTERNAL_ALB})
  ingress('InternalLoadBalancerSecurityGroupIngressFromEnvironmentHTTP', 'HTTP from the environment’s tasks to the internal load balancer, redirected to HTTPS', {
    Description: 'HTTP ingress from tasks in the environment',
    SourceSecurityGroupId: ref('EnvironmentSecurityGroup'),
  })
  if (fromVpc) ingress('InternalLoadBalancerSecurityGroupIngressFromVPCHTTP', 'HTTP from the whole VPC to the internal load balancer, redirected to HTTPS', {Description: 'HTTP ingress from the VPC', CidrIp: net.vpcCidr ?? '0.0.0.0/0'})
  t.resource(
    'InternalHTTPListener',
    'AWS::ElasticLoadBalancingV2::Listener',
    'HTTP listener of the internal load balancer, redirecting to HTTPS',
    {
      LoadBalancerArn: ref('InternalLoadBalancer'),
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}],
    },
    {condition: CREATE_INTERNAL_ALB},
  )
}
