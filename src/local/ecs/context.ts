// What every ECS operation handler works with, and the lookups they share (cluster, task definition,
// service by name or ARN) with ECS's "not found" errors.

import type {ExecSessions} from '../contracts.js'
import type {CapacityManager} from '../capacity/index.js'
import {ServiceError} from '../frontend/types.js'
import type {ServiceScheduler} from '../cluster/scheduler.js'
import type {ClusterRecord, EcsStore, ServiceRecord, TaskDefinitionRecord, TaskRecord} from '../cluster/state.js'
import type {Clock, TaskManager} from '../cluster/task-manager.js'
import {clusterArn, nameOf, parseTaskDefinitionRef, serviceArn, type Scope} from './arns.js'
import {clientException, type Input} from './input.js'

export interface EcsContext {
  scope: Scope
  store: EcsStore
  tasks: TaskManager
  scheduler: ServiceScheduler
  capacity: CapacityManager
  clock: Clock
  exec?: ExecSessions
  /** Whether a load balancer is attached (target groups can be checked), and the check. */
  targetsAvailable: boolean
  targetsExist(targetGroupArn: string): boolean
}

export type Handler = (ctx: EcsContext, input: Input) => unknown | Promise<unknown>

export const clusterNotFound = () => new ServiceError('ClusterNotFoundException', 'Cluster not found.')

/** The ACTIVE cluster named by `ref` (name or ARN; "default" when absent). */
export function findCluster(ctx: EcsContext, ref: string | undefined): ClusterRecord {
  const c = ctx.store.state.clusters[clusterArn(ctx.scope, nameOf(ref ?? 'default'))]
  if (!c || c.status !== 'ACTIVE') throw clusterNotFound()
  return c
}

/** A task definition by family (latest ACTIVE revision), family:revision or ARN. */
export function findTaskDefinition(ctx: EcsContext, ref: string, {activeOnly = false} = {}): TaskDefinitionRecord {
  const {family, revision} = parseTaskDefinitionRef(ref)
  const all = ctx.store.state.taskDefinitions
  let td: TaskDefinitionRecord | undefined
  if (revision !== undefined) {
    td = Object.values(all).find((t) => t.family === family && t.revision === revision)
  } else {
    for (const t of Object.values(all)) {
      if (t.family === family && t.status === 'ACTIVE' && (!td || t.revision > td.revision)) td = t
    }
  }
  if (!td || td.status === 'DELETE_IN_PROGRESS') throw clientException('Unable to describe task definition.')
  if (activeOnly && td.status !== 'ACTIVE') throw clientException(`TaskDefinition is inactive`)
  return td
}

export function findService(ctx: EcsContext, cluster: ClusterRecord, ref: string): ServiceRecord | undefined {
  return ctx.store.state.services[serviceArn(ctx.scope, cluster.clusterName, nameOf(ref))]
}

export function findTask(ctx: EcsContext, cluster: ClusterRecord, ref: string): TaskRecord | undefined {
  const id = nameOf(ref)
  const t = ctx.tasks.taskById(id)
  return t && t.clusterArn === cluster.clusterArn ? t : undefined
}
