// End to end with the real binary and the real local control plane: `storage init` for each type
// writes templates `validate` accepts and `package` shows as the AddonsStack nested stack; a
// cfn.patches.yml shows in `package` and reaches the deployed task; `secret init` values reach a task
// through `secrets:`. Deploying addons needs nested stacks in the local CloudFormation engine.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {E2eWorkspace} from './harness.js'

const e2e = new E2eWorkspace('pier-addons-')
const {ws} = e2e
const ok = e2e.ok.bind(e2e)
const write = e2e.write.bind(e2e)

// The service writes its environment to a file the test reads, then stays up. With a database secret
// or a Redis endpoint it also reports what a client got from them, from inside the task.
const reporter = `const fs = require('fs')
const {spawnSync} = require('child_process')
const report = {...process.env}
if (process.env.APIDB_SECRET) {
  const s = JSON.parse(process.env.APIDB_SECRET)
  const r = spawnSync('psql', ['-h', s.host, '-p', String(s.port), '-U', s.username, '-d', s.dbname, '-tAc', 'select 40 + 2'], {env: {...process.env, PGPASSWORD: s.password}, encoding: 'utf8'})
  report.PSQL = (r.stdout || r.stderr || '').trim()
}
if (process.env.ENVDB_SECRET) {
  const s = JSON.parse(process.env.ENVDB_SECRET)
  const r = spawnSync('psql', ['-h', s.host, '-p', String(s.port), '-U', s.username, '-d', s.dbname, '-tAc', 'select 6 * 7'], {env: {...process.env, PGPASSWORD: s.password}, encoding: 'utf8'})
  report.ENVDB_PSQL = (r.stdout || r.stderr || '').trim()
}
if (process.env.CACHE_ENDPOINT) {
  const [host, port] = process.env.CACHE_ENDPOINT.split(':')
  const r = spawnSync('redis-cli', ['-h', host, '-p', port, 'PING'], {encoding: 'utf8'})
  report.REDIS = (r.stdout || r.stderr || '').trim()
}
fs.writeFileSync(process.env.REPORT_FILE + '.tmp', JSON.stringify(report))
fs.renameSync(process.env.REPORT_FILE + '.tmp', process.env.REPORT_FILE)
setInterval(() => {}, 1000)
process.on('SIGTERM', () => process.exit(0))
`
const reportFile = join(ws, 'api-env.json')

/** The running local control plane, and the AWS CLI pointed at it with its credentials. */
async function localAws(): Promise<{status: {endpoint: string; region: string; stateDir: string}; aws: (...args: string[]) => string}> {
  const status = JSON.parse((await ok('local', 'status', '--json')).stdout)
  const env = {...process.env, AWS_ACCESS_KEY_ID: status.accessKeyId, AWS_SECRET_ACCESS_KEY: status.secretAccessKey}
  return {status, aws: (...args) => execFileSync('aws', [...args, '--endpoint-url', status.endpoint, '--region', status.region, '--output', 'json'], {env, encoding: 'utf8'})}
}

