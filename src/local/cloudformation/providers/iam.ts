// IAM roles, policies, managed policies and instance profiles: recorded with the names, ids and ARNs
// AWS would give them (nothing enforces IAM locally; the task role is a name tasks can see).

import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import type {RecordStore} from './records.js'
import {physicalName, randomSuffix} from './util.js'

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

function iamId(prefix: string): string {
  return `${prefix}${randomSuffix(17, ID_CHARS)}`
}

function path(props: Record<string, any>): string {
  const p = String(props.Path ?? '/')
  if (!/^\/(.*\/)?$/.test(p)) throw new ProviderError(`Properties validation failed for resource with message: #/Path: failed validation constraint for keyword [pattern]`)
  return p
}

function checkDocument(name: string, doc: unknown): void {
  const d = typeof doc === 'string' ? safeParse(doc) : doc
  if (typeof d !== 'object' || d === null || !('Statement' in d)) {
    throw new ProviderError(`Resource handler returned message: "Syntax errors in policy. (Service: Iam, Status Code: 400)" (HandlerErrorCode: InvalidRequest) in ${name}`)
  }
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return undefined
  }
}

function named(records: RecordStore, kind: string, type: string, name: string): void {
  if (records.get(kind, name)) throw new ProviderError(`Resource of type '${type}' with identifier '${name}' already exists.`)
}

export function registerIamProviders(registry: ProviderRegistry, records: RecordStore): void {
  const role: ResourceProvider = {
    required: ['AssumeRolePolicyDocument'],
    immutable: ['RoleName', 'Path'],
    async create(props, ctx) {
      const name = props.RoleName ? String(props.RoleName) : physicalName(ctx, 64)
      named(records, 'role', 'AWS::IAM::Role', name)
      checkDocument('AssumeRolePolicyDocument', props.AssumeRolePolicyDocument)
      const attrs = {Arn: `arn:aws:iam::${ctx.accountId}:role${path(props)}${name}`, RoleId: iamId('AROA')}
      records.put('role', name, {...attrs, props})
      return {physicalId: name, attributes: attrs}
    },
    async update(id, props) {
      const rec = records.get('role', id)
      checkDocument('AssumeRolePolicyDocument', props.AssumeRolePolicyDocument)
      records.put('role', id, {...rec, props})
      return {physicalId: id, attributes: {Arn: rec?.Arn, RoleId: rec?.RoleId}}
    },
    async delete(id) {
      records.remove('role', id)
    },
  }
  const policy: ResourceProvider = {
    required: ['PolicyDocument', 'PolicyName'],
    immutable: [],
    async create(props, ctx) {
      checkDocument('PolicyDocument', props.PolicyDocument)
      return {physicalId: `${ctx.stackName.slice(0, 5)}-${String(props.PolicyName).slice(0, 5)}-${randomSuffix(12)}`, attributes: {}}
    },
    async update(id, props) {
      checkDocument('PolicyDocument', props.PolicyDocument)
      return {physicalId: id, attributes: {}}
    },
    async delete() {},
  }
  const managed: ResourceProvider = {
    required: ['PolicyDocument'],
    immutable: ['ManagedPolicyName', 'Path'],
    async create(props, ctx) {
      const name = props.ManagedPolicyName ? String(props.ManagedPolicyName) : physicalName(ctx, 128)
      named(records, 'policy', 'AWS::IAM::ManagedPolicy', name)
      checkDocument('PolicyDocument', props.PolicyDocument)
      const arn = `arn:aws:iam::${ctx.accountId}:policy${path(props)}${name}`
      const attrs = {PolicyArn: arn, PolicyId: iamId('ANPA'), AttachmentCount: 0, DefaultVersionId: 'v1', IsAttachable: true,
        CreateDate: new Date().toISOString(), UpdateDate: new Date().toISOString()}
      records.put('policy', name, attrs)
      return {physicalId: arn, attributes: attrs}
    },
    async update(id, props) {
      checkDocument('PolicyDocument', props.PolicyDocument)
      const name = id.split('/').pop()!
      const rec = records.get('policy', name) ?? {}
      const version = Number(String(rec.DefaultVersionId ?? 'v1').slice(1)) + 1
      const attrs = {...rec, PolicyArn: id, DefaultVersionId: `v${version}`, UpdateDate: new Date().toISOString()}
      records.put('policy', name, attrs)
      return {physicalId: id, attributes: attrs}
    },
    async delete(id) {
      records.remove('policy', id.split('/').pop()!)
    },
  }
  const profile: ResourceProvider = {
    required: ['Roles'],
    immutable: ['InstanceProfileName', 'Path'],
    async create(props, ctx) {
      const name = props.InstanceProfileName ? String(props.InstanceProfileName) : physicalName(ctx, 128)
      named(records, 'instance-profile', 'AWS::IAM::InstanceProfile', name)
      const attrs = {Arn: `arn:aws:iam::${ctx.accountId}:instance-profile${path(props)}${name}`}
      records.put('instance-profile', name, attrs)
      return {physicalId: name, attributes: attrs}
    },
    async update(id) {
      return {physicalId: id, attributes: records.get('instance-profile', id) ?? {}}
    },
    async delete(id) {
      records.remove('instance-profile', id)
    },
  }
  registry.register('AWS::IAM::Role', role)
  registry.register('AWS::IAM::Policy', policy)
  registry.register('AWS::IAM::ManagedPolicy', managed)
  registry.register('AWS::IAM::InstanceProfile', profile)
}

export type {ProviderContext}
