// The environment's network: a new VPC with public and private subnets in two AZs, internet gateway,
// and NAT gateways only while a workload in private subnets needs them; or an imported VPC.

import type {EnvironmentManifest, SubnetConfig} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import {getAtt, join, ref, select, sub, type TemplateBuilder} from '../template.js'

export const CREATE_NAT = 'CreateNATGateways'

/** Copilot's Name tags (first in each list, where users' `cfn.patches.yml` overrides find them). */
const nameTag = (suffix = '') => [{Key: 'Name', Value: sub(`copilot-\${AppName}-\${EnvironmentName}${suffix}`)}]

export interface NetworkRefs {
  vpcId: unknown
  vpcCidr?: unknown
  publicSubnets: unknown[]
  privateSubnets: unknown[]
  /** Resources that must exist before anything reaches the internet (the gateway attachment). */
  internetReady: string[]
  /** A created VPC's gateway and route tables, exported as Copilot's environments export them. */
  routing?: {internetGateway: unknown; publicRouteTable: unknown; privateRouteTables: unknown[]}
}

const DEFAULT_PUBLIC: SubnetConfig[] = [{cidr: '10.0.0.0/24'}, {cidr: '10.0.1.0/24'}]
const DEFAULT_PRIVATE: SubnetConfig[] = [{cidr: '10.0.2.0/24'}, {cidr: '10.0.3.0/24'}]

export function renderNetwork(t: TemplateBuilder, manifest: EnvironmentManifest): NetworkRefs {
  const vpc = manifest.network?.vpc
  if (vpc?.id) return importedNetwork(vpc.id, vpc.subnets)
  return createdNetwork(t, vpc?.cidr ?? '10.0.0.0/16', vpc?.subnets?.public ?? DEFAULT_PUBLIC, vpc?.subnets?.private ?? DEFAULT_PRIVATE)
}

function importedNetwork(vpcId: string, subnets: {public?: SubnetConfig[]; private?: SubnetConfig[]} | undefined): NetworkRefs {
  const ids = (list: SubnetConfig[] | undefined, kind: string) =>
    (list ?? []).map((s, i) => {
      if (!s.id) throw new RenderError(`network.vpc.subnets.${kind}[${i}] has no id: an imported VPC (network.vpc.id) needs subnet ids`)
      return s.id
    })
  const publicSubnets = ids(subnets?.public, 'public')
  const privateSubnets = ids(subnets?.private, 'private')
  if (publicSubnets.length + privateSubnets.length === 0) {
    throw new RenderError('network.vpc.id is set but no subnets are listed: list the subnet ids under network.vpc.subnets')
  }
  return {vpcId, publicSubnets, privateSubnets, internetReady: []}
}

function az(s: SubnetConfig, i: number): unknown {
  return s.az ?? select(i, {'Fn::GetAZs': ''})
}

