// AWS::SSM::Parameter through the local SSM service (JSON target AmazonSSM).

import type {ProviderContext, ProviderRegistry, ResourceProvider} from '../provider.js'
import {callJson, hasCode, randomSuffix} from './util.js'

const call = (ctx: ProviderContext, op: string, input: Record<string, unknown>) => callJson(ctx, 'AmazonSSM', 'Ssm', op, input)

function putInput(name: string, props: Record<string, any>): Record<string, unknown> {
  return {
    Name: name, Value: String(props.Value), Type: String(props.Type),
    ...(props.Description !== undefined ? {Description: String(props.Description)} : {}),
    ...(props.AllowedPattern !== undefined ? {AllowedPattern: String(props.AllowedPattern)} : {}),
    ...(props.Tier !== undefined ? {Tier: String(props.Tier)} : {}),
    ...(props.DataType !== undefined ? {DataType: String(props.DataType)} : {}),
  }
}

export function registerSsmProviders(registry: ProviderRegistry): void {
  const parameter: ResourceProvider = {
    required: ['Type', 'Value'],
    immutable: ['Name'],
    async create(props, ctx) {
      const name = props.Name ? String(props.Name) : `CFN-${ctx.logicalId}-${randomSuffix(12, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`
      const tags = Object.entries((props.Tags ?? {}) as Record<string, unknown>).map(([Key, Value]) => ({Key, Value: String(Value)}))
      await call(ctx, 'PutParameter', {...putInput(name, props), ...(tags.length > 0 ? {Tags: tags} : {})})
      return {physicalId: name, attributes: {Type: String(props.Type), Value: String(props.Value)}}
    },
    async update(name, props, _old, ctx) {
      await call(ctx, 'PutParameter', {...putInput(name, props), Overwrite: true})
      return {physicalId: name, attributes: {Type: String(props.Type), Value: String(props.Value)}}
    },
    async delete(name, _props, ctx) {
      try {
        await call(ctx, 'DeleteParameter', {Name: name})
      } catch (err) {
        if (!hasCode(err, 'ParameterNotFound')) throw err
      }
    },
  }
  registry.register('AWS::SSM::Parameter', parameter)
}
