// Resource types the local control plane deploys without running anything: Lambda functions, CDN
// distributions, keys, firewalls, parameter and subnet groups. They get AWS-shaped identifiers and
// attributes so references resolve and the stack deploys, and every one of them says so in its events
// with the reason RECORDED_ONLY (a line the CLI prints), so nothing passes for running when it is not.
// docs/local-control-plane.md lists them.

import {createHash} from 'node:crypto'
import type {ProviderContext, ProviderRegistry, ResourceProvider} from '../provider.js'
import {physicalName} from './util.js'

/** The start of the progress event every recorded-only resource gets. */
export const RECORDED_ONLY = 'Recorded only, not run by the local control plane'

const hex = (ctx: ProviderContext, n: number) =>
  createHash('sha256').update(`${ctx.stackId}/${ctx.logicalId}/${Date.now()}/${Math.random()}`).digest('hex').slice(0, n)
const upper = (ctx: ProviderContext, n: number) => hex(ctx, n).toUpperCase()

type Make = (props: Record<string, any>, ctx: ProviderContext) => {physicalId: string; attributes: Record<string, unknown>}

const name = (prop: string, max = 64): Make => (props, ctx) => ({physicalId: props[prop] ? String(props[prop]) : physicalName(ctx, max), attributes: {}})

