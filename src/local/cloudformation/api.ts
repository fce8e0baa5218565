// The CloudFormation API (query protocol) over the engine and the stack store: argument decoding,
// the checks AWS makes before an operation starts, and the result shapes.

import {randomUUID} from 'node:crypto'
import type {QueryService, RequestContext} from '../frontend/types.js'
import {ServiceError} from '../frontend/types.js'
import {computeChanges} from './changes.js'
import type {Engine} from './engine.js'
import {exportTable, importersOf} from './outputs.js'
import type {GivenParameter} from './parameters.js'
import {checkCapabilities, checkTemplate, checkTemplateSize, prepare, requiredCapability, templateValidationError, type Prepared} from './prepare.js'
import type {ProviderRegistry} from './provider.js'
import {bool, checkName, required, stringList, structList} from './query.js'
import * as shape from './shapes.js'
import type {ChangeSetRecord, StackRecord, StackStore, Tag} from './stack-store.js'
import {isNoEcho} from './parameters.js'

export interface ApiDeps {
  store: StackStore
  engine: Engine
  registry: ProviderRegistry
  region: string
  accountId: string
  /** Reads a TemplateURL (S3-style URL); without it TemplateURL is refused. */
  fetchTemplate?: (url: string) => Promise<string>
  now?: () => Date
}

const PAGE = 100
const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'])

function notFound(name: string): ServiceError {
  return new ServiceError('ValidationError', `Stack with id ${name} does not exist`)
}

function page<T>(items: T[], token: string | undefined): {items: T[]; next?: string} {
  const start = token ? Number(token) || 0 : 0
  const slice = items.slice(start, start + PAGE)
  return start + PAGE < items.length ? {items: slice, next: String(start + PAGE)} : {items: slice}
}

export class CloudFormationApi implements QueryService {
  readonly signingName = 'cloudformation'
  readonly version = '2010-05-15'
  readonly xmlns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/'
  private readonly now: () => Date

