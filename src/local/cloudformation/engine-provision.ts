// Create and update: brings every resource of a prepared template to its declared state in
// dependency order, journalling each change so a rollback (engine-rollback.ts) can undo it.

import {runGraph} from './graph.js'
import {evaluate, TemplateError, type EvalContext} from './intrinsics.js'
import {evaluateOutputs, exportConflict, exportTable, importedNames} from './outputs.js'
import type {Prepared} from './prepare.js'
import {ProviderError, type ResourceProvider} from './provider.js'
import type {JournalEntry, ResourceState, StackRecord} from './stack-store.js'
import {checkRequired, clone, failureReason, needsReplacement, sameJson, type EngineCore} from './engine-core.js'

/** Provisions, aborting once the stack's TimeoutInMinutes has passed (marking the run timed out). */
export async function provisionWithin(core: EngineCore, stack: StackRecord, prep: Prepared, signal: AbortSignal, running: {timedOut?: boolean; controller: AbortController}): Promise<string | undefined> {
  const timer = stack.timeoutInMinutes ? setTimeout(() => {
    running.timedOut = true
    running.controller.abort()
  }, stack.timeoutInMinutes * (core.deps.minuteMs ?? 60_000)) : undefined
  timer?.unref()
  try {
    return await provision(core, stack, prep, signal)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Brings every resource of the prepared template to its declared state, in dependency order.
 * Returns undefined on success, or the stack-level failure reason.
 */
export async function provision(core: EngineCore, stack: StackRecord, prep: Prepared, signal: AbortSignal): Promise<string | undefined> {
  const op = stack.operation!
  const ctx = core.contextFor(stack, prep)
  const missing = importedNames(prep.template, ctx).filter((n) => {
    const e = exportTable(core.deps.store.all()).get(n)
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
    const kind = await provisionOne(core, stack, prep, ctx, id, internal.signal)
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
    const conflict = exportConflict(core.deps.store.all(), stack, op.previous?.outputs ?? [], outputs)
    if (conflict) return conflict
    stack.outputs = outputs
  } catch (err) {
    return err instanceof TemplateError ? `Template error: ${err.message}` : failureReason(err)
  }
  return undefined
}

/** Creates, updates or replaces one resource; returns the failed action, if it failed. */
export async function provisionOne(core: EngineCore, stack: StackRecord, prep: Prepared, ctx: EvalContext, id: string, signal: AbortSignal):
  Promise<'create' | 'update' | 'cancelled' | undefined> {
  const decl = prep.template.Resources[id]!
  const old = stack.resources[id]
  const existing = old?.physicalId && old.status !== 'DELETE_COMPLETE' ? old : undefined
  const base: ResourceState = {
    logicalId: id, type: decl.Type, status: 'CREATE_IN_PROGRESS', updatedAt: core.timestamp(), attributes: {},
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
    core.resourceStatus(stack, res, existing ? 'UPDATE_FAILED' : 'CREATE_FAILED', failureReason(err))
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
    core.resourceStatus(stack, res, 'CREATE_IN_PROGRESS')
    try {
      provider = core.provider(decl.Type)
      checkRequired(provider, id, props)
      const result = await provider.create(props, core.providerContext(stack, res, signal))
      res.physicalId = result.physicalId
      res.attributes = result.attributes
      core.resourceStatus(stack, res, 'CREATE_COMPLETE')
      return undefined
    } catch (err) {
      if (err instanceof ProviderError && err.physicalId) res.physicalId = err.physicalId
      core.resourceStatus(stack, res, 'CREATE_FAILED', signal.aborted ? 'Resource creation cancelled' : failureReason(err))
      return signal.aborted ? 'cancelled' : 'create'
    }
  }
  const replace = existing.type !== decl.Type || needsReplacement(core.deps.registry.get(decl.Type), existing.properties ?? {}, props)
  const entry: JournalEntry = {logicalId: id, action: replace ? 'replace' : 'update', before: clone(existing)}
  op.journal.push(entry)
  const res: ResourceState = {...existing, ...base, status: existing.status, physicalId: existing.physicalId, attributes: existing.attributes, properties: props}
  stack.resources[id] = res
  try {
    provider = core.provider(decl.Type)
    checkRequired(provider, id, props)
    if (replace) {
      core.resourceStatus(stack, res, 'UPDATE_IN_PROGRESS', 'Requested update requires the creation of a new physical resource; hence creating one.')
      const result = await provider.create(props, core.providerContext(stack, res, signal))
      res.physicalId = result.physicalId
      res.attributes = result.attributes
    } else {
      core.resourceStatus(stack, res, 'UPDATE_IN_PROGRESS')
      const result = await provider.update!(existing.physicalId!, props, existing.properties ?? {}, core.providerContext(stack, res, signal))
      res.physicalId = result.physicalId
      res.attributes = result.attributes
    }
    core.resourceStatus(stack, res, 'UPDATE_COMPLETE')
    return undefined
  } catch (err) {
    core.resourceStatus(stack, res, 'UPDATE_FAILED', signal.aborted ? 'Resource update cancelled' : failureReason(err))
    if (replace) {
      // The replacement never became usable: the journal keeps the old resource to restore, and
      // whatever the provider left behind is deleted in the rollback's cleanup.
      if (err instanceof ProviderError && err.physicalId && err.physicalId !== existing.physicalId) {
        entry.orphan = {...res, physicalId: err.physicalId, attributes: {}}
      }
      res.physicalId = existing.physicalId
      res.attributes = existing.attributes
      entry.action = 'update'
      entry.failedReplacement = true
    }
    return signal.aborted ? 'cancelled' : 'update'
  }
}
