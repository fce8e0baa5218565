// New task records: ids, ARNs, the ENI attachment, containers from the task definition.

import {randomUUID} from 'node:crypto'
import type {ClusterRecord, TaskDefinitionRecord, TaskRecord, Tag} from '../cluster/state.js'
import {containerArn, newTaskId, taskArn, type Scope} from './arns.js'

export interface NewTaskInput {
  scope: Scope
  cluster: ClusterRecord
  td: TaskDefinitionRecord
  now: number
  /** Set when placed through a capacity provider strategy. */
  capacityProviderName?: string
  overrides?: Record<string, any>
  startedBy?: string
  group?: string
  tags?: Tag[]
  networkConfiguration?: Record<string, any>
  enableExecuteCommand?: boolean
  serviceArn?: string
  deploymentId?: string
}

export function newTask(i: NewTaskInput): TaskRecord {
  const id = newTaskId()
  const overrides = i.overrides ?? {}
  const cpu = overrides.cpu !== undefined ? Number(overrides.cpu) : i.td.cpu ?? 256
  const memory = overrides.memory !== undefined ? Number(overrides.memory) : i.td.memory ?? 512
  return {
    taskArn: taskArn(i.scope, i.cluster.clusterName, id),
    taskId: id,
    clusterArn: i.cluster.clusterArn,
    taskDefinitionArn: i.td.taskDefinitionArn,
    family: i.td.family,
    cpu,
    memory,
    launchType: 'FARGATE',
    ...(i.capacityProviderName ? {capacityProviderName: i.capacityProviderName} : {}),
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    createdAt: i.now,
    ...(i.startedBy ? {startedBy: i.startedBy} : {}),
    group: i.group ?? `family:${i.td.family}`,
    tags: i.tags ?? [],
    overrides,
    enableExecuteCommand: i.enableExecuteCommand ?? false,
    ...(i.networkConfiguration ? {networkConfiguration: i.networkConfiguration} : {}),
    attachmentId: randomUUID(),
    eniId: `eni-${id.slice(0, 17)}`,
    containers: (i.td.body.containerDefinitions as any[]).map((c) => ({
      containerArn: containerArn(i.scope, i.cluster.clusterName, id),
      name: c.name,
      image: c.image,
      lastStatus: 'PENDING',
      networkBindings: [],
      essential: c.essential !== false,
      cpu: String(c.cpu ?? 0),
      ...(c.memory !== undefined ? {memory: String(c.memory)} : {}),
      ...(c.memoryReservation !== undefined ? {memoryReservation: String(c.memoryReservation)} : {}),
      ...(c.healthCheck ? {healthStatus: 'UNKNOWN' as const, hasHealthCheck: true} : {}),
    })),
    healthStatus: 'UNKNOWN',
    ...(i.serviceArn ? {serviceArn: i.serviceArn} : {}),
    ...(i.deploymentId ? {deploymentId: i.deploymentId} : {}),
    launched: false,
    placed: false,
    version: 1,
  }
}
