// Secrets Manager (JSON 1.1, target prefix secretsmanager). Secrets with versions and staging labels
// (AWSCURRENT, AWSPREVIOUS), values sealed with the local key at rest, ARNs with AWS's random 6-character
// suffix, scheduled deletion with a recovery window (or at once with ForceDeleteWithoutRecovery), tags.
// A secret is found by name, full ARN or partial ARN (without the suffix), as on AWS.
// State: `<stateDir>/secretsmanager.json`, saved before each answer.

import {randomBytes, randomUUID} from 'node:crypto'
import {join} from 'node:path'

import {JsonDocument} from '../store/json-file.js'
import {ServiceError, type JsonService, type RequestContext} from '../frontend/types.js'
import {decodeToken, encodeToken, InputReader, tagList, unknownOperation, type Input} from '../frontend/json-input.js'
import type {LocalKey} from '../store/local-key.js'
import {dict} from '../store/dict.js'

interface SecretVersion {
  id: string
  /** Sealed value; `binary` tells whether it was SecretBinary. */
  sealed: string
  binary: boolean
  stages: string[]
  created: number
}

interface StoredSecret {
  arn: string
  name: string
  description?: string
  kmsKeyId?: string
  tags: Record<string, string>
  versions: SecretVersion[]
  created: number
  changed: number
  accessed?: number
  deletionDate?: number
}

interface SecretsState {
  secrets: Record<string, StoredSecret>
}

const NOT_FOUND = "Secrets Manager can't find the specified secret."
const MARKED = "You can't perform this operation on the secret because it was marked for deletion."
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export interface SecretValue {
  arn: string
  name: string
  versionId: string
  stages: string[]
  created: number
  string?: string
  binary?: Buffer
}

export class SecretsManagerService implements JsonService {
  readonly targetPrefix = 'secretsmanager'
  readonly signingName = 'secretsmanager'
  private readonly doc: JsonDocument<SecretsState>

  constructor(stateDir: string, private readonly key: LocalKey, private readonly identity: {region: string; accountId: string}) {
    this.doc = new JsonDocument<SecretsState>(join(stateDir, 'secretsmanager.json'), {secrets: {}})
  }

  async handle(operation: string, input: Input, _ctx: RequestContext): Promise<unknown> {
    this.purgeExpired()
    const r = new InputReader(input, 'InvalidParameterException')
    switch (operation) {
      case 'CreateSecret':
        return this.create(r)
      case 'GetSecretValue':
        return this.getValue(r)
      case 'PutSecretValue':
        return this.putValue(r)
      case 'UpdateSecret':
        return this.update(r)
      case 'DescribeSecret':
        return this.describe(this.find(r.string('SecretId')))
      case 'ListSecrets':
        return this.list(r)
      case 'DeleteSecret':
        return this.delete(r)
      case 'RestoreSecret': {
        const s = this.find(r.string('SecretId'))
        delete s.deletionDate
        this.doc.save()
        return {ARN: s.arn, Name: s.name}
      }
      case 'TagResource': {
        const s = this.find(r.string('SecretId'))
        Object.assign(s.tags, r.optTags())
        this.doc.save()
        return {}
      }
      case 'UntagResource': {
        const s = this.find(r.string('SecretId'))
        for (const k of r.stringList('TagKeys')) delete s.tags[k]
        this.doc.save()
        return {}
      }
      case 'ListSecretVersionIds': {
        const s = this.find(r.string('SecretId'))
        return {ARN: s.arn, Name: s.name, Versions: s.versions.map((v) => ({VersionId: v.id, VersionStages: v.stages, CreatedDate: new Date(v.created)}))}
      }
      default:
        return unknownOperation('Secrets Manager', operation)
    }
  }

