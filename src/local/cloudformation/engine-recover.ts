// Journal replay after a restart: an operation the previous run left in progress is rolled back
// (from its journal) or marked failed, with a reason that says the control plane stopped.

import {INTERRUPTED_REASON, type EngineCore} from './engine-core.js'
import {rollbackCreate, rollbackUpdate, cleanupAfterUpdate} from './engine-rollback.js'

/** After a restart: an operation that was in progress is rolled back or marked failed, with a reason. */
export function recoverInterrupted(engine: EngineCore): void {
  const reason = INTERRUPTED_REASON
  for (const stack of engine.deps.store.all()) {
    if (!engine.interrupted.delete(stack.stackId) || engine.running.has(stack.stackId)) continue
    for (const r of Object.values(stack.resources)) {
      if (r.status.endsWith('_IN_PROGRESS')) engine.resourceStatus(stack, r, r.status.replace('_IN_PROGRESS', '_FAILED'), reason)
    }
    switch (stack.status) {
      case 'CREATE_IN_PROGRESS':
      case 'ROLLBACK_IN_PROGRESS':
        stack.operation ??= {kind: 'create', journal: []}
        if (stack.disableRollback) {
          engine.finishOperation(stack, 'CREATE_FAILED', false, reason)
          break
        }
        engine.stackStatus(stack, 'ROLLBACK_IN_PROGRESS', reason)
        engine.start(stack, () => rollbackCreate(engine, stack))
        break
      case 'UPDATE_IN_PROGRESS':
      case 'UPDATE_ROLLBACK_IN_PROGRESS':
        stack.operation ??= {kind: 'update', journal: []}
        engine.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason)
        engine.start(stack, () => rollbackUpdate(engine, stack))
        break
      case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
        engine.start(stack, async () => {
          await cleanupAfterUpdate(engine, stack)
          engine.finishOperation(stack, 'UPDATE_COMPLETE', true)
        })
        break
      case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
        engine.finishOperation(stack, 'UPDATE_ROLLBACK_COMPLETE', false)
        break
      default:
        stack.operation = undefined
        engine.stackStatus(stack, stack.status.replace('_IN_PROGRESS', '_FAILED'), reason)
    }
  }
}
