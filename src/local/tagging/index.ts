// The Resource Groups Tagging API (JSON 1.1, target prefix ResourceGroupsTaggingAPI_20170126):
// GetResources, which finds resources by type and tags across services, as tools look up "the ECS
// service tagged copilot-service=web" (Copilot's desired-count custom resource does). It lists what the
// services that report their tagged resources hold (ECS today); like AWS, only resources with tags.

import {ServiceError, type JsonService} from '../frontend/types.js'
import {decodeToken, encodeToken, unknownOperation, type Input} from '../frontend/json-input.js'

export interface TaggedResource {
  arn: string
  tags: {key: string; value: string}[]
}

/** A service's tagged resources, read when a request comes. */
export type TagSource = () => TaggedResource[]

export const TAGGING_TARGET_PREFIX = 'ResourceGroupsTaggingAPI_20170126'

/** `service:resourceType` of an ARN (`arn:aws:ecs:r:a:service/c/n` → `ecs:service`), as the API's filters name types. */
export function resourceType(arn: string): string {
  const parts = arn.split(':')
  const service = parts[2] ?? ''
  const rest = parts.slice(5).join(':')
  const type = /^([A-Za-z0-9-]+)[/:]/.exec(rest)?.[1]
  return type ? `${service}:${type}` : service
}

function invalid(message: string): ServiceError {
  return new ServiceError('InvalidParameterException', message)
}

function stringList(input: Input, member: string): string[] {
  const v = input[member]
  if (v === undefined) return []
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`${member} must be a list of strings.`)
  return v as string[]
}

export class TaggingService implements JsonService {
  readonly targetPrefix = TAGGING_TARGET_PREFIX
  readonly signingName = 'tagging'

  constructor(private readonly sources: TagSource[]) {}

  async handle(operation: string, input: Input): Promise<unknown> {
    if (operation !== 'GetResources') return unknownOperation('Resource Groups Tagging API', operation)
    return this.getResources(input)
  }

  private getResources(input: Input): unknown {
    const types = stringList(input, 'ResourceTypeFilters')
    const arns = stringList(input, 'ResourceARNList')
    if (arns.length > 0 && (types.length > 0 || input.TagFilters !== undefined)) {
      throw invalid('ResourceARNList cannot be used with ResourceTypeFilters or TagFilters.')
    }
    const rawFilters = input.TagFilters ?? []
    if (!Array.isArray(rawFilters) || rawFilters.length > 50) throw invalid('TagFilters must be a list of at most 50 filters.')
    const filters = rawFilters.map((f: unknown) => {
      const key = (f as {Key?: unknown}).Key
      if (typeof key !== 'string' || !key) throw invalid('Each tag filter needs a Key.')
      return {key, values: stringList(f as Input, 'Values')}
    })
    const perPage = input.ResourcesPerPage === undefined ? 100 : Number(input.ResourcesPerPage)
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw invalid('ResourcesPerPage must be between 1 and 100.')

    const matches = this.sources.flatMap((s) => s()).filter((r) => {
      if (r.tags.length === 0) return false
      if (arns.length > 0) return arns.includes(r.arn)
      const type = resourceType(r.arn)
      if (types.length > 0 && !types.some((t) => t === type || (!t.includes(':') && type.split(':')[0] === t))) return false
      // Filters are ANDed; the values of one filter are ORed; a filter without values asks for the key.
      return filters.every((f) => r.tags.some((t) => t.key === f.key && (f.values.length === 0 || f.values.includes(t.value))))
    }).sort((a, b) => a.arn.localeCompare(b.arn))

    const token = typeof input.PaginationToken === 'string' && input.PaginationToken ? input.PaginationToken : undefined
    const start = token ? Number(decodeToken<{at?: unknown}>(token, 'PaginationTokenExpiredException')?.at) : 0
    if (!Number.isInteger(start) || start < 0) throw invalid('The pagination token is not valid.')
    const page = matches.slice(start, start + perPage)
    return {
      PaginationToken: start + perPage < matches.length ? encodeToken({at: start + perPage}) : '',
      ResourceTagMappingList: page.map((r) => ({ResourceARN: r.arn, Tags: r.tags.map((t) => ({Key: t.key, Value: t.value}))})),
    }
  }
}
