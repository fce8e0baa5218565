// The local network as EC2 describes it. One store of record with the CloudFormation engine: a VPC or
// subnet a stack created is described here, and one created here (`aws ec2 create-vpc`) can hold a
// stack's subnets and security groups. A default VPC with a subnet per zone exists from the start, as in
// a fresh AWS account, so environments that import a network have one to import.

import {randomBytes} from 'node:crypto'

import type {RecordStore} from '../cloudformation/providers/records.js'
import {ServiceError} from '../frontend/types.js'
import {contains, overlaps, parseCidr} from './cidr.js'

export const VPC = 'AWS::EC2::VPC'
export const SUBNET = 'AWS::EC2::Subnet'
export const SECURITY_GROUP = 'AWS::EC2::SecurityGroup'

export type Tags = {Key: string; Value: string}[]

export interface Vpc {
  vpcId: string
  cidrBlock: string
  isDefault: boolean
  defaultSecurityGroup: string
  tags: Tags
}

export interface Subnet {
  subnetId: string
  vpcId: string
  cidrBlock: string
  availabilityZone: string
  availabilityZoneId: string
  defaultForAz: boolean
  mapPublicIpOnLaunch: boolean
  tags: Tags
}

export interface SecurityGroup {
  groupId: string
  groupName: string
  description: string
  vpcId: string
  ingress: Record<string, unknown>[]
  egress: Record<string, unknown>[]
  tags: Tags
}

