// AWS::RDS::DBCluster and DBInstance as real database servers on loopback (src/local/rds), and
// AWS::SecretsManager::SecretTargetAttachment, which adds a database's connection fields to its
// secret as AWS does (engine, host, port, dbname and the identifier).

import {randomBytes, randomUUID} from 'node:crypto'
import {LocalRds, serverFor, type DatabaseRecord} from '../../rds/index.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {generatePassword} from './secretsmanager.js'
import {callJson, physicalName} from './util.js'

const ADDRESS = '127.0.0.1'

function identifierFor(given: unknown, ctx: ProviderContext): string {
  if (given !== undefined && given !== '') return String(given).toLowerCase()
  return physicalName(ctx, 63).toLowerCase()
}

function resourceId(prefix: string): string {
  return `${prefix}-${randomBytes(13).toString('base64url').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 26)}`
}

/** The master credentials: given in the template, or generated and kept in a secret RDS manages. */
async function credentials(props: Record<string, any>, ctx: ProviderContext, kind: string, identifier: string):
  Promise<{username: string; password: string; secretArn?: string}> {
  const username = props.MasterUsername !== undefined ? String(props.MasterUsername) : undefined
  if (!username) throw new ProviderError(`Properties validation failed for resource ${ctx.logicalId} with message: #: required key [MasterUsername] not found`)
  if (props.ManageMasterUserPassword === true || props.ManageMasterUserPassword === 'true') {
    const password = generatePassword({PasswordLength: 28, ExcludeCharacters: '"@/\\\'', ExcludePunctuation: false})
    // AWS names it `rds!<kind>-<uuid>`, a name only RDS may use: the local Secrets Manager refuses the
    // `!`, so the local one is `rds-<kind>-<uuid>`.
    const out = await callJson(ctx, 'secretsmanager', 'SecretsManager', 'CreateSecret', {
      Name: `rds-${kind === 'instance' ? 'db' : kind}-${randomUUID()}`, Description: `Secret associated with primary RDS DB ${kind}: ${identifier}`,
      SecretString: JSON.stringify({username, password}),
    })
    return {username, password, secretArn: String(out.ARN)}
  }
  if (props.MasterUserPassword === undefined) {
    throw new ProviderError(`Properties validation failed for resource ${ctx.logicalId} with message: #: required key [MasterUserPassword] not found`)
  }
  return {username, password: String(props.MasterUserPassword)}
}

async function deleteManagedSecret(ctx: ProviderContext, arn: unknown): Promise<void> {
  if (typeof arn !== 'string' || !arn) return
  await callJson(ctx, 'secretsmanager', 'SecretsManager', 'DeleteSecret', {SecretId: arn, ForceDeleteWithoutRecovery: true}).catch(() => undefined)
}

function startFailure(kind: string, err: unknown): ProviderError {
  return new ProviderError(`The local ${kind} could not start: ${err instanceof Error ? err.message : String(err)}`)
}

function checkEngine(props: Record<string, any>, ctx: ProviderContext): string {
  const engine = props.Engine !== undefined ? String(props.Engine) : ''
  if (!engine) throw new ProviderError(`Properties validation failed for resource ${ctx.logicalId} with message: #: required key [Engine] not found`)
  if (!serverFor(engine)) {
    throw new ProviderError(`Engine ${engine} is not run by the local control plane (it runs postgres, aurora-postgresql, mysql, mariadb and aurora-mysql)`)
  }
  return engine
}

