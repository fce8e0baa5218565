// SSM Parameter Store (JSON 1.1, target prefix AmazonSSM). String, StringList and SecureString
// parameters with versions and tags; SecureString values are sealed with the local key at rest and
// returned in clear only WithDecryption. State: `<stateDir>/ssm.json`, saved before each answer.

import {join} from 'node:path'

import {boundedRegex, PatternError} from '../bounded-regex.js'
import {dict, dictOf} from '../store/dict.js'
import {JsonDocument} from '../store/json-file.js'
import {ServiceError, type JsonService, type RequestContext} from '../frontend/types.js'
import {decodeToken, encodeToken, InputReader, tagList, unknownOperation, type Input} from '../frontend/json-input.js'
import type {LocalKey} from '../store/local-key.js'

type ParameterType = 'String' | 'StringList' | 'SecureString'

interface StoredVersion {
  version: number
  type: ParameterType
  /** Clear text for String/StringList, sealed for SecureString. */
  value: string
  description?: string
  allowedPattern?: string
  keyId?: string
  dataType: string
  modified: number
  labels: string[]
}

interface StoredParameter {
  name: string
  versions: StoredVersion[]
  tags: Record<string, string>
}

interface SsmState {
  parameters: Record<string, StoredParameter>
}

const TYPES: ParameterType[] = ['String', 'StringList', 'SecureString']
/** The largest value of each tier (AWS: 4 KB standard, 8 KB advanced). */
const STANDARD_MAX = 4096
const ADVANCED_MAX = 8192

/** The tier a value is stored in; a value too large for it is refused as AWS refuses it. */
function checkTier(requested: string | undefined, value: string): string {
  const tier = requested ?? 'Standard'
  if (!['Standard', 'Advanced', 'Intelligent-Tiering'].includes(tier)) {
    throw validation(`Value '${tier}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]`)
  }
  const size = Buffer.byteLength(value, 'utf8')
  if (size > ADVANCED_MAX) {
    throw validation(`Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${ADVANCED_MAX}`)
  }
  if (size > STANDARD_MAX) {
    if (tier === 'Standard') {
      throw validation(`Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`, false)
    }
    return 'Advanced'
  }
  return tier === 'Intelligent-Tiering' ? 'Standard' : tier
}

/** AllowedPattern is the caller's regular expression: compiled first, then run off the event loop
 * within a time limit (../bounded-regex.ts). */
async function matchesPattern(pattern: string, value: string): Promise<boolean> {
  try {
    return await boundedRegex.test(pattern, value)
  } catch (err) {
    if (err instanceof PatternError) throw validation(`Value '${pattern}' at 'allowedPattern' failed to satisfy constraint: ${err.message}`)
    throw err
  }
}
const MAX_VERSIONS = 100

export class SsmService implements JsonService {
  readonly targetPrefix = 'AmazonSSM'
  readonly signingName = 'ssm'
  private readonly doc: JsonDocument<SsmState>

  constructor(stateDir: string, private readonly key: LocalKey, private readonly identity: {region: string; accountId: string}) {
    this.doc = new JsonDocument<SsmState>(join(stateDir, 'ssm.json'), {parameters: {}})
  }

  async handle(operation: string, input: Input, _ctx: RequestContext): Promise<unknown> {
    const r = new InputReader(input)
    switch (operation) {
      case 'PutParameter':
        return this.put(r)
      case 'GetParameter': {
        const p = this.select(r.string('Name'))
        return {Parameter: this.view(p.param, p.version, r.optBoolean('WithDecryption') ?? false, p.selector)}
      }
      case 'GetParameters':
        return this.getMany(r.stringList('Names'), r.optBoolean('WithDecryption') ?? false)
      case 'GetParametersByPath':
        return this.byPath(r)
      case 'GetParameterHistory':
        return this.history(r)
      case 'DescribeParameters':
        return this.describe(r)
      case 'DeleteParameter':
        this.delete(r.string('Name'))
        return {}
      case 'DeleteParameters':
        return this.deleteMany(r.stringList('Names'))
      case 'AddTagsToResource':
        this.tagged(r).tags = Object.assign(dictOf(this.tagged(r).tags), r.optTags())
        this.doc.save()
        return {}
      case 'RemoveTagsFromResource': {
        const p = this.tagged(r)
        for (const k of r.stringList('TagKeys')) delete p.tags[k]
        this.doc.save()
        return {}
      }
      case 'ListTagsForResource':
        return {TagList: tagList(this.tagged(r).tags)}
      default:
        return unknownOperation('SSM', operation)
    }
  }

