// The EC2 API subset the local control plane answers (query dialect of EC2, version 2016-11-15):
// DescribeVpcs, DescribeSubnets, DescribeSecurityGroups, DescribeManagedPrefixLists, CreateVpc, CreateSubnet,
// CreateTags, DeleteTags, DeleteVpc, DeleteSubnet. Results are shaped as EC2's XML: camelCase elements, lists as `<item>` sets.

import type {RecordStore} from '../cloudformation/providers/records.js'
import {ServiceError, type QueryService} from '../frontend/types.js'
import {groupNotFound, LocalNetwork, subnetNotFound, vpcNotFound, type SecurityGroup, type Subnet, type Tags, type Vpc} from './network.js'
import {managedPrefixLists, type ManagedPrefixList} from './prefix-lists.js'
import {decodeEc2Params, filtersOf, globMatches, stringsOf, tagSpecifications, type Ec2Filter} from './params.js'

export {LocalNetwork} from './network.js'

export interface Ec2Options {
  records: RecordStore
  region: string
  accountId: string
}

type Getters<T> = Record<string, (item: T) => (string | undefined)[]>

function applyFilters<T extends {tags: Tags}>(items: T[], filters: Ec2Filter[], getters: Getters<T>): T[] {
  for (const f of filters) {
    if (!f.name.startsWith('tag:') && f.name !== 'tag-key' && !getters[f.name]) {
      throw new ServiceError('InvalidParameterValue', `The filter '${f.name}' is invalid`)
    }
  }
  return items.filter((item) =>
    filters.every((f) => {
      const actual = f.name.startsWith('tag:')
        ? item.tags.filter((t) => t.Key === f.name.slice(4)).map((t) => t.Value)
        : f.name === 'tag-key'
          ? item.tags.map((t) => t.Key)
          : getters[f.name]!(item)
      return actual.some((a) => a !== undefined && f.values.some((v) => globMatches(v, a)))
    }),
  )
}

/** Picks the items named by id; an unknown id fails the whole call, as on EC2. */
function byIds<T>(items: T[], ids: string[], idOf: (t: T) => string, notFound: (id: string) => ServiceError): T[] {
  if (ids.length === 0) return items
  for (const id of ids) if (!items.some((i) => idOf(i) === id)) throw notFound(id)
  return items.filter((i) => ids.includes(idOf(i)))
}

const tagsOf = (value: unknown): Tags => (Array.isArray(value) ? (value as Record<string, unknown>[]).map((t) => ({Key: String(t.Key ?? ''), Value: String(t.Value ?? '')})) : [])
const tagSet = (tags: Tags) => (tags.length ? tags.map((t) => ({key: t.Key, value: t.Value})) : undefined)

