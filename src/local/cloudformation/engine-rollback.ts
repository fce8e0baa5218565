// Rollback: undoes an operation's journal (a failed create deletes what it made; a failed update
// restores each resource to its state before, in reverse dependency order), and the cleanup after a
// successful update (replaced and removed resources).

import {reverseGraph, runGraph, type DependencyGraph} from './graph.js'
import type {ResourceState, StackRecord} from './stack-store.js'
import {clone, failureReason, sameJson, type EngineCore} from './engine-core.js'
import {deleteLeftovers, deleteResources} from './engine-delete.js'

export async function rollbackCreate(core: EngineCore, stack: StackRecord): Promise<void> {
  const failed = await deleteResources(core, stack, Object.keys(stack.resources), true)
  core.finishOperation(stack, failed.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', false,
    failed.length > 0 ? `The following resource(s) failed to delete: [${failed.join(', ')}]. ` : undefined)
}

/** Undoes the journal of an update in reverse dependency order, then deletes what it created. */
export async function rollbackUpdate(core: EngineCore, stack: StackRecord): Promise<void> {
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
      core.resourceStatus(stack, restored, 'UPDATE_COMPLETE')
    } else {
      if (e.orphan) cleanup.push(e.orphan)
      const restored: ResourceState = {...clone(e.before!), status: current?.status ?? 'UPDATE_IN_PROGRESS'}
      stack.resources[id] = restored
      core.resourceStatus(stack, restored, 'UPDATE_IN_PROGRESS')
      if (!e.failedReplacement && current?.properties && !sameJson(current.properties, e.before!.properties)) {
        try {
          const provider = core.provider(restored.type)
          const result = await provider.update!(restored.physicalId!, e.before!.properties ?? {}, current.properties,
            core.providerContext(stack, restored, new AbortController().signal))
          restored.physicalId = result.physicalId
          restored.attributes = result.attributes
        } catch (err) {
          core.resourceStatus(stack, restored, 'UPDATE_FAILED', failureReason(err))
          failed.push(id)
          throw err
        }
      }
      core.resourceStatus(stack, restored, 'UPDATE_COMPLETE')
    }
    op.journal = op.journal.filter((x) => x !== e)
    core.deps.store.saveSoon(stack)
  })
  if (failed.length > 0) {
    core.stackStatus(stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${failed.join(', ')}]. `)
    core.deps.store.save(stack)
    return
  }
  restorePrevious(core, stack)
  core.stackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')
  await deleteLeftovers(core, stack, cleanup)
  core.finishOperation(stack, 'UPDATE_ROLLBACK_COMPLETE', false)
}

export function restorePrevious(core: EngineCore, stack: StackRecord): void {
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

export async function cleanupAfterUpdate(core: EngineCore, stack: StackRecord): Promise<void> {
  const op = stack.operation!
  const leftovers: ResourceState[] = []
  for (const e of op.journal) {
    if (e.action === 'replace' && e.before?.physicalId) leftovers.push({...e.before, deletionPolicy: e.before.updateReplacePolicy})
  }
  for (const id of op.removed ?? []) if (stack.resources[id]) leftovers.push(stack.resources[id]!)
  await deleteLeftovers(core, stack, leftovers)
  for (const id of op.removed ?? []) delete stack.resources[id]
}
