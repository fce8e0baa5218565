// The compute side of the local control plane: the agent's process driver, the local ECS (cluster
// manager, capacity manager, service scheduler) and ECS Exec (KMS and the exec broker), installed on a
// running control plane. Processes a crashed earlier run left behind are ended first.

import {cleanupOrphans, ProcessDriver} from './agent/process-driver.js'
import type {ControlPlane} from './control-plane.js'
import {machineCapacity, type Capacity} from './capacity/index.js'
import type {Ecs} from './ecs/index.js'
import {installEcs} from './ecs/install.js'
import {installExec, type LocalExec} from './exec/index.js'

export interface LocalCompute {
  ecs: Ecs
  driver: ProcessDriver
  exec: LocalExec
}

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

export function installCompute(cp: ControlPlane, opts: {log?: (line: string) => void; capacity?: Capacity} = {}): LocalCompute {
  const orphans = cleanupOrphans(cp.stateDir)
  if (orphans.length > 0) opts.log?.(`ended ${orphans.length} task processes a previous run left behind`)
  let driver: ProcessDriver | undefined
  const exec = installExec(cp, {driver: () => driver!})
  const installed = installEcs(cp, {
    driver: (listener) =>
      (driver = new ProcessDriver({
        stateDir: cp.stateDir,
        listener: exec.broker.trackTasks(listener),
        region: cp.region,
        ...(opts.log ? {log: opts.log} : {}),
      })),
    exec: exec.broker,
    capacity: opts.capacity ?? localCapacity(),
  })
  return {ecs: installed.ecs, driver: installed.driver, exec}
}
