// Local KMS (JSON 1.1, target prefix TrentService): symmetric keys whose material stays in the state
// directory, enough for envelope encryption (GenerateDataKey/Decrypt) and small Encrypt calls. Exec
// sessions use it for the data channel's KMS encryption, as on AWS.
import {randomBytes, randomUUID} from 'node:crypto'
import {join} from 'node:path'

import {ServiceError, type JsonService} from '../frontend/types.js'
import {JsonDocument} from '../store/json-file.js'
import {keyIdOf, open, seal} from './ciphertext.js'

interface StoredKey {
  keyId: string
  material: string
  description: string
  createdAt: number
  state: 'Enabled' | 'Disabled' | 'PendingDeletion'
  tags: {TagKey: string; TagValue: string}[]
}

interface KmsState {
  keys: Record<string, StoredKey>
  aliases: Record<string, string>
}

export interface LocalKms {
  service: JsonService
  /** In-process Decrypt for the control plane's own use (the exec agent side). */
  decrypt(ciphertextBlob: Buffer, encryptionContext?: Record<string, string>): Promise<Buffer>
  /** The key behind `alias`, created on first use. Returns the key's ARN. */
  ensureKey(alias: string, description?: string): string
  close(): void
}

type Input = Record<string, unknown>

export function createKms(deps: {stateDir: string; region: string; accountId: string; now?: () => number}): LocalKms {
  const doc = new JsonDocument<KmsState>(join(deps.stateDir, 'kms', 'keys.json'), {keys: {}, aliases: {}})
  const now = deps.now ?? Date.now
  const arnOf = (keyId: string) => `arn:aws:kms:${deps.region}:${deps.accountId}:key/${keyId}`
  const aliasArn = (name: string) => `arn:aws:kms:${deps.region}:${deps.accountId}:${name}`

  function resolve(ref: unknown, opts: {forUse?: boolean} = {}): StoredKey {
    if (typeof ref !== 'string' || ref === '') throw new ServiceError('ValidationException', 'KeyId is required.')
    let id = ref
    const aliasMatch = /^(?:arn:aws:kms:[^:]*:[^:]*:)?(alias\/.+)$/.exec(ref)
    if (aliasMatch) {
      const target = doc.value.aliases[aliasMatch[1]!]
      if (!target) throw new ServiceError('NotFoundException', `Alias ${aliasArn(aliasMatch[1]!)} is not found.`)
      id = target
    } else {
      id = ref.replace(/^arn:aws:kms:[^:]*:[^:]*:key\//, '')
    }
    const key = doc.value.keys[id]
    if (!key) throw new ServiceError('NotFoundException', `Key '${arnOf(id)}' does not exist`)
    if (opts.forUse && key.state === 'Disabled') throw new ServiceError('DisabledException', `${arnOf(id)} is disabled.`)
    if (opts.forUse && key.state === 'PendingDeletion') throw new ServiceError('KMSInvalidStateException', `${arnOf(id)} is pending deletion.`)
    return key
  }

  function metadata(k: StoredKey) {
    return {
      AWSAccountId: deps.accountId,
      KeyId: k.keyId,
      Arn: arnOf(k.keyId),
      CreationDate: k.createdAt / 1000,
      Enabled: k.state === 'Enabled',
      Description: k.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: k.state,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    }
  }

  function createKey(description: string, tags: StoredKey['tags'] = []): StoredKey {
    const key: StoredKey = {keyId: randomUUID(), material: randomBytes(32).toString('base64'), description, createdAt: now(), state: 'Enabled', tags}
    doc.value.keys[key.keyId] = key
    doc.save()
    return key
  }

  function context(input: Input): Record<string, string> | undefined {
    const c = input.EncryptionContext
    if (c === undefined || c === null) return undefined
    if (typeof c !== 'object') throw new ServiceError('ValidationException', 'EncryptionContext must be a map of strings.')
    return c as Record<string, string>
  }

  function blob(input: Input, field: string): Buffer {
    const v = input[field]
    if (typeof v !== 'string' || v === '') throw new ServiceError('ValidationException', `${field} is required.`)
    return Buffer.from(v, 'base64')
  }

  function dataKeyLength(input: Input): number {
    if (typeof input.NumberOfBytes === 'number') {
      if (input.NumberOfBytes < 1 || input.NumberOfBytes > 1024) throw new ServiceError('ValidationException', 'NumberOfBytes must be between 1 and 1024.')
      return input.NumberOfBytes
    }
    if (input.KeySpec === 'AES_256') return 32
    if (input.KeySpec === 'AES_128') return 16
    throw new ServiceError('ValidationException', 'Please specify either number of bytes or key spec.')
  }

  function decrypt(ciphertext: Buffer, ctx?: Record<string, string>, expectedKey?: unknown): {key: StoredKey; plaintext: Buffer} {
    const id = keyIdOf(ciphertext)
    if (!id || !doc.value.keys[id]) throw new ServiceError('InvalidCiphertextException', 'The ciphertext is not valid for any key of this account.')
    const key = resolve(id, {forUse: true})
    if (expectedKey !== undefined && resolve(expectedKey).keyId !== key.keyId) {
      throw new ServiceError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext.')
    }
    try {
      return {key, plaintext: open(Buffer.from(key.material, 'base64'), ciphertext, ctx)}
    } catch {
      throw new ServiceError('InvalidCiphertextException', 'The ciphertext or its encryption context does not match.')
    }
  }

  const operations: Record<string, (input: Input) => unknown> = {
    CreateKey(input) {
      if (input.KeySpec && input.KeySpec !== 'SYMMETRIC_DEFAULT') throw new ServiceError('UnsupportedOperationException', `KeySpec ${String(input.KeySpec)} is not supported locally: only SYMMETRIC_DEFAULT.`)
      const key = createKey(typeof input.Description === 'string' ? input.Description : '', (input.Tags as StoredKey['tags']) ?? [])
      return {KeyMetadata: metadata(key)}
    },
    DescribeKey: (input) => ({KeyMetadata: metadata(resolve(input.KeyId))}),
    ListKeys: () => ({Keys: Object.values(doc.value.keys).map((k) => ({KeyId: k.keyId, KeyArn: arnOf(k.keyId)})), Truncated: false}),
    CreateAlias(input) {
      const name = String(input.AliasName ?? '')
      if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.startsWith('alias/aws/')) throw new ServiceError('ValidationException', `Alias ${name} is not valid.`)
      if (doc.value.aliases[name]) throw new ServiceError('AlreadyExistsException', `An alias with the name ${aliasArn(name)} already exists`)
      doc.value.aliases[name] = resolve(input.TargetKeyId).keyId
      doc.save()
      return {}
    },
    DeleteAlias(input) {
      const name = String(input.AliasName ?? '')
      if (!doc.value.aliases[name]) throw new ServiceError('NotFoundException', `Alias ${aliasArn(name)} is not found.`)
      delete doc.value.aliases[name]
      doc.save()
      return {}
    },
    ListAliases: (input) => ({
      Aliases: Object.entries(doc.value.aliases)
        .filter(([, id]) => input.KeyId === undefined || id === resolve(input.KeyId).keyId)
        .map(([name, id]) => ({AliasName: name, AliasArn: aliasArn(name), TargetKeyId: id})),
      Truncated: false,
    }),
    ScheduleKeyDeletion(input) {
      const key = resolve(input.KeyId)
      key.state = 'PendingDeletion'
      doc.save()
      const days = typeof input.PendingWindowInDays === 'number' ? input.PendingWindowInDays : 30
      return {KeyId: arnOf(key.keyId), DeletionDate: (now() + days * 86_400_000) / 1000, KeyState: key.state, PendingWindowInDays: days}
    },
    GenerateDataKey(input) {
      const key = resolve(input.KeyId, {forUse: true})
      const plaintext = randomBytes(dataKeyLength(input))
      const ciphertext = seal(key.keyId, Buffer.from(key.material, 'base64'), plaintext, context(input))
      return {KeyId: arnOf(key.keyId), Plaintext: plaintext.toString('base64'), CiphertextBlob: ciphertext.toString('base64')}
    },
    GenerateDataKeyWithoutPlaintext(input) {
      const {Plaintext: _, ...rest} = operations.GenerateDataKey!(input) as Record<string, string>
      return rest
    },
    Encrypt(input) {
      const key = resolve(input.KeyId, {forUse: true})
      const plaintext = blob(input, 'Plaintext')
      if (plaintext.length > 4096) throw new ServiceError('ValidationException', 'Plaintext must be at most 4096 bytes.')
      const ciphertext = seal(key.keyId, Buffer.from(key.material, 'base64'), plaintext, context(input))
      return {KeyId: arnOf(key.keyId), CiphertextBlob: ciphertext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT'}
    },
    Decrypt(input) {
      const {key, plaintext} = decrypt(blob(input, 'CiphertextBlob'), context(input), input.KeyId)
      return {KeyId: arnOf(key.keyId), Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT'}
    },
  }

  return {
    service: {
      targetPrefix: 'TrentService',
      signingName: 'kms',
      async handle(operation, input) {
        const op = Object.hasOwn(operations, operation) ? operations[operation] : undefined
        if (!op) throw new ServiceError('UnknownOperationException', `KMS operation ${operation} is not supported by the local control plane.`)
        return op(input ?? {})
      },
    },
    async decrypt(ciphertextBlob, encryptionContext) {
      return decrypt(ciphertextBlob, encryptionContext).plaintext
    },
    ensureKey(alias, description = 'Created by the Pier local control plane') {
      const existing = doc.value.aliases[alias]
      if (existing && doc.value.keys[existing]) return arnOf(existing)
      const key = createKey(description)
      doc.value.aliases[alias] = key.keyId
      doc.save()
      return arnOf(key.keyId)
    },
    close: () => doc.flush(),
  }
}
