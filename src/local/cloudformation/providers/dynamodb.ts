// AWS::DynamoDB::Table through the local DynamoDB API (src/local/dynamodb): the table tasks then read and
// write with the AWS SDK at the control plane's endpoint.

import type {ProviderContext, ProviderRegistry, ResourceProvider} from '../provider.js'
import {callJson, physicalName} from './util.js'

const call = (ctx: ProviderContext, op: string, input: Record<string, unknown>) => callJson(ctx, 'DynamoDB_20120810', 'DynamoDb', op, input)

function attributes(out: any): Record<string, unknown> {
  return {Arn: out.TableArn, ...(out.LatestStreamArn ? {StreamArn: out.LatestStreamArn} : {})}
}

export function registerDynamoDbProviders(registry: ProviderRegistry): void {
  const table: ResourceProvider = {
    required: ['KeySchema'],
    immutable: ['TableName', 'KeySchema', 'LocalSecondaryIndexes'],
    async create(props, ctx) {
      const name = props.TableName ? String(props.TableName) : physicalName(ctx, 255)
      const out = await call(ctx, 'CreateTable', {
        TableName: name, KeySchema: props.KeySchema, AttributeDefinitions: props.AttributeDefinitions ?? [],
        BillingMode: props.BillingMode ?? 'PROVISIONED',
        ...(props.ProvisionedThroughput ? {ProvisionedThroughput: props.ProvisionedThroughput} : {}),
        ...(props.GlobalSecondaryIndexes ? {GlobalSecondaryIndexes: props.GlobalSecondaryIndexes} : {}),
        ...(props.LocalSecondaryIndexes ? {LocalSecondaryIndexes: props.LocalSecondaryIndexes} : {}),
        ...(props.StreamSpecification ? {StreamSpecification: {StreamEnabled: true, ...props.StreamSpecification}} : {}),
        ...(props.SSESpecification ? {SSESpecification: {Enabled: props.SSESpecification.SSEEnabled === true}} : {}),
        ...(props.Tags ? {Tags: props.Tags} : {}),
        ...(props.DeletionProtectionEnabled !== undefined ? {DeletionProtectionEnabled: props.DeletionProtectionEnabled === true || props.DeletionProtectionEnabled === 'true'} : {}),
      })
      if (props.TimeToLiveSpecification) {
        await call(ctx, 'UpdateTimeToLive', {TableName: name, TimeToLiveSpecification: {AttributeName: props.TimeToLiveSpecification.AttributeName,
          Enabled: props.TimeToLiveSpecification.Enabled === true || props.TimeToLiveSpecification.Enabled === 'true'}})
      }
      return {physicalId: name, attributes: attributes(out.TableDescription)}
    },
    async update(name, props, old, ctx) {
      const oldGsis = new Map(((old.GlobalSecondaryIndexes ?? []) as any[]).map((i) => [i.IndexName, i]))
      const newGsis = new Map(((props.GlobalSecondaryIndexes ?? []) as any[]).map((i) => [i.IndexName, i]))
      const gsiUpdates = [
        ...[...newGsis.keys()].filter((n) => !oldGsis.has(n)).map((n) => ({Create: newGsis.get(n)})),
        ...[...oldGsis.keys()].filter((n) => !newGsis.has(n)).map((n) => ({Delete: {IndexName: n}})),
      ]
      const out = await call(ctx, 'UpdateTable', {
        TableName: name, AttributeDefinitions: props.AttributeDefinitions ?? [], BillingMode: props.BillingMode ?? 'PROVISIONED',
        ...(props.ProvisionedThroughput ? {ProvisionedThroughput: props.ProvisionedThroughput} : {}),
        ...(gsiUpdates.length > 0 ? {GlobalSecondaryIndexUpdates: gsiUpdates} : {}),
        ...(props.StreamSpecification ? {StreamSpecification: {StreamEnabled: true, ...props.StreamSpecification}} : {}),
        ...(props.DeletionProtectionEnabled !== undefined ? {DeletionProtectionEnabled: props.DeletionProtectionEnabled === true || props.DeletionProtectionEnabled === 'true'} : {}),
      })
      if (JSON.stringify(props.TimeToLiveSpecification) !== JSON.stringify(old.TimeToLiveSpecification)) {
        const spec = props.TimeToLiveSpecification ?? {AttributeName: old.TimeToLiveSpecification?.AttributeName, Enabled: false}
        await call(ctx, 'UpdateTimeToLive', {TableName: name, TimeToLiveSpecification: {AttributeName: spec.AttributeName, Enabled: spec.Enabled === true || spec.Enabled === 'true'}})
      }
      return {physicalId: name, attributes: attributes(out.TableDescription)}
    },
    async delete(name, _props, ctx) {
      try {
        await call(ctx, 'DeleteTable', {TableName: name})
      } catch (err) {
        if ((err as {code?: string}).code !== 'ResourceNotFoundException') throw err
      }
    },
  }
  registry.register('AWS::DynamoDB::Table', table)
}
