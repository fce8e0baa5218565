// Resolves an ECS secret's `valueFrom` the way the ECS agent does at task start:
//   arn:aws:ssm:<region>:<account>:parameter/<name>           an SSM parameter (decrypted)
//   <name> or /<path>/<name>                                  an SSM parameter in the local region
//   arn:aws:secretsmanager:<r>:<a>:secret:<name>[-XXXXXX]     a secret's AWSCURRENT value; the ARN may be
//       [:<json-key>:<version-stage>:<version-id>]            partial, and may select a JSON key and a version
// A plain name that is no SSM parameter is tried as a Secrets Manager secret name.

import {ServiceError} from '../frontend/types.js'
import type {SecretResolver} from '../contracts.js'
import type {SecretsManagerService} from './index.js'
import type {SsmService} from '../ssm/index.js'

export class LocalSecretResolver implements SecretResolver {
  constructor(private readonly ssm: SsmService, private readonly secrets: SecretsManagerService) {}

  async resolve(valueFrom: string): Promise<string> {
    if (valueFrom.startsWith('arn:')) {
      const service = valueFrom.split(':')[2]
      if (service === 'ssm') return this.ssm.valueOf(valueFrom)
      if (service === 'secretsmanager') return this.secret(valueFrom)
      throw new ServiceError('InvalidParameterException', `${valueFrom} is neither an SSM parameter ARN nor a Secrets Manager secret ARN.`)
    }
    try {
      return this.ssm.valueOf(valueFrom)
    } catch (err) {
      if (!(err instanceof ServiceError && err.code === 'ParameterNotFound')) throw err
      try {
        return this.secret(valueFrom)
      } catch (e) {
        if (e instanceof ServiceError && e.code === 'ResourceNotFoundException') throw err
        throw e
      }
    }
  }

  private secret(ref: string): string {
    const {secretId, jsonKey, versionStage, versionId} = parseSecretRef(ref)
    const value = this.secrets.value(secretId, {versionStage, versionId})
    const text = value.string ?? value.binary?.toString('base64') ?? ''
    if (!jsonKey) return text
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      throw new ServiceError('InvalidParameterException', `The secret ${value.name} is not JSON, so the key ${jsonKey} cannot be read from it.`)
    }
    if (typeof doc !== 'object' || doc === null || !(jsonKey in doc)) {
      throw new ServiceError('ResourceNotFoundException', `The secret ${value.name} has no JSON key ${jsonKey}.`)
    }
    const v = (doc as Record<string, unknown>)[jsonKey]
    return typeof v === 'string' ? v : JSON.stringify(v)
  }
}

/** Splits `arn:aws:secretsmanager:r:a:secret:name[:json-key:stage:version]` (or a bare name). */
export function parseSecretRef(ref: string): {secretId: string; jsonKey?: string; versionStage?: string; versionId?: string} {
  if (!ref.startsWith('arn:')) return {secretId: ref}
  const parts = ref.split(':')
  const secretId = parts.slice(0, 7).join(':')
  const [jsonKey, versionStage, versionId] = parts.slice(7).map((p) => (p === '' ? undefined : p))
  return {secretId, jsonKey, versionStage, versionId}
}
