// A MariaDB server for the MySQL-compatible RDS engines (mysql, mariadb, aurora-mysql): Debian's
// MariaDB. As for PostgreSQL, an initialised data directory is kept as a template and copied; the
// master user (from any host, with every privilege) and the initial database are made over the
// server's own socket, where only root on this machine can reach it.

import {existsSync, mkdirSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {mariaDbBinaries} from '../servers/binaries.js'
import {copyTree, run} from '../servers/run.js'
import type {ServerSupervisor} from '../servers/supervisor.js'
import type {DatabaseSpec} from './types.js'

const templates = new Map<string, Promise<string>>()

function template(supervisor: ServerSupervisor): Promise<string> {
  const bin = mariaDbBinaries()
  const dir = join(supervisor.root, 'templates', 'mariadb')
  let made = templates.get(dir)
  if (!made) {
    made = (async () => {
      if (existsSync(join(dir, 'mysql'))) return dir
      const tmp = `${dir}.${process.pid}.tmp`
      rmSync(tmp, {recursive: true, force: true})
      mkdirSync(tmp, {recursive: true, mode: 0o700})
      await run(bin.installDb, ['--no-defaults', `--datadir=${tmp}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'])
      renameSync(tmp, dir)
      return dir
    })()
    templates.set(dir, made)
    made.catch(() => templates.delete(dir))
  }
  return made
}

const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
const ident = (s: string) => `\`${s.replace(/`/g, '``')}\``

export async function startMariaDb(supervisor: ServerSupervisor, id: string, spec: DatabaseSpec, port: number): Promise<void> {
  const bin = mariaDbBinaries()
  const tpl = await template(supervisor)
  const dir = supervisor.dir(id)
  const data = join(dir, 'data')
  const socket = join(dir, 'mysqld.sock')
  mkdirSync(dir, {recursive: true, mode: 0o700})
  await copyTree(tpl, data)
  await supervisor.start({
    id, kind: 'mariadb', port, stopSignal: 'SIGTERM',
    command: [bin.server, '--no-defaults', `--datadir=${data}`, '--user=root', `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socket}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`, '--skip-name-resolve', '--innodb-buffer-pool-size=16M'],
  })
  const sql = [
    `CREATE USER ${literal(spec.username)}@'%' IDENTIFIED BY ${literal(spec.password)}`,
    `GRANT ALL PRIVILEGES ON *.* TO ${literal(spec.username)}@'%' WITH GRANT OPTION`,
    ...(spec.dbName ? [`CREATE DATABASE IF NOT EXISTS ${ident(spec.dbName)}`] : []),
    'FLUSH PRIVILEGES',
  ].join('; ')
  await run(bin.client, ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', sql])
}