  /** The decrypted value of a parameter by name or ARN (for the secret resolver). */
  valueOf(nameOrArn: string): string {
    return this.plain(this.select(nameOrArn).version)
  }

  arn(name: string): string {
    return `arn:aws:ssm:${this.identity.region}:${this.identity.accountId}:parameter/${name.replace(/^\//, '')}`
  }

  private async put(r: InputReader): Promise<unknown> {
    const name = checkName(r.string('Name'))
    const value = r.string('Value')
    if (value.length === 0) throw validation(`Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1`)
    const type = r.optString('Type') as ParameterType | undefined
    if (type !== undefined && !TYPES.includes(type)) throw validation(`Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`)
    const overwrite = r.optBoolean('Overwrite') ?? false
    const tags = r.optTags()
    if (tags && overwrite) {
      throw new ServiceError('ValidationException', 'Invalid request: tags and overwrite can\'t be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.')
    }
    const existing = this.doc.value.parameters[name]
    if (existing && !overwrite) {
      throw new ServiceError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.')
    }
    const last = existing?.versions.at(-1)
    const finalType = type ?? last?.type
    if (!finalType) throw validation(`Value null at 'type' failed to satisfy constraint: Member must not be null`)
    const tier = checkTier(r.optString('Tier'), value)
    const allowedPattern = r.optString('AllowedPattern') ?? last?.allowedPattern
    if (allowedPattern !== undefined && !(await matchesPattern(allowedPattern, value))) {
      throw new ServiceError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`)
    }
    const version = (last?.version ?? 0) + 1
    const stored: StoredVersion = {
      version,
      type: finalType,
      value: finalType === 'SecureString' ? this.key.encrypt(value) : value,
      description: r.optString('Description') ?? last?.description,
      allowedPattern,
      keyId: finalType === 'SecureString' ? (r.optString('KeyId') ?? last?.keyId ?? 'alias/aws/ssm') : undefined,
      dataType: r.optString('DataType') ?? last?.dataType ?? 'text',
      modified: Date.now(),
      labels: [],
    }
    const param = existing ?? {name, versions: [], tags: tags ?? dict<string>()}
    param.versions.push(stored)
    if (param.versions.length > MAX_VERSIONS) param.versions.shift()
    this.doc.value.parameters[name] = param
    this.doc.save()
    return {Version: version, Tier: tier}
  }

  private select(ref: string): {param: StoredParameter; version: StoredVersion; selector?: string} {
    let name = ref.startsWith('arn:') ? nameFromArn(ref) : ref
    let selector: string | undefined
    const colon = name.lastIndexOf(':')
    if (colon > 0) {
      selector = name.slice(colon + 1)
      name = name.slice(0, colon)
    }
    const param = this.doc.value.parameters[name]
    if (!param) throw new ServiceError('ParameterNotFound', `Parameter ${name} not found.`)
    if (selector === undefined) return {param, version: param.versions.at(-1)!}
    const version = /^\d+$/.test(selector)
      ? param.versions.find((v) => v.version === Number(selector))
      : param.versions.find((v) => v.labels.includes(selector!))
    if (!version) {
      throw new ServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`)
    }
    return {param, version, selector: `:${selector}`}
  }

  private plain(v: StoredVersion): string {
    return v.type === 'SecureString' ? this.key.decrypt(v.value) : v.value
  }

  private view(p: StoredParameter, v: StoredVersion, decrypt: boolean, selector?: string): Record<string, unknown> {
    return {
      Name: p.name,
      Type: v.type,
      Value: v.type === 'SecureString' && !decrypt ? v.value : this.plain(v),
      Version: v.version,
      Selector: selector,
      LastModifiedDate: new Date(v.modified),
      ARN: this.arn(p.name),
      DataType: v.dataType,
    }
  }

  private getMany(names: string[], decrypt: boolean): unknown {
    if (names.length > 10) throw validation(`Value '[...]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`)
    const Parameters: unknown[] = []
    const InvalidParameters: string[] = []
    for (const n of names) {
      try {
        const s = this.select(n)
        Parameters.push(this.view(s.param, s.version, decrypt, s.selector))
      } catch (err) {
        if (err instanceof ServiceError && err.code.startsWith('Parameter')) InvalidParameters.push(n)
        else throw err
      }
    }
    return {Parameters, InvalidParameters}
  }

  private byPath(r: InputReader): unknown {
    const path = r.string('Path')
    if (!path.startsWith('/')) throw validation(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/".`, false)
    const recursive = r.optBoolean('Recursive') ?? false
    const decrypt = r.optBoolean('WithDecryption') ?? false
    const max = r.optNumber('MaxResults', 1, 10) ?? 10
    const prefix = path.endsWith('/') ? path : `${path}/`
    const matches = this.sortedNames().filter((n) => n.startsWith(prefix) && (recursive || !n.slice(prefix.length).includes('/')))
    const page = paginate(matches, max, r.optString('NextToken'))
    return {
      Parameters: page.items.map((n) => {
        const p = this.doc.value.parameters[n]!
        return this.view(p, p.versions.at(-1)!, decrypt)
      }),
      NextToken: page.next,
    }
  }

  private history(r: InputReader): unknown {
    const name = r.string('Name')
    const p = this.doc.value.parameters[name.startsWith('arn:') ? nameFromArn(name) : name]
    if (!p) throw new ServiceError('ParameterNotFound', `Parameter ${name} not found.`)
    const decrypt = r.optBoolean('WithDecryption') ?? false
    const max = r.optNumber('MaxResults', 1, 50) ?? 50
    const key = (v: StoredVersion) => String(v.version).padStart(8, '0')
    const versions = p.versions.map(key)
    const page = paginate(versions, max, r.optString('NextToken'))
    return {
      Parameters: page.items.map((n) => {
        const v = p.versions.find((x) => key(x) === n)!
        const {ARN: _arn, Selector: _s, ...rest} = this.view(p, v, decrypt)
        return {...rest, Description: v.description, AllowedPattern: v.allowedPattern, KeyId: v.keyId, Labels: v.labels, Tier: 'Standard', Policies: []}
      }),
      NextToken: page.next,
    }
  }

  private describe(r: InputReader): unknown {
    const max = r.optNumber('MaxResults', 1, 50) ?? 10
    const filters = [
      ...(r.optList<{Key: string; Option?: string; Values?: string[]}>('ParameterFilters') ?? []),
      ...(r.optList<{Key: string; Values?: string[]}>('Filters') ?? []).map((f) => ({Key: f.Key, Option: 'Equals', Values: f.Values})),
    ]
    const names = this.sortedNames().filter((n) => filters.every((f) => this.matches(this.doc.value.parameters[n]!, f)))
    const page = paginate(names, max, r.optString('NextToken'))
    return {
      Parameters: page.items.map((n) => {
        const p = this.doc.value.parameters[n]!
        const v = p.versions.at(-1)!
        return {
          Name: p.name,
          ARN: this.arn(p.name),
          Type: v.type,
          KeyId: v.keyId,
          LastModifiedDate: new Date(v.modified),
          LastModifiedUser: `arn:aws:iam::${this.identity.accountId}:root`,
          Description: v.description,
          AllowedPattern: v.allowedPattern,
          Version: v.version,
          Tier: 'Standard',
          Policies: [],
          DataType: v.dataType,
        }
      }),
      NextToken: page.next,
    }
  }

  private matches(p: StoredParameter, f: {Key: string; Option?: string; Values?: string[]}): boolean {
    const values = f.Values ?? []
    const v = p.versions.at(-1)!
    const option = f.Option ?? 'Equals'
    const test = (actual: string) =>
      values.some((want) => (option === 'BeginsWith' ? actual.startsWith(want) : option === 'Contains' ? actual.includes(want) : actual === want))
    switch (f.Key) {
      case 'Name':
        return test(p.name) || (option === 'BeginsWith' && values.some((w) => p.name.startsWith(`/${w}`)))
      case 'Type':
        return test(v.type)
      case 'KeyId':
        return test(v.keyId ?? '')
      case 'DataType':
        return test(v.dataType)
      case 'Path': {
        const prefix = (values[0] ?? '/').replace(/\/?$/, '/')
        if (!p.name.startsWith(prefix)) return false
        return option === 'Recursive' || !p.name.slice(prefix.length).includes('/')
      }
      default:
        if (f.Key.startsWith('tag:')) {
          const tag = p.tags[f.Key.slice(4)]
          return tag !== undefined && (values.length === 0 || values.includes(tag))
        }
        throw new ServiceError('InvalidFilterKey', `The filter key ${f.Key} is not supported.`)
    }
  }

  private delete(name: string): void {
    if (!this.doc.value.parameters[name]) throw new ServiceError('ParameterNotFound', `Parameter ${name} not found.`)
    delete this.doc.value.parameters[name]
    this.doc.save()
  }

  private deleteMany(names: string[]): unknown {
    const DeletedParameters: string[] = []
    const InvalidParameters: string[] = []
    for (const n of names) {
      if (this.doc.value.parameters[n]) {
        delete this.doc.value.parameters[n]
        DeletedParameters.push(n)
      } else InvalidParameters.push(n)
    }
    this.doc.save()
    return {DeletedParameters, InvalidParameters}
  }

  private tagged(r: InputReader): StoredParameter {
    const type = r.string('ResourceType')
    if (type !== 'Parameter') throw new ServiceError('InvalidResourceType', `The local control plane keeps tags only for resource type Parameter, not ${type}.`)
    const id = r.string('ResourceId')
    const p = this.doc.value.parameters[id.startsWith('arn:') ? nameFromArn(id) : id]
    if (!p) throw new ServiceError('InvalidResourceId', `The resource ID "${id}" is not valid. Verify the ID and try again.`)
    return p
  }

  private sortedNames(): string[] {
    return Object.keys(this.doc.value.parameters).sort()
  }
}