/** Type → how its identifier and attributes look on AWS, and what it would do there. */
export const RECORDED_ONLY_TYPES: Record<string, {make: Make; what: string}> = {
  'AWS::Lambda::Function': {what: 'no function code runs', make: (props, ctx) => {
    const fn = props.FunctionName ? String(props.FunctionName) : physicalName(ctx, 64)
    return {physicalId: fn, attributes: {Arn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${fn}`, 'SnapStartResponse.ApplyOn': 'None'}}
  }},
  'AWS::Lambda::Permission': {what: 'nothing is invoked', make: (_p, ctx) => ({physicalId: `${ctx.stackName}-${ctx.logicalId}-${upper(ctx, 12)}`, attributes: {}})},
  'AWS::Lambda::Version': {what: 'no function code runs', make: (props) => ({physicalId: `${props.FunctionName}:1`, attributes: {Version: '1'}})},
  'AWS::Lambda::Alias': {what: 'no function code runs', make: (props) => ({physicalId: `${props.FunctionName}:${props.Name}`, attributes: {}})},
  'AWS::Lambda::LayerVersion': {what: 'no function code runs', make: (props, ctx) => {
    const arn = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:layer:${props.LayerName ?? ctx.logicalId}:1`
    return {physicalId: arn, attributes: {LayerVersionArn: arn}}
  }},
  'AWS::Lambda::EventSourceMapping': {what: 'no events are delivered', make: (_p, ctx) => ({physicalId: `${hex(ctx, 8)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 12)}`, attributes: {}})},
  'AWS::Lambda::Url': {what: 'the URL serves nothing', make: (props, ctx) => {
    const id = hex(ctx, 32)
    return {physicalId: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${props.TargetFunctionArn}`, attributes: {FunctionUrl: `https://${id}.lambda-url.${ctx.region}.on.aws/`, FunctionArn: props.TargetFunctionArn}}
  }},
  'AWS::CloudFront::Distribution': {what: 'nothing is served or cached', make: (_p, ctx) => {
    const id = `E${upper(ctx, 13)}`
    return {physicalId: id, attributes: {Id: id, DomainName: `d${hex(ctx, 13)}.cloudfront.net`}}
  }},
  'AWS::CloudFront::OriginAccessIdentity': {what: 'nothing is served', make: (_p, ctx) => {
    const id = `E${upper(ctx, 13)}`
    return {physicalId: id, attributes: {Id: id, S3CanonicalUserId: hex(ctx, 64)}}
  }},
  'AWS::CloudFront::OriginAccessControl': {what: 'nothing is served', make: (_p, ctx) => {
    const id = `E${upper(ctx, 13)}`
    return {physicalId: id, attributes: {Id: id}}
  }},
  'AWS::CloudFront::CachePolicy': {what: 'nothing is cached', make: (_p, ctx) => ({physicalId: hex(ctx, 32), attributes: {LastModifiedTime: new Date().toISOString()}})},
  'AWS::CloudFront::OriginRequestPolicy': {what: 'nothing is served', make: (_p, ctx) => ({physicalId: hex(ctx, 32), attributes: {}})},
  'AWS::CloudFront::Function': {what: 'no function code runs', make: (props, ctx) => ({physicalId: `arn:aws:cloudfront::${ctx.accountId}:function/${props.Name}`, attributes: {FunctionARN: `arn:aws:cloudfront::${ctx.accountId}:function/${props.Name}`, Stage: 'LIVE'}})},
  'AWS::S3::BucketPolicy': {what: 'the policy is not enforced', make: (props) => ({physicalId: String(props.Bucket ?? ''), attributes: {}})},
  'AWS::KMS::Key': {what: 'values are sealed with the one local key', make: (_p, ctx) => {
    const id = `${hex(ctx, 8)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 12)}`
    return {physicalId: id, attributes: {KeyId: id, Arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${id}`}}
  }},
  'AWS::KMS::Alias': {what: 'values are sealed with the one local key', make: (props) => ({physicalId: String(props.AliasName ?? ''), attributes: {}})},
  'AWS::WAFv2::WebACL': {what: 'no request is filtered', make: (props, ctx) => {
    const id = `${hex(ctx, 8)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 12)}`
    const arn = `arn:aws:wafv2:${ctx.region}:${ctx.accountId}:regional/webacl/${props.Name ?? ctx.logicalId}/${id}`
    return {physicalId: `${props.Name ?? ctx.logicalId}|${id}|REGIONAL`, attributes: {Arn: arn, Id: id}}
  }},
  'AWS::WAFv2::WebACLAssociation': {what: 'no request is filtered', make: (props) => ({physicalId: `${props.ResourceArn}|${props.WebACLArn}`, attributes: {}})},
  'AWS::RDS::DBSubnetGroup': {what: 'databases listen on loopback', make: (props, ctx) => ({physicalId: (props.DBSubnetGroupName ? String(props.DBSubnetGroupName) : physicalName(ctx, 255)).toLowerCase(), attributes: {}})},
  'AWS::RDS::DBClusterParameterGroup': {what: 'its parameters are not applied', make: (props, ctx) => ({physicalId: (props.DBClusterParameterGroupName ? String(props.DBClusterParameterGroupName) : physicalName(ctx, 255)).toLowerCase(), attributes: {}})},
  'AWS::RDS::DBParameterGroup': {what: 'its parameters are not applied', make: (props, ctx) => ({physicalId: (props.DBParameterGroupName ? String(props.DBParameterGroupName) : physicalName(ctx, 255)).toLowerCase(), attributes: {}})},
  'AWS::ElastiCache::SubnetGroup': {what: 'caches listen on loopback', make: (props, ctx) => ({physicalId: (props.CacheSubnetGroupName ? String(props.CacheSubnetGroupName) : physicalName(ctx, 255)).toLowerCase(), attributes: {}})},
  'AWS::ElastiCache::ParameterGroup': {what: 'its parameters are not applied', make: name('CacheParameterGroupName', 255)},
  'AWS::CloudWatch::Dashboard': {what: 'nothing is graphed', make: name('DashboardName', 255)},
  'AWS::CloudFormation::WaitConditionHandle': {what: 'nothing waits', make: (_p, ctx) => ({physicalId: `https://cloudformation-waitcondition-${ctx.region}.s3.amazonaws.com/${encodeURIComponent(ctx.stackId)}/${ctx.logicalId}`, attributes: {}})},
  'AWS::Pinpoint::App': {what: 'no message is sent', make: (_p, ctx) => {
    const id = hex(ctx, 32)
    return {physicalId: id, attributes: {Arn: `arn:aws:mobiletargeting:${ctx.region}:${ctx.accountId}:apps/${id}`}}
  }},
  'AWS::Pinpoint::SMSChannel': {what: 'no message is sent', make: (props) => ({physicalId: String(props.ApplicationId ?? ''), attributes: {}})},
  'AWS::Pinpoint::EmailChannel': {what: 'no message is sent', make: (props) => ({physicalId: String(props.ApplicationId ?? ''), attributes: {}})},
  'AWS::AmazonMQ::Broker': {what: 'no broker runs', make: (props, ctx) => {
    const id = `b-${hex(ctx, 8)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 4)}-${hex(ctx, 12)}`
    const host = `${id}-1.mq.${ctx.region}.amazonaws.com`
    return {physicalId: id, attributes: {Arn: `arn:aws:mq:${ctx.region}:${ctx.accountId}:broker:${props.BrokerName ?? ctx.logicalId}:${id}`,
      IpAddresses: ['127.0.0.1'], AmqpEndpoints: [`amqps://${host}:5671`], StompEndpoints: [`stomp+ssl://${host}:61614`],
      OpenWireEndpoints: [`ssl://${host}:61617`], MqttEndpoints: [`mqtt+ssl://${host}:8883`], WssEndpoints: [`wss://${host}:61619`],
      ConfigurationId: `c-${hex(ctx, 8)}`, ConfigurationRevision: 1}}
  }},
  'AWS::CDK::Metadata': {what: 'it is metadata', make: (_p, ctx) => ({physicalId: `${ctx.stackName}-${ctx.logicalId}-${upper(ctx, 12)}`, attributes: {}})},
}

function provider(type: string, spec: {make: Make; what: string}): ResourceProvider {
  const note = (ctx: ProviderContext) => ctx.progress(`${RECORDED_ONLY}: ${type} is recorded, ${spec.what}`)
  return {
    async create(props, ctx) {
      note(ctx)
      return spec.make(props, ctx)
    },
    async update(physicalId, props, _old, ctx) {
      note(ctx)
      return {...spec.make(props, ctx), physicalId}
    },
    async delete() {},
  }
}

/** Registers the recorded-only types that no other part of the control plane runs. */
export function registerRecordedOnlyProviders(registry: ProviderRegistry): void {
  for (const [type, spec] of Object.entries(RECORDED_ONLY_TYPES)) {
    if (!registry.get(type)) registry.register(type, provider(type, spec))
  }
}
