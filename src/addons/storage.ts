// The addon files `pier storage init` writes, for each of Copilot's choices: S3, DynamoDB or Aurora,
// with the workload's lifecycle or the environment's. The templates are templates/addons/*.yml; this
// module picks them, fills their `__UPPER__` placeholders and says where each file goes. Pure.

import {storageFragments} from './storage-fragments.generated.js'
import {toSnakeCase} from './outputs.js'

export type StorageType = 'DynamoDB' | 'S3' | 'Aurora'
export type Lifecycle = 'workload' | 'environment'
export type Engine = 'MySQL' | 'PostgreSQL'

export interface StorageOptions {
  name: string
  type: StorageType
  /** The workload that uses the storage (the one `--add-ingress-from` names, with that flag). */
  workload: string
  lifecycle: Lifecycle
  /** Only the workload's access to environment storage that exists already (`--add-ingress-from`). */
  ingressOnly?: boolean
  /** False when the workload is not in this workspace: environment storage is written alone. */
  workloadExists?: boolean
  // DynamoDB
  partitionKey?: string
  sortKey?: string
  lsi?: string[]
  // Aurora
  engine?: Engine
  initialDb?: string
  serverlessVersion?: 'v1' | 'v2'
  parameterGroup?: string
  /** The application's environments, listed in the scaling map. */
  environments?: string[]
}

export interface StorageFile {
  /** Relative to `copilot/`: `<workload>/addons/<name>.yml` or `environments/addons/<name>.yml`. */
  path: string
  content: string
}

export interface StorageResult {
  files: StorageFile[]
  /** The variable or secret the main container gets, when the workload's addons output one. */
  injected?: {name: string; kind: 'variable' | 'secret'}
  /** What to add to the workload's manifest, for environment storage. */
  manifestSnippet?: string
}

/** `my-table` -> `mytable`: the name as it appears in logical IDs (Copilot strips non-alphanumerics). */
export const logicalIdSafe = (name: string): string => name.replace(/[^A-Za-z0-9]+/g, '')

const ATTRIBUTE = /^(\S+):([sbnSBN])$/

/** `Email:S` -> {name: 'Email', type: 'S'}. */
export function parseAttribute(spec: string, flag: string): {name: string; type: string} {
  const m = ATTRIBUTE.exec(spec)
  if (!m) throw new StorageOptionError(`${flag} ${JSON.stringify(spec)} is not an attribute: write NAME:TYPE, where TYPE is S (string), N (number) or B (binary)`, `e.g. ${flag} Email:S`)
  return {name: m[1]!, type: m[2]!.toUpperCase()}
}

export class StorageOptionError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message)
    this.name = 'StorageOptionError'
  }
}

const fill = (fragment: string, values: Record<string, string>): string => {
  const text = storageFragments[fragment]
  if (text === undefined) throw new Error(`missing storage fragment ${fragment}`)
  return text.replace(/__([A-Z0-9_]+?)__/g, (all, key: string) => values[key] ?? all)
}

function tableKeys(o: StorageOptions): string {
  const pk = parseAttribute(o.partitionKey ?? '', '--partition-key')
  const sk = o.sortKey ? parseAttribute(o.sortKey, '--sort-key') : undefined
  const lsis = sk ? (o.lsi ?? []).map((l) => parseAttribute(l, '--lsi')) : []
  if (lsis.length > 5) throw new StorageOptionError('--lsi is given more than 5 times: a DynamoDB table has at most 5 local secondary indexes', 'Keep up to 5 --lsi flags.')
  const attrs = [pk, ...(sk ? [sk] : []), ...lsis]
  const lines = ['      AttributeDefinitions:', ...attrs.flatMap((a) => [`        - AttributeName: ${a.name}`, `          AttributeType: ${a.type}`])]
  lines.push('      KeySchema:', `        - AttributeName: ${pk.name}`, '          KeyType: HASH')
  if (sk) lines.push(`        - AttributeName: ${sk.name}`, '          KeyType: RANGE')
  if (lsis.length) {
    lines.push('      LocalSecondaryIndexes:')
    for (const l of lsis) {
      lines.push(`        - IndexName: ${l.name}`, '          KeySchema:', `            - AttributeName: ${pk.name}`, '              KeyType: HASH',
        `            - AttributeName: ${l.name}`, '              KeyType: RANGE', '          Projection:', '            ProjectionType: ALL')
    }
  }
  return lines.join('\n')
}

const ENGINES = {
  MySQL: {port: '3306', username: 'admin', engine: 'aurora-mysql', label: 'MySQL', v2: {version: '8.0.mysql_aurora.3.02.0', family: 'aurora-mysql8.0'}, v1: {version: '5.7.mysql_aurora.2.07.1', family: 'aurora-mysql5.7'}, param: "character_set_client: 'utf8'", v1Min: '1', v1Allowed: 'one of 1, 2, 4, 8, 16, 32, 64, 128, 256'},
  PostgreSQL: {port: '5432', username: 'postgres', engine: 'aurora-postgresql', label: 'PostgreSQL', v2: {version: '14.4', family: 'aurora-postgresql14'}, v1: {version: '13.9', family: 'aurora-postgresql13'}, param: "client_encoding: 'UTF8'", v1Min: '2', v1Allowed: 'one of 2, 4, 8, 16, 32, 64, 192, 384'},
} as const

