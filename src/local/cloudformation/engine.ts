// The stack engine: runs create, update and delete operations over the dependency graph, records an
// event for every transition, journals what it changed so a failure (or a crash) rolls back to the
// previous state, and finishes with the statuses and reasons AWS uses.

import {randomUUID} from 'node:crypto'
import type {LocalApi} from '../contracts.js'
import {ServiceError} from '../frontend/types.js'
import {reverseGraph, runGraph, type DependencyGraph} from './graph.js'
import {evaluate, KNOWN_AFTER_APPLY, TemplateError, type EvalContext} from './intrinsics.js'
import {evaluateOutputs, exportConflict, exportTable, importedNames, importersOf} from './outputs.js'
import type {SsmLookup} from './parameters.js'
import {baseContext, type Prepared} from './prepare.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from './provider.js'
import type {JournalEntry, Operation, ResourceState, StackRecord, StackSnapshot, StackStore} from './stack-store.js'

export interface EngineDeps {
  store: StackStore
  registry: ProviderRegistry
  api: LocalApi
  region: string
  accountId: string
  now?: () => Date
  /** Length of TimeoutInMinutes' minute in ms (tests shorten it). */
  minuteMs?: number
}

const STACK_TYPE = 'AWS::CloudFormation::Stack'
const RETAIN = new Set(['Retain', 'RetainExceptOnCreate'])

/** The reason CloudFormation shows for a resource whose provider failed. */
export function failureReason(err: unknown): string {
  if (err instanceof ProviderError) return err.message
  if (err instanceof TemplateError) return `Template error: ${err.message}`
  if (err instanceof ServiceError) {
    return `Resource handler returned message: "${err.message}" (Service: local, Status Code: ${err.status}) (HandlerErrorCode: ${err.status >= 500 ? 'ServiceInternalError' : err.code === 'ResourceNotFoundException' ? 'NotFound' : 'InvalidRequest'})`
  }
  return `Internal Failure: ${err instanceof Error ? err.message : String(err)}`
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v)
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function snapshotOf(stack: StackRecord): StackSnapshot {
  return clone({
    templateBody: stack.templateBody, template: stack.template, description: stack.description,
    parameters: stack.parameters, resolvedParameters: stack.resolvedParameters, noEcho: stack.noEcho,
    resources: stack.resources, outputs: stack.outputs, imports: stack.imports,
  })
}

interface Running {
  controller: AbortController
  promise: Promise<void>
  cancelled: boolean
  timedOut?: boolean
  deleteRequested?: boolean
}