export function registerRdsProviders(registry: ProviderRegistry, rds: LocalRds): void {
  const clusterAttributes = (r: DatabaseRecord, ctx: ProviderContext, extra: Record<string, unknown>) => ({
    'Endpoint.Address': ADDRESS, 'Endpoint.Port': String(r.port), 'ReadEndpoint.Address': ADDRESS,
    DBClusterArn: `arn:aws:rds:${ctx.region}:${ctx.accountId}:cluster:${r.identifier}`, ...extra,
  })
  const cluster: ResourceProvider = {
    immutable: ['Engine', 'DBClusterIdentifier', 'DatabaseName', 'MasterUsername', 'MasterUserPassword', 'ManageMasterUserPassword', 'SnapshotIdentifier', 'StorageEncrypted'],
    async create(props, ctx) {
      const engine = checkEngine(props, ctx)
      const identifier = identifierFor(props.DBClusterIdentifier, ctx)
      const creds = await credentials(props, ctx, 'cluster', identifier)
      // Known before the server starts, so a stop during its start leaves the rollback something to delete.
      ctx.created?.(identifier)
      ctx.progress(`Starting ${serverFor(engine) === 'postgres' ? 'PostgreSQL' : 'MariaDB'} for ${engine} on ${ADDRESS}`)
      let r: DatabaseRecord
      try {
        r = await rds.create('cluster', identifier, {engine, username: creds.username, password: creds.password, managedSecretArn: creds.secretArn,
          ...(props.DatabaseName ? {dbName: String(props.DatabaseName)} : {})})
      } catch (err) {
        await deleteManagedSecret(ctx, creds.secretArn)
        throw startFailure('database cluster', err)
      }
      return {physicalId: identifier, attributes: clusterAttributes(r, ctx, {
        DBClusterResourceId: resourceId('cluster'), ...(creds.secretArn ? {'MasterUserSecret.SecretArn': creds.secretArn} : {}),
      })}
    },
    async update(identifier, _props, _old, ctx) {
      const r = rds.get('cluster', identifier)
      if (!r) throw new ProviderError(`DBCluster ${identifier} not found`)
      return {physicalId: identifier, attributes: clusterAttributes(r, ctx, {})}
    },
    async delete(identifier, _props, ctx) {
      // The secret RDS made for a managed password goes with the cluster.
      await deleteManagedSecret(ctx, rds.get('cluster', identifier)?.managedSecretArn)
      await rds.delete('cluster', identifier)
    },
  }
  registry.register('AWS::RDS::DBCluster', cluster)

  const instanceAttributes = (r: DatabaseRecord, ctx: ProviderContext, extra: Record<string, unknown>) => ({
    'Endpoint.Address': ADDRESS, 'Endpoint.Port': String(r.port), 'Endpoint.HostedZoneId': 'Z2R2ITUGPM61AM',
    DBInstanceArn: `arn:aws:rds:${ctx.region}:${ctx.accountId}:db:${r.identifier}`, ...extra,
  })
  const instance: ResourceProvider = {
    immutable: ['Engine', 'DBInstanceIdentifier', 'DBClusterIdentifier', 'DBName', 'MasterUsername', 'MasterUserPassword', 'ManageMasterUserPassword', 'DBSnapshotIdentifier'],
    async create(props, ctx) {
      const identifier = identifierFor(props.DBInstanceIdentifier, ctx)
      if (props.DBClusterIdentifier !== undefined) {
        const c = rds.get('cluster', String(props.DBClusterIdentifier).toLowerCase())
        if (!c) throw new ProviderError(`Resource handler returned message: "DBCluster ${props.DBClusterIdentifier} not found" (Service: Rds, Status Code: 404) (HandlerErrorCode: NotFound)`)
        const r = rds.addInstance(identifier, c)
        return {physicalId: identifier, attributes: instanceAttributes(r, ctx, {DbiResourceId: resourceId('db')})}
      }
      const engine = checkEngine(props, ctx)
      const creds = await credentials(props, ctx, 'instance', identifier)
      ctx.created?.(identifier)
      ctx.progress(`Starting ${serverFor(engine) === 'postgres' ? 'PostgreSQL' : 'MariaDB'} for ${engine} on ${ADDRESS}`)
      let r: DatabaseRecord
      try {
        r = await rds.create('instance', identifier, {engine, username: creds.username, password: creds.password, managedSecretArn: creds.secretArn,
          ...(props.DBName ? {dbName: String(props.DBName)} : {})})
      } catch (err) {
        await deleteManagedSecret(ctx, creds.secretArn)
        throw startFailure('database instance', err)
      }
      return {physicalId: identifier, attributes: instanceAttributes(r, ctx, {
        DbiResourceId: resourceId('db'), ...(creds.secretArn ? {'MasterUserSecret.SecretArn': creds.secretArn} : {}),
      })}
    },
    async update(identifier, _props, _old, ctx) {
      const r = rds.get('instance', identifier)
      if (!r) throw new ProviderError(`DBInstance ${identifier} not found`)
      return {physicalId: identifier, attributes: instanceAttributes(r, ctx, {})}
    },
    async delete(identifier, _props, ctx) {
      await deleteManagedSecret(ctx, rds.get('instance', identifier)?.managedSecretArn)
      await rds.delete('instance', identifier)
    },
  }
  registry.register('AWS::RDS::DBInstance', instance)

  const attachment: ResourceProvider = {
    required: ['SecretId', 'TargetId', 'TargetType'],
    immutable: ['SecretId'],
    async create(props, ctx) {
      return attach(props, ctx)
    },
    async update(_id, props, _old, ctx) {
      return attach(props, ctx)
    },
    // AWS leaves the secret's fields in place when the attachment goes.
    async delete() {},
  }
  const attach = async (props: Record<string, any>, ctx: ProviderContext) => {
    const type = String(props.TargetType)
    const kind = type === 'AWS::RDS::DBCluster' ? 'cluster' : type === 'AWS::RDS::DBInstance' ? 'instance' : undefined
    if (!kind) throw new ProviderError(`TargetType ${type} is not run by the local control plane (AWS::RDS::DBCluster and AWS::RDS::DBInstance are)`)
    const target = rds.get(kind, String(props.TargetId).toLowerCase())
    if (!target) throw new ProviderError(`Resource handler returned message: "${type} ${props.TargetId} not found" (HandlerErrorCode: NotFound)`)
    const current = await callJson(ctx, 'secretsmanager', 'SecretsManager', 'GetSecretValue', {SecretId: String(props.SecretId)})
    let value: Record<string, unknown>
    try {
      value = JSON.parse(String(current.SecretString ?? ''))
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object')
    } catch {
      throw new ProviderError(`Resource handler returned message: "The secret ${props.SecretId} must hold a JSON object to be attached to a database" (HandlerErrorCode: InvalidRequest)`)
    }
    const next: Record<string, unknown> = {
      ...value, engine: serverFor(target.engine) === 'postgres' ? 'postgres' : 'mysql', host: ADDRESS, port: target.port,
      ...(target.dbName ? {dbname: target.dbName} : {}),
      ...(kind === 'cluster' ? {dbClusterIdentifier: target.identifier} : {dbInstanceIdentifier: target.identifier}),
    }
    await callJson(ctx, 'secretsmanager', 'SecretsManager', 'PutSecretValue', {SecretId: String(props.SecretId), SecretString: JSON.stringify(next)})
    return {physicalId: String(current.ARN), attributes: {}}
  }
  registry.register('AWS::SecretsManager::SecretTargetAttachment', attachment)
}