function auroraValues(o: StorageOptions, id: string): Record<string, string> {
  const e = ENGINES[o.engine ?? 'PostgreSQL']
  const v = o.serverlessVersion === 'v1' ? e.v1 : e.v2
  const [min, max] = o.serverlessVersion === 'v1' ? [e.v1Min, '8'] : ['0.5', '8']
  const scaling = (o.environments ?? []).map((env) => `    ${env}:\n      DBMinCapacity: ${min}\n      DBMaxCapacity: ${max}\n`).join('')
  const group = o.parameterGroup
    ? `  # The cluster uses the parameter group ${o.parameterGroup}; remove it from DBClusterParameterGroupName to use this one.\n  # ${id}DBClusterParameterGroup:\n  #   Type: AWS::RDS::DBClusterParameterGroup\n  #   Properties:\n  #     Description: !Ref 'AWS::StackName'\n  #     Family: ${v.family}\n  #     Parameters:\n  #       ${e.param}`
    : `  ${id}DBClusterParameterGroup:\n    Metadata:\n      'aws:copilot:description': 'A DB parameter group for the engine configuration'\n    Type: AWS::RDS::DBClusterParameterGroup\n    Properties:\n      Description: !Ref 'AWS::StackName'\n      Family: ${v.family}\n      Parameters:\n        ${e.param}`
  return {
    PORT: e.port, USERNAME: e.username, ENGINE: e.engine, ENGINE_LABEL: e.label, ENGINE_VERSION: v.version,
    DB_NAME: o.initialDb ?? id, SCALING_ENVS: scaling, PARAMETER_GROUP: group,
    PARAMETER_GROUP_NAME: o.parameterGroup ?? `!Ref ${id}DBClusterParameterGroup`, V1_MIN: e.v1Min, V1_ALLOWED: e.v1Allowed,
  }
}

/** The files of a storage choice; throws StorageOptionError for a combination Copilot refuses too. */
export function storageFiles(o: StorageOptions): StorageResult {
  const id = logicalIdSafe(o.name)
  if (!id) throw new StorageOptionError(`storage name ${JSON.stringify(o.name)} has no letters or digits: it names CloudFormation logical IDs`, 'Use a name such as my-bucket.')
  const base = {NAME: o.name, ID: id}
  const wl = (file: string) => `${o.workload}/addons/${file}`
  const env = (file: string) => `environments/addons/${file}`
  if (o.type === 'Aurora' && o.lifecycle === 'environment' && o.serverlessVersion === 'v1') {
    throw new StorageOptionError('Aurora Serverless v1 cannot be created with the environment lifecycle: environment storage uses Serverless v2', 'Drop --serverless-version v1, or use --lifecycle workload.')
  }

  if (o.lifecycle === 'workload') {
    if (o.type === 'S3') {
      const envVar = toSnakeCase(`${id}Name`)
      return {files: [{path: wl(`${o.name}.yml`), content: fill('s3-workload.yml', {...base, ENV_VAR: envVar})}], injected: {name: envVar, kind: 'variable'}}
    }
    if (o.type === 'DynamoDB') {
      const envVar = toSnakeCase(`${id}Name`)
      return {files: [{path: wl(`${o.name}.yml`), content: fill('ddb-workload.yml', {...base, ENV_VAR: envVar, TABLE_KEYS: tableKeys(o)})}], injected: {name: envVar, kind: 'variable'}}
    }
    const envVar = toSnakeCase(`${id}Secret`)
    const fragment = o.serverlessVersion === 'v1' ? 'aurora-v1-workload.yml' : 'aurora-v2-workload.yml'
    return {files: [{path: wl(`${o.name}.yml`), content: fill(fragment, {...base, ENV_VAR: envVar, ...auroraValues(o, id)})}], injected: {name: envVar, kind: 'secret'}}
  }

  // Environment storage: the resource in the environments' addons, the access in the workload's.
  if (o.type === 'Aurora') {
    const snippet = `network:\n  vpc:\n    security_groups:\n      - from_cfn: \${COPILOT_APPLICATION_NAME}-\${COPILOT_ENVIRONMENT_NAME}-${id}SecurityGroup\nsecrets:\n  DB_SECRET:\n    from_cfn: \${COPILOT_APPLICATION_NAME}-\${COPILOT_ENVIRONMENT_NAME}-${id}AuroraSecret`
    if (o.ingressOnly) return {files: [], manifestSnippet: snippet}
    return {
      files: [
        {path: env(`${o.name}.yml`), content: fill('aurora-v2-env.yml', {...base, ...auroraValues(o, id)})},
        {path: env('addons.parameters.yml'), content: fill('aurora-env.addons.parameters.yml', base)},
      ],
      manifestSnippet: snippet,
    }
  }
  const isS3 = o.type === 'S3'
  const envVar = toSnakeCase(isS3 ? `${id}NameBucketName` : `${id}NameDdbTableName`)
  const access = {path: wl(`${o.name}-access-policy.yml`), content: fill(isS3 ? 's3-env-access-policy.yml' : 'ddb-env-access-policy.yml', {...base, ENV_VAR: envVar})}
  if (o.ingressOnly) return {files: [access], injected: {name: envVar, kind: 'variable'}}
  const resource = isS3
    ? {path: env(`${o.name}.yml`), content: fill('s3-env.yml', base)}
    : {path: env(`${o.name}.yml`), content: fill('ddb-env.yml', {...base, TABLE_KEYS: tableKeys(o)})}
  if (o.workloadExists === false) return {files: [resource]}
  return {files: [resource, access], injected: {name: envVar, kind: 'variable'}}
}