function createdNetwork(t: TemplateBuilder, cidr: string, pub: SubnetConfig[], priv: SubnetConfig[]): NetworkRefs {
  t.resource('VPC', 'AWS::EC2::VPC', 'Virtual private cloud holding the environment', {
    CidrBlock: cidr,
    EnableDnsHostnames: true,
    EnableDnsSupport: true,
    InstanceTenancy: 'default',
    Tags: nameTag(),
  })
  t.resource('InternetGateway', 'AWS::EC2::InternetGateway', 'Internet gateway for the public subnets', {Tags: nameTag()})
  t.resource('InternetGatewayAttachment', 'AWS::EC2::VPCGatewayAttachment', 'Attachment of the internet gateway to the VPC', {
    InternetGatewayId: ref('InternetGateway'),
    VpcId: ref('VPC'),
  })
  t.resource('PublicRouteTable', 'AWS::EC2::RouteTable', 'Routing table for the public subnets', {VpcId: ref('VPC'), Tags: nameTag()})
  t.resource(
    'DefaultPublicRoute',
    'AWS::EC2::Route',
    'Route from the public subnets to the internet',
    {RouteTableId: ref('PublicRouteTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('InternetGateway')},
    {dependsOn: ['InternetGatewayAttachment']},
  )
  const publicSubnets = pub.map((s, i) => {
    const id = `PublicSubnet${i + 1}`
    t.resource(id, 'AWS::EC2::Subnet', `Public subnet ${i + 1}`, {
      CidrBlock: s.cidr ?? DEFAULT_PUBLIC[i]?.cidr ?? `10.0.${i}.0/24`,
      VpcId: ref('VPC'),
      AvailabilityZone: az(s, i),
      MapPublicIpOnLaunch: true,
      Tags: nameTag(`-pub${i}`),
    })
    t.resource(`${id}RouteTableAssociation`, 'AWS::EC2::SubnetRouteTableAssociation', `Route table of public subnet ${i + 1}`, {
      RouteTableId: ref('PublicRouteTable'),
      SubnetId: ref(id),
    })
    return ref(id)
  })
  t.condition(CREATE_NAT, {'Fn::Not': [{'Fn::Equals': [ref('NATWorkloads'), '']}]})
  const privateSubnets = priv.map((s, i) => {
    const n = i + 1
    const id = `PrivateSubnet${n}`
    t.resource(id, 'AWS::EC2::Subnet', `Private subnet ${n}`, {
      CidrBlock: s.cidr ?? DEFAULT_PRIVATE[i]?.cidr ?? `10.0.${i + 2}.0/24`,
      VpcId: ref('VPC'),
      AvailabilityZone: az(s, i),
      MapPublicIpOnLaunch: false,
      Tags: nameTag(`-priv${i}`),
    })
    t.resource(`PrivateRouteTable${n}`, 'AWS::EC2::RouteTable', `Routing table for private subnet ${n}`, {VpcId: ref('VPC')})
    t.resource(`PrivateRouteTable${n}Association`, 'AWS::EC2::SubnetRouteTableAssociation', `Route table of private subnet ${n}`, {
      RouteTableId: ref(`PrivateRouteTable${n}`),
      SubnetId: ref(id),
    })
    // One NAT gateway per AZ, in the public subnet of the same index, while private workloads exist.
    const publicIndex = Math.min(i, pub.length - 1)
    if (publicIndex >= 0) {
      t.resource(
        `NatGateway${n}Attachment`,
        'AWS::EC2::EIP',
        `Elastic IP of NAT gateway ${n}`,
        {Domain: 'vpc'},
        {condition: CREATE_NAT, dependsOn: ['InternetGatewayAttachment']},
      )
      t.resource(
        `NatGateway${n}`,
        'AWS::EC2::NatGateway',
        `NAT gateway ${n}, egress for tasks in private subnet ${n}`,
        {AllocationId: getAtt(`NatGateway${n}Attachment`, 'AllocationId'), SubnetId: publicSubnets[publicIndex], Tags: nameTag(`-${i}`)},
        {condition: CREATE_NAT},
      )
      t.resource(
        `PrivateRoute${n}`,
        'AWS::EC2::Route',
        `Route from private subnet ${n} through its NAT gateway`,
        {RouteTableId: ref(`PrivateRouteTable${n}`), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref(`NatGateway${n}`)},
        {condition: CREATE_NAT},
      )
    }
    return ref(id)
  })
  return {
    vpcId: ref('VPC'), vpcCidr: getAtt('VPC', 'CidrBlock'), publicSubnets, privateSubnets, internetReady: ['InternetGatewayAttachment'],
    routing: {internetGateway: ref('InternetGateway'), publicRouteTable: ref('PublicRouteTable'), privateRouteTables: priv.map((_s, i) => ref(`PrivateRouteTable${i + 1}`))},
  }
}

export const joinSubnets = (subnets: unknown[]): unknown => join(',', subnets)
