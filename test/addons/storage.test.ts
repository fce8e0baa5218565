// The templates `storage init` writes: for every choice they merge, pass the parameter rules and the
// CloudFormation specification, and wire their outputs as Copilot's do.
import {describe, expect, it} from 'vitest'

import {checkAgainstSpec} from '../../src/addons/check.js'
import {buildAddonsStack, parseCfnYaml} from '../../src/addons/index.js'
import {parseAttribute, StorageOptionError, type StorageOptions, storageFiles} from '../../src/addons/storage.js'

const base = {workload: 'api', environments: ['test', 'prod']}

function stackOf(files: {path: string; content: string}[], dir: string) {
  const templates = files.filter((f) => f.path.startsWith(dir) && !f.path.endsWith('addons.parameters.yml')).map((f) => parseCfnYaml(f.path, f.content))
  const params = files.find((f) => f.path.startsWith(dir) && f.path.endsWith('addons.parameters.yml'))
  const r = buildAddonsStack(dir.startsWith('environments') ? 'environment' : 'workload', {templates, ...(params ? {parameters: parseCfnYaml(params.path, params.content)} : {})})
  expect(r.problems).toEqual([])
  expect(checkAgainstSpec(r.stack!)).toEqual([])
  return r.stack!
}

const outputs = (s: ReturnType<typeof stackOf>) => s.outputs.map((o) => `${o.kind}:${o.envName}`)

