// Where the server programs are: Debian's packages (installed by scripts/setup.sh). A missing one is a
// resource failure that names the package to install, never a silent fallback.

import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

export class MissingServerError extends Error {}

function need(path: string, what: string, pkg: string): string {
  if (!existsSync(path)) {
    throw new MissingServerError(`${what} is not installed on this machine (${path} was not found): install Debian's ${pkg} package (scripts/setup.sh does)`)
  }
  return path
}

export interface PostgresBinaries {
  version: string
  initdb: string
  postgres: string
  psql: string
}

/** The newest PostgreSQL under /usr/lib/postgresql/<version>/bin. */
export function postgresBinaries(base = process.env.PIER_POSTGRES_DIR ?? '/usr/lib/postgresql'): PostgresBinaries {
  let versions: string[] = []
  try {
    versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))
  } catch {
    // Not installed: reported below.
  }
  const version = versions[0]
  if (!version) need(join(base, '<version>', 'bin', 'postgres'), 'PostgreSQL', 'postgresql')
  const bin = join(base, version!, 'bin')
  return {version: version!, initdb: need(join(bin, 'initdb'), 'PostgreSQL', 'postgresql'), postgres: join(bin, 'postgres'),
    psql: need(join(bin, 'psql'), 'PostgreSQL', 'postgresql')}
}

export interface MariaDbBinaries {
  installDb: string
  server: string
  client: string
}

export function mariaDbBinaries(): MariaDbBinaries {
  return {
    installDb: need('/usr/bin/mariadb-install-db', 'MariaDB', 'mariadb-server'),
    server: need('/usr/sbin/mariadbd', 'MariaDB', 'mariadb-server'),
    client: need('/usr/bin/mariadb', 'MariaDB', 'mariadb-client'),
  }
}

export function redisBinary(): string {
  return need(process.env.PIER_REDIS_SERVER ?? '/usr/bin/redis-server', 'Redis', 'redis-server')
}

/**
 * PostgreSQL refuses to run as root. Run by root, it runs in a user namespace as `nobody` (no
 * capability outside it), which keeps its data directory reachable inside the 0700 state directory;
 * run by anyone else, it runs as that user.
 */
export function unprivileged(command: string[]): string[] {
  if (process.getuid?.() !== 0) return command
  return [need('/usr/bin/unshare', 'unshare', 'util-linux'), '--user', '--map-user=65534', '--map-group=65534', ...command]
}
