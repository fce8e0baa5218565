// EC2's query input: lists are numbered without `member` (`VpcId.1`, `Filter.1.Name`, `Filter.1.Value.2`,
// `TagSpecification.1.Tag.1.Key`), and element names are singular. Decoded into nested objects where a
// level whose keys are all numbers becomes an array in index order.

import {nestQueryParams, type Node} from '../query-params.js'
import {wildcardMatch} from '../wildcard.js'

export function decodeEc2Params(params: Record<string, string>): Record<string, unknown> {
  return toArrays(nestQueryParams(params)) as Record<string, unknown>
}

function toArrays(node: Node | string): unknown {
  if (typeof node === 'string') return node
  const keys = Object.keys(node)
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => toArrays(node[k]!))
  }
  return Object.fromEntries(keys.map((k) => [k, toArrays(node[k]!)]))
}

export interface Ec2Filter {
  name: string
  values: string[]
}

/** `Filter.N.Name` / `Filter.N.Value.M`. */
export function filtersOf(input: Record<string, unknown>): Ec2Filter[] {
  const list = Array.isArray(input.Filter) ? (input.Filter as Record<string, unknown>[]) : []
  return list.map((f) => ({name: String(f.Name ?? ''), values: Array.isArray(f.Value) ? f.Value.map(String) : []}))
}

/** A numbered list of strings (`VpcId.1`, `VpcId.2`). */
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []
}

/** EC2 filter values may hold `*` and `?` wildcards (matched without regular expressions: ../wildcard.ts). */
export function globMatches(pattern: string, value: string): boolean {
  return wildcardMatch(pattern, value)
}

/** `TagSpecification.N.ResourceType` + `.Tag.M.Key/Value`, for one resource type. */
export function tagSpecifications(input: Record<string, unknown>, resourceType: string): {Key: string; Value: string}[] {
  const specs = Array.isArray(input.TagSpecification) ? (input.TagSpecification as Record<string, unknown>[]) : []
  return specs
    .filter((s) => s.ResourceType === resourceType)
    .flatMap((s) => (Array.isArray(s.Tag) ? (s.Tag as Record<string, unknown>[]) : []))
    .map((t) => ({Key: String(t.Key ?? ''), Value: String(t.Value ?? '')}))
}