  /** A secret's value by id (name, ARN or partial ARN), version stage (default AWSCURRENT) or version id. */
  value(secretId: string, opts: {versionId?: string; versionStage?: string} = {}): SecretValue {
    this.purgeExpired()
    const s = this.find(secretId)
    if (s.deletionDate !== undefined) throw new ServiceError('InvalidRequestException', MARKED)
    const stage = opts.versionStage ?? (opts.versionId ? undefined : 'AWSCURRENT')
    const v = s.versions.find((x) => (opts.versionId === undefined || x.id === opts.versionId) && (stage === undefined || x.stages.includes(stage)))
    if (!v) {
      throw new ServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${opts.versionId ? `VersionId: ${opts.versionId}` : `staging label: ${stage}`}`)
    }
    const plain = this.key.decryptBuffer(v.sealed)
    return {arn: s.arn, name: s.name, versionId: v.id, stages: v.stages, created: v.created, ...(v.binary ? {binary: plain} : {string: plain.toString('utf8')})}
  }

  private create(r: InputReader): unknown {
    const name = r.string('Name')
    if (!/^[a-zA-Z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new ServiceError('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!')
    }
    const existing = this.byName(name)
    if (existing?.deletionDate !== undefined) {
      throw new ServiceError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.")
    }
    if (existing) throw new ServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`)
    const now = Date.now()
    const s: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.identity.region}:${this.identity.accountId}:secret:${name}-${suffix()}`,
      name,
      description: r.optString('Description'),
      kmsKeyId: r.optString('KmsKeyId'),
      tags: r.optTags() ?? dict<string>(),
      versions: [],
      created: now,
      changed: now,
    }
    const version = this.addVersion(s, r, ['AWSCURRENT'], false)
    this.doc.value.secrets[s.arn] = s
    this.doc.save()
    return {ARN: s.arn, Name: s.name, VersionId: version?.id}
  }

  private getValue(r: InputReader): unknown {
    const v = this.value(r.string('SecretId'), {versionId: r.optString('VersionId'), versionStage: r.optString('VersionStage')})
    const s = this.find(v.arn)
    s.accessed = startOfDay(Date.now())
    this.doc.saveSoon()
    return {
      ARN: v.arn,
      Name: v.name,
      VersionId: v.versionId,
      SecretString: v.string,
      SecretBinary: v.binary?.toString('base64'),
      VersionStages: v.stages,
      CreatedDate: new Date(v.created),
    }
  }

  private putValue(r: InputReader): unknown {
    const s = this.live(r.string('SecretId'))
    const v = this.addVersion(s, r, r.optStringList('VersionStages') ?? ['AWSCURRENT'], true)!
    this.doc.save()
    return {ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: v.stages}
  }

  private update(r: InputReader): unknown {
    const s = this.live(r.string('SecretId'))
    const description = r.optString('Description')
    if (description !== undefined) s.description = description
    const kmsKeyId = r.optString('KmsKeyId')
    if (kmsKeyId !== undefined) s.kmsKeyId = kmsKeyId
    const v = this.addVersion(s, r, ['AWSCURRENT'], false)
    s.changed = Date.now()
    this.doc.save()
    return {ARN: s.arn, Name: s.name, VersionId: v?.id}
  }

  /** Adds a version from SecretString/SecretBinary; moves AWSCURRENT and AWSPREVIOUS like AWS. */
  private addVersion(s: StoredSecret, r: InputReader, stages: string[], required: boolean): SecretVersion | undefined {
    const str = r.optString('SecretString')
    const bin = r.optString('SecretBinary')
    if (str !== undefined && bin !== undefined) {
      throw new ServiceError('InvalidParameterException', 'You must provide either SecretString or SecretBinary, but not both.')
    }
    if (str === undefined && bin === undefined) {
      if (required) throw new ServiceError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.')
      return undefined
    }
    const plain = str !== undefined ? Buffer.from(str, 'utf8') : Buffer.from(bin!, 'base64')
    const token = r.optString('ClientRequestToken')
    const same = token ? s.versions.find((v) => v.id === token) : undefined
    if (same) {
      if (!this.key.decryptBuffer(same.sealed).equals(plain)) {
        throw new ServiceError('ResourceExistsException', `You can't modify an existing version, you can only create a new version.`)
      }
      return same
    }
    if (stages.includes('AWSCURRENT')) {
      for (const v of s.versions) v.stages = v.stages.filter((x) => x !== 'AWSPREVIOUS')
      for (const v of s.versions) {
        if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((x) => x !== 'AWSCURRENT'), 'AWSPREVIOUS']
      }
    }
    for (const v of s.versions) v.stages = v.stages.filter((x) => x === 'AWSPREVIOUS' || x === 'AWSCURRENT' || !stages.includes(x))
    const version: SecretVersion = {id: token ?? randomUUID(), sealed: this.key.encrypt(plain), binary: bin !== undefined, stages: [...stages], created: Date.now()}
    s.versions.push(version)
    // Versions without a label are deprecated by AWS; keep a bounded history like it does.
    s.versions = s.versions.filter((v) => v.stages.length > 0 || s.versions.indexOf(v) >= s.versions.length - 100)
    s.changed = Date.now()
    return version
  }

  private describe(s: StoredSecret): unknown {
    return {
      ARN: s.arn,
      Name: s.name,
      Description: s.description,
      KmsKeyId: s.kmsKeyId,
      LastChangedDate: new Date(s.changed),
      LastAccessedDate: s.accessed === undefined ? undefined : new Date(s.accessed),
      DeletedDate: s.deletionDate === undefined ? undefined : new Date(s.deletionDate),
      Tags: s.tags && Object.keys(s.tags).length > 0 ? tagList(s.tags) : undefined,
      VersionIdsToStages: Object.fromEntries(s.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages])),
      CreatedDate: new Date(s.created),
    }
  }

  private list(r: InputReader): unknown {
    const max = r.optNumber('MaxResults', 1, 100) ?? 100
    const includeDeleted = r.optBoolean('IncludePlannedDeletion') ?? false
    const filters = r.optList<{Key: string; Values?: string[]}>('Filters') ?? []
    const all = Object.values(this.doc.value.secrets)
      .filter((s) => includeDeleted || s.deletionDate === undefined)
      .filter((s) => filters.every((f) => matchesFilter(s, f)))
      .sort((a, b) => (r.optString('SortOrder') === 'desc' ? b.created - a.created : a.created - b.created) || a.name.localeCompare(b.name))
    const after = decodeToken<{after: number}>(r.optString('NextToken'), 'InvalidNextTokenException')?.after ?? 0
    const page = all.slice(after, after + max)
    return {
      SecretList: page.map((s) => {
        const {VersionIdsToStages, ...rest} = this.describe(s) as Record<string, unknown>
        return {...rest, SecretVersionsToStages: VersionIdsToStages}
      }),
      NextToken: after + max < all.length ? encodeToken({after: after + max}) : undefined,
    }
  }

  private delete(r: InputReader): unknown {
    const s = this.find(r.string('SecretId'))
    const force = r.optBoolean('ForceDeleteWithoutRecovery') ?? false
    const window = r.optNumber('RecoveryWindowInDays')
    if (force && window !== undefined) {
      throw new ServiceError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
    }
    if (window !== undefined && (window < 7 || window > 30)) {
      throw new ServiceError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).')
    }
    const deletionDate = force ? Date.now() : (s.deletionDate ?? Date.now() + (window ?? 30) * 86_400_000)
    if (force) delete this.doc.value.secrets[s.arn]
    else s.deletionDate = deletionDate
    this.doc.save()
    return {ARN: s.arn, Name: s.name, DeletionDate: new Date(deletionDate)}
  }

  private live(id: string): StoredSecret {
    const s = this.find(id)
    if (s.deletionDate !== undefined) throw new ServiceError('InvalidRequestException', MARKED)
    return s
  }

  private find(id: string): StoredSecret {
    const secrets = this.doc.value.secrets
    if (secrets[id]) return secrets[id]
    if (id.startsWith('arn:')) {
      const partial = Object.values(secrets).find((s) => s.arn.slice(0, -7) === id)
      if (partial) return partial
    } else {
      const named = this.byName(id)
      if (named) return named
    }
    throw new ServiceError('ResourceNotFoundException', NOT_FOUND)
  }

  private byName(name: string): StoredSecret | undefined {
    return Object.values(this.doc.value.secrets).find((s) => s.name === name)
  }

  private purgeExpired(): void {
    const now = Date.now()
    let changed = false
    for (const [arn, s] of Object.entries(this.doc.value.secrets)) {
      if (s.deletionDate !== undefined && s.deletionDate <= now) {
        delete this.doc.value.secrets[arn]
        changed = true
      }
    }
    if (changed) this.doc.save()
  }
}

function matchesFilter(s: StoredSecret, f: {Key: string; Values?: string[]}): boolean {
  const values = f.Values ?? []
  const has = (actual: string | undefined) => actual !== undefined && values.some((v) => (v.startsWith('!') ? !actual.startsWith(v.slice(1)) : actual.startsWith(v)))
  switch (f.Key) {
    case 'name':
      return has(s.name)
    case 'description':
      return has(s.description)
    case 'tag-key':
      return Object.keys(s.tags).some(has)
    case 'tag-value':
      return Object.values(s.tags).some(has)
    case 'all':
      return has(s.name) || has(s.description) || Object.keys(s.tags).some(has) || Object.values(s.tags).some(has)
    default:
      throw new ServiceError('InvalidParameterException', `Invalid filter key ${f.Key}: use name, description, tag-key, tag-value or all.`)
  }
}

function suffix(): string {
  return Array.from(randomBytes(6), (b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('')
}

function startOfDay(ms: number): number {
  return ms - (ms % 86_400_000)
}
