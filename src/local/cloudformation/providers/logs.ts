// AWS::Logs::LogGroup and AWS::Logs::ResourcePolicy through the local CloudWatch Logs service (JSON
// target Logs_20140328).

import type {ProviderRegistry, ResourceProvider} from '../provider.js'
import {callJson, hasCode, mergedTags, physicalName} from './util.js'

const TARGET = 'Logs_20140328'
const call = (ctx: Parameters<typeof callJson>[0], op: string, input: Record<string, unknown>) => callJson(ctx, TARGET, 'CloudWatchLogs', op, input)

export function registerLogsProviders(registry: ProviderRegistry): void {
  const logGroup: ResourceProvider = {
    immutable: ['LogGroupName', 'LogGroupClass'],
    async create(props, ctx) {
      const name = props.LogGroupName ? String(props.LogGroupName) : physicalName(ctx, 512)
      const tags = Object.fromEntries(mergedTags(ctx, props.Tags).map((t) => [t.Key, t.Value]))
      await call(ctx, 'CreateLogGroup', {logGroupName: name, ...(props.KmsKeyId ? {kmsKeyId: props.KmsKeyId} : {}),
        ...(Object.keys(tags).length > 0 ? {tags} : {})})
      ctx.created?.(name)
      if (props.RetentionInDays !== undefined) {
        try {
          await call(ctx, 'PutRetentionPolicy', {logGroupName: name, retentionInDays: Number(props.RetentionInDays)})
        } catch (err) {
          await call(ctx, 'DeleteLogGroup', {logGroupName: name}).catch(() => undefined)
          throw err
        }
      }
      return {physicalId: name, attributes: {Arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:*`}}
    },
    async find(props, ctx) {
      if (!props.LogGroupName) return undefined
      const name = String(props.LogGroupName)
      const out = await call(ctx, 'DescribeLogGroups', {logGroupNamePrefix: name})
      return (out?.logGroups as {logGroupName: string}[] | undefined)?.some((g) => g.logGroupName === name) ? name : undefined
    },
    async update(name, props, old, ctx) {
      if (props.RetentionInDays !== old.RetentionInDays) {
        if (props.RetentionInDays === undefined) await call(ctx, 'DeleteRetentionPolicy', {logGroupName: name})
        else await call(ctx, 'PutRetentionPolicy', {logGroupName: name, retentionInDays: Number(props.RetentionInDays)})
      }
      return {physicalId: name, attributes: {Arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:*`}}
    },
    async delete(name, _props, ctx) {
      try {
        await call(ctx, 'DeleteLogGroup', {logGroupName: name})
      } catch (err) {
        if (!hasCode(err, 'ResourceNotFoundException')) throw err
      }
    },
  }
  registry.register('AWS::Logs::LogGroup', logGroup)

  // Its Ref is the policy's name; the document is replaced in place.
  const resourcePolicy: ResourceProvider = {
    required: ['PolicyName', 'PolicyDocument'],
    immutable: ['PolicyName'],
    async create(props, ctx) {
      const policyName = String(props.PolicyName)
      await call(ctx, 'PutResourcePolicy', {policyName, policyDocument: policyText(props.PolicyDocument)})
      ctx.created?.(policyName)
      return {physicalId: policyName, attributes: {}}
    },
    async update(policyName, props, _old, ctx) {
      await call(ctx, 'PutResourcePolicy', {policyName, policyDocument: policyText(props.PolicyDocument)})
      return {physicalId: policyName, attributes: {}}
    },
    async delete(policyName, _props, ctx) {
      try {
        await call(ctx, 'DeleteResourcePolicy', {policyName})
      } catch (err) {
        if (!hasCode(err, 'ResourceNotFoundException')) throw err
      }
    },
  }
  registry.register('AWS::Logs::ResourcePolicy', resourcePolicy)
}

/** The policy document as the API takes it: text (a template may give it as an object). */
function policyText(doc: unknown): string {
  return typeof doc === 'string' ? doc : JSON.stringify(doc)
}
