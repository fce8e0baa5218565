import {AwsError} from '../../src/aws/errors.js'
import type {ParametersApi} from '../../src/aws/interfaces.js'

/** SSM Parameter Store in memory, with GetParametersByPath's one-level semantics. */
export function fakeSsm(): ParametersApi & {values: Map<string, string>} {
  const values = new Map<string, string>()
  return {
    values,
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