export function createEc2(opts: Ec2Options): {service: QueryService; network: LocalNetwork} {
  const network = new LocalNetwork(opts.records, opts.region)
  const {accountId, region} = opts

  const vpcXml = (v: Vpc) => ({
    vpcId: v.vpcId, ownerId: accountId, state: 'available', cidrBlock: v.cidrBlock,
    cidrBlockAssociationSet: [{cidrBlock: v.cidrBlock, associationId: `${v.vpcId.replace('vpc-', 'vpc-cidr-assoc-')}`, cidrBlockState: {state: 'associated'}}],
    dhcpOptionsId: 'dopt-local', instanceTenancy: 'default', isDefault: v.isDefault, tagSet: tagSet(v.tags),
  })
  const subnetXml = (s: Subnet) => {
    const size = s.cidrBlock.includes('/') ? 2 ** (32 - Number(s.cidrBlock.split('/')[1])) : 0
    return {
      subnetId: s.subnetId, subnetArn: `arn:aws:ec2:${region}:${accountId}:subnet/${s.subnetId}`, state: 'available', vpcId: s.vpcId,
      cidrBlock: s.cidrBlock, availableIpAddressCount: Math.max(0, size - 5), availabilityZone: s.availabilityZone, availabilityZoneId: s.availabilityZoneId,
      defaultForAz: s.defaultForAz, mapPublicIpOnLaunch: s.mapPublicIpOnLaunch, ownerId: accountId, assignIpv6AddressOnCreation: false,
      ipv6CidrBlockAssociationSet: [], tagSet: tagSet(s.tags),
    }
  }
  const permission = (p: Record<string, unknown>) => ({
    ipProtocol: String(p.IpProtocol ?? '-1'), fromPort: p.FromPort, toPort: p.ToPort,
    groups: p.SourceSecurityGroupId || p.DestinationSecurityGroupId ? [{groupId: p.SourceSecurityGroupId ?? p.DestinationSecurityGroupId, userId: accountId}] : [],
    ipRanges: p.CidrIp ? [{cidrIp: p.CidrIp, description: p.Description}] : [],
    ipv6Ranges: p.CidrIpv6 ? [{cidrIpv6: p.CidrIpv6}] : [],
    prefixListIds: p.SourcePrefixListId || p.DestinationPrefixListId ? [{prefixListId: p.SourcePrefixListId ?? p.DestinationPrefixListId, description: p.Description}] : [],
  })
  const groupXml = (g: SecurityGroup) => ({
    ownerId: accountId, groupId: g.groupId, groupName: g.groupName, groupDescription: g.description, vpcId: g.vpcId,
    ipPermissions: g.ingress.map(permission), ipPermissionsEgress: g.egress.map(permission), tagSet: tagSet(g.tags),
  })

  const vpcFilters: Getters<Vpc> = {
    'vpc-id': (v) => [v.vpcId], 'cidr': (v) => [v.cidrBlock], 'cidr-block-association.cidr-block': (v) => [v.cidrBlock],
    'is-default': (v) => [String(v.isDefault)], 'state': () => ['available'], 'owner-id': () => [accountId],
  }
  const subnetFilters: Getters<Subnet> = {
    'subnet-id': (s) => [s.subnetId], 'vpc-id': (s) => [s.vpcId], 'cidr-block': (s) => [s.cidrBlock], 'cidr': (s) => [s.cidrBlock],
    'availability-zone': (s) => [s.availabilityZone], 'availability-zone-id': (s) => [s.availabilityZoneId], 'default-for-az': (s) => [String(s.defaultForAz)],
    'map-public-ip-on-launch': (s) => [String(s.mapPublicIpOnLaunch)], 'state': () => ['available'], 'owner-id': () => [accountId],
  }
  const groupFilters: Getters<SecurityGroup> = {
    'group-id': (g) => [g.groupId], 'group-name': (g) => [g.groupName], 'vpc-id': (g) => [g.vpcId], 'description': (g) => [g.description], 'owner-id': () => [accountId],
  }

  const prefixListXml = (p: ManagedPrefixList) => ({
    prefixListId: p.prefixListId, addressFamily: p.addressFamily, state: 'create-complete', prefixListArn: `arn:aws:ec2:${region}:aws:prefix-list/${p.prefixListId}`,
    prefixListName: p.prefixListName, maxEntries: p.maxEntries, version: 1, ownerId: 'AWS', tagSet: tagSet(p.tags),
  })
  const prefixListFilters: Getters<ManagedPrefixList> = {
    'prefix-list-id': (p) => [p.prefixListId], 'prefix-list-name': (p) => [p.prefixListName], 'owner-id': () => ['AWS'],
  }

  const required = (input: Record<string, unknown>, member: string, field: string): string => {
    const v = input[member]
    if (typeof v !== 'string' || v === '') throw new ServiceError('MissingParameter', `The request must contain the parameter ${field}`)
    return v
  }

  const ops: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeVpcs: (input) => ({
      vpcSet: applyFilters(byIds(network.vpcs(), stringsOf(input.VpcId), (v) => v.vpcId, vpcNotFound), filtersOf(input), vpcFilters).map(vpcXml),
    }),
    DescribeSubnets: (input) => ({
      subnetSet: applyFilters(byIds(network.subnets(), stringsOf(input.SubnetId), (s) => s.subnetId, subnetNotFound), filtersOf(input), subnetFilters).map(subnetXml),
    }),
    DescribeSecurityGroups: (input) => {
      let groups = byIds(network.securityGroups(), stringsOf(input.GroupId), (g) => g.groupId, groupNotFound)
      const names = stringsOf(input.GroupName)
      if (names.length) groups = byIds(groups, names, (g) => g.groupName, (n) => new ServiceError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC`))
      return {securityGroupInfo: applyFilters(groups, filtersOf(input), groupFilters).map(groupXml)}
    },
    DescribeManagedPrefixLists: (input) => ({
      prefixListSet: applyFilters(
        byIds(managedPrefixLists(region), stringsOf(input.PrefixListId), (p) => p.prefixListId, (id) => new ServiceError('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`)),
        filtersOf(input), prefixListFilters).map(prefixListXml),
    }),
    CreateVpc: (input) => ({vpc: vpcXml(network.createVpc(required(input, 'CidrBlock', 'cidrBlock'), tagSpecifications(input, 'vpc')))}),
    CreateSubnet: (input) => ({
      subnet: subnetXml(network.createSubnet({
        vpcId: required(input, 'VpcId', 'vpcId'),
        cidrBlock: required(input, 'CidrBlock', 'cidrBlock'),
        availabilityZone: typeof input.AvailabilityZone === 'string' ? input.AvailabilityZone : undefined,
        tags: tagSpecifications(input, 'subnet'),
      })),
    }),
    CreateTags: (input) => {
      const add = tagsOf(input.Tag)
      network.retag(stringsOf(input.ResourceId), (tags) => [...tags.filter((t) => !add.some((a) => a.Key === t.Key)), ...add])
      return {return: true}
    },
    DeleteTags: (input) => {
      const remove = Array.isArray(input.Tag) ? (input.Tag as Record<string, unknown>[]) : []
      network.retag(stringsOf(input.ResourceId), (tags) =>
        remove.length === 0 ? [] : tags.filter((t) => !remove.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === t.Value))))
      return {return: true}
    },
    DeleteVpc: (input) => {
      network.deleteVpc(required(input, 'VpcId', 'vpcId'))
      return {return: true}
    },
    DeleteSubnet: (input) => {
      network.deleteSubnet(required(input, 'SubnetId', 'subnetId'))
      return {return: true}
    },
  }

  const service: QueryService = {
    signingName: 'ec2',
    version: '2016-11-15',
    xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    dialect: 'ec2',
    async handle(action, params) {
      const op = Object.hasOwn(ops, action) ? ops[action] : undefined
      if (!op) throw new ServiceError('InvalidAction', `The action ${action} is not valid for this web service.`)
      return op(decodeEc2Params(params))
    },
  }
  return {service, network}
}
