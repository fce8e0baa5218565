// The task definition as ECS's RegisterTaskDefinition takes it (camelCase keys), for `.taskdef.json`.
// Parameters are replaced by their values; values that exist only once the stack does (role ARNs,
// imports from the environment, ARNs built from the account and region) stay CloudFormation intrinsics.

import type {Json} from '../template.js'

/** Keys whose children are user data (label names, log driver options): never renamed. */
const USER_MAPS = new Set(['Options', 'DockerLabels'])
const RENAMES: Record<string, string> = {EFSVolumeConfiguration: 'efsVolumeConfiguration', FilesystemId: 'fileSystemId', IAM: 'iam'}

const REMOVE = Symbol('remove')

function camel(key: string): string {
  return RENAMES[key] ?? key[0]!.toLowerCase() + key.slice(1)
}

function resolve(value: unknown, params: Record<string, string>, userMap: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => resolve(v, params, false)).filter((v) => v !== REMOVE)
    return items
  }
  if (value === null || typeof value !== 'object') return value
  const obj = value as Json
  const keys = Object.keys(obj)
  if (keys.length === 1 && keys[0] === 'Ref') {
    if (obj.Ref === 'AWS::NoValue') return REMOVE
    if (obj.Ref in params) return params[obj.Ref]
    return obj
  }
  if (keys.length === 1 && keys[0] === 'Fn::If') {
    const [cond, a, b] = obj['Fn::If'] as [string, unknown, unknown]
    const param = cond.startsWith('Has') ? cond.slice(3) : undefined
    if (param && param in params) return resolve(params[param] !== '' ? a : b, params, userMap)
    return obj
  }
  if (keys.some((k) => k.startsWith('Fn::'))) return obj
  const out: Json = {}
  for (const k of keys) {
    const v = resolve(obj[k], params, USER_MAPS.has(k))
    if (v === REMOVE || (Array.isArray(v) && v.length === 0)) continue
    out[userMap ? k : camel(k)] = v
  }
  return out
}

export function toEcsTaskDefinition(properties: Json, params: Record<string, string>): Json {
  return resolve(properties, params, false) as Json
}
