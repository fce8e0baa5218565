// EC2 networking (VPC, subnets, gateways, routes, security groups, EIPs, NAT gateways, flow logs):
// recorded with realistic identifiers and attributes so references resolve; locally every task
// shares the host's loopback network, so nothing here changes how traffic flows.

import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import type {RecordStore} from './records.js'
import {ec2Id, randomSuffix} from './util.js'

interface RecordedSpec {
  type: string
  required?: string[]
  immutable: string[]
  newId(props: Record<string, any>, ctx: ProviderContext): string
  /** Checks the properties; returns the attributes (fresh ones on create, `previous` kept on update). */
  attributes(id: string, props: Record<string, any>, ctx: ProviderContext, previous?: Record<string, unknown>): Record<string, unknown>
}

function cidrRange(cidr: unknown, what: string): [number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(String(cidr))
  const parts = m ? m.slice(1, 5).map(Number) : []
  const len = m ? Number(m[5]) : -1
  if (!m || parts.some((p) => p > 255) || len < 0 || len > 32) {
    throw new ProviderError(`Resource handler returned message: "Value (${String(cidr)}) for parameter cidrBlock is invalid. This is not a valid CIDR block. (Service: Ec2, Status Code: 400)" (HandlerErrorCode: InvalidRequest) for ${what}`)
  }
  const start = (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0
  const size = 2 ** (32 - len)
  return [start - (start % size), start - (start % size) + size - 1]
}

function recorded(records: RecordStore, spec: RecordedSpec): ResourceProvider {
  return {
    required: spec.required ?? [],
    immutable: spec.immutable,
    async create(props, ctx) {
      const id = spec.newId(props, ctx)
      const attributes = spec.attributes(id, props, ctx)
      records.put(spec.type, id, {props, attributes})
      return {physicalId: id, attributes}
    },
    async update(id, props, _old, ctx) {
      const previous = records.get(spec.type, id)?.attributes as Record<string, unknown> | undefined
      const attributes = spec.attributes(id, props, ctx, previous)
      records.put(spec.type, id, {props, attributes})
      return {physicalId: id, attributes}
    },
    async delete(id) {
      records.remove(spec.type, id)
    },
  }
}

function zoneId(zone: string): string {
  const letters = 'abcdef'
  const i = letters.indexOf(zone.slice(-1))
  return `use1-az${i < 0 ? 1 : i + 1}`
}

export function registerEc2Providers(registry: ProviderRegistry, records: RecordStore): void {
  const vpc = (id: unknown): Record<string, any> => {
    const rec = records.get('AWS::EC2::VPC', String(id))
    if (!rec) throw new ProviderError(`Resource handler returned message: "The vpc ID '${String(id)}' does not exist (Service: Ec2, Status Code: 400)" (HandlerErrorCode: NotFound)`)
    return rec
  }
  const add = (spec: RecordedSpec) => registry.register(spec.type, recorded(records, spec))

  add({
    type: 'AWS::EC2::VPC', required: ['CidrBlock'], immutable: ['CidrBlock', 'InstanceTenancy', 'Ipv4IpamPoolId'],
    newId: () => ec2Id('vpc'),
    attributes(id, props, _ctx, prev) {
      const [start, end] = cidrRange(props.CidrBlock, 'the VPC')
      if (end - start + 1 > 65536 || end - start + 1 < 16) {
        throw new ProviderError(`Resource handler returned message: "The CIDR '${props.CidrBlock}' is invalid. (Service: Ec2, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`)
      }
      return prev ?? {VpcId: id, CidrBlock: String(props.CidrBlock), CidrBlockAssociations: [ec2Id('vpc-cidr-assoc')],
        DefaultNetworkAcl: ec2Id('acl'), DefaultSecurityGroup: ec2Id('sg'), Ipv6CidrBlocks: []}
    },
  })
  add({
    type: 'AWS::EC2::Subnet', required: ['VpcId'], immutable: ['VpcId', 'CidrBlock', 'AvailabilityZone', 'AvailabilityZoneId', 'Ipv6CidrBlock'],
    newId: () => ec2Id('subnet'),
    attributes(id, props, ctx, prev) {
      const parent = vpc(props.VpcId)
      const [s, e] = cidrRange(props.CidrBlock, 'the subnet')
      const [vs, ve] = cidrRange(parent.attributes.CidrBlock, 'the VPC')
      if (s < vs || e > ve) {
        throw new ProviderError(`Resource handler returned message: "The CIDR '${props.CidrBlock}' is invalid. (Service: Ec2, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`)
      }
      const zone = String(props.AvailabilityZone ?? `${ctx.region}a`)
      return {SubnetId: id, VpcId: String(props.VpcId), AvailabilityZone: zone, AvailabilityZoneId: zoneId(zone),
        CidrBlock: String(props.CidrBlock), NetworkAclAssociationId: (prev?.NetworkAclAssociationId as string) ?? ec2Id('aclassoc'),
        Ipv6CidrBlocks: [], OutpostArn: ''}
    },
  })
  add({type: 'AWS::EC2::InternetGateway', immutable: [], newId: () => ec2Id('igw'), attributes: (id) => ({InternetGatewayId: id})})
  add({
    type: 'AWS::EC2::VPCGatewayAttachment', required: ['VpcId'], immutable: ['VpcId'],
    newId: (props) => `IGW|${String(props.VpcId)}`,
    attributes(_id, props) {
      vpc(props.VpcId)
      if (!props.InternetGatewayId && !props.VpnGatewayId) {
        throw new ProviderError('Properties validation failed for resource with message: #: only 1 subschema matches out of 2')
      }
      return {}
    },
  })
  add({
    type: 'AWS::EC2::RouteTable', required: ['VpcId'], immutable: ['VpcId'], newId: () => ec2Id('rtb'),
    attributes(id, props) {
      vpc(props.VpcId)
      return {RouteTableId: id}
    },
  })
  add({
    type: 'AWS::EC2::Route', required: ['RouteTableId'], immutable: ['RouteTableId', 'DestinationCidrBlock', 'DestinationIpv6CidrBlock'],
    newId: (props) => `${String(props.RouteTableId)}|${String(props.DestinationCidrBlock ?? props.DestinationIpv6CidrBlock)}`,
    attributes(_id, props) {
      if (props.DestinationCidrBlock !== undefined) cidrRange(props.DestinationCidrBlock, 'the route')
      return {CidrBlock: props.DestinationCidrBlock}
    },
  })
  add({
    type: 'AWS::EC2::SubnetRouteTableAssociation', required: ['RouteTableId', 'SubnetId'], immutable: ['SubnetId'],
    newId: () => ec2Id('rtbassoc'), attributes: (id) => ({Id: id}),
  })
  add({
    type: 'AWS::EC2::SecurityGroup', required: ['GroupDescription'], immutable: ['GroupDescription', 'GroupName', 'VpcId'],
    newId: () => ec2Id('sg'),
    attributes(id, props) {
      if (props.VpcId !== undefined) vpc(props.VpcId)
      return {GroupId: id, VpcId: props.VpcId ?? ''}
    },
  })
  for (const dir of ['Ingress', 'Egress']) {
    add({
      type: `AWS::EC2::SecurityGroup${dir}`, required: dir === 'Egress' ? ['GroupId', 'IpProtocol'] : ['IpProtocol'],
      immutable: ['GroupId', 'GroupName', 'IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'CidrIpv6', 'SourceSecurityGroupId',
        'SourceSecurityGroupName', 'SourceSecurityGroupOwnerId', 'SourcePrefixListId', 'DestinationSecurityGroupId', 'DestinationPrefixListId'],
      newId: () => ec2Id('sgr'), attributes: (id) => ({Id: id}),
    })
  }
  add({
    type: 'AWS::EC2::EIP', immutable: ['Domain'],
    newId: () => `198.51.100.${1 + Math.floor(Math.random() * 254)}`,
    attributes: (id, _props, _ctx, prev) => prev ?? {AllocationId: ec2Id('eipalloc'), PublicIp: id},
  })
  add({
    type: 'AWS::EC2::NatGateway', required: ['SubnetId'], immutable: ['SubnetId', 'AllocationId', 'ConnectivityType', 'PrivateIpAddress'],
    newId: () => ec2Id('nat'), attributes: (id) => ({NatGatewayId: id}),
  })
  add({
    type: 'AWS::EC2::FlowLog', required: ['ResourceId', 'ResourceType'],
    immutable: ['ResourceId', 'ResourceType', 'TrafficType', 'LogDestination', 'LogDestinationType', 'LogGroupName', 'DeliverLogsPermissionArn', 'LogFormat', 'MaxAggregationInterval'],
    newId: () => `fl-${randomSuffix(17, '0123456789abcdef')}`, attributes: (id) => ({Id: id}),
  })
}