function validation(detail: string, prefixed = true): ServiceError {
  return new ServiceError('ValidationException', prefixed ? `1 validation error detected: ${detail}` : detail)
}

function checkName(name: string): string {
  if (name.length === 0 || name.length > 2048) throw validation(`Value '${name}' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048`)
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.', false)
  }
  if (name.includes('/') && !name.startsWith('/')) throw validation('Parameter name must be a fully qualified name.', false)
  if (name.split('/').length - 1 > 15) throw new ServiceError('HierarchyLevelLimitExceededException', 'The parameter name has more than 15 levels of hierarchy.')
  return name
}

/** `arn:aws:ssm:r:a:parameter/x/y` → `/x/y`; `...:parameter/x` → `x`. */
export function nameFromArn(arn: string): string {
  const rest = arn.slice(arn.indexOf(':parameter/') + ':parameter/'.length)
  if (!arn.includes(':parameter/') || rest.length === 0) throw new ServiceError('ValidationException', `${arn} is not a valid parameter ARN.`)
  return rest.includes('/') ? `/${rest}` : rest
}

function paginate(sorted: string[], max: number, token: string | undefined): {items: string[]; next?: string} {
  const after = decodeToken<{after: string}>(token, 'ValidationException')?.after
  const start = after === undefined ? 0 : sorted.findIndex((n) => n > after)
  const items = start < 0 ? [] : sorted.slice(start, start + max)
  const more = start >= 0 && start + max < sorted.length
  return {items, next: more ? encodeToken({after: items.at(-1)}) : undefined}
}
