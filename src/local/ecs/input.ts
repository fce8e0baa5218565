// Reading the decoded JSON input of an ECS operation, failing with ECS's exception names.

import {ServiceError} from '../frontend/types.js'

export type Input = Record<string, unknown>

export const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message)
export const clientException = (message: string) => new ServiceError('ClientException', message)

export function optString(input: Input, key: string): string | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw invalidParameter(`${key} must be a string.`)
  return v
}

export function reqString(input: Input, key: string): string {
  const v = optString(input, key)
  if (v === undefined || v === '') throw invalidParameter(`${key} can not be blank.`)
  return v
}

export function optInt(input: Input, key: string, min?: number, max?: number): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameter(`${key} must be an integer.`)
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
    throw invalidParameter(`${key} must be between ${min ?? '-'} and ${max ?? '-'}.`)
  }
  return v
}

export function optBool(input: Input, key: string): boolean | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw invalidParameter(`${key} must be a boolean.`)
  return v
}

export function optArray<T = unknown>(input: Input, key: string): T[] | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw invalidParameter(`${key} must be a list.`)
  return v as T[]
}

/** A list of strings, or undefined. */
export function optStrings(input: Input, key: string): string[] | undefined {
  const v = optArray(input, key)
  if (v && !v.every((x) => typeof x === 'string')) throw invalidParameter(`${key} must be a list of strings.`)
  return v as string[] | undefined
}

/** A list of structures, or undefined. */
export function optObjects<T = Input>(input: Input, key: string): T[] | undefined {
  const v = optArray(input, key)
  if (v && !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) throw invalidParameter(`${key} must be a list of structures.`)
  return v as T[] | undefined
}

export function optObject(input: Input, key: string): Input | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(`${key} must be a structure.`)
  return v as Input
}

export interface Tag {
  key: string
  value: string
}

export function readTags(input: Input, key = 'tags'): Tag[] {
  const tags = optObjects(input, key) ?? []
  if (tags.length > 50) throw invalidParameter('The tags list can contain at most 50 tags.')
  return tags.map((t) => {
    if (typeof t?.key !== 'string' || t.key === '' || t.key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.')
    }
    if (t.value !== undefined && (typeof t.value !== 'string' || t.value.length > 256)) {
      throw invalidParameter('Tag values must be at most 256 characters.')
    }
    return {key: t.key, value: (t.value as string | undefined) ?? ''}
  })
}

/** Merges tags by key, later ones winning. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const map = new Map(current.map((t) => [t.key, t.value]))
  for (const t of added) map.set(t.key, t.value)
  return [...map].map(([key, value]) => ({key, value}))
}

/** Offset-based pagination with opaque tokens, as the List* operations page. */
export function paginate<T>(items: T[], input: Input, defaultMax: number, maxAllowed = 100): {page: T[]; nextToken?: string} {
  const max = optInt(input, 'maxResults', 1, maxAllowed) ?? defaultMax
  const token = optString(input, 'nextToken')
  let start = 0
  if (token) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''))
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid nextToken.')
  }
  const page = items.slice(start, start + max)
  const next = start + max < items.length ? Buffer.from(`o:${start + max}`).toString('base64url') : undefined
  return next ? {page, nextToken: next} : {page}
}

/** ECS's JSON timestamps: epoch seconds. */
export const ts = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000)
