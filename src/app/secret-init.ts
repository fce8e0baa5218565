// `pier secret init`: SecureString parameters `/copilot/<app>/<env>/secrets/<name>`, tagged
// copilot-application and copilot-environment so the execution role of the environment's workloads may
// read them (Copilot's contract). An existing secret is kept unless --overwrite is given.
import {parse} from 'yaml'

import {isAwsError} from '../aws/errors.js'
import {UserError} from '../errors.js'
import type {AppContext} from './context.js'

export type SecretValues = Record<string, Record<string, string>>

export interface SecretPut {
  secret: string
  env: string
  parameter: string
  outcome: 'created' | 'overwritten' | 'kept'
}

export const secretParameterName = (app: string, env: string, name: string): string => `/copilot/${app}/${env}/secrets/${name}`

const NAME = /^[A-Za-z0-9_.-]+$/

export function checkSecretName(name: string): void {
  if (!NAME.test(name) || name.length > 512) {
    throw new UserError(`secret name ${JSON.stringify(name)} is not valid: use letters, digits, _, . and - (it becomes the last part of an SSM parameter name)`, {hint: 'e.g. --name db_password'})
  }
}

/** `test=a,prod=b` -> {test: 'a', prod: 'b'}; a comma not followed by `env=` belongs to the value before it. */
export function parseValues(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  let last: string | undefined
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z0-9_-]+)=(.*)$/s.exec(part)
    if (m) {
      last = m[1]!
      out[last] = m[2]!
    } else if (last !== undefined) {
      out[last] += `,${part}`
    } else {
      throw new UserError(`--values ${JSON.stringify(text)} does not start with ENV=VALUE`, {hint: 'e.g. --values test=abc,prod=xyz'})
    }
  }
  return out
}

/** Copilot's --cli-input-yaml: `<secret>: {<env>: <value>}` for each secret. */
export function parseInputYaml(file: string, text: string): SecretValues {
  let doc: unknown
  try {
    doc = parse(text)
  } catch (error) {
    throw new UserError(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {hint: 'Write each secret as a map of environment names to values.'})
  }
  const shape = 'write `NAME:` followed by `ENV: value` lines for each secret'
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UserError(`${file} is not a map of secrets: ${shape}`)
  const out: SecretValues = {}
  for (const [name, values] of Object.entries(doc)) {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new UserError(`secret ${name} in ${file} is not a map of environments to values: ${shape}`)
    out[name] = Object.fromEntries(Object.entries(values).map(([env, v]) => [env, String(v)]))
  }
  return out
}

/** The environments the values name must belong to the application (registered, or in the workspace). */
async function checkEnvironments(ctx: AppContext, app: string, secrets: SecretValues, workspaceEnvs: string[]): Promise<void> {
  const known = new Set([...workspaceEnvs, ...(await ctx.store.listEnvs(app)).map((e) => e.name)])
  for (const [name, values] of Object.entries(secrets)) {
    for (const env of Object.keys(values)) {
      if (!known.has(env)) {
        throw new UserError(`environment ${env} (a value of secret ${name}) is not an environment of application ${app}`, {
          hint: known.size ? `Environments: ${[...known].sort().join(', ')}.` : 'Create one with `pier env init`.',
        })
      }
    }
  }
}

export async function initSecrets(ctx: AppContext, input: {app: string; secrets: SecretValues; overwrite: boolean; workspaceEnvs: string[]}): Promise<SecretPut[]> {
  Object.keys(input.secrets).forEach(checkSecretName)
  await checkEnvironments(ctx, input.app, input.secrets, input.workspaceEnvs)
  const results: SecretPut[] = []
  for (const [secret, values] of Object.entries(input.secrets)) {
    for (const [env, value] of Object.entries(values)) {
      if (value === '') continue // as Copilot: an empty value skips that environment
      const parameter = secretParameterName(input.app, env, secret)
      const base = {Name: parameter, Value: value, Type: 'SecureString' as const}
      try {
        await ctx.aws.parameters.putParameter({...base, Tags: [{Key: 'copilot-application', Value: input.app}, {Key: 'copilot-environment', Value: env}]})
        results.push({secret, env, parameter, outcome: 'created'})
      } catch (error) {
        if (!isAwsError(error, 'ParameterAlreadyExists')) throw error
        if (!input.overwrite) {
          results.push({secret, env, parameter, outcome: 'kept'})
          continue
        }
        // SSM refuses tags with Overwrite; the parameter keeps the tags it was created with.
        await ctx.aws.parameters.putParameter({...base, Overwrite: true})
        results.push({secret, env, parameter, outcome: 'overwritten'})
      }
    }
  }
  return results
}

/** The `secrets:` block a manifest uses to read these secrets, in every environment. */
export function manifestReference(names: string[]): string {
  return ['secrets:', ...names.map((n) => `  ${n}: /copilot/\${COPILOT_APPLICATION_NAME}/\${COPILOT_ENVIRONMENT_NAME}/secrets/${n}`)].join('\n')
}