  constructor(private readonly deps: ApiDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  async handle(action: string, params: Record<string, string>, _ctx: RequestContext): Promise<unknown> {
    const fn = (this as unknown as Record<string, unknown>)[`op${action}`]
    if (typeof fn !== 'function') {
      throw new ServiceError('InvalidAction', `The action ${action} is not valid for this web service.`)
    }
    return (fn as (p: Record<string, string>) => Promise<unknown>).call(this, params)
  }

  // ---- helpers ----

  private stack(name: string): StackRecord {
    const s = this.deps.store.find(name)
    if (!s) throw notFound(name)
    return s
  }

  private async templateBody(params: Record<string, string>, previous?: StackRecord): Promise<string> {
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

  private givenParameters(params: Record<string, string>): GivenParameter[] {
    return structList(params, 'Parameters').map((p) => ({
      key: p.ParameterKey ?? '',
      ...(p.ParameterValue !== undefined ? {value: p.ParameterValue} : {}),
      ...(bool(p.UsePreviousValue) ? {usePreviousValue: true} : {}),
    }))
  }

  private tags(params: Record<string, string>): Tag[] | undefined {
    const tags = structList(params, 'Tags')
    if (tags.length === 0) return undefined
    if (tags.length > 50) throw new ServiceError('ValidationError', 'Too many tags: a stack can have at most 50 tags.')
    return tags.map((t) => ({Key: t.Key ?? '', Value: t.Value ?? ''}))
  }

  private prepare(stack: {stackName: string; stackId: string}, body: string, given: GivenParameter[], previous: Record<string, string>): Promise<Prepared> {
    return prepare({templateBody: body, parameters: given, previousParameters: previous, stackName: stack.stackName, stackId: stack.stackId,
      region: this.deps.region, accountId: this.deps.accountId, ssm: this.deps.engine.ssm})
  }

  private newStack(name: string, params: Record<string, string>): StackRecord {
    return {
      stackId: `arn:aws:cloudformation:${this.deps.region}:${this.deps.accountId}:stack/${name}/${randomUUID()}`,
      stackName: name, status: 'REVIEW_IN_PROGRESS', createdAt: this.now().toISOString(),
      templateBody: '', template: {Resources: {}}, parameters: {}, resolvedParameters: {}, noEcho: [], resources: {}, outputs: [],
      imports: [], capabilities: [], tags: this.tags(params) ?? [], disableRollback: false,
      notificationArns: stringList(params, 'NotificationARNs'), changeSets: [],
    }
  }

  private checkUpdatable(s: StackRecord): void {
    if (!UPDATABLE.has(s.status) || this.deps.engine.isRunning(s.stackId)) {
      throw new ServiceError('ValidationError', `Stack:${s.stackId} is in ${s.status} state and can not be updated.`)
    }
  }

  private noChanges(s: StackRecord, prep: Prepared, changes: unknown[], tags: Tag[]): boolean {
    return changes.length === 0 && JSON.stringify(prep.template) === JSON.stringify(s.template) &&
      JSON.stringify(prep.params.given) === JSON.stringify(s.parameters) && JSON.stringify(tags) === JSON.stringify(s.tags)
  }

  // ---- stacks ----

  async opCreateStack(p: Record<string, string>) {
    const name = required(p, 'StackName')
    checkName(name, 'stackName')
    const existing = this.deps.store.find(name)
    if (existing) throw new ServiceError('AlreadyExistsException', `Stack [${name}] already exists`)
    const body = await this.templateBody(p)
    const stack = this.newStack(name, p)
    const prep = await this.prepare(stack, body, this.givenParameters(p), {})
    const capabilities = stringList(p, 'Capabilities')
    checkCapabilities(prep.template, capabilities)
    stack.capabilities = capabilities
    if (p.OnFailure !== undefined && p.DisableRollback !== undefined) {
      throw new ServiceError('ValidationError', 'You can specify either DisableRollback or OnFailure, but not both.')
    }
    if (p.OnFailure !== undefined) {
      if (!['ROLLBACK', 'DELETE', 'DO_NOTHING'].includes(p.OnFailure)) {
        throw new ServiceError('ValidationError', `1 validation error detected: Value '${p.OnFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`)
      }
      stack.onFailure = p.OnFailure as 'ROLLBACK' | 'DELETE' | 'DO_NOTHING'
    }
    stack.disableRollback = bool(p.DisableRollback) === true || p.OnFailure === 'DO_NOTHING'
    if (p.TimeoutInMinutes !== undefined) {
      const minutes = Number(p.TimeoutInMinutes)
      if (!Number.isInteger(minutes) || minutes < 1) {
        throw new ServiceError('ValidationError', `1 validation error detected: Value '${p.TimeoutInMinutes}' at 'timeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1`)
      }
      stack.timeoutInMinutes = minutes
    }
    this.deps.store.add(stack)
    this.deps.engine.create(stack, prep)
    return {StackId: stack.stackId}
  }

  async opUpdateStack(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    this.checkUpdatable(s)
    const body = await this.templateBody(p, s)
    const prep = await this.prepare(s, body, this.givenParameters(p), s.parameters)
    const capabilities = stringList(p, 'Capabilities')
    checkCapabilities(prep.template, capabilities)
    const tags = this.tags(p) ?? s.tags
    const changes = this.changes(s, prep)
    if (this.noChanges(s, prep, changes, tags)) throw new ServiceError('ValidationError', 'No updates are to be performed.')
    s.capabilities = capabilities
    s.tags = tags
    if (p.DisableRollback !== undefined) s.disableRollback = bool(p.DisableRollback) === true
    this.deps.engine.update(s, prep)
    return {StackId: s.stackId}
  }

  private changes(s: StackRecord | undefined, prep: Prepared) {
    try {
      return computeChanges(s, prep, this.deps.registry, this.deps.region, this.deps.store.all())
    } catch (err) {
      throw templateValidationError(err)
    }
  }

  async opDeleteStack(p: Record<string, string>) {
    const s = this.deps.store.find(required(p, 'StackName'))
    if (!s || s.status === 'DELETE_COMPLETE' || s.status === 'DELETE_IN_PROGRESS') return {}
    const retain = stringList(p, 'RetainResources')
    if (retain.length > 0 && s.status !== 'DELETE_FAILED') {
      throw new ServiceError('ValidationError', `Invalid operation on stack [${s.stackId}]. RetainResources can only be specified when the stack is in the DELETE_FAILED state`)
    }
    if (this.deps.engine.isRunning(s.stackId)) {
      this.deps.engine.deleteWhileCreating(s)
      return {}
    }
    this.deps.engine.delete(s, retain)
    return {}
  }

  async opDescribeStacks(p: Record<string, string>) {
    if (p.StackName) return {Stacks: [shape.stackShape(this.stack(p.StackName))]}
    const live = this.deps.store.all().filter((s) => s.status !== 'DELETE_COMPLETE').reverse()
    const {items, next} = page(live, p.NextToken)
    return {Stacks: items.map(shape.stackShape), ...(next ? {NextToken: next} : {})}
  }

  async opListStacks(p: Record<string, string>) {
    const filter = stringList(p, 'StackStatusFilter')
    const stacks = this.deps.store.all().filter((s) => filter.length === 0 || filter.includes(s.status)).reverse()
    const {items, next} = page(stacks, p.NextToken)
    return {StackSummaries: items.map(shape.stackSummaryShape), ...(next ? {NextToken: next} : {})}
  }

  async opDescribeStackEvents(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    const {items, next} = page([...this.deps.store.events(s.stackId)].reverse(), p.NextToken)
    return {StackEvents: items.map((e) => shape.eventShape(s, e)), ...(next ? {NextToken: next} : {})}
  }

  async opDescribeStackResource(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    const id = required(p, 'LogicalResourceId')
    const r = s.resources[id]
    if (!r) throw new ServiceError('ValidationError', `Resource ${id} does not exist for stack ${s.stackName}`)
    return {StackResourceDetail: shape.resourceDetailShape(s, r)}
  }

  async opDescribeStackResources(p: Record<string, string>) {
    let s: StackRecord | undefined
    if (p.StackName) s = this.stack(p.StackName)
    else if (p.PhysicalResourceId) {
      s = this.deps.store.all().find((x) => x.status !== 'DELETE_COMPLETE' &&
        Object.values(x.resources).some((r) => r.physicalId === p.PhysicalResourceId))
      if (!s) throw new ServiceError('ValidationError', `Stack for ${p.PhysicalResourceId} does not exist`)
    } else throw new ServiceError('ValidationError', 'Either StackName or PhysicalResourceId must be specified.')
    const stack = s
    const resources = Object.values(stack.resources).filter((r) => !p.LogicalResourceId || r.logicalId === p.LogicalResourceId)
    return {StackResources: resources.map((r) => shape.resourceShape(stack, r))}
  }

  async opListStackResources(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    const {items, next} = page(Object.values(s.resources), p.NextToken)
    return {StackResourceSummaries: items.map(shape.resourceSummaryShape), ...(next ? {NextToken: next} : {})}
  }

  async opGetTemplate(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    let body = s.templateBody
    if (p.ChangeSetName) body = this.changeSet(p.ChangeSetName, s.stackName).cs.templateBody
    return {TemplateBody: body, StagesAvailable: ['Original', 'Processed']}
  }

  private summaryParameters(body: string) {
    let template
    try {
      template = checkTemplate(body)
    } catch (err) {
      throw templateValidationError(err)
    }
    const need = requiredCapability(template)
    return {
      template,
      parameters: Object.entries(template.Parameters ?? {}).map(([key, d]) => ({
        ParameterKey: key,
        ...(d.Default !== undefined ? {DefaultValue: String(d.Default)} : {}),
        NoEcho: isNoEcho(d),
        ...(d.Description !== undefined ? {Description: d.Description} : {}),
        ParameterType: d.Type,
        ParameterConstraints: d.AllowedValues ? {AllowedValues: d.AllowedValues.map(String)} : {},
      })),
      capabilities: need ? {Capabilities: [need.capability], CapabilitiesReason: need.reason} : {Capabilities: []},
    }
  }

  async opValidateTemplate(p: Record<string, string>) {
    const {template, parameters, capabilities} = this.summaryParameters(await this.templateBody(p))
    return {
      Parameters: parameters.map(({ParameterKey, DefaultValue, NoEcho, Description}) =>
        ({ParameterKey, ...(DefaultValue !== undefined ? {DefaultValue} : {}), NoEcho, ...(Description !== undefined ? {Description} : {})})),
      ...(template.Description !== undefined ? {Description: template.Description} : {}),
      ...capabilities,
      DeclaredTransforms: [],
    }
  }

  async opGetTemplateSummary(p: Record<string, string>) {
    const body = p.StackName ? this.stack(p.StackName).templateBody : await this.templateBody(p)
    const {template, parameters, capabilities} = this.summaryParameters(body)
    return {
      Parameters: parameters,
      ...(template.Description !== undefined ? {Description: template.Description} : {}),
      ...capabilities,
      ResourceTypes: [...new Set(Object.values(template.Resources).map((r) => r.Type))],
      Version: '2010-09-09',
      ...(template.Metadata ? {Metadata: JSON.stringify(template.Metadata)} : {}),
      DeclaredTransforms: [],
      ResourceIdentifierSummaries: [],
    }
  }

  async opCancelUpdateStack(p: Record<string, string>) {
    this.deps.engine.cancelUpdate(this.stack(required(p, 'StackName')))
    return {}
  }

  async opContinueUpdateRollback(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    if (s.status !== 'UPDATE_ROLLBACK_FAILED' || this.deps.engine.isRunning(s.stackId)) {
      throw new ServiceError('ValidationError', `Stack ${s.stackId} is in ${s.status} state and cannot continue update rollback.`)
    }
    this.deps.engine.continueRollback(s, stringList(p, 'ResourcesToSkip'))
    return {}
  }

  async opListExports(p: Record<string, string>) {
    const all = [...exportTable(this.deps.store.all()).values()]
    const {items, next} = page(all, p.NextToken)
    return {Exports: items.map((e) => ({ExportingStackId: e.stack.stackId, Name: e.name, Value: e.value})), ...(next ? {NextToken: next} : {})}
  }

  async opListImports(p: Record<string, string>) {
    const name = required(p, 'ExportName')
    const users = importersOf(this.deps.store.all(), name)
    if (users.length === 0) throw new ServiceError('ValidationError', `Export '${name}' is not imported by any stack.`)
    return {Imports: users}
  }

  // ---- change sets ----

  private changeSet(nameOrId: string, stackName?: string): {stack: StackRecord; cs: ChangeSetRecord} {
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

  async opCreateChangeSet(p: Record<string, string>) {
    const stackName = required(p, 'StackName')
    const name = required(p, 'ChangeSetName')
    checkName(name, 'changeSetName')
    const type = (p.ChangeSetType ?? 'UPDATE') as 'CREATE' | 'UPDATE'
    if (type !== 'CREATE' && type !== 'UPDATE') {
      throw new ServiceError('ValidationError', `1 validation error detected: Value '${type}' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [UPDATE, IMPORT, CREATE]`)
    }
    let s = this.deps.store.find(stackName)
    if (type === 'CREATE') {
      checkName(stackName, 'stackName')
      if (s && s.status !== 'REVIEW_IN_PROGRESS') {
        throw new ServiceError('ValidationError', `Stack [${stackName}] already exists and cannot be created again with the changeSet [${name}].`)
      }
    } else {
      if (!s || s.status === 'REVIEW_IN_PROGRESS') throw new ServiceError('ValidationError', `Stack [${stackName}] does not exist`)
      this.checkUpdatable(s)
    }
    if (s?.changeSets.some((c) => c.name === name)) {
      throw new ServiceError('AlreadyExistsException', `ChangeSet ${name} already exists for stack ${s.stackId}`)
    }
    const fresh = !s
    const stack = s ?? this.newStack(stackName, p)
    const body = await this.templateBody(p, type === 'UPDATE' ? stack : undefined)
    const given = this.givenParameters(p)
    const prep = await this.prepare(stack, body, given, stack.parameters)
    const capabilities = stringList(p, 'Capabilities')
    checkCapabilities(prep.template, capabilities)
    const tags = this.tags(p) ?? stack.tags
    const changes = this.changes(type === 'CREATE' ? undefined : stack, prep)
    const empty = type === 'UPDATE' && this.noChanges(stack, prep, changes, tags)
    const cs: ChangeSetRecord = {
      id: `arn:aws:cloudformation:${this.deps.region}:${this.deps.accountId}:changeSet/${name}/${randomUUID()}`,
      name, type, status: empty ? 'FAILED' : 'CREATE_COMPLETE', ...(empty ? {statusReason: NO_CHANGES} : {}),
      executionStatus: empty ? 'UNAVAILABLE' : 'AVAILABLE', createdAt: this.now().toISOString(),
      ...(p.Description !== undefined ? {description: p.Description} : {}),
      templateBody: body, parameters: given, parameterValues: prep.params.given, noEcho: prep.noEcho, capabilities, tags, changes,
      ...(p.OnStackFailure ? {disableRollback: p.OnStackFailure === 'DO_NOTHING'} : {}),
    }
    if (fresh) {
      this.deps.store.add(stack)
      this.deps.engine.stackStatus(stack, 'REVIEW_IN_PROGRESS', 'User Initiated')
    }
    stack.changeSets.push(cs)
    // A change set without changes can never be executed: losing it in a crash costs nothing.
    if (empty) this.deps.store.saveSoon(stack)
    else this.deps.store.save(stack)
    return {Id: cs.id, StackId: stack.stackId}
  }

  async opDescribeChangeSet(p: Record<string, string>) {
    const {stack, cs} = this.changeSet(required(p, 'ChangeSetName'), p.StackName)
    return shape.changeSetShape(stack, cs, cs.noEcho ?? [])
  }

  async opListChangeSets(p: Record<string, string>) {
    const s = this.stack(required(p, 'StackName'))
    return {Summaries: s.changeSets.map((cs) => shape.changeSetSummaryShape(s, cs))}
  }

  async opDeleteChangeSet(p: Record<string, string>) {
    const {stack, cs} = this.changeSet(required(p, 'ChangeSetName'), p.StackName)
    if (cs.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new ServiceError('InvalidChangeSetStatus', `Cannot delete ChangeSet in status ${cs.executionStatus}`)
    }
    stack.changeSets = stack.changeSets.filter((c) => c !== cs)
    this.deps.store.save(stack)
    return {}
  }

  async opExecuteChangeSet(p: Record<string, string>) {
    const {stack, cs} = this.changeSet(required(p, 'ChangeSetName'), p.StackName)
    if (cs.executionStatus !== 'AVAILABLE') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`)
    }
    if (cs.type === 'UPDATE') this.checkUpdatable(stack)
    else if (stack.status !== 'REVIEW_IN_PROGRESS') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`)
    }
    const prep = await this.prepare(stack, cs.templateBody, cs.parameters, stack.parameters)
    stack.capabilities = cs.capabilities
    stack.tags = cs.tags
    const disable = p.DisableRollback !== undefined ? bool(p.DisableRollback) : cs.disableRollback
    if (disable !== undefined) stack.disableRollback = disable
    cs.executionStatus = 'EXECUTE_IN_PROGRESS'
    stack.changeSetId = cs.id
    stack.changeSets = [cs]
    if (cs.type === 'CREATE') this.deps.engine.create(stack, prep, cs.id)
    else this.deps.engine.update(stack, prep, cs.id)
    return {}
  }
}
