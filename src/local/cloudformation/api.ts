// The CloudFormation API (query protocol) over the engine and the stack store: the dispatch of an
// action to its operation, and the helpers the operations share (argument decoding, the checks AWS
// makes before an operation starts). The operations live in api-stacks.ts, api-describe.ts and
// api-change-sets.ts.

import {randomUUID} from 'node:crypto'
import type {QueryService, RequestContext} from '../frontend/types.js'
import {ServiceError} from '../frontend/types.js'
import {computeChanges} from './changes.js'
import type {Engine} from './engine.js'
import type {GivenParameter} from './parameters.js'
import {checkTemplateSize, prepare, templateValidationError, type Prepared} from './prepare.js'
import type {ProviderRegistry} from './provider.js'
import {bool, stringList, structList} from './query.js'
import {trustsService} from '../sts/index.js'
import type {ChangeSetRecord, StackRecord, StackStore, Tag} from './stack-store.js'
import {changeSetOps} from './api-change-sets.js'
import {describeOps} from './api-describe.js'
import {stackOps} from './api-stacks.js'

export interface ApiDeps {
  store: StackStore
  engine: Engine
  registry: ProviderRegistry
  region: string
  accountId: string
  /** Reads a TemplateURL (S3-style URL); without it TemplateURL is refused. */
  fetchTemplate?: (url: string) => Promise<string>
  now?: () => Date
  /** The trust policy of a role, by ARN (RoleARN is checked against it). */
  roles?: (arn: string) => {trustPolicy: unknown} | undefined
}

const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'])

function notFound(name: string): ServiceError {
  return new ServiceError('ValidationError', `Stack with id ${name} does not exist`)
}

export type Params = Record<string, string>
export type ApiOperation = (api: CloudFormationApi, p: Params) => Promise<unknown>

/** Every action the API answers, by name (a Map: an action name is never looked up on an object). */
const OPERATIONS = new Map<string, ApiOperation>(Object.entries({...stackOps, ...describeOps, ...changeSetOps}))

export class CloudFormationApi implements QueryService {
  readonly signingName = 'cloudformation'
  readonly version = '2010-05-15'
  readonly xmlns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/'
  readonly now: () => Date

