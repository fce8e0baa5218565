// Resources the local control plane only records (IAM, EC2 networking): kept in one crash-safe
// document so names stay unique and references between them (a subnet's VPC) can be checked.

import {join} from 'node:path'
import {JsonDocument} from '../../store/json-file.js'

export interface RecordStore {
  get(kind: string, id: string): Record<string, any> | undefined
  put(kind: string, id: string, value: Record<string, any>): void
  remove(kind: string, id: string): void
  /** Every record of a kind, by id (the local EC2 API lists the network from here). */
  list(kind: string): [string, Record<string, any>][]
  /** Writes pending changes now (on shutdown). */
  flush(): void
}

export function createRecordStore(stateDir?: string): RecordStore {
  const memory: Record<string, Record<string, Record<string, any>>> = {}
  const doc = stateDir ? new JsonDocument(join(stateDir, 'cloudformation', 'records.json'), memory) : undefined
  const data = doc ? doc.value : memory
  return {
    get: (kind, id) => data[kind]?.[id],
    put(kind, id, value) {
      data[kind] ??= {}
      data[kind][id] = value
      doc?.saveSoon()
    },
    remove(kind, id) {
      delete data[kind]?.[id]
      doc?.saveSoon()
    },
    list: (kind) => Object.entries(data[kind] ?? {}),
    flush() {
      doc?.flush()
    },
  }
}
