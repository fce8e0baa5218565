// Application Load Balancers: a public one (HTTP, HTTPS with the manifest's certificates, ssl_policy,
// source_ips) while a Load Balanced Web Service needs it, an internal one while a Backend Service with
// `http` needs it. Whether they exist is a parameter (the workloads that need them), computed at deploy.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {getAtt, ifCond, NO_VALUE, ref, sub, type TemplateBuilder} from '../template.js'
import type {NetworkRefs} from './network.js'
import {publicIngressRules} from './public-ingress.js'

export const CREATE_ALB = 'CreateALB'
export const CREATE_INTERNAL_ALB = 'CreateInternalALB'
const EXPORT_HTTPS = 'ExportHTTPSListener'
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06'

const nameTag = (suffix: string) => [{Key: 'Name', Value: sub(`copilot-\${AppName}-\${EnvironmentName}-${suffix}`)}]

/** The empty target group Copilot created for each load balancer (its listeners once forwarded to it):
 * kept so that taking over a Copilot environment removes nothing; Pier's listeners answer 404 instead. */
function defaultTargetGroup(t: TemplateBuilder, id: string, condition: string, net: NetworkRefs): void {
  t.resource(
    id,
    'AWS::ElasticLoadBalancingV2::TargetGroup',
    'Empty target group of the load balancer (kept from Copilot’s environments)',
    {
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      HealthCheckTimeoutSeconds: 5,
      Port: 80,
      Protocol: 'HTTP',
      TargetGroupAttributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '60'}],
      TargetType: 'ip',
      VpcId: net.vpcId,
    },
    {condition},
  )
}

