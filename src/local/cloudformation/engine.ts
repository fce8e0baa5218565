// The stack engine: runs create, update and delete operations over the dependency graph, records an
// event for every transition, journals what it changed so a failure (or a crash) rolls back to the
// previous state, and finishes with the statuses and reasons AWS uses. This class starts the
// operations; their steps live in engine-provision.ts (create and update), engine-delete.ts,
// engine-rollback.ts and engine-recover.ts (the replay of interrupted journals).

import {ServiceError} from '../frontend/types.js'
import {importersOf} from './outputs.js'
import type {Prepared} from './prepare.js'
import type {Operation, StackRecord} from './stack-store.js'
import {EngineCore, snapshotOf} from './engine-core.js'
import {deleteAfterCreate, deleteResources} from './engine-delete.js'
import {provisionWithin} from './engine-provision.js'
import {recoverInterrupted} from './engine-recover.js'
import {cleanupAfterUpdate, rollbackCreate, rollbackUpdate} from './engine-rollback.js'

export {failureReason, needsReplacement, snapshotOf, type EngineDeps} from './engine-core.js'

export class Engine extends EngineCore {
  /** CREATE: provisions every resource; on failure rolls back (deletes what was created) unless disabled. */
  create(stack: StackRecord, prep: Prepared, changeSetId?: string): void {
    this.applySnapshot(stack, prep)
    stack.operation = {kind: 'create', journal: [], ...(changeSetId ? {changeSetId} : {})}
    this.stackStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated')
    this.start(stack, async (signal, running) => {
      let failure = await provisionWithin(this, stack, prep, signal, running)
      if (this.closing) return
      if (running.deleteRequested) {
        await deleteAfterCreate(this, stack, 'User Initiated')
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
        await deleteAfterCreate(this, stack, `${failure}Delete requested by user.`)
        return
      }
      this.stackStatus(stack, 'ROLLBACK_IN_PROGRESS', `${failure}Rollback requested by user.`)
      await rollbackCreate(this, stack)
    })
  }

  /** DeleteStack during CREATE_IN_PROGRESS: the creation stops (resources in flight are cancelled), then the stack is deleted. */
  deleteWhileCreating(stack: StackRecord): void {
    const r = this.running.get(stack.stackId)
    if (!r || stack.status !== 'CREATE_IN_PROGRESS') throw new ServiceError('ValidationError', `Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`)
    r.deleteRequested = true
    r.controller.abort()
  }

  /** UPDATE: changes, creates and replaces resources; cleanup deletes replaced and removed ones. */
  update(stack: StackRecord, prep: Prepared, changeSetId?: string): void {
    const previous = snapshotOf(stack)
    this.applySnapshot(stack, prep)
    stack.operation = {kind: 'update', previous, journal: [], ...(changeSetId ? {changeSetId} : {})}
    stack.updatedAt = this.timestamp()
    this.stackStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated')
    this.start(stack, async (signal, running) => {
      const failure = await provisionWithin(this, stack, prep, signal, running)
      if (this.closing) return
      if (failure) {
        const reason = running.cancelled ? 'Stack update cancelled' : running.timedOut ? 'Stack update time exceeded the specified timeout. ' : failure
        this.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason)
        await rollbackUpdate(this, stack)
        return
      }
      this.stackStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
      await cleanupAfterUpdate(this, stack)
      this.finishOperation(stack, 'UPDATE_COMPLETE', true)
    })
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
    this.start(stack, () => rollbackUpdate(this, stack))
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
      const failed = await deleteResources(this, stack, Object.keys(stack.resources), false)
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

  cancelUpdate(stack: StackRecord): void {
    const r = this.running.get(stack.stackId)
    if (!r || stack.status !== 'UPDATE_IN_PROGRESS') {
      throw new ServiceError('ValidationError', `CancelUpdateStack cannot be called from current stack status`)
    }
    r.cancelled = true
    r.controller.abort()
  }


  /** After a restart: an operation that was in progress is rolled back or marked failed, with a reason. */
  recover(): void {
    recoverInterrupted(this)
  }
}

export type {Operation}
