// Reading a decoded JSON input the way AWS validates it: a missing or ill-typed member is a
// ValidationException worded like AWS's ("1 validation error detected: Value null at 'name' ...").
// Each service passes its own exception name where it differs (Logs and Secrets Manager use
// InvalidParameterException).

import {ServiceError} from './types.js'
import {dict} from '../store/dict.js'

export type Input = Record<string, unknown>

export class InputReader {
  constructor(private readonly input: Input, private readonly errorCode = 'ValidationException') {}

  private fail(member: string, value: unknown, constraint: string): never {
    const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`
    const field = member.charAt(0).toLowerCase() + member.slice(1)
    throw new ServiceError(this.errorCode, `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`)
  }

  string(member: string): string {
    const v = this.input[member]
    if (v === undefined || v === null) this.fail(member, v, 'Member must not be null')
    if (typeof v !== 'string') this.fail(member, v, 'Member must be a string')
    return v
  }

  optString(member: string): string | undefined {
    const v = this.input[member]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'string') this.fail(member, v, 'Member must be a string')
    return v
  }

  optNumber(member: string, min?: number, max?: number): number | undefined {
    const v = this.input[member]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(member, v, 'Member must be a number')
    if (min !== undefined && v < min) this.fail(member, v, `Member must have value greater than or equal to ${min}`)
    if (max !== undefined && v > max) this.fail(member, v, `Member must have value less than or equal to ${max}`)
    return v
  }

  optBoolean(member: string): boolean | undefined {
    const v = this.input[member]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') this.fail(member, v, 'Member must be a boolean')
    return v
  }

  stringList(member: string): string[] {
    const v = this.optStringList(member)
    if (v === undefined) this.fail(member, v, 'Member must not be null')
    return v
  }

  optStringList(member: string): string[] | undefined {
    const v = this.input[member]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(member, '[...]', 'Member must be a list of strings')
    return v as string[]
  }

  optList<T = Record<string, unknown>>(member: string): T[] | undefined {
    const v = this.input[member]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) this.fail(member, v, 'Member must be a list')
    return v as T[]
  }

  /** `[{Key, Value}]` tags (SSM, Secrets Manager). */
  optTags(member = 'Tags'): Record<string, string> | undefined {
    const list = this.optList<{Key?: unknown; Value?: unknown}>(member)
    if (!list) return undefined
    const tags = dict<string>()
    for (const t of list) {
      if (typeof t?.Key !== 'string' || (t.Value !== undefined && typeof t.Value !== 'string')) this.fail(member, '[...]', 'Member must be a list of {Key, Value} strings')
      tags[t.Key] = (t.Value as string | undefined) ?? ''
    }
    return tags
  }
}

export function unknownOperation(service: string, operation: string): never {
  throw new ServiceError('UnknownOperationException', `The local control plane's ${service} does not support the operation ${operation}.`)
}

/** Opaque pagination tokens that carry the last key returned, stable across inserts. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

export function decodeToken<T>(token: string | undefined, errorCode = 'InvalidNextToken'): T | undefined {
  if (token === undefined) return undefined
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T
  } catch {
    throw new ServiceError(errorCode, 'The specified token is not valid.')
  }
}

export function tagList(tags: Record<string, string> | undefined): {Key: string; Value: string}[] {
  return Object.entries(tags ?? dict<string>()).map(([Key, Value]) => ({Key, Value}))
}
