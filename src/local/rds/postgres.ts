// A PostgreSQL server for an RDS cluster or instance (engines postgres and aurora-postgresql): Debian's
// PostgreSQL, run unprivileged. A data directory made once by initdb is kept as a template and copied
// for each new server (a copy costs a fraction of initdb's second); the master user, its password and
// the initial database are then set over SQL, and password authentication (SCRAM) replaces the
// template's trust before anyone else can connect.

import {existsSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {postgresBinaries, unprivileged} from '../servers/binaries.js'
import {copyTree, run} from '../servers/run.js'
import type {ServerSupervisor} from '../servers/supervisor.js'
import type {DatabaseSpec} from './types.js'

const templates = new Map<string, Promise<string>>()

/** The initialised template data directory (made once per state directory and PostgreSQL version). */
function template(supervisor: ServerSupervisor): Promise<string> {
  const bin = postgresBinaries()
  const dir = join(supervisor.root, 'templates', `postgresql-${bin.version}`)
  let made = templates.get(dir)
  if (!made) {
    made = (async () => {
      if (existsSync(join(dir, 'PG_VERSION'))) return dir
      const tmp = `${dir}.${process.pid}.tmp`
      rmSync(tmp, {recursive: true, force: true})
      mkdirSync(tmp, {recursive: true, mode: 0o700})
      const cmd = unprivileged([bin.initdb, '-D', tmp, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'])
      await run(cmd[0]!, cmd.slice(1))
      renameSync(tmp, dir)
      return dir
    })()
    templates.set(dir, made)
    made.catch(() => templates.delete(dir))
  }
  return made
}

export const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`
export const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`

async function psql(port: number, sql: string[]): Promise<void> {
  const bin = postgresBinaries()
  const args = ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', ...sql.flatMap((s) => ['-c', s])]
  for (let attempt = 0; ; attempt++) {
    try {
      await run(bin.psql, args, {env: {PGCONNECT_TIMEOUT: '5', PGPASSWORD: ''}})
      return
    } catch (err) {
      // The postmaster accepts connections a moment before the database is open.
      if (attempt < 100 && /starting up/.test((err as Error).message)) {
        await new Promise((r) => setTimeout(r, 50))
        continue
      }
      throw err
    }
  }
}

export async function startPostgres(supervisor: ServerSupervisor, id: string, spec: DatabaseSpec, port: number): Promise<void> {
  const bin = postgresBinaries()
  const tpl = await template(supervisor)
  const dir = supervisor.dir(id)
  const data = join(dir, 'data')
  mkdirSync(dir, {recursive: true, mode: 0o700})
  await copyTree(tpl, data)
  await supervisor.start({
    id, kind: 'postgres', port, stopSignal: 'SIGINT',
    command: unprivileged([bin.postgres, '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=']),
  })
  const user = spec.username
  const sql = user === 'postgres'
    ? [`ALTER ROLE postgres PASSWORD ${sqlLiteral(spec.password)}`]
    : [`CREATE ROLE ${sqlIdent(user)} SUPERUSER CREATEDB CREATEROLE LOGIN PASSWORD ${sqlLiteral(spec.password)}`]
  if (spec.dbName && spec.dbName !== 'postgres') sql.push(`CREATE DATABASE ${sqlIdent(spec.dbName)} OWNER ${sqlIdent(user)}`)
  await psql(port, sql)
  writeFileSync(join(data, 'pg_hba.conf'), 'host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n', {mode: 0o600})
  await psql(port, ['SELECT pg_reload_conf()'])
}
