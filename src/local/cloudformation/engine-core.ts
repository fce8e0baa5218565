// The engine's shared core: the running operations, the events and statuses every transition
// records, the context providers and intrinsics see, and the provider look-ups. The operations
// themselves live beside it: create and update (engine-provision.ts), delete (engine-delete.ts),
// rollback (engine-rollback.ts) and the replay of interrupted journals (engine-recover.ts);
// `Engine` (engine.ts) starts them.

import {randomUUID} from 'node:crypto'
import type {LocalApi} from '../contracts.js'
import {ServiceError} from '../frontend/types.js'
import {KNOWN_AFTER_APPLY, TemplateError, type EvalContext} from './intrinsics.js'
import {exportTable} from './outputs.js'
import type {SsmLookup} from './parameters.js'
import {baseContext, type Prepared} from './prepare.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from './provider.js'
import type {ResourceState, StackRecord, StackSnapshot, StackStore} from './stack-store.js'

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
export const RETAIN = new Set(['Retain', 'RetainExceptOnCreate'])

/** The reason CloudFormation shows for a resource whose provider failed. */
export function failureReason(err: unknown): string {
  if (err instanceof ProviderError) return err.message
  if (err instanceof TemplateError) return `Template error: ${err.message}`
  if (err instanceof ServiceError) {
    return `Resource handler returned message: "${err.message}" (Service: local, Status Code: ${err.status}) (HandlerErrorCode: ${err.status >= 500 ? 'ServiceInternalError' : err.code === 'ResourceNotFoundException' ? 'NotFound' : 'InvalidRequest'})`
  }
  return `Internal Failure: ${err instanceof Error ? err.message : String(err)}`
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v)
}

/** A value as CloudFormation compares template values: scalars by their text, so that `80` and `"80"`
 * (or `true` and `"true"`) are one value, as they are to CloudFormation, which hands resources the
 * type their schema says whichever way the template spelt it. */
function canonical(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return v.map(canonical)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(x)]))
  return v
}

/** Whether two template values are the same to CloudFormation (scalars compared by their text). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

export function snapshotOf(stack: StackRecord): StackSnapshot {
  return clone({
    templateBody: stack.templateBody, template: stack.template, description: stack.description,
    parameters: stack.parameters, resolvedParameters: stack.resolvedParameters, noEcho: stack.noEcho,
    resources: stack.resources, outputs: stack.outputs, imports: stack.imports,
  })
}

export interface Running {
  controller: AbortController
  promise: Promise<void>
  cancelled: boolean
  timedOut?: boolean
  deleteRequested?: boolean
}

export const INTERRUPTED_REASON = 'The local control plane stopped while this operation was in progress'
const PERSIST_AT_ONCE = new Set(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_FAILED', 'UPDATE_COMPLETE', 'UPDATE_FAILED'])

export class EngineCore {
  readonly running = new Map<string, Running>()
  readonly now: () => Date

  /** Stacks an earlier run left in progress, found when the store was loaded. */
  readonly interrupted: Set<string>

  constructor(readonly deps: EngineDeps) {
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
  closing = false

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

  timestamp(): string {
    return this.now().toISOString()
  }

  stackStatus(stack: StackRecord, status: string, reason?: string): void {
    stack.status = status
    stack.reason = reason
    this.deps.store.appendEvent(stack, {eventId: randomUUID(), logicalId: stack.stackName, physicalId: stack.stackId, resourceType: STACK_TYPE,
      timestamp: this.timestamp(), status, ...(reason ? {reason} : {})})
    this.deps.store.save(stack)
  }

  resourceStatus(stack: StackRecord, res: ResourceState, status: string, reason?: string): void {
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

  providerContext(stack: StackRecord, res: ResourceState, signal: AbortSignal): ProviderContext {
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

  start(stack: StackRecord, body: (signal: AbortSignal, running: Running) => Promise<void>): void {
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

  /** The evaluation context of a stack's resources during an operation. */
  contextFor(stack: StackRecord, prep: Prepared): EvalContext {
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

  applySnapshot(stack: StackRecord, prep: Prepared): void {
    stack.templateBody = prep.templateBody
    stack.template = prep.template
    stack.description = prep.template.Description
    stack.parameters = prep.params.given
    stack.resolvedParameters = prep.params.resolved
    stack.noEcho = prep.noEcho
  }

  /** Ends an operation: the change set it executed (if any) records the outcome, then the stack's status. */
  finishOperation(stack: StackRecord, status: string, succeeded: boolean, reason?: string): void {
    const csId = stack.operation?.changeSetId
    if (csId) {
      const cs = stack.changeSets.find((c) => c.id === csId)
      if (cs) cs.executionStatus = succeeded ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED'
    }
    stack.operation = undefined
    this.stackStatus(stack, status, reason)
  }

  provider(type: string): ResourceProvider {
    const p = this.deps.registry.get(type)
    if (!p) throw new ProviderError(`Resource type ${type} is not supported by the local control plane`)
    return p
  }

  /** The resource an interrupted create made before the crash lost its id, if its provider can tell. */
  async findLost(stack: StackRecord, r: ResourceState): Promise<string | undefined> {
    const provider = this.deps.registry.get(r.type)
    if (!provider?.find) return undefined
    return provider.find(r.properties ?? {}, this.providerContext(stack, r, new AbortController().signal)).catch(() => undefined)
  }

  async providerDelete(stack: StackRecord, r: ResourceState, signal: AbortSignal): Promise<void> {
    if (!r.physicalId) return
    const provider = this.deps.registry.get(r.type)
    if (!provider) return
    await provider.delete(r.physicalId, r.properties ?? {}, this.providerContext(stack, r, signal))
  }
}

export function checkRequired(provider: ResourceProvider, id: string, props: Record<string, any>): void {
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
