// AWS::SecretsManager::Secret through the local Secrets Manager (JSON target secretsmanager), with
// GenerateSecretString producing the password here as Secrets Manager's GetRandomPassword would.

import {randomInt} from 'node:crypto'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {callJson, hasCode, mergedTags, randomSuffix} from './util.js'

const call = (ctx: ProviderContext, op: string, input: Record<string, unknown>) => callJson(ctx, 'secretsmanager', 'SecretsManager', op, input)

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'

export function generatePassword(spec: Record<string, any>): string {
  const exclude = String(spec.ExcludeCharacters ?? '')
  const sets: string[] = []
  if (!spec.ExcludeLowercase) sets.push('abcdefghijklmnopqrstuvwxyz')
  if (!spec.ExcludeUppercase) sets.push('ABCDEFGHIJKLMNOPQRSTUVWXYZ')
  if (!spec.ExcludeNumbers) sets.push('0123456789')
  if (!spec.ExcludePunctuation) sets.push(PUNCTUATION)
  if (spec.IncludeSpace) sets.push(' ')
  const usable = sets.map((s) => [...s].filter((c) => !exclude.includes(c)).join('')).filter((s) => s.length > 0)
  const length = Number(spec.PasswordLength ?? 32)
  if (usable.length === 0 || !Number.isInteger(length) || length < 1 || length > 4096) {
    throw new ProviderError('Properties validation failed: GenerateSecretString cannot produce a password from these settings')
  }
  const all = usable.join('')
  const chars = Array.from({length}, () => all[randomInt(all.length)]!)
  if (spec.RequireEachIncludedType !== false && length >= usable.length) {
    usable.forEach((set, i) => {
      chars[i] = set[randomInt(set.length)]!
    })
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1)
      ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
    }
  }
  return chars.join('')
}

function secretString(props: Record<string, any>): string | undefined {
  if (props.SecretString !== undefined && props.GenerateSecretString !== undefined) {
    throw new ProviderError('Properties validation failed for resource with message: #: only one of SecretString and GenerateSecretString may be set')
  }
  if (props.SecretString !== undefined) return String(props.SecretString)
  const gen = props.GenerateSecretString as Record<string, any> | undefined
  if (!gen) return undefined
  const password = generatePassword(gen)
  if (gen.SecretStringTemplate === undefined) return password
  if (!gen.GenerateStringKey) throw new ProviderError('GenerateStringKey is required when SecretStringTemplate is set')
  let template: Record<string, unknown>
  try {
    template = JSON.parse(String(gen.SecretStringTemplate))
  } catch {
    throw new ProviderError('SecretStringTemplate must be a JSON object')
  }
  return JSON.stringify({...template, [String(gen.GenerateStringKey)]: password})
}

export function registerSecretsManagerProviders(registry: ProviderRegistry): void {
  const secret: ResourceProvider = {
    immutable: ['Name'],
    async create(props, ctx) {
      const name = props.Name ? String(props.Name) : `${ctx.logicalId}-${randomSuffix(12, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`
      const value = secretString(props)
      const tags = mergedTags(ctx, props.Tags)
      const out = await call(ctx, 'CreateSecret', {
        Name: name, ...(props.Description !== undefined ? {Description: String(props.Description)} : {}),
        ...(props.KmsKeyId !== undefined ? {KmsKeyId: String(props.KmsKeyId)} : {}),
        ...(value !== undefined ? {SecretString: value} : {}), ...(tags.length > 0 ? {Tags: tags} : {}),
      })
      const arn = String(out?.ARN)
      return {physicalId: arn, attributes: {Id: arn}}
    },
    async update(arn, props, old, ctx) {
      const valueChanged = JSON.stringify(props.SecretString ?? props.GenerateSecretString) !== JSON.stringify(old.SecretString ?? old.GenerateSecretString)
      const value = valueChanged ? secretString(props) : undefined
      await call(ctx, 'UpdateSecret', {
        SecretId: arn, ...(props.Description !== undefined ? {Description: String(props.Description)} : {}),
        ...(props.KmsKeyId !== undefined ? {KmsKeyId: String(props.KmsKeyId)} : {}), ...(value !== undefined ? {SecretString: value} : {}),
      })
      return {physicalId: arn, attributes: {Id: arn}}
    },
    async delete(arn, _props, ctx) {
      try {
        await call(ctx, 'DeleteSecret', {SecretId: arn, ForceDeleteWithoutRecovery: true})
      } catch (err) {
        if (!hasCode(err, 'ResourceNotFoundException')) throw err
      }
    },
  }
  registry.register('AWS::SecretsManager::Secret', secret)
}