const INTERRUPTED_REASON = 'The local control plane stopped while this operation was in progress'
const PERSIST_AT_ONCE = new Set(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_FAILED', 'UPDATE_COMPLETE', 'UPDATE_FAILED'])

export class Engine {
  private readonly running = new Map<string, Running>()
  private readonly now: () => Date

  /** Stacks an earlier run left in progress, found when the store was loaded. */
  private readonly interrupted: Set<string>

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date())
    this.interrupted = new Set(deps.store.all()
      .filter((s) => s.status.endsWith('_IN_PROGRESS') && s.status !== 'REVIEW_IN_PROGRESS').map((s) => s.stackId))
  }

  /** Reads SSM parameters for `AWS::SSM::Parameter::Value<…>` parameter types. */
  readonly ssm: SsmLookup = async (names) => {
    const out: Record<string, string> = {}
    const missing: string[] = []
    for (const name of names) {
      try {
        const r = await this.deps.api.json('AmazonSSM', 'GetParameter', {Name: name, WithDecryption: true})
        out[name] = String(r?.Parameter?.Value ?? '')
      } catch {
        missing.push(name)
      }
    }
    if (missing.length > 0) {
      throw new ServiceError('ValidationError', `Unable to fetch parameters [${missing.join(',')}] from parameter store for this account.`)
    }
    return out
  }

  isRunning(stackId: string): boolean {
    return this.running.has(stackId)
  }

  /** Resolves once no operation runs (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.promise))
  }

  /** Set while shutting down: operations stop where they are, left in progress for the next start to recover. */
  private closing = false

  /** Whether the control plane is stopping (nested stacks then leave their children to recovery). */
  get closingDown(): boolean {
    return this.closing
  }

  async close(): Promise<void> {
    this.closing = true
    for (const r of this.running.values()) r.controller.abort()
    await this.idle()
    this.deps.store.flush()
  }

  // ---- events and statuses ----

  private timestamp(): string {
    return this.now().toISOString()
  }

  stackStatus(stack: StackRecord, status: string, reason?: string): void {
    stack.status = status
    stack.reason = reason
    this.deps.store.appendEvent(stack, {eventId: randomUUID(), logicalId: stack.stackName, physicalId: stack.stackId, resourceType: STACK_TYPE,
      timestamp: this.timestamp(), status, ...(reason ? {reason} : {})})
    this.deps.store.save(stack)
  }

  private resourceStatus(stack: StackRecord, res: ResourceState, status: string, reason?: string): void {
    res.status = status
    res.reason = reason
    res.updatedAt = this.timestamp()
    this.deps.store.appendEvent(stack, {eventId: randomUUID(), logicalId: res.logicalId, physicalId: res.physicalId ?? '', resourceType: res.type,
      timestamp: res.updatedAt, status, ...(reason ? {reason} : {}),
      ...(status.endsWith('_IN_PROGRESS') && res.properties ? {properties: JSON.stringify(res.properties)} : {})})
    // A resource about to be created, or that came to exist (or changed its physical id), is written
    // at once: losing it to a crash would leave it behind, unknown to the rollback (a namespace or a
    // listener rule that then clashes with the next deploy).
    if (PERSIST_AT_ONCE.has(status)) this.deps.store.saveUnflushed(stack)
    else this.deps.store.saveSoon(stack)
  }

  private providerContext(stack: StackRecord, res: ResourceState, signal: AbortSignal): ProviderContext {
    const tags: Record<string, string> = {}
    for (const t of stack.tags) tags[t.Key] = t.Value
    tags['aws:cloudformation:stack-name'] = stack.stackName
    tags['aws:cloudformation:stack-id'] = stack.stackId
    tags['aws:cloudformation:logical-id'] = res.logicalId
    return {
      stackName: stack.stackName, stackId: stack.stackId, logicalId: res.logicalId,
      region: this.deps.region, accountId: this.deps.accountId, api: this.deps.api, tags, signal,
      progress: (message) => {
        this.deps.store.appendEvent(stack, {eventId: randomUUID(), logicalId: res.logicalId, physicalId: res.physicalId ?? '', resourceType: res.type,
          timestamp: this.timestamp(), status: res.status, reason: message})
        this.deps.store.saveSoon(stack)
      },
      created: (physicalId) => {
        // Only a first creation: a replacement keeps the old id until it succeeds (the journal
        // restores the old resource if it does not).
        if (res.status !== 'CREATE_IN_PROGRESS') return
        res.physicalId = physicalId
        this.deps.store.saveUnflushed(stack)
      },
    }
  }

  // ---- running operations ----

  private start(stack: StackRecord, body: (signal: AbortSignal, running: Running) => Promise<void>): void {
    const controller = new AbortController()
    const running: Running = {controller, cancelled: false, promise: Promise.resolve()}
    running.promise = (async () => {
      try {
        await body(controller.signal, running)
      } catch (err) {
        // An engine fault must not leave the stack in progress forever.
        const reason = `Internal Failure: ${err instanceof Error ? err.message : String(err)}`
        const failed = stack.status.replace(/_IN_PROGRESS$/, '_FAILED').replace('UPDATE_COMPLETE_CLEANUP_FAILED', 'UPDATE_COMPLETE')
          .replace('UPDATE_ROLLBACK_COMPLETE_CLEANUP_FAILED', 'UPDATE_ROLLBACK_COMPLETE')
        if (failed !== stack.status) this.stackStatus(stack, failed, reason)
      } finally {
        this.running.delete(stack.stackId)
        this.deps.store.save(stack)
      }
    })()
    this.running.set(stack.stackId, running)
  }

  cancelUpdate(stack: StackRecord): void {
    const r = this.running.get(stack.stackId)
    if (!r || stack.status !== 'UPDATE_IN_PROGRESS') {
      throw new ServiceError('ValidationError', `CancelUpdateStack cannot be called from current stack status`)
    }
    r.cancelled = true
    r.controller.abort()
  }

  /** The evaluation context of a stack's resources during an operation. */
  private contextFor(stack: StackRecord, prep: Prepared): EvalContext {
    return {
      ...baseContext(prep.template, prep.params.values, prep.pseudo, this.deps.region),
      conditions: prep.conditions,
      resource: (id) => {
        if (!prep.graph.has(id)) return undefined
        const r = stack.resources[id]
        return r?.physicalId ? {physicalId: r.physicalId, attributes: r.attributes} : KNOWN_AFTER_APPLY
      },
      importValue: (name) => {
        const entry = exportTable(this.deps.store.all()).get(name)
        if (!entry || entry.stack.stackId === stack.stackId) throw new TemplateError(`No export named ${name} found`)
        return entry.value
      },
    }
  }

  private applySnapshot(stack: StackRecord, prep: Prepared): void {
    stack.templateBody = prep.templateBody
    stack.template = prep.template
    stack.description = prep.template.Description
    stack.parameters = prep.params.given
    stack.resolvedParameters = prep.params.resolved
    stack.noEcho = prep.noEcho
  }

  /** Provisions, aborting once the stack's TimeoutInMinutes has passed (marking the run timed out). */
  private async provisionWithin(stack: StackRecord, prep: Prepared, signal: AbortSignal, running: {timedOut?: boolean; controller: AbortController}): Promise<string | undefined> {
    const timer = stack.timeoutInMinutes ? setTimeout(() => {
      running.timedOut = true
      running.controller.abort()
    }, stack.timeoutInMinutes * (this.deps.minuteMs ?? 60_000)) : undefined
    timer?.unref()
    try {
      return await this.provision(stack, prep, signal)
    } finally {
      clearTimeout(timer)
    }
  }

  /** CREATE: provisions every resource; on failure rolls back (deletes what was created) unless disabled. */
  create(stack: StackRecord, prep: Prepared, changeSetId?: string): void {
    this.applySnapshot(stack, prep)
    stack.operation = {kind: 'create', journal: [], ...(changeSetId ? {changeSetId} : {})}
    this.stackStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated')
    this.start(stack, async (signal, running) => {
      let failure = await this.provisionWithin(stack, prep, signal, running)
      if (this.closing) return
      if (running.deleteRequested) {
        await this.deleteAfterCreate(stack, 'User Initiated')
        return
      }
      if (!failure) {
        this.finishOperation(stack, 'CREATE_COMPLETE', true)
        return
      }
      if (running.timedOut) failure = 'Stack creation time exceeded the specified timeout. '
      if (stack.onFailure === 'DO_NOTHING' || (stack.onFailure === undefined && stack.disableRollback)) {
        this.finishOperation(stack, 'CREATE_FAILED', false, failure)
        return
      }
      if (stack.onFailure === 'DELETE') {
        await this.deleteAfterCreate(stack, `${failure}Delete requested by user.`)
        return
      }
      this.stackStatus(stack, 'ROLLBACK_IN_PROGRESS', `${failure}Rollback requested by user.`)
      await this.rollbackCreate(stack)
    })
  }


  /** Deletes a stack whose creation failed or was interrupted by DeleteStack. */
  private async deleteAfterCreate(stack: StackRecord, reason: string): Promise<void> {
    this.stackStatus(stack, 'DELETE_IN_PROGRESS', reason)
    const failed = await this.deleteResources(stack, Object.keys(stack.resources), true)
    if (failed.length > 0) {
      this.finishOperation(stack, 'DELETE_FAILED', false, `The following resource(s) failed to delete: [${failed.join(', ')}]. `)
      return
    }
    stack.deletedAt = this.timestamp()
    stack.changeSets = []
    this.finishOperation(stack, 'DELETE_COMPLETE', false)
  }

  /** DeleteStack during CREATE_IN_PROGRESS: the creation stops (resources in flight are cancelled), then the stack is deleted. */
  deleteWhileCreating(stack: StackRecord): void {
    const r = this.running.get(stack.stackId)
    if (!r || stack.status !== 'CREATE_IN_PROGRESS') throw new ServiceError('ValidationError', `Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`)
    r.deleteRequested = true
    r.controller.abort()
  }

  private async rollbackCreate(stack: StackRecord): Promise<void> {
    const failed = await this.deleteResources(stack, Object.keys(stack.resources), true)
    this.finishOperation(stack, failed.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', false,
      failed.length > 0 ? `The following resource(s) failed to delete: [${failed.join(', ')}]. ` : undefined)
  }

  private finishOperation(stack: StackRecord, status: string, succeeded: boolean, reason?: string): void {
    const csId = stack.operation?.changeSetId
    if (csId) {
      const cs = stack.changeSets.find((c) => c.id === csId)
      if (cs) cs.executionStatus = succeeded ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED'
    }
    stack.operation = undefined
    this.stackStatus(stack, status, reason)
  }

  /** UPDATE: changes, creates and replaces resources; cleanup deletes replaced and removed ones. */
  update(stack: StackRecord, prep: Prepared, changeSetId?: string): void {
    const previous = snapshotOf(stack)
    this.applySnapshot(stack, prep)
    stack.operation = {kind: 'update', previous, journal: [], ...(changeSetId ? {changeSetId} : {})}
    stack.updatedAt = this.timestamp()
    this.stackStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated')
    this.start(stack, async (signal, running) => {
      const failure = await this.provisionWithin(stack, prep, signal, running)
      if (this.closing) return
      if (failure) {
        const reason = running.cancelled ? 'Stack update cancelled' : running.timedOut ? 'Stack update time exceeded the specified timeout. ' : failure
        this.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason)
        await this.rollbackUpdate(stack)
        return
      }
      this.stackStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
      await this.cleanupAfterUpdate(stack)
      this.finishOperation(stack, 'UPDATE_COMPLETE', true)
    })
  }

  private async cleanupAfterUpdate(stack: StackRecord): Promise<void> {
    const op = stack.operation!
    const leftovers: ResourceState[] = []
    for (const e of op.journal) {
      if (e.action === 'replace' && e.before?.physicalId) leftovers.push({...e.before, deletionPolicy: e.before.updateReplacePolicy})
    }
    for (const id of op.removed ?? []) if (stack.resources[id]) leftovers.push(stack.resources[id]!)
    await this.deleteLeftovers(stack, leftovers)
    for (const id of op.removed ?? []) delete stack.resources[id]
  }

  /** Deletes resources that no longer belong to the stack (old physical ids, removed resources). */
  private async deleteLeftovers(stack: StackRecord, leftovers: ResourceState[]): Promise<void> {
    const graph: DependencyGraph = new Map(leftovers.map((r, i) => [String(i), new Set<string>()]))
    const byLogical = new Map(leftovers.map((r, i) => [r.logicalId, String(i)]))
    leftovers.forEach((r, i) => {
      for (const d of r.dependsOn ?? []) {
        const j = byLogical.get(d)
        if (j !== undefined && j !== String(i)) graph.get(String(i))!.add(j)
      }
    })
    const order = reverseGraph(graph)
    await runGraph(order, order.keys(), async (key) => {
      const r = clone(leftovers[Number(key)]!)
      if (RETAIN.has(r.deletionPolicy ?? '')) {
        this.resourceStatus(stack, r, 'DELETE_SKIPPED')
        return
      }
      this.resourceStatus(stack, r, 'DELETE_IN_PROGRESS')
      try {
        await this.providerDelete(stack, r, new AbortController().signal)
        this.resourceStatus(stack, r, 'DELETE_COMPLETE')
      } catch (err) {
        this.resourceStatus(stack, r, 'DELETE_FAILED', failureReason(err))
      }
    })
  }

  private provider(type: string): ResourceProvider {
    const p = this.deps.registry.get(type)
    if (!p) throw new ProviderError(`Resource type ${type} is not supported by the local control plane`)
    return p
  }

  /** The resource an interrupted create made before the crash lost its id, if its provider can tell. */
  private async findLost(stack: StackRecord, r: ResourceState): Promise<string | undefined> {
    const provider = this.deps.registry.get(r.type)
    if (!provider?.find) return undefined
    return provider.find(r.properties ?? {}, this.providerContext(stack, r, new AbortController().signal)).catch(() => undefined)
  }

  private async providerDelete(stack: StackRecord, r: ResourceState, signal: AbortSignal): Promise<void> {
    if (!r.physicalId) return
    const provider = this.deps.registry.get(r.type)
    if (!provider) return
    await provider.delete(r.physicalId, r.properties ?? {}, this.providerContext(stack, r, signal))
  }

  /**
   * Brings every resource of the prepared template to its declared state, in dependency order.
   * Returns undefined on success, or the stack-level failure reason.
   */
  private async provision(stack: StackRecord, prep: Prepared, signal: AbortSignal): Promise<string | undefined> {
    const op = stack.operation!
    const ctx = this.contextFor(stack, prep)
    const missing = importedNames(prep.template, ctx).filter((n) => {
      const e = exportTable(this.deps.store.all()).get(n)
      return !e || e.stack.stackId === stack.stackId
    })
    if (missing.length > 0) return `No export named ${missing[0]} found. `
    stack.imports = importedNames(prep.template, ctx)
    const internal = new AbortController()
    const onAbort = () => internal.abort()
    signal.addEventListener('abort', onAbort)
    const failedCreate: string[] = []
    const failedUpdate: string[] = []
    // Resources no longer in the template are deleted in the cleanup phase.
    if (op.kind === 'update') op.removed = Object.keys(stack.resources).filter((id) => !prep.graph.has(id))
    await runGraph(prep.graph, prep.graph.keys(), async (id) => {
      const kind = await this.provisionOne(stack, prep, ctx, id, internal.signal)
      // Resources cancelled because another one failed are not named among the failures.
      if (kind === 'create' || kind === 'update') (kind === 'create' ? failedCreate : failedUpdate).push(id)
      if (kind) throw new Error(kind)
    }, () => internal.abort())
    signal.removeEventListener('abort', onAbort)
    if (failedCreate.length > 0 || failedUpdate.length > 0) {
      let reason = ''
      if (failedCreate.length > 0) reason += `The following resource(s) failed to create: [${failedCreate.join(', ')}]. `
      if (failedUpdate.length > 0) reason += `The following resource(s) failed to update: [${failedUpdate.join(', ')}]. `
      return reason
    }
    if (signal.aborted) return 'Stack update cancelled'
    try {
      const outputs = evaluateOutputs(prep.template, ctx)
      const conflict = exportConflict(this.deps.store.all(), stack, op.previous?.outputs ?? [], outputs)
      if (conflict) return conflict
      stack.outputs = outputs
    } catch (err) {
      return err instanceof TemplateError ? `Template error: ${err.message}` : failureReason(err)
    }
    return undefined
  }

  /** Creates, updates or replaces one resource; returns the failed action, if it failed. */
  private async provisionOne(stack: StackRecord, prep: Prepared, ctx: EvalContext, id: string, signal: AbortSignal):
    Promise<'create' | 'update' | 'cancelled' | undefined> {
    const decl = prep.template.Resources[id]!
    const old = stack.resources[id]
    const existing = old?.physicalId && old.status !== 'DELETE_COMPLETE' ? old : undefined
    const base: ResourceState = {
      logicalId: id, type: decl.Type, status: 'CREATE_IN_PROGRESS', updatedAt: this.timestamp(), attributes: {},
      dependsOn: [...prep.graph.get(id)!],
      ...(decl.DeletionPolicy ? {deletionPolicy: String(decl.DeletionPolicy)} : {}),
      ...(decl.UpdateReplacePolicy ? {updateReplacePolicy: String(decl.UpdateReplacePolicy)} : {}),
      ...(decl.Metadata ? {metadata: decl.Metadata} : {}),
    }
    let props: Record<string, any>
    try {
      props = evaluate(decl.Properties ?? {}, ctx) as Record<string, any>
    } catch (err) {
      // Journalled so a rollback puts the resource's status back.
      stack.operation!.journal.push(existing ? {logicalId: id, action: 'update', before: clone(existing)} : {logicalId: id, action: 'create'})
      const res = existing ?? (stack.resources[id] = base)
      this.resourceStatus(stack, res, existing ? 'UPDATE_FAILED' : 'CREATE_FAILED', failureReason(err))
      return existing ? 'update' : 'create'
    }
    if (existing && existing.type === decl.Type && sameJson(existing.properties, props)) {
      Object.assign(existing, {dependsOn: base.dependsOn, deletionPolicy: base.deletionPolicy, updateReplacePolicy: base.updateReplacePolicy})
      return undefined
    }
    const op = stack.operation!
    let provider: ResourceProvider
    if (!existing) {
      const res: ResourceState = {...base, properties: props}
      stack.resources[id] = res
      op.journal.push({logicalId: id, action: 'create'})
      this.resourceStatus(stack, res, 'CREATE_IN_PROGRESS')
      try {
        provider = this.provider(decl.Type)
        checkRequired(provider, id, props)
        const result = await provider.create(props, this.providerContext(stack, res, signal))
        res.physicalId = result.physicalId
        res.attributes = result.attributes
        this.resourceStatus(stack, res, 'CREATE_COMPLETE')
        return undefined
      } catch (err) {
        if (err instanceof ProviderError && err.physicalId) res.physicalId = err.physicalId
        this.resourceStatus(stack, res, 'CREATE_FAILED', signal.aborted ? 'Resource creation cancelled' : failureReason(err))
        return signal.aborted ? 'cancelled' : 'create'
      }
    }
    const replace = existing.type !== decl.Type || needsReplacement(this.deps.registry.get(decl.Type), existing.properties ?? {}, props)
    const entry: JournalEntry = {logicalId: id, action: replace ? 'replace' : 'update', before: clone(existing)}
    op.journal.push(entry)
    const res: ResourceState = {...existing, ...base, status: existing.status, physicalId: existing.physicalId, attributes: existing.attributes, properties: props}
    stack.resources[id] = res
    try {
      provider = this.provider(decl.Type)
      checkRequired(provider, id, props)
      if (replace) {
        this.resourceStatus(stack, res, 'UPDATE_IN_PROGRESS', 'Requested update requires the creation of a new physical resource; hence creating one.')
        const result = await provider.create(props, this.providerContext(stack, res, signal))
        res.physicalId = result.physicalId
        res.attributes = result.attributes
      } else {
        this.resourceStatus(stack, res, 'UPDATE_IN_PROGRESS')
        const result = await provider.update!(existing.physicalId!, props, existing.properties ?? {}, this.providerContext(stack, res, signal))
        res.physicalId = result.physicalId
        res.attributes = result.attributes
      }
      this.resourceStatus(stack, res, 'UPDATE_COMPLETE')
      return undefined
    } catch (err) {
      this.resourceStatus(stack, res, 'UPDATE_FAILED', signal.aborted ? 'Resource update cancelled' : failureReason(err))
      if (replace) {
        // The replacement never became usable: the journal keeps the old resource to restore, and
        // whatever the provider left behind is deleted in the rollback's cleanup.
        if (err instanceof ProviderError && err.physicalId && err.physicalId !== existing.physicalId) {
          entry.orphan = {...res, physicalId: err.physicalId, attributes: {}}
        }
        res.physicalId = existing.physicalId
        res.attributes = existing.attributes
        entry.action = 'update'
        ;(entry as JournalEntry & {failedReplacement?: boolean}).failedReplacement = true
      }
      return signal.aborted ? 'cancelled' : 'update'
    }
  }

  /** Undoes the journal of an update in reverse dependency order, then deletes what it created. */
  private async rollbackUpdate(stack: StackRecord): Promise<void> {
    const op = stack.operation!
    const entries = new Map(op.journal.map((e) => [e.logicalId, e]))
    const graph: DependencyGraph = new Map()
    for (const id of entries.keys()) graph.set(id, new Set((stack.resources[id]?.dependsOn ?? []).filter((d) => entries.has(d))))
    const order = reverseGraph(graph)
    const cleanup: ResourceState[] = []
    const failed: string[] = []
    await runGraph(order, order.keys(), async (id) => {
      const e = entries.get(id)!
      const current = stack.resources[id]
      if (e.action === 'create') {
        if (current) cleanup.push(current)
        delete stack.resources[id]
      } else if (e.action === 'replace') {
        if (current?.physicalId && current.physicalId !== e.before!.physicalId) cleanup.push(current)
        const restored = clone(e.before!)
        stack.resources[id] = restored
        this.resourceStatus(stack, restored, 'UPDATE_COMPLETE')
      } else {
        if (e.orphan) cleanup.push(e.orphan)
        const restored: ResourceState = {...clone(e.before!), status: current?.status ?? 'UPDATE_IN_PROGRESS'}
        stack.resources[id] = restored
        const failedReplacement = (e as {failedReplacement?: boolean}).failedReplacement
        this.resourceStatus(stack, restored, 'UPDATE_IN_PROGRESS')
        if (!failedReplacement && current?.properties && !sameJson(current.properties, e.before!.properties)) {
          try {
            const provider = this.provider(restored.type)
            const result = await provider.update!(restored.physicalId!, e.before!.properties ?? {}, current.properties,
              this.providerContext(stack, restored, new AbortController().signal))
            restored.physicalId = result.physicalId
            restored.attributes = result.attributes
          } catch (err) {
            this.resourceStatus(stack, restored, 'UPDATE_FAILED', failureReason(err))
            failed.push(id)
            throw err
          }
        }
        this.resourceStatus(stack, restored, 'UPDATE_COMPLETE')
      }
      op.journal = op.journal.filter((x) => x !== e)
      this.deps.store.saveSoon(stack)
    })
    if (failed.length > 0) {
      this.stackStatus(stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${failed.join(', ')}]. `)
      this.deps.store.save(stack)
      return
    }
    this.restorePrevious(stack)
    this.stackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')
    await this.deleteLeftovers(stack, cleanup)
    this.finishOperation(stack, 'UPDATE_ROLLBACK_COMPLETE', false)
  }

  private restorePrevious(stack: StackRecord): void {
    const prev = stack.operation?.previous
    if (!prev) return
    Object.assign(stack, {
      templateBody: prev.templateBody, template: prev.template, description: prev.description, parameters: prev.parameters,
      resolvedParameters: prev.resolvedParameters, noEcho: prev.noEcho, outputs: prev.outputs, imports: prev.imports,
    })
    for (const [id, r] of Object.entries(prev.resources)) {
      const cur = stack.resources[id]
      if (!cur) stack.resources[id] = r
    }
  }

  /** ContinueUpdateRollback: retries the rollback, skipping the resources named. */
  continueRollback(stack: StackRecord, skip: string[]): void {
    const op = stack.operation
    if (!op) {
      stack.operation = {kind: 'update', journal: []}
    }
    for (const id of skip) {
      const e = stack.operation!.journal.find((x) => x.logicalId === id)
      if (!e) throw new ServiceError('ValidationError', `Resource [${id}] cannot be skipped: it is not in UPDATE_FAILED state`)
      stack.operation!.journal = stack.operation!.journal.filter((x) => x !== e)
      const r = stack.resources[id]
      if (r) this.resourceStatus(stack, r, 'UPDATE_COMPLETE', 'Resource skipped during UpdateRollback')
    }
    this.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS')
    this.start(stack, () => this.rollbackUpdate(stack))
  }

  /** DELETE: checks no export is in use, then deletes in reverse dependency order, keeping Retain resources. */
  delete(stack: StackRecord, retain: string[]): void {
    stack.operation = {kind: 'delete', journal: []}
    this.stackStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated')
    this.start(stack, async () => {
      const stacks = this.deps.store.all()
      for (const o of stack.outputs) {
        const users = o.exportName ? importersOf(stacks, o.exportName, stack.stackId) : []
        if (users.length > 0) {
          stack.operation = undefined
          this.stackStatus(stack, 'DELETE_FAILED', `Export ${o.exportName} cannot be deleted as it is in use by ${users.join(', ')}`)
          return
        }
      }
      for (const id of retain) if (stack.resources[id]) stack.resources[id]!.deletionPolicy = 'Retain'
      const failed = await this.deleteResources(stack, Object.keys(stack.resources), false)
      stack.operation = undefined
      if (failed.length > 0) {
        this.stackStatus(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `)
        return
      }
      stack.deletedAt = this.timestamp()
      stack.changeSets = []
      this.stackStatus(stack, 'DELETE_COMPLETE')
    })
  }

  /** Deletes the given resources in reverse dependency order; returns the ones that failed. */
  private async deleteResources(stack: StackRecord, ids: string[], rollbackOfCreate: boolean): Promise<string[]> {
    const graph: DependencyGraph = new Map()
    for (const id of ids) graph.set(id, new Set(stack.resources[id]?.dependsOn ?? []))
    const order = reverseGraph(graph, ids)
    const failed: string[] = []
    await runGraph(order, order.keys(), async (id) => {
      const r = stack.resources[id]!
      if (r.status === 'DELETE_COMPLETE' || r.status === 'DELETE_SKIPPED') return
      const retain = r.deletionPolicy === 'Retain' || (r.deletionPolicy === 'RetainExceptOnCreate' && !rollbackOfCreate)
      if (!r.physicalId && r.reason === INTERRUPTED_REASON) r.physicalId = await this.findLost(stack, r)
      if (!r.physicalId && (r.status === 'CREATE_FAILED' || r.status === 'CREATE_IN_PROGRESS')) {
        this.resourceStatus(stack, r, 'DELETE_COMPLETE')
        return
      }
      if (retain) {
        this.resourceStatus(stack, r, 'DELETE_SKIPPED')
        return
      }
      this.resourceStatus(stack, r, 'DELETE_IN_PROGRESS')
      try {
        await this.providerDelete(stack, r, new AbortController().signal)
        this.resourceStatus(stack, r, 'DELETE_COMPLETE')
      } catch (err) {
        this.resourceStatus(stack, r, 'DELETE_FAILED', failureReason(err))
        failed.push(id)
      }
    })
    return failed
  }

  /** After a restart: an operation that was in progress is rolled back or marked failed, with a reason. */
  recover(): void {
    const reason = INTERRUPTED_REASON
    for (const stack of this.deps.store.all()) {
      if (!this.interrupted.delete(stack.stackId) || this.running.has(stack.stackId)) continue
      for (const r of Object.values(stack.resources)) {
        if (r.status.endsWith('_IN_PROGRESS')) this.resourceStatus(stack, r, r.status.replace('_IN_PROGRESS', '_FAILED'), reason)
      }
      switch (stack.status) {
        case 'CREATE_IN_PROGRESS':
        case 'ROLLBACK_IN_PROGRESS':
          stack.operation ??= {kind: 'create', journal: []}
          if (stack.disableRollback) {
            this.finishOperation(stack, 'CREATE_FAILED', false, reason)
            break
          }
          this.stackStatus(stack, 'ROLLBACK_IN_PROGRESS', reason)
          this.start(stack, () => this.rollbackCreate(stack))
          break
        case 'UPDATE_IN_PROGRESS':
        case 'UPDATE_ROLLBACK_IN_PROGRESS':
          stack.operation ??= {kind: 'update', journal: []}
          this.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason)
          this.start(stack, () => this.rollbackUpdate(stack))
          break
        case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
          this.start(stack, async () => {
            await this.cleanupAfterUpdate(stack)
            this.finishOperation(stack, 'UPDATE_COMPLETE', true)
          })
          break
        case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
          this.finishOperation(stack, 'UPDATE_ROLLBACK_COMPLETE', false)
          break
        default:
          stack.operation = undefined
          this.stackStatus(stack, stack.status.replace('_IN_PROGRESS', '_FAILED'), reason)
      }
    }
  }
}

function checkRequired(provider: ResourceProvider, id: string, props: Record<string, any>): void {
  for (const key of provider.required ?? []) {
    if (props[key] === undefined) {
      throw new ProviderError(`Properties validation failed for resource ${id} with message: #: required key [${key}] not found`)
    }
  }
}

/** Whether changing `oldProps` to `newProps` replaces the resource. */
export function needsReplacement(provider: ResourceProvider | undefined, oldProps: Record<string, any>, newProps: Record<string, any>): boolean {
  if (!provider?.update) return true
  return (provider.immutable ?? []).some((k) => !sameJson(oldProps[k], newProps[k]))
}

export type {Operation}