const newId = (prefix: string) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`
const tagsOf = (value: unknown): Tags => (Array.isArray(value) ? value.map((t) => ({Key: String(t.Key), Value: String(t.Value ?? '')})) : [])
const zoneId = (zone: string) => `use1-az${Math.max(1, 'abcdef'.indexOf(zone.slice(-1)) + 1)}`

export class LocalNetwork {
  constructor(private readonly records: RecordStore, private readonly region: string) {
    this.ensureDefaultVpc()
  }

  vpcs(): Vpc[] {
    return this.records.list(VPC).map(([id, r]) => ({
      vpcId: id,
      cidrBlock: String(r.attributes?.CidrBlock ?? r.props?.CidrBlock ?? ''),
      isDefault: r.isDefault === true,
      defaultSecurityGroup: String(r.attributes?.DefaultSecurityGroup ?? ''),
      tags: tagsOf(r.props?.Tags),
    }))
  }

  subnets(): Subnet[] {
    return this.records.list(SUBNET).map(([id, r]) => {
      const zone = String(r.attributes?.AvailabilityZone ?? r.props?.AvailabilityZone ?? `${this.region}a`)
      return {
        subnetId: id,
        vpcId: String(r.attributes?.VpcId ?? r.props?.VpcId ?? ''),
        cidrBlock: String(r.attributes?.CidrBlock ?? r.props?.CidrBlock ?? ''),
        availabilityZone: zone,
        availabilityZoneId: String(r.attributes?.AvailabilityZoneId ?? zoneId(zone)),
        defaultForAz: r.defaultForAz === true,
        mapPublicIpOnLaunch: r.props?.MapPublicIpOnLaunch === true || r.props?.MapPublicIpOnLaunch === 'true',
        tags: tagsOf(r.props?.Tags),
      }
    })
  }

  securityGroups(): SecurityGroup[] {
    const defaults = this.vpcs().map((v) => ({groupId: v.defaultSecurityGroup, groupName: 'default', description: 'default VPC security group',
      vpcId: v.vpcId, ingress: [], egress: [{IpProtocol: '-1', CidrIp: '0.0.0.0/0'}], tags: []}))
    const made = this.records.list(SECURITY_GROUP).map(([id, r]) => ({
      groupId: id,
      groupName: String(r.props?.GroupName ?? id),
      description: String(r.props?.GroupDescription ?? ''),
      vpcId: String(r.attributes?.VpcId ?? r.props?.VpcId ?? ''),
      ingress: Array.isArray(r.props?.SecurityGroupIngress) ? r.props.SecurityGroupIngress : [],
      egress: Array.isArray(r.props?.SecurityGroupEgress) ? r.props.SecurityGroupEgress : [{IpProtocol: '-1', CidrIp: '0.0.0.0/0'}],
      tags: tagsOf(r.props?.Tags),
    }))
    return [...defaults.filter((g) => g.groupId), ...made]
  }

  createVpc(cidrBlock: string, tags: Tags, opts: {isDefault?: boolean} = {}): Vpc {
    const range = parseCidr(cidrBlock)
    if (!range) throw new ServiceError('InvalidParameterValue', `Value (${cidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`)
    if (range.size > 65536 || range.size < 16) throw new ServiceError('InvalidVpc.Range', `The CIDR '${cidrBlock}' is invalid.`)
    const vpcId = newId('vpc')
    const attributes = {VpcId: vpcId, CidrBlock: cidrBlock, CidrBlockAssociations: [newId('vpc-cidr-assoc')], DefaultNetworkAcl: newId('acl'),
      DefaultSecurityGroup: newId('sg'), Ipv6CidrBlocks: []}
    this.records.put(VPC, vpcId, {props: {CidrBlock: cidrBlock, Tags: tags}, attributes, origin: 'ec2', ...(opts.isDefault ? {isDefault: true} : {})})
    this.records.flush()
    return this.vpcs().find((v) => v.vpcId === vpcId)!
  }

  createSubnet(input: {vpcId: string; cidrBlock: string; availabilityZone?: string; tags: Tags; defaultForAz?: boolean}): Subnet {
    const vpc = this.vpcs().find((v) => v.vpcId === input.vpcId)
    if (!vpc) throw vpcNotFound(input.vpcId)
    const range = parseCidr(input.cidrBlock)
    if (!range) throw new ServiceError('InvalidParameterValue', `Value (${input.cidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`)
    const vpcRange = parseCidr(vpc.cidrBlock)
    if (!vpcRange || !contains(vpcRange, range) || range.size < 16) throw new ServiceError('InvalidSubnet.Range', `The CIDR '${input.cidrBlock}' is invalid.`)
    if (this.subnets().some((s) => s.vpcId === vpc.vpcId && overlaps(parseCidr(s.cidrBlock) ?? {start: 1, end: 0, size: 0}, range))) {
      throw new ServiceError('InvalidSubnet.Conflict', `The CIDR '${input.cidrBlock}' conflicts with another subnet`)
    }
    const zone = input.availabilityZone ?? `${this.region}a`
    if (!zone.startsWith(this.region)) throw new ServiceError('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${this.region}a, ${this.region}b, ${this.region}c.`)
    const subnetId = newId('subnet')
    this.records.put(SUBNET, subnetId, {
      props: {VpcId: vpc.vpcId, CidrBlock: input.cidrBlock, AvailabilityZone: zone, Tags: input.tags, ...(input.defaultForAz ? {MapPublicIpOnLaunch: true} : {})},
      attributes: {SubnetId: subnetId, VpcId: vpc.vpcId, AvailabilityZone: zone, AvailabilityZoneId: zoneId(zone), CidrBlock: input.cidrBlock, Ipv6CidrBlocks: []},
      origin: 'ec2',
      ...(input.defaultForAz ? {defaultForAz: true} : {}),
    })
    this.records.flush()
    return this.subnets().find((s) => s.subnetId === subnetId)!
  }

  /** CreateTags / DeleteTags: `tags` with a Value set them; without one (DeleteTags) remove the key,
   * or only when the value matches. */
  retag(resourceIds: string[], change: (tags: Tags) => Tags): void {
    const kinds: Record<string, string> = {vpc: VPC, subnet: SUBNET, sg: SECURITY_GROUP}
    const found = resourceIds.map((id) => {
      const kind = kinds[id.split('-')[0]!]
      const record = kind ? this.records.get(kind, id) : undefined
      if (!kind || !record) {
        const code = id.startsWith('vpc-') ? 'InvalidVpcID.NotFound' : id.startsWith('subnet-') ? 'InvalidSubnetID.NotFound' : id.startsWith('sg-') ? 'InvalidGroup.NotFound' : 'InvalidID'
        throw new ServiceError(code, code === 'InvalidID' ? `The ID '${id}' is not valid` : `The ${id.split('-')[0] === 'sg' ? 'security group' : `${id.split('-')[0]} ID`} '${id}' does not exist`)
      }
      return {kind, id, record}
    })
    for (const {kind, id, record} of found) {
      this.records.put(kind, id, {...record, props: {...record.props, Tags: change(tagsOf(record.props?.Tags))}})
    }
    this.records.flush()
  }

  deleteVpc(vpcId: string): void {
    if (!this.records.get(VPC, vpcId)) throw vpcNotFound(vpcId)
    const inUse = this.subnets().some((s) => s.vpcId === vpcId) || this.records.list(SECURITY_GROUP).some(([, r]) => r.attributes?.VpcId === vpcId)
    if (inUse) throw new ServiceError('DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`)
    this.records.remove(VPC, vpcId)
    this.records.flush()
  }

  deleteSubnet(subnetId: string): void {
    if (!this.records.get(SUBNET, subnetId)) throw subnetNotFound(subnetId)
    this.records.remove(SUBNET, subnetId)
    this.records.flush()
  }

  private ensureDefaultVpc(): void {
    if (this.vpcs().some((v) => v.isDefault)) return
    const vpc = this.createVpc('172.31.0.0/16', [], {isDefault: true})
    ;['a', 'b', 'c'].forEach((zone, i) =>
      this.createSubnet({vpcId: vpc.vpcId, cidrBlock: `172.31.${i * 16}.0/20`, availabilityZone: `${this.region}${zone}`, tags: [], defaultForAz: true}),
    )
  }
}

export const vpcNotFound = (id: string) => new ServiceError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`)
export const subnetNotFound = (id: string) => new ServiceError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`)
export const groupNotFound = (id: string) => new ServiceError('InvalidGroup.NotFound', `The security group '${id}' does not exist`)
