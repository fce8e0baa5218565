// The local RDS: clusters and instances backed by real servers (PostgreSQL or MariaDB) the supervisor
// runs on loopback. Its records (`<stateDir>/rds/databases.json`) map an identifier to its server,
// engine and initial database, which is what a SecretTargetAttachment adds to a secret.

import {join} from 'node:path'
import {JsonDocument} from '../store/json-file.js'
import {freePort, type ServerSupervisor} from '../servers/supervisor.js'
import {startMariaDb} from './mariadb.js'
import {startPostgres} from './postgres.js'
import {serverFor, type DatabaseSpec} from './types.js'

export interface DatabaseRecord {
  identifier: string
  kind: 'cluster' | 'instance'
  engine: string
  port: number
  username: string
  dbName?: string
  /** The server this record runs (absent for an instance of a cluster: it shares the cluster's). */
  serverId?: string
  clusterIdentifier?: string
  managedSecretArn?: string
}

const serverIdOf = (kind: string, identifier: string) => `rds-${kind}-${identifier}`

export class LocalRds {
  private readonly doc: JsonDocument<DatabaseRecord[]>
  private readonly records = new Map<string, DatabaseRecord>()

  constructor(stateDir: string, private readonly supervisor: ServerSupervisor) {
    this.doc = new JsonDocument<DatabaseRecord[]>(join(stateDir, 'rds', 'databases.json'), [])
    for (const r of this.doc.value) this.records.set(`${r.kind}/${r.identifier}`, r)
  }

  private save(): void {
    this.doc.value = [...this.records.values()]
    this.doc.save()
  }

  get(kind: 'cluster' | 'instance', identifier: string): DatabaseRecord | undefined {
    return this.records.get(`${kind}/${identifier}`)
  }

  /** Starts a server for a new cluster or stand-alone instance; resolves once the master user can log in. */
  async create(kind: 'cluster' | 'instance', identifier: string, spec: DatabaseSpec): Promise<DatabaseRecord> {
    if (this.get(kind, identifier)) throw new Error(`DB ${kind} ${identifier} already exists`)
    const server = serverFor(spec.engine)
    if (!server) throw new Error(`engine ${spec.engine} is not run by the local control plane (supported: postgres, aurora-postgresql, mysql, mariadb, aurora-mysql)`)
    const serverId = serverIdOf(kind, identifier)
    const port = await freePort()
    try {
      if (server === 'postgres') await startPostgres(this.supervisor, serverId, spec, port)
      else await startMariaDb(this.supervisor, serverId, spec, port)
    } catch (err) {
      await this.supervisor.remove(serverId)
      throw err
    }
    const record: DatabaseRecord = {identifier, kind, engine: spec.engine, port, username: spec.username, serverId,
      ...(spec.dbName ? {dbName: spec.dbName} : {}), ...(spec.managedSecretArn ? {managedSecretArn: spec.managedSecretArn} : {})}
    this.records.set(`${kind}/${identifier}`, record)
    this.save()
    return record
  }

  /** An instance of a cluster: a name for the cluster's server. */
  addInstance(identifier: string, cluster: DatabaseRecord): DatabaseRecord {
    const record: DatabaseRecord = {identifier, kind: 'instance', engine: cluster.engine, port: cluster.port, username: cluster.username,
      clusterIdentifier: cluster.identifier, ...(cluster.dbName ? {dbName: cluster.dbName} : {})}
    this.records.set(`instance/${identifier}`, record)
    this.save()
    return record
  }

  /** Deletes the record and, when it owns one, stops its server and removes its data (also a server
   * whose creation a stop interrupted before it was recorded here). */
  async delete(kind: 'cluster' | 'instance', identifier: string): Promise<void> {
    const r = this.get(kind, identifier)
    if (!r || r.serverId) await this.supervisor.remove(r?.serverId ?? serverIdOf(kind, identifier))
    if (!r) return
    this.records.delete(`${kind}/${identifier}`)
    this.save()
  }
}

export {serverFor, defaultPort, type DatabaseSpec} from './types.js'