const notFound = [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found'}}]
const toHttps = {Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}

export function renderPublicAlb(t: TemplateBuilder, manifest: EnvironmentManifest, net: NetworkRefs, cloudFrontPrefixListId?: string): {https: boolean} {
  const pub = manifest.http?.public
  const certificates = pub?.certificates ?? []
  const https = certificates.length > 0
  t.condition(CREATE_ALB, {'Fn::Not': [{'Fn::Equals': [ref('ALBWorkloads'), '']}]})
  // Copilot's names, descriptions and split (one group per port, the HTTPS one switched by a parameter):
  // a group's description cannot change without replacing it, and users' overrides name these IDs.
  t.parameter('CreateHTTPSListener', https ? 'true' : 'false', {description: 'Whether the public load balancer has an HTTPS listener'})
  t.condition(EXPORT_HTTPS, {'Fn::And': [{Condition: CREATE_ALB}, {'Fn::Equals': [ref('CreateHTTPSListener'), 'true']}]})
  const ingress = (port: number) => publicIngressRules(manifest, port, cloudFrontPrefixListId)
  for (const [scheme, port, condition] of [['HTTP', 80, CREATE_ALB], ['HTTPS', 443, EXPORT_HTTPS]] as const) {
    t.resource(
      `Public${scheme}LoadBalancerSecurityGroup`,
      'AWS::EC2::SecurityGroup',
      `Security group of the public load balancer, allowing ${scheme} traffic`,
      {GroupDescription: `${scheme} access to the public facing load balancer`, SecurityGroupIngress: ingress(port), VpcId: net.vpcId, Tags: nameTag(scheme === 'HTTP' ? 'lb-http' : 'lb-https')},
      {condition},
    )
    t.resource(
      `Environment${scheme}SecurityGroupIngressFromPublicALB`,
      'AWS::EC2::SecurityGroupIngress',
      `${scheme} traffic from the public load balancer to the tasks`,
      {
        Description: `${scheme} ingress from the public ALB`,
        GroupId: ref('EnvironmentSecurityGroup'),
        IpProtocol: '-1',
        SourceSecurityGroupId: ref(`Public${scheme}LoadBalancerSecurityGroup`),
      },
      {condition},
    )
  }
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
      SecurityGroups: [getAtt('PublicHTTPLoadBalancerSecurityGroup', 'GroupId'), ifCond(EXPORT_HTTPS, getAtt('PublicHTTPSLoadBalancerSecurityGroup', 'GroupId'), NO_VALUE)],
      Subnets: net.publicSubnets,
      ...(attributes ? {LoadBalancerAttributes: attributes} : {}),
    },
    {condition: CREATE_ALB, dependsOn: net.internetReady},
  )
  defaultTargetGroup(t, 'DefaultHTTPTargetGroup', CREATE_ALB, net)
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
  t.resource(
    'InternalLoadBalancerSecurityGroup',
    'AWS::EC2::SecurityGroup',
    'Security group of the internal load balancer',
    {GroupDescription: 'Access to the internal load balancer', VpcId: net.vpcId, Tags: nameTag('internal-lb')},
    {condition: CREATE_INTERNAL_ALB},
  )
  t.resource(
    'InternalALBIngressFromEnvironmentSecurityGroup',
    'AWS::EC2::SecurityGroupIngress',
    'Traffic from the environment’s tasks to the internal load balancer',
    {
      Description: 'Ingress from the env security group',
      GroupId: ref('InternalLoadBalancerSecurityGroup'),
      IpProtocol: '-1',
      SourceSecurityGroupId: ref('EnvironmentSecurityGroup'),
    },
    {condition: CREATE_INTERNAL_ALB},
  )
  // Copilot opened the internal load balancer to 0.0.0.0/0 here: it has no public address, so that is
  // the VPC and what is peered or routed to it; an imported VPC's CIDR is not known to the template.
  if (priv?.ingress?.vpc) {
    for (const [scheme, port] of [['Http', 80], ...(https ? [['Https', 443]] : [])] as [string, number][]) {
      t.resource(
        `InternalLoadBalancerSecurityGroupIngressFrom${scheme}`,
        'AWS::EC2::SecurityGroupIngress',
        `Traffic from the whole VPC to the internal load balancer on port ${port}`,
        {Description: `Allow from within the VPC on port ${port}`, GroupId: ref('InternalLoadBalancerSecurityGroup'), IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: net.vpcCidr ?? '0.0.0.0/0'},
        {condition: CREATE_INTERNAL_ALB},
      )
    }
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
  defaultTargetGroup(t, 'DefaultInternalHTTPTargetGroup', CREATE_INTERNAL_ALB, net)
  // The HTTP listener exists with HTTPS too, as in Copilot's environments (a listener's ARN is what
  // workload stacks attach their rules to): with certificates, services are routed on the HTTPS one,
  // and the HTTP listener redirects to it (Copilot's Backend Services redirected each of their rules).
  const listener = (id: string, port: number, description: string, extra: Record<string, unknown>, actions: unknown[]) =>
    t.resource(
      id,
      'AWS::ElasticLoadBalancingV2::Listener',
      description,
      {LoadBalancerArn: ref('InternalLoadBalancer'), Port: port, Protocol: port === 443 ? 'HTTPS' : 'HTTP', ...extra, DefaultActions: actions},
      {condition: CREATE_INTERNAL_ALB},
    )
  listener('InternalHTTPListener', 80, https ? 'HTTP listener of the internal load balancer, redirecting to HTTPS' : 'HTTP listener of the internal load balancer', {}, https ? [toHttps] : notFound)
  if (https) listener('InternalHTTPSListener', 443, 'HTTPS listener of the internal load balancer', {Certificates: [{CertificateArn: certificates[0]}], SslPolicy: priv?.ssl_policy ?? DEFAULT_SSL_POLICY}, notFound)
  // The private hosted zone Copilot made for aliases of services behind the internal load balancer.
  t.resource(
    'InternalWorkloadsHostedZone',
    'AWS::Route53::HostedZone',
    'Private hosted zone for aliases of services behind the internal load balancer',
    {Name: sub('${EnvironmentName}.${AppName}.internal'), VPCs: [{VPCId: net.vpcId, VPCRegion: ref('AWS::Region')}]},
    {condition: CREATE_INTERNAL_ALB},
  )
  return {https}
}

