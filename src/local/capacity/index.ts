// The capacity manager: FARGATE and FARGATE_SPOT draw on one local pool of CPU units and MiB (this
// machine). It reserves a task's size when the task is placed and releases it when the task stops.
// A task that fits later waits (the cluster manager keeps it PENDING); one that can never fit is
// refused with ECS's RESOURCE:CPU / RESOURCE:MEMORY reason.

import {cpus, totalmem} from 'node:os'

export {placeTasks, validateStrategy, PROVIDER_NAMES, type ProviderName, type StrategyItem} from './strategy.js'

export interface Capacity {
  /** CPU units (1024 per vCPU). */
  cpu: number
  /** MiB. */
  memory: number
}

/** This machine's size: every core as 1024 CPU units, all of its memory. */
export function machineCapacity(): Capacity {
  return {cpu: Math.max(1, cpus().length) * 1024, memory: Math.floor(totalmem() / (1024 * 1024))}
}

export class CapacityManager {
  readonly total: Capacity
  private readonly reservations = new Map<string, Capacity>()
  private used: Capacity = {cpu: 0, memory: 0}

  constructor(total: Capacity = machineCapacity()) {
    this.total = {...total}
  }

  /** ECS's reason when a task is larger than the whole pool, else undefined. */
  neverFits(size: Capacity): 'RESOURCE:CPU' | 'RESOURCE:MEMORY' | undefined {
    if (size.cpu > this.total.cpu) return 'RESOURCE:CPU'
    if (size.memory > this.total.memory) return 'RESOURCE:MEMORY'
    return undefined
  }

  /** Reserves `size` for `id`; false when it does not fit right now. Reserving twice is a no-op. */
  tryReserve(id: string, size: Capacity): boolean {
    if (this.reservations.has(id)) return true
    if (this.used.cpu + size.cpu > this.total.cpu || this.used.memory + size.memory > this.total.memory) return false
    this.reservations.set(id, {...size})
    this.used = {cpu: this.used.cpu + size.cpu, memory: this.used.memory + size.memory}
    return true
  }

  release(id: string): void {
    const size = this.reservations.get(id)
    if (!size) return
    this.reservations.delete(id)
    this.used = {cpu: this.used.cpu - size.cpu, memory: this.used.memory - size.memory}
  }

  isReserved(id: string): boolean {
    return this.reservations.has(id)
  }

  usage(): {total: Capacity; used: Capacity; free: Capacity; tasks: number} {
    return {
      total: {...this.total},
      used: {...this.used},
      free: {cpu: this.total.cpu - this.used.cpu, memory: this.total.memory - this.used.memory},
      tasks: this.reservations.size,
    }
  }
}
