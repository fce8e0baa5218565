// The local ElastiCache: every cache cluster, replication group or serverless cache (Redis or Valkey
// engines) is one Debian redis-server on a loopback port, with its append-only file under the state
// directory, so the data outlives a restart of the control plane. Records: `elasticache/caches.json`.

import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {redisBinary} from '../servers/binaries.js'
import {freePort, type ServerSupervisor} from '../servers/supervisor.js'
import {JsonDocument} from '../store/json-file.js'

export type CacheKind = 'cluster' | 'replication-group' | 'serverless'

export interface CacheRecord {
  id: string
  kind: CacheKind
  engine: string
  port: number
  serverId: string
}

/** Engines served by redis-server (Valkey speaks the same protocol). */
export function runsEngine(engine: string): boolean {
  return ['redis', 'valkey'].includes(engine.toLowerCase())
}

const serverIdOf = (kind: string, id: string) => `cache-${kind}-${id}`

export class LocalCache {
  private readonly doc: JsonDocument<CacheRecord[]>
  private readonly records = new Map<string, CacheRecord>()

  constructor(stateDir: string, private readonly supervisor: ServerSupervisor) {
    this.doc = new JsonDocument<CacheRecord[]>(join(stateDir, 'elasticache', 'caches.json'), [])
    for (const r of this.doc.value) this.records.set(`${r.kind}/${r.id}`, r)
  }

  get(kind: CacheKind, id: string): CacheRecord | undefined {
    return this.records.get(`${kind}/${id}`)
  }

  private save(): void {
    this.doc.value = [...this.records.values()]
    this.doc.save()
  }

  async create(kind: CacheKind, id: string, opts: {engine: string; authToken?: string}): Promise<CacheRecord> {
    if (this.get(kind, id)) throw new Error(`cache ${id} already exists`)
    const bin = redisBinary()
    const serverId = serverIdOf(kind, id)
    const port = await freePort()
    const data = join(this.supervisor.dir(serverId), 'data')
    mkdirSync(data, {recursive: true, mode: 0o700})
    try {
      await this.supervisor.start({
        id: serverId, kind: 'redis', port, stopSignal: 'SIGTERM',
        command: [bin, '--port', String(port), '--bind', '127.0.0.1', '--dir', data, '--appendonly', 'yes', '--appendfsync', 'everysec',
          '--save', '', '--daemonize', 'no', '--set-proc-title', 'no', '--protected-mode', 'no', ...(opts.authToken ? ['--requirepass', opts.authToken] : [])],
      })
    } catch (err) {
      await this.supervisor.remove(serverId)
      throw err
    }
    const record: CacheRecord = {id, kind, engine: opts.engine, port, serverId}
    this.records.set(`${kind}/${id}`, record)
    this.save()
    return record
  }

  /** Stops the server and removes its data (also one whose creation a stop interrupted before it was recorded here). */
  async delete(kind: CacheKind, id: string): Promise<void> {
    const r = this.get(kind, id)
    await this.supervisor.remove(r?.serverId ?? serverIdOf(kind, id))
    if (!r) return
    this.records.delete(`${kind}/${id}`)
    this.save()
  }
}
