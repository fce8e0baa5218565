// The local capacity the tasks share, from the environment or from this machine.

import {machineCapacity, type Capacity} from './capacity/index.js'

/**
 * The local capacity: `PIER_LOCAL_CPU` (CPU units) and `PIER_LOCAL_MEMORY` (MiB) when set, else this
 * machine's cores × 1024 and total memory.
 */
export function localCapacity(env: NodeJS.ProcessEnv = process.env): Capacity {
  const machine = machineCapacity()
  const read = (name: string, fallback: number) => {
    const v = env[name]
    if (v === undefined || v === '') return fallback
    const n = Number(v)
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, not ${v}`)
    return n
  }
  return {cpu: read('PIER_LOCAL_CPU', machine.cpu), memory: read('PIER_LOCAL_MEMORY', machine.memory)}
}