/** Whether something accepts connections on the port. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host, port})
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

async function reportedEnv(timeoutMs = 60_000): Promise<Record<string, string>> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (existsSync(reportFile)) return JSON.parse(readFileSync(reportFile, 'utf8'))
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`the task did not write ${reportFile}`)
}

const manifest = (extra = '') => `name: api
type: Backend Service
image:
  build: api/Dockerfile
variables:
  REPORT_FILE: ${reportFile}
${extra}`

beforeAll(async () => {
  write('api/report.js', reporter)
  write('api/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "report.js"]\n')
  await ok('app', 'init', 'shop')
  await ok('env', 'init', '--name', 'test')
  write('copilot/api/manifest.yml', manifest())
}, 60_000)

afterAll(async () => {
  await e2e.cleanup()
}, 60_000)

describe('storage init, validate and package', {timeout: 120_000}, () => {
  it('writes templates for each type and lifecycle that validate accepts', async () => {
    await ok('storage', 'init', '-n', 'assets', '-t', 'S3', '-w', 'api', '-l', 'workload')
    await ok('storage', 'init', '-n', 'apidb', '-t', 'Aurora', '-w', 'api', '-l', 'workload', '--engine', 'PostgreSQL', '--initial-db', 'main')
    await ok('storage', 'init', '-n', 'legacy', '-t', 'Aurora', '-w', 'api', '-l', 'workload', '--engine', 'MySQL', '--initial-db', 'app', '--serverless-version', 'v1')
    await ok('storage', 'init', '-n', 'users', '-t', 'DynamoDB', '-w', 'api', '-l', 'workload', '--partition-key', 'Email:S', '--sort-key', 'UserId:N', '--lsi', 'Age:N')
    await ok('storage', 'init', '-n', 'shared', '-t', 'S3', '-w', 'api', '-l', 'environment')
    await ok('storage', 'init', '-n', 'events', '-t', 'DynamoDB', '-w', 'api', '-l', 'environment', '--partition-key', 'Id:S', '--no-sort')
    const aurora = await ok('storage', 'init', '-n', 'envdb', '-t', 'Aurora', '-w', 'api', '-l', 'environment', '--engine', 'PostgreSQL', '--initial-db', 'main')
    expect(aurora.stderr).toContain('from_cfn: ${COPILOT_APPLICATION_NAME}-${COPILOT_ENVIRONMENT_NAME}-envdbAuroraSecret')
    for (const f of ['api/addons/assets.yml', 'api/addons/apidb.yml', 'api/addons/legacy.yml', 'api/addons/users.yml', 'api/addons/shared-access-policy.yml',
      'api/addons/events-access-policy.yml', 'environments/addons/shared.yml', 'environments/addons/events.yml', 'environments/addons/envdb.yml', 'environments/addons/addons.parameters.yml']) {
      expect(existsSync(join(ws, 'copilot', f)), f).toBe(true)
    }
    const v = await e2e.pier('validate')
    expect(v.code, v.stderr).toBe(0)
    // Running it again keeps identical files and refuses to overwrite an edited one.
    expect((await ok('storage', 'init', '-n', 'assets', '-t', 'S3', '-w', 'api', '-l', 'workload')).stderr).toContain('already holds this template')
    write('copilot/api/addons/assets.yml', readFileSync(join(ws, 'copilot/api/addons/assets.yml'), 'utf8') + '# edited\n')
    const again = await e2e.pier('storage', 'init', '-n', 'assets', '-t', 'S3', '-w', 'api', '-l', 'workload')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already exists: storage init does not overwrite an addon file')
  })

  it('validate locates a broken addon at file:line:col', async () => {
    write('copilot/api/addons/broken.yml', 'Resources:\n  Queue:\n    Type: AWS::SQS::Queu\n')
    const r = await e2e.pier('validate')
    expect(r.code).toBe(1)
    const out = r.stdout + r.stderr
    expect(out).toContain('copilot/api/addons/broken.yml:3:5: error [addon-resource] resource "Queue" has type AWS::SQS::Queu, which CloudFormation does not have')
    expect(out).toContain('Did you mean AWS::SQS::Queue?')
    write('copilot/api/addons/broken.yml', 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n')
  })

  it('package shows the AddonsStack with its outputs wired, and writes the addons template', async () => {
    const r = await ok('svc', 'package', '-n', 'api', '-e', 'test')
    const t = parse(r.stdout)
    expect(t.Resources.AddonsStack).toMatchObject({Type: 'AWS::CloudFormation::Stack', Properties: {Parameters: {App: {Ref: 'AppName'}, Env: {Ref: 'EnvName'}, Name: {Ref: 'WorkloadName'}}, TemplateURL: {Ref: 'AddonsTemplateURL'}}})
    const main = t.Resources.TaskDefinition.Properties.ContainerDefinitions[0]
    expect(main.Secrets).toContainEqual({Name: 'APIDB_SECRET', ValueFrom: {'Fn::GetAtt': ['AddonsStack', 'Outputs.apidbSecret']}})
    expect(main.Environment).toContainEqual({Name: 'ASSETS_NAME', Value: {'Fn::GetAtt': ['AddonsStack', 'Outputs.assetsName']}})
    expect(main.Environment).toContainEqual({Name: 'SHARED_NAME_BUCKET_NAME', Value: {'Fn::GetAtt': ['AddonsStack', 'Outputs.sharedNameBucketName']}})
    expect(t.Resources.TaskRole.Properties.ManagedPolicyArns).toContainEqual({'Fn::GetAtt': ['AddonsStack', 'Outputs.assetsAccessPolicy']})
    expect(t.Resources.Service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toContainEqual({'Fn::GetAtt': ['AddonsStack', 'Outputs.apidbSecurityGroup']})
    expect(r.stderr).toMatch(/Addons: \d+ resources from copilot\/api\/addons, deployed as the nested stack AddonsStack\./)

    await ok('svc', 'package', '-n', 'api', '-e', 'test', '--output-dir', 'out')
    const addons = parse(readFileSync(join(ws, 'out', 'api-test.addons.stack.yml'), 'utf8'))
    expect(Object.keys(addons.Resources)).toEqual(expect.arrayContaining(['apidbDBCluster', 'assetsBucket', 'users', 'Queue']))
    const envPkg = await ok('env', 'package', '-n', 'test', '--output-dir', 'out')
    expect(envPkg.stderr).toContain('from copilot/environments/addons')
    const envAddons = parse(readFileSync(join(ws, 'out', 'test.env.addons.stack.yml'), 'utf8'))
    expect(Object.keys(envAddons.Resources)).toEqual(expect.arrayContaining(['sharedBucket', 'events', 'envdbDBCluster']))
  })
})

describe('override scaffolding', {timeout: 120_000}, () => {
  it('svc override and env override write YAML patches or a CDK application', async () => {
    const {rmSync} = await import('node:fs')
    await ok('svc', 'override', '-n', 'api', '--tool', 'yamlpatch')
    expect(readFileSync(join(ws, 'copilot/api/overrides/cfn.patches.yml'), 'utf8')).toContain('# - op: replace')
    // The examples are comments: nothing is applied until one is written.
    expect((await ok('svc', 'package', '-n', 'api', '-e', 'test')).stderr).not.toContain('Overrides:')
    const again = await e2e.pier('svc', 'override', '-n', 'api', '--tool', 'yamlpatch')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('copilot/api/overrides is not empty')
    const typo = await e2e.pier('env', 'override', '-n', 'test', '--tool', 'cdk', '--resources', 'Clustr')
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain('Did you mean Cluster?')
    await ok('env', 'override', '-n', 'test', '--tool', 'cdk', '--resources', 'Cluster')
    expect(readFileSync(join(ws, 'copilot/environments/overrides/stack.ts'), 'utf8')).toContain("this.template.getResource('Cluster') as aws_ecs.CfnCluster")
    // Left in place, the CDK application would run `npm install` on every environment package.
    rmSync(join(ws, 'copilot/environments/overrides'), {recursive: true})
  })
})

describe('secret init and overrides on the local control plane', {timeout: 240_000}, () => {
  it('stores a tagged SecureString and says how to reference it', async () => {
    const r = await ok('secret', 'init', '--name', 'api_token', '--values', 'test=s3cr3t,value')
    expect(r.stderr).toContain('Put secret api_token in environment test as /copilot/shop/test/secrets/api_token.')
    expect(r.stderr).toContain('api_token: /copilot/${COPILOT_APPLICATION_NAME}/${COPILOT_ENVIRONMENT_NAME}/secrets/api_token')
    expect((await ok('secret', 'init', '--name', 'api_token', '--values', 'test=other')).stderr).toContain('already exists in environment test as /copilot/shop/test/secrets/api_token: not overwritten')
    write('secrets.yml', 'api_token:\n  test: s3cr3t,value\nother:\n  test: two\n')
    const file = await ok('secret', 'init', '--cli-input-yaml', 'secrets.yml', '--overwrite', '--json')
    expect(JSON.parse(file.stdout).map((x: {secret: string; outcome: string}) => `${x.secret}:${x.outcome}`)).toEqual(['api_token:overwritten', 'other:created'])
    const bad = await e2e.pier('secret', 'init', '--name', 'x', '--values', 'nope=1')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('environment nope (a value of secret x) is not an environment of application shop')
  })

  it('deploys the service: the secret arrives through secrets:, the patch is in the deployed task', async () => {
    // Addons are deployed as nested stacks: kept aside here, deployed in the next test.
    const {renameSync} = await import('node:fs')
    renameSync(join(ws, 'copilot/api/addons'), join(ws, 'api-addons'))
    renameSync(join(ws, 'copilot/environments/addons'), join(ws, 'env-addons'))
    write('copilot/api/manifest.yml', manifest('secrets:\n  API_TOKEN: /copilot/shop/test/secrets/api_token\n'))
    write('copilot/api/overrides/cfn.patches.yml', `# Adds a variable through the rendered template
- op: add
  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/0/Environment/-
  value:
    Name: PATCHED_BY
    Value: !Sub 'cfn.patches.yml in \${AWS::StackName}'
`)
    const pkg = await ok('svc', 'package', '-n', 'api', '-e', 'test')
    expect(pkg.stdout).toContain('PATCHED_BY')
    expect(pkg.stderr).toContain('Overrides: applied 1 YAML patch from copilot/api/overrides/cfn.patches.yml.')
    const deployed = await ok('svc', 'deploy', '-n', 'api', '-e', 'test')
    expect(deployed.stderr).toContain('Applied 1 YAML patch from copilot/api/overrides/cfn.patches.yml to shop-test-api.')
    const env = await reportedEnv()
    expect(env.API_TOKEN).toBe('s3cr3t,value')
    expect(env.PATCHED_BY).toBe('cfn.patches.yml in shop-test-api')
  })

  it('a patch that does not apply stops the deploy, located in the patch file', async () => {
    write('copilot/api/overrides/cfn.patches.yml', '- op: remove\n  path: /Resources/LogResourcePolicy\n')
    const r = await e2e.pier('svc', 'deploy', '-n', 'api', '-e', 'test')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('copilot/api/overrides/cfn.patches.yml:2:3: error [patch] cannot remove /Resources/LogResourcePolicy: /Resources has no key "LogResourcePolicy"')
  })
})

describe('package --diff and --upload-assets', {timeout: 120_000}, () => {
  it('--diff shows what differs from the deployed template', async () => {
    const {rmSync} = await import('node:fs')
    rmSync(join(ws, 'copilot/api/overrides'), {recursive: true, force: true})
    const r = await ok('svc', 'package', '-n', 'api', '-e', 'test', '--diff')
    expect(r.stdout).toMatch(/^-.*PATCHED_BY/m)
    // Only the description gains: the patch's mark goes with the patch.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('+'))).toEqual(['+ Description: Pier backend service api in environment test of application shop.'])
  })

  it('--upload-assets zips local code into S3 and points the addons template at it', async () => {
    write('functions/hello/index.js', 'exports.handler = async () => "hello"\n')
    write('copilot/api/addons/fn.yml', `Parameters:
  App: {Type: String}
  Env: {Type: String}
  Name: {Type: String}
Resources:
  HelloRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
  Hello:
    Type: AWS::Lambda::Function
    Properties:
      Code: functions/hello
      Handler: index.handler
      Runtime: nodejs20.x
      Role: !GetAtt HelloRole.Arn
`)
    await ok('svc', 'package', '-n', 'api', '-e', 'test', '--upload-assets', '--output-dir', 'uploaded')
    const params = JSON.parse(readFileSync(join(ws, 'uploaded', 'api-test.params.json'), 'utf8'))
    expect(params.Parameters.AddonsTemplateURL).toMatch(/^https:\/\/pier-templates-\d+-[\w-]+\.s3\.[\w-]+\.amazonaws\.com\/shop-test-api\/addons\/[0-9a-f]{64}\.yml$/)
    const addons = parse(readFileSync(join(ws, 'uploaded', 'api-test.addons.stack.yml'), 'utf8'))
    expect(addons.Resources.Hello.Properties.Code).toEqual({S3Bucket: expect.stringMatching(/^pier-templates-/), S3Key: expect.stringMatching(/^shop-test-api\/assets\/[0-9a-f]{64}\.zip$/)})
    const {aws} = await localAws()
    const zip = join(ws, 'hello.zip')
    aws('s3api', 'get-object', '--bucket', addons.Resources.Hello.Properties.Code.S3Bucket, '--key', addons.Resources.Hello.Properties.Code.S3Key, zip)
    expect(execFileSync('unzip', ['-Z1', zip], {encoding: 'utf8'}).trim()).toBe('index.js')
    const {rmSync} = await import('node:fs')
    rmSync(join(ws, 'copilot/api/addons'), {recursive: true, force: true})
  })
})

// A hand-written S3 addon (bucket and managed policy), as users write them.
const ASSETS_ADDON = `Parameters:
  # Declared as storage init declares them: Copilot merges addon templates and refuses a parameter
  # declared two ways.
  App:
    Type: String
    Description: Name of the application.
  Env:
    Type: String
    Description: Name of the environment the workload is deployed to.
  Name:
    Type: String
    Description: Name of the workload.
Resources:
  AssetsBucket:
    Type: AWS::S3::Bucket
  AssetsAccessPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket']
            Resource: [!GetAtt AssetsBucket.Arn, !Sub '\${AssetsBucket.Arn}/*']
Outputs:
  assetsBucketName:
    Value: !Ref AssetsBucket
  AssetsAccessPolicy:
    Value: !Ref AssetsAccessPolicy
`

// A Redis cluster, its endpoint joined into one variable.
const CACHE_ADDON = `Parameters:
  # Declared as storage init declares them: Copilot merges addon templates and refuses a parameter
  # declared two ways.
  App:
    Type: String
    Description: Name of the application.
  Env:
    Type: String
    Description: Name of the environment the workload is deployed to.
  Name:
    Type: String
    Description: Name of the workload.
Resources:
  Cache:
    Type: AWS::ElastiCache::CacheCluster
    Properties:
      Engine: redis
      CacheNodeType: cache.t3.micro
      NumCacheNodes: 1
Outputs:
  cacheEndpoint:
    Value: !Join [':', [!GetAtt Cache.RedisEndpoint.Address, !GetAtt Cache.RedisEndpoint.Port]]
`

describe('deploying addons as a nested stack', {timeout: 600_000}, () => {
  // Needs AWS::CloudFormation::Stack in the local CloudFormation engine (nested stacks from TemplateURL
  // in the local S3) and real database and cache servers behind AWS::RDS and AWS::ElastiCache.
  it('deploys S3, DynamoDB, Aurora PostgreSQL and Redis addons; the task reaches each, and deleting stops every server', async () => {
    const {rmSync} = await import('node:fs')
    rmSync(join(ws, 'copilot/api/overrides'), {recursive: true, force: true})
    rmSync(join(ws, 'copilot/api/addons'), {recursive: true, force: true})
    write('copilot/api/addons/assets.yml', ASSETS_ADDON)
    write('copilot/api/addons/cache.yml', CACHE_ADDON)
    await ok('storage', 'init', '-n', 'apidb', '-t', 'Aurora', '-w', 'api', '-l', 'workload', '--engine', 'PostgreSQL', '--initial-db', 'main')
    // The other two types storage init writes deploy in the same addons stack.
    await ok('storage', 'init', '-n', 'orders', '-t', 'DynamoDB', '-w', 'api', '-l', 'workload', '--partition-key', 'id:S', '--sort-key', 'at:N')
    await ok('storage', 'init', '-n', 'uploads', '-t', 'S3', '-w', 'api', '-l', 'workload')
    rmSync(reportFile, {force: true})
    const started = Date.now()
    const r = await ok('svc', 'deploy', '-n', 'api', '-e', 'test')
    const seconds = (Date.now() - started) / 1000
    expect(r.stderr).toMatch(/AddonsStack/)
    const env = await reportedEnv(120_000)
    // The bucket the variable names exists in the local S3.
    const {status, aws} = await localAws()
    aws('s3api', 'head-bucket', '--bucket', env.ASSETS_BUCKET_NAME!)
    // storage init's DynamoDB table and S3 bucket, named by the variables Copilot's outputs give.
    const table = JSON.parse(aws('dynamodb', 'describe-table', '--table-name', env.ORDERS_NAME!)).Table
    expect(table.KeySchema).toEqual([{AttributeName: 'id', KeyType: 'HASH'}, {AttributeName: 'at', KeyType: 'RANGE'}])
    aws('s3api', 'head-bucket', '--bucket', env.UPLOADS_NAME!)
    const secret = JSON.parse(env.APIDB_SECRET!)
    expect(Object.keys(secret)).toEqual(expect.arrayContaining(['host', 'port', 'username', 'password', 'dbname', 'engine']))
    expect(env.PSQL).toBe('42')
    expect(env.REDIS).toBe('PONG')
    console.log(`deployed the service with S3, DynamoDB, Aurora PostgreSQL and Redis addons locally in ${seconds.toFixed(1)} s`)
    const serversDir = join(status.stateDir, 'servers')
    // A data directory per server (`templates` holds the initialised clusters new servers start from).
    const serverDirs = () => readdirSync(serversDir, {withFileTypes: true}).filter((d) => d.isDirectory() && d.name !== 'templates').map((d) => d.name)
    expect(serverDirs().length).toBe(2)
    // Deleting the service stops the servers: no process answers on their ports, no data directory stays.
    await ok('svc', 'delete', '-n', 'api', '-e', 'test', '--yes')
    const [cacheHost, cachePort] = env.CACHE_ENDPOINT!.split(':')
    for (const [host, port] of [[secret.host, Number(secret.port)], [cacheHost!, Number(cachePort)]] as const) {
      await expect(listening(host, port)).resolves.toBe(false)
    }
    expect(serverDirs()).toEqual([])
    expect(() => aws('dynamodb', 'describe-table', '--table-name', env.ORDERS_NAME!)).toThrow(/ResourceNotFoundException/)
  })

  it('deploys the environment-lifecycle storage of each type, which the workload reaches', async () => {
    const {rmSync} = await import('node:fs')
    for (const dir of ['copilot/api/addons', 'copilot/environments/addons', 'copilot/api/overrides']) rmSync(join(ws, dir), {recursive: true, force: true})
    await ok('storage', 'init', '-n', 'shared', '-t', 'S3', '-w', 'api', '-l', 'environment')
    await ok('storage', 'init', '-n', 'events', '-t', 'DynamoDB', '-w', 'api', '-l', 'environment', '--partition-key', 'Id:S', '--no-sort')
    await ok('storage', 'init', '-n', 'envdb', '-t', 'Aurora', '-w', 'api', '-l', 'environment', '--engine', 'PostgreSQL', '--initial-db', 'main')
    write('copilot/api/manifest.yml', manifest(`secrets:
  ENVDB_SECRET:
    from_cfn: \${COPILOT_APPLICATION_NAME}-\${COPILOT_ENVIRONMENT_NAME}-envdbAuroraSecret
network:
  vpc:
    security_groups:
      - from_cfn: \${COPILOT_APPLICATION_NAME}-\${COPILOT_ENVIRONMENT_NAME}-envdbSecurityGroup
`))
    await ok('env', 'deploy', '-n', 'test')
    rmSync(reportFile, {force: true})
    await ok('svc', 'deploy', '-n', 'api', '-e', 'test')
    const env = await reportedEnv(120_000)
    const {aws} = await localAws()
    aws('s3api', 'head-bucket', '--bucket', env.SHARED_NAME_BUCKET_NAME!)
    expect(JSON.parse(aws('dynamodb', 'describe-table', '--table-name', env.EVENTS_NAME_DDB_TABLE_NAME!)).Table.TableName).toBe('shop-test-events')
    expect(env.ENVDB_PSQL).toBe('42')
    await ok('svc', 'delete', '-n', 'api', '-e', 'test', '--yes')
  })
})
