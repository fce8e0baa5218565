// Providers for resources the local control plane records without running anything: the network
// (VPC, subnets, gateways), alarms, DNS records and file systems exist so that references resolve
// and stacks deploy with realistic identifiers; what they would do on AWS is described in
// docs/local-control-plane.md under "What it does not emulate".

import {createHash} from 'node:crypto'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import type {ProviderContext, ProviderRegistry, ResourceProvider} from '../provider.js'

const idFor = (ctx: ProviderContext, prefix: string, length = 17) =>
  `${prefix}${createHash('sha256').update(`${ctx.stackId}/${ctx.logicalId}/${Date.now()}/${Math.random()}`).digest('hex').slice(0, length)}`

function recorded(make: (props: Record<string, any>, ctx: ProviderContext) => {physicalId: string; attributes: Record<string, unknown>}, immutable: string[] = []): ResourceProvider {
  return {
    immutable,
    async create(props, ctx) {
      return make(props, ctx)
    },
    async update(physicalId, props, _old, ctx) {
      return {...make(props, ctx), physicalId}
    },
    async delete() {},
  }
}

export function registerRecordedProviders(registry: ProviderRegistry, opts: {stateDir: string}): void {
  registry.register(
    'AWS::CloudWatch::Alarm',
    recorded((props, ctx) => {
      const name = props.AlarmName ?? `${ctx.stackName}-${ctx.logicalId}-${idFor(ctx, '', 12).toUpperCase()}`
      return {physicalId: name, attributes: {Arn: `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}`}}
    }, ['AlarmName']),
  )
  // A wait condition handle's Ref is the presigned URL a signal would be sent to; nothing signals here.
  registry.register(
    'AWS::CloudFormation::WaitConditionHandle',
    recorded((_props, ctx) => ({physicalId: `https://cloudformation-waitcondition-${ctx.region}.s3.amazonaws.com/${encodeURIComponent(`${ctx.stackId}/${ctx.logicalId}`)}`, attributes: {}})),
  )
  registry.register(
    'AWS::Route53::RecordSet',
    recorded((props) => ({physicalId: String(props.Name ?? ''), attributes: {}}), ['Name', 'HostedZoneId', 'HostedZoneName']),
  )
  // Copilot's private zone for internal aliases (InternalWorkloadsHostedZone, `<env>.<app>.internal`): nothing resolves in it.
  registry.register(
    'AWS::Route53::HostedZone',
    recorded((_props, ctx) => {
      const id = idFor(ctx, 'Z', 20).toUpperCase()
      return {physicalId: id, attributes: {Id: id, NameServers: ['ns-1.awsdns-00.com', 'ns-2.awsdns-00.net']}}
    }, ['Name']),
  )
  // Alias records per hosted zone (`http.hosted_zone`) and the CDN (`cdn:`) of rendered stacks.
  registry.register(
    'AWS::Route53::RecordSetGroup',
    recorded((props, ctx) => ({physicalId: `${String(props.HostedZoneId ?? '')}-${idFor(ctx, '', 8)}`, attributes: {}}), ['HostedZoneId', 'HostedZoneName']),
  )
  registry.register(
    'AWS::CloudFront::Distribution',
    recorded((_props, ctx) => {
      const id = idFor(ctx, 'E', 13).toUpperCase()
      return {physicalId: id, attributes: {DomainName: `${id.toLowerCase()}.cloudfront.net`, Id: id}}
    }),
  )
  registry.register(
    'AWS::EFS::FileSystem',
    recorded((_props, ctx) => {
      const id = idFor(ctx, 'fs-', 8)
      mkdirSync(join(opts.stateDir, 'efs', id), {recursive: true})
      return {physicalId: id, attributes: {FileSystemId: id, Arn: `arn:aws:elasticfilesystem:${ctx.region}:${ctx.accountId}:file-system/${id}`}}
    }, ['Encrypted', 'KmsKeyId', 'PerformanceMode']),
  )
  registry.register(
    'AWS::EFS::AccessPoint',
    recorded((props, ctx) => {
      const id = idFor(ctx, 'fsap-', 17)
      return {physicalId: id, attributes: {AccessPointId: id, Arn: `arn:aws:elasticfilesystem:${ctx.region}:${ctx.accountId}:access-point/${id}`, FileSystemId: props.FileSystemId}}
    }, ['FileSystemId', 'RootDirectory', 'PosixUser']),
  )
  registry.register(
    'AWS::EFS::MountTarget',
    recorded((_props, ctx) => ({physicalId: idFor(ctx, 'fsmt-', 17), attributes: {IpAddress: '10.0.0.10'}}), ['FileSystemId', 'SubnetId']),
  )
}