describe('storage init templates', () => {
  it('S3 for a workload: the bucket name as a variable, the access policy on the task role', () => {
    const r = storageFiles({...base, name: 'my-bucket', type: 'S3', lifecycle: 'workload'})
    expect(r.files.map((f) => f.path)).toEqual(['api/addons/my-bucket.yml'])
    expect(outputs(stackOf(r.files, 'api/'))).toEqual(['variable:MYBUCKET_NAME', 'managedPolicy:MYBUCKET_ACCESS_POLICY'])
    expect(r.injected).toEqual({name: 'MYBUCKET_NAME', kind: 'variable'})
  })

  it('DynamoDB with a sort key and local secondary indexes', () => {
    const r = storageFiles({...base, name: 'users', type: 'DynamoDB', lifecycle: 'workload', partitionKey: 'Email:S', sortKey: 'UserId:n', lsi: ['Age:N', 'Name:S']})
    const s = stackOf(r.files, 'api/')
    const table = s.template.Resources.users.Properties
    expect(table.AttributeDefinitions).toEqual([{AttributeName: 'Email', AttributeType: 'S'}, {AttributeName: 'UserId', AttributeType: 'N'}, {AttributeName: 'Age', AttributeType: 'N'}, {AttributeName: 'Name', AttributeType: 'S'}])
    expect(table.KeySchema).toEqual([{AttributeName: 'Email', KeyType: 'HASH'}, {AttributeName: 'UserId', KeyType: 'RANGE'}])
    expect(table.LocalSecondaryIndexes.map((i: {IndexName: string}) => i.IndexName)).toEqual(['Age', 'Name'])
    expect(table.TableName).toEqual({'Fn::Sub': '${App}-${Env}-${Name}-users'})
    expect(outputs(s)).toEqual(['variable:USERS_NAME', 'managedPolicy:USERS_ACCESS_POLICY'])
    const noSort = stackOf(storageFiles({...base, name: 'users', type: 'DynamoDB', lifecycle: 'workload', partitionKey: 'Email:S'}).files, 'api/')
    expect(noSort.template.Resources.users.Properties.KeySchema).toEqual([{AttributeName: 'Email', KeyType: 'HASH'}])
    expect(noSort.template.Resources.users.Properties.LocalSecondaryIndexes).toBeUndefined()
  })

  it.each([
    ['PostgreSQL', 'v2', 5432, 'aurora-postgresql', 'postgres'],
    ['MySQL', 'v2', 3306, 'aurora-mysql', 'admin'],
    ['PostgreSQL', 'v1', 5432, 'aurora-postgresql', 'postgres'],
    ['MySQL', 'v1', 3306, 'aurora-mysql', 'admin'],
  ] as const)('Aurora %s Serverless %s for a workload: the secret and the security group', (engine, version, port, engineName, user) => {
    const r = storageFiles({...base, name: 'apidb', type: 'Aurora', lifecycle: 'workload', engine, initialDb: 'main', serverlessVersion: version})
    const s = stackOf(r.files, 'api/')
    const cluster = s.template.Resources.apidbDBCluster.Properties
    expect(cluster).toMatchObject({Engine: engineName, DatabaseName: {Ref: 'apidbDBName'}, DBClusterParameterGroupName: {Ref: 'apidbDBClusterParameterGroup'}})
    expect(cluster.MasterUserPassword).toEqual({'Fn::Join': ['', ['{{resolve:secretsmanager:', {Ref: 'apidbAuroraSecret'}, ':SecretString:password}}']]})
    expect(s.template.Parameters.apidbDBName.Default).toBe('main')
    expect(s.template.Resources.apidbDBClusterSecurityGroup.Properties.SecurityGroupIngress[0]).toMatchObject({FromPort: port, ToPort: port, SourceSecurityGroupId: {Ref: 'apidbSecurityGroup'}})
    expect(JSON.parse(s.template.Resources.apidbAuroraSecret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({username: user})
    expect(Object.keys(s.template.Mappings.apidbEnvScalingConfigurationMap)).toEqual(['test', 'prod', 'All'])
    expect(Boolean(s.template.Resources.apidbDBWriterInstance)).toBe(version === 'v2')
    expect(cluster.EngineMode).toBe(version === 'v1' ? 'serverless' : undefined)
    expect(outputs(s)).toEqual(['secret:APIDB_SECRET', 'securityGroup:APIDB_SECURITY_GROUP'])
  })

  it('Aurora with an existing parameter group names it and leaves its own commented out', () => {
    const r = storageFiles({...base, name: 'db', type: 'Aurora', lifecycle: 'workload', engine: 'PostgreSQL', initialDb: 'main', parameterGroup: 'my-group'})
    const s = stackOf(r.files, 'api/')
    expect(s.template.Resources.dbDBCluster.Properties.DBClusterParameterGroupName).toBe('my-group')
    expect(s.template.Resources.dbDBClusterParameterGroup).toBeUndefined()
    expect(r.files[0]!.content).toContain('# dbDBClusterParameterGroup:')
  })

  it('environment storage: the resource with exports, and the workload’s access through imports', () => {
    const s3 = storageFiles({...base, name: 'shared', type: 'S3', lifecycle: 'environment', workloadExists: true})
    expect(s3.files.map((f) => f.path)).toEqual(['environments/addons/shared.yml', 'api/addons/shared-access-policy.yml'])
    const env = stackOf(s3.files, 'environments/')
    expect(env.template.Outputs.sharedBucketARN.Export).toEqual({Name: {'Fn::Sub': '${App}-${Env}-sharedBucketARN'}})
    expect(outputs(stackOf(s3.files, 'api/'))).toEqual(['variable:SHARED_NAME_BUCKET_NAME', 'managedPolicy:SHARED_BUCKET_ACCESS_POLICY'])
    const ddb = storageFiles({...base, name: 'events', type: 'DynamoDB', lifecycle: 'environment', partitionKey: 'Id:S', workloadExists: false})
    expect(ddb.files.map((f) => f.path)).toEqual(['environments/addons/events.yml'])
    stackOf(ddb.files, 'environments/')
    const access = storageFiles({...base, name: 'events', type: 'DynamoDB', lifecycle: 'environment', ingressOnly: true})
    expect(outputs(stackOf(access.files, 'api/'))).toEqual(['variable:EVENTS_NAME_DDB_TABLE_NAME', 'managedPolicy:EVENTS_DDB_TABLE_ACCESS_POLICY'])
    const aurora = storageFiles({...base, name: 'envdb', type: 'Aurora', lifecycle: 'environment', engine: 'MySQL', initialDb: 'app'})
    expect(aurora.files.map((f) => f.path)).toEqual(['environments/addons/envdb.yml', 'environments/addons/addons.parameters.yml'])
    const auroraStack = stackOf(aurora.files, 'environments/')
    expect(auroraStack.parameters).toEqual({VPCID: {Ref: 'VPC'}, PrivateSubnets: {'Fn::Join': [',', [{Ref: 'PrivateSubnet1'}, {Ref: 'PrivateSubnet2'}]]}})
    expect(aurora.manifestSnippet).toContain('from_cfn: ${COPILOT_APPLICATION_NAME}-${COPILOT_ENVIRONMENT_NAME}-envdbSecurityGroup')
  })

  it('refuses what Copilot refuses', () => {
    expect(() => parseAttribute('Email', '--partition-key')).toThrow(StorageOptionError)
    expect(parseAttribute('Email:s', '--partition-key')).toEqual({name: 'Email', type: 'S'})
    const opts: StorageOptions = {...base, name: 'db', type: 'Aurora', lifecycle: 'environment', engine: 'MySQL', serverlessVersion: 'v1'}
    expect(() => storageFiles(opts)).toThrow(/Serverless v1 cannot be created with the environment lifecycle/)
    expect(() => storageFiles({...base, name: 't', type: 'DynamoDB', lifecycle: 'workload', partitionKey: 'a:S', sortKey: 'b:S', lsi: ['c:S', 'd:S', 'e:S', 'f:S', 'g:S', 'h:S']})).toThrow(/at most 5/)
    expect(() => storageFiles({...base, name: '--', type: 'S3', lifecycle: 'workload'})).toThrow(/no letters or digits/)
  })
})
