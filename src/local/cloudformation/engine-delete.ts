// Delete: removes resources in reverse dependency order, keeping those whose deletion policy retains
// them; also used by rollbacks (what a failed create made) and update cleanup (what an update replaced).

import {reverseGraph, runGraph, type DependencyGraph} from './graph.js'
import type {ResourceState, StackRecord} from './stack-store.js'
import {clone, failureReason, INTERRUPTED_REASON, RETAIN, type EngineCore} from './engine-core.js'

/** Deletes a stack whose creation failed or was interrupted by DeleteStack. */
export async function deleteAfterCreate(core: EngineCore, stack: StackRecord, reason: string): Promise<void> {
  core.stackStatus(stack, 'DELETE_IN_PROGRESS', reason)
  const failed = await deleteResources(core, stack, Object.keys(stack.resources), true)
  if (failed.length > 0) {
    core.finishOperation(stack, 'DELETE_FAILED', false, `The following resource(s) failed to delete: [${failed.join(', ')}]. `)
    return
  }
  stack.deletedAt = core.timestamp()
  stack.changeSets = []
  core.finishOperation(stack, 'DELETE_COMPLETE', false)
}

/** Deletes resources that no longer belong to the stack (old physical ids, removed resources). */
export async function deleteLeftovers(core: EngineCore, stack: StackRecord, leftovers: ResourceState[]): Promise<void> {
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
      core.resourceStatus(stack, r, 'DELETE_SKIPPED')
      return
    }
    await deleteOne(core, stack, r)
  })
}

/** Deletes the given resources in reverse dependency order; returns the ones that failed. */
export async function deleteResources(core: EngineCore, stack: StackRecord, ids: string[], rollbackOfCreate: boolean): Promise<string[]> {
  const graph: DependencyGraph = new Map()
  for (const id of ids) graph.set(id, new Set(stack.resources[id]?.dependsOn ?? []))
  const order = reverseGraph(graph, ids)
  const failed: string[] = []
  await runGraph(order, order.keys(), async (id) => {
    const r = stack.resources[id]!
    if (r.status === 'DELETE_COMPLETE' || r.status === 'DELETE_SKIPPED') return
    const retain = r.deletionPolicy === 'Retain' || (r.deletionPolicy === 'RetainExceptOnCreate' && !rollbackOfCreate)
    if (!r.physicalId && r.reason === INTERRUPTED_REASON) r.physicalId = await core.findLost(stack, r)
    if (!r.physicalId && (r.status === 'CREATE_FAILED' || r.status === 'CREATE_IN_PROGRESS')) {
      core.resourceStatus(stack, r, 'DELETE_COMPLETE')
      return
    }
    if (retain) {
      core.resourceStatus(stack, r, 'DELETE_SKIPPED')
      return
    }
    if (!(await deleteOne(core, stack, r))) failed.push(id)
  })
  return failed
}

/** Deletes one resource through its provider, recording its events; whether it is gone. */
async function deleteOne(core: EngineCore, stack: StackRecord, r: ResourceState): Promise<boolean> {
  core.resourceStatus(stack, r, 'DELETE_IN_PROGRESS')
  try {
    await core.providerDelete(stack, r, new AbortController().signal)
    core.resourceStatus(stack, r, 'DELETE_COMPLETE')
    return true
  } catch (err) {
    core.resourceStatus(stack, r, 'DELETE_FAILED', failureReason(err))
    return false
  }
}
