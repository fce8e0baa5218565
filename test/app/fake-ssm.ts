import {AwsError} from '../../src/aws/errors.js'
import type {ParametersApi} from '../../src/aws/interfaces.js'

/** SSM Parameter Store in memory, with GetParametersByPath's one-level semantics. */
export function fakeSsm(): ParametersApi & {values: Map<string, string>; tags: Map<string, Record<string, string>>; keys: Map<string, string>} {
  const values = new Map<string, string>()
  const tags = new Map<string, Record<string, string>>()
  const keys = new Map<string, string>()
  return {
    values,
    tags,
    keys,
    async listTagsForResource({ResourceId}) {
      if (!values.has(ResourceId!)) throw new AwsError('InvalidResourceId', 'ssm:ListTagsForResource', 'not found')
      return {TagList: Object.entries(tags.get(ResourceId!) ?? {}).map(([Key, Value]) => ({Key, Value})), $metadata: {}}
    },
    async describeParameters({ParameterFilters}) {
      const names = ParameterFilters?.find((f) => f.Key === 'Name')?.Values ?? [...values.keys()]
      const found = names.filter((n) => values.has(n))
      return {Parameters: found.map((Name) => ({Name, Type: keys.has(Name) ? 'SecureString' : 'String', KeyId: keys.get(Name)})), $metadata: {}}
    },
    async getParameter({Name}) {
      const v = values.get(Name!)
      if (v === undefined) throw new AwsError('ParameterNotFound', 'ssm:GetParameter', `ssm:GetParameter failed: ${Name}`)
      return {Parameter: {Name, Value: v}, $metadata: {}}
    },
    async putParameter({Name, Value}) {
      values.set(Name!, Value!)
      return {$metadata: {}}
    },
    async deleteParameter({Name}) {
      if (!values.delete(Name!)) throw new AwsError('ParameterNotFound', 'ssm:DeleteParameter', 'not found')
      return {$metadata: {}}
    },
    async getParametersByPath({Path, Recursive}) {
      const prefix = `${Path!.replace(/\/$/, '')}/`
      const hits = [...values.entries()].filter(([k]) => k.startsWith(prefix) && (Recursive || !k.slice(prefix.length).includes('/')))
      return {Parameters: hits.map(([Name, Value]) => ({Name, Value})), $metadata: {}}
    },
  }
}
