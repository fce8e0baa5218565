// Secrets become `valueFrom` ARNs, never values: SSM parameter names and Secrets Manager names are
// turned into ARNs of this account and region; the platform injects the value when the task starts.

import type {SecretValue} from '../../manifest/types.js'
import {importValue, type Json, sub} from '../template.js'

export interface SecretRef {
  /** The ECS `ValueFrom`. */
  valueFrom: unknown
  kind: 'ssm' | 'secretsmanager' | 'import'
  /** The IAM resource the execution role must be allowed to read. */
  resource: unknown
}

export function secretRef(value: SecretValue): SecretRef {
  if (typeof value === 'object' && 'from_cfn' in value) {
    const v = importValue(value.from_cfn)
    return {valueFrom: v, kind: 'import', resource: v}
  }
  if (typeof value === 'object' && 'secretsmanager' in value) return secretsManagerRef(value.secretsmanager)
  return ssmRef(String(value))
}

function ssmRef(name: string): SecretRef {
  if (name.startsWith('arn:')) {
    return name.includes(':secretsmanager:') ? secretsManagerRef(name) : {valueFrom: name, kind: 'ssm', resource: name}
  }
  const path = name.startsWith('/') ? name : `/${name}`
  const arn = sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}`)
  return {valueFrom: arn, kind: 'ssm', resource: arn}
}

function secretsManagerRef(id: string): SecretRef {
  if (id.startsWith('arn:')) {
    // arn:...:secret:name-AbCdEf[:json-key:stage:version]: the policy needs the secret part only.
    const secretArn = id.split(':').slice(0, 7).join(':')
    return {valueFrom: id, kind: 'secretsmanager', resource: `${secretArn}*`}
  }
  // "name" or "name:json-key:version-stage:version-id"
  const [secretName] = id.split(':')
  const base = `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:`
  return {valueFrom: sub(base + id), kind: 'secretsmanager', resource: sub(`${base}${secretName}-*`)}
}

/** ECS `Secrets` entries, sorted by name. */
export function containerSecrets(secrets: Record<string, SecretValue> | undefined): {entries: Json[]; refs: SecretRef[]} {
  const names = Object.keys(secrets ?? {}).sort()
  const refs = names.map((n) => secretRef(secrets![n]!))
  return {entries: names.map((Name, i) => ({Name, ValueFrom: refs[i]!.valueFrom})), refs}
}