  constructor(readonly deps: ApiDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  async handle(action: string, params: Record<string, string>, _ctx: RequestContext): Promise<unknown> {
    const op = OPERATIONS.get(action)
    if (!op) throw new ServiceError('InvalidAction', `The action ${action} is not valid for this web service.`)
    return op(this, params)
  }

  stack(name: string): StackRecord {
    const s = this.deps.store.find(name)
    if (!s) throw notFound(name)
    return s
  }

  async templateBody(params: Record<string, string>, previous?: StackRecord): Promise<string> {
    const body = params.TemplateBody
    const url = params.TemplateURL
    const usePrevious = bool(params.UsePreviousTemplate)
    const given = [body !== undefined, url !== undefined, usePrevious === true].filter(Boolean).length
    if (given > 1) throw new ServiceError('ValidationError', 'Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate.')
    if (usePrevious) {
      if (!previous) throw new ServiceError('ValidationError', 'UsePreviousTemplate can only be used for updates.')
      return previous.templateBody
    }
    if (body !== undefined) {
      checkTemplateSize(body, true)
      return body
    }
    if (url !== undefined) {
      if (!this.deps.fetchTemplate) throw new ServiceError('ValidationError', 'TemplateURL must be a supported URL.')
      let fetched: string
      try {
        fetched = await this.deps.fetchTemplate(url)
      } catch (err) {
        throw new ServiceError('ValidationError', `TemplateURL ${url} could not be read: ${err instanceof Error ? err.message : String(err)}`)
      }
      checkTemplateSize(fetched, false)
      return fetched
    }
    throw new ServiceError('ValidationError', 'Either Template URL or Template Body must be specified.')
  }

  givenParameters(params: Record<string, string>): GivenParameter[] {
    return structList(params, 'Parameters').map((p) => ({
      key: p.ParameterKey ?? '',
      ...(p.ParameterValue !== undefined ? {value: p.ParameterValue} : {}),
      ...(bool(p.UsePreviousValue) ? {usePreviousValue: true} : {}),
    }))
  }

  tags(params: Record<string, string>): Tag[] | undefined {
    const tags = structList(params, 'Tags')
    if (tags.length === 0) return undefined
    if (tags.length > 50) throw new ServiceError('ValidationError', 'Too many tags: a stack can have at most 50 tags.')
    return tags.map((t) => ({Key: t.Key ?? '', Value: t.Value ?? ''}))
  }

  prepare(stack: {stackName: string; stackId: string}, body: string, given: GivenParameter[], previous: Record<string, string>): Promise<Prepared> {
    return prepare({templateBody: body, parameters: given, previousParameters: previous, stackName: stack.stackName, stackId: stack.stackId,
      region: this.deps.region, accountId: this.deps.accountId, ssm: this.deps.engine.ssm})
  }

  newStack(name: string, params: Record<string, string>): StackRecord {
    return {
      stackId: `arn:aws:cloudformation:${this.deps.region}:${this.deps.accountId}:stack/${name}/${randomUUID()}`,
      stackName: name, status: 'REVIEW_IN_PROGRESS', createdAt: this.now().toISOString(),
      templateBody: '', template: {Resources: {}}, parameters: {}, resolvedParameters: {}, noEcho: [], resources: {}, outputs: [],
      imports: [], capabilities: [], tags: this.tags(params) ?? [], disableRollback: false,
      notificationArns: stringList(params, 'NotificationARNs'), changeSets: [],
    }
  }

  /** The RoleARN of a request, checked as AWS checks it: the role exists and lets CloudFormation assume it. */
  role(params: Record<string, string>): string | undefined {
    const arn = params.RoleARN
    if (arn === undefined || arn === '') return undefined
    const role = /^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(arn) ? this.deps.roles?.(arn) : undefined
    if (!role || !trustsService(role.trustPolicy, 'cloudformation.amazonaws.com')) {
      throw new ServiceError('ValidationError', `Role ${arn} is invalid or cannot be assumed`)
    }
    return arn
  }

  checkUpdatable(s: StackRecord): void {
    if (!UPDATABLE.has(s.status) || this.deps.engine.isRunning(s.stackId)) {
      throw new ServiceError('ValidationError', `Stack:${s.stackId} is in ${s.status} state and can not be updated.`)
    }
  }

  noChanges(s: StackRecord, prep: Prepared, changes: unknown[], tags: Tag[]): boolean {
    return changes.length === 0 && JSON.stringify(prep.template) === JSON.stringify(s.template) &&
      JSON.stringify(prep.params.given) === JSON.stringify(s.parameters) && JSON.stringify(tags) === JSON.stringify(s.tags)
  }

  changes(s: StackRecord | undefined, prep: Prepared) {
    try {
      return computeChanges(s, prep, this.deps.registry, this.deps.region, this.deps.store.all())
    } catch (err) {
      throw templateValidationError(err)
    }
  }

  changeSet(nameOrId: string, stackName?: string): {stack: StackRecord; cs: ChangeSetRecord} {
    if (nameOrId.startsWith('arn:')) {
      for (const s of this.deps.store.all()) {
        const cs = s.changeSets.find((c) => c.id === nameOrId)
        if (cs) return {stack: s, cs}
      }
    } else {
      if (!stackName) throw new ServiceError('ValidationError', 'StackName must be specified if ChangeSetName is not specified as an ARN.')
      const s = this.deps.store.find(stackName)
      if (!s) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${nameOrId}] does not exist`)
      const cs = s.changeSets.find((c) => c.name === nameOrId)
      if (cs) return {stack: s, cs}
    }
    throw new ServiceError('ChangeSetNotFound', `ChangeSet [${nameOrId}] does not exist`, 404)
  }
}
