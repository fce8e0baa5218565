// What an RDS resource asks of a database server.

export interface DatabaseSpec {
  /** RDS engine: postgres, aurora-postgresql, aurora-mysql, mysql, mariadb. */
  engine: string
  username: string
  password: string
  dbName?: string
  /** The secret RDS keeps the password in (ManageMasterUserPassword). */
  managedSecretArn?: string | undefined
}

/** RDS engines and the server that runs them here. */
export function serverFor(engine: string): 'postgres' | 'mariadb' | undefined {
  const e = engine.toLowerCase()
  if (e === 'postgres' || e === 'aurora-postgresql') return 'postgres'
  if (e === 'mysql' || e === 'mariadb' || e === 'aurora-mysql' || e === 'aurora') return 'mariadb'
  return undefined
}

/** The port AWS uses by default for the engine. */
export function defaultPort(engine: string): number {
  return serverFor(engine) === 'postgres' ? 5432 : 3306
}
