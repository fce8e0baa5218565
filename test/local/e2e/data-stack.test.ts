// Nested stacks and real data servers through the assembled local control plane: a service stack whose
// nested addons stack (from a TemplateURL in the local S3) holds an S3 bucket with its managed policy, an
// Aurora PostgreSQL cluster shaped like Copilot's `storage init -t Aurora` addon and a Redis replication
// group, and a DynamoDB table. PostgreSQL accepts the generated secret's credentials, Redis answers PING, a task reaches both
// at the addresses its secret and variables name, the data outlives a restart of the control plane,
// and deleting the stack leaves no process, port or data directory. A failing nested stack rolls back
// its parent.
import {CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand} from '@aws-sdk/client-dynamodb'
import {DescribeTasksCommand, ECSClient, RunTaskCommand} from '@aws-sdk/client-ecs'
import {CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLocalControlPlane, type LocalControlPlane} from '../../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import {accepting} from '../../../src/local/servers/supervisor.js'
import {processesMentioning} from '../cli.js'
import {settle} from './stack-helpers.js'
import {ADDONS, ENV, FAILING_ADDONS, SERVICE} from './data-stack-templates.js'

const PSQL = '/usr/lib/postgresql/15/bin/psql'
const haveServers = existsSync(PSQL) && existsSync('/usr/bin/redis-server')

function psql(secret: {host: string; port: number; username: string; password: string; dbname: string}, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PSQL, ['-X', '-At', '-h', secret.host, '-p', String(secret.port), '-U', secret.username, '-d', secret.dbname, '-c', sql],
      {env: {...process.env, PGPASSWORD: secret.password}}, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout.trim())))
  })
}

/** One Redis command over RESP (inline form); resolves with the first reply line. */
function redis(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({host: '127.0.0.1', port})
    let buf = ''
    sock.on('data', (d) => {
      buf += d.toString()
      if (buf.includes('\r\n')) {
        sock.destroy()
        const [first, second] = buf.split('\r\n')
        resolve(first!.startsWith('$') ? second ?? '' : first!)
      }
    })
    sock.on('error', reject)
    sock.write(`${command}\r\n`)
  })
}

describe.skipIf(!haveServers)('a stack with a nested addons stack and real data servers', () => {
  let dir: string
  let plane: LocalControlPlane
  let cfn: CloudFormationClient
  let client: Record<string, unknown>

  const start = async () => {
    plane = await startLocalControlPlane({stateDir: dir, port: 0, log: () => {}})
    client = {endpoint: plane.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}}
    cfn = new CloudFormationClient(client)
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pier-e2e-data-'))
    await start()
    await cfn.send(new CreateStackCommand({StackName: 'demo-test', TemplateBody: ENV}))
    expect((await settle(cfn, 'demo-test')).StackStatus).toBe('CREATE_COMPLETE')
    const s3 = new S3Client(client)
    await s3.send(new CreateBucketCommand({Bucket: 'stackset-demo-infra'}))
    await s3.send(new PutObjectCommand({Bucket: 'stackset-demo-infra', Key: 'addons.yml', Body: ADDONS}))
    await s3.send(new PutObjectCommand({Bucket: 'stackset-demo-infra', Key: 'failing.yml', Body: FAILING_ADDONS}))
  }, 60_000)

  afterAll(async () => {
    await plane?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  const url = (key: string) => `${plane.endpoint}/stackset-demo-infra/${key}`

  it('deploys, serves the database and the cache to a task, keeps data across a restart, and deletes everything', async () => {
    const began = Date.now()
    await cfn.send(new CreateStackCommand({StackName: 'demo-test-api', TemplateBody: SERVICE(url('addons.yml')), Capabilities: ['CAPABILITY_IAM']}))
    const created = await settle(cfn, 'demo-test-api', 120_000)
    const seconds = (Date.now() - began) / 1000
    expect(created.StackStatus, created.StackStatusReason).toBe('CREATE_COMPLETE')
    console.log(`deploying the stack with a nested Aurora PostgreSQL cluster and Redis took ${seconds.toFixed(1)} s`)
    const out = (key: string) => created.Outputs!.find((o) => o.OutputKey === key)!.OutputValue!

    // The nested stack as AWS shows it.
    const nested = (await cfn.send(new DescribeStacksCommand({}))).Stacks!.find((s) => s.ParentId === created.StackId)!
    expect(nested.StackName).toMatch(/^demo-test-api-AddonsStack-[A-Z0-9]{12,13}$/)
    expect(nested.RootId).toBe(created.StackId)
    expect(nested.StackStatus).toBe('CREATE_COMPLETE')

    // The bucket exists; the recorded-only Lambda function says so in its events.
    await new S3Client(client).send(new HeadBucketCommand({Bucket: out('AssetsBucketName')}))
    const events = (await cfn.send(new DescribeStackEventsCommand({StackName: nested.StackId}))).StackEvents!
    expect(events.some((e) => e.LogicalResourceId === 'Notifier' && /^Recorded only/.test(e.ResourceStatusReason ?? ''))).toBe(true)

    // The secret holds what AWS's attachment adds; PostgreSQL accepts it.
    const secretValue = (await new SecretsManagerClient(client).send(new GetSecretValueCommand({SecretId: out('ApidbSecret')}))).SecretString!
    const secret = JSON.parse(secretValue)
    expect(secret).toMatchObject({username: 'postgres', host: '127.0.0.1', dbname: 'main', engine: 'postgres'})
    expect(secret.password).toMatch(/^[A-Za-z0-9]{16}$/)
    expect(await psql(secret, 'SELECT 40 + 2')).toBe('42')
    await psql(secret, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')")
    await expect(psql({...secret, password: 'wrong'}, 'SELECT 1')).rejects.toThrow(/password authentication failed/)

    const redisPort = Number(out('RedisPort'))
    expect(await redis(redisPort, 'PING')).toBe('+PONG')
    expect(await redis(redisPort, 'SET greeting hello')).toBe('+OK')

    expect(out('OrdersTable')).toBe('demo-test-api-orders')
    expect(out('OrdersArn')).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/demo-test-api-orders')
    await new DynamoDBClient(client).send(new PutItemCommand({TableName: out('OrdersTable'), Item: {id: {S: 'o-1'}, total: {N: '42'}}}))

    // A task gets the secret and the variables, and reaches both servers with them.
    const ecs = new ECSClient(client)
    const run = await ecs.send(new RunTaskCommand({cluster: out('Cluster'), taskDefinition: out('ProbeTask'), launchType: 'FARGATE',
      networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1']}}}))
    let task
    for (let i = 0; i < 300; i++) {
      task = (await ecs.send(new DescribeTasksCommand({cluster: out('Cluster'), tasks: [run.tasks![0]!.taskArn!]}))).tasks![0]!
      if (task.lastStatus === 'STOPPED') break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(task?.containers?.[0]?.exitCode, JSON.stringify(task?.stoppedReason)).toBe(0)

    // A restart keeps the data and serves it on the same ports.
    await plane.close()
    await start()
    expect(await psql(secret, 'SELECT body FROM notes')).toBe('kept')
    for (let i = 0; i < 50 && (await redis(redisPort, 'GET greeting').catch(() => '')) !== 'hello'; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await redis(redisPort, 'GET greeting')).toBe('hello')
    const order = await new DynamoDBClient(client).send(new GetItemCommand({TableName: out('OrdersTable'), Key: {id: {S: 'o-1'}}}))
    expect(order.Item?.total).toEqual({N: '42'})

    // Deleting the stack deletes the tree, stops the servers and removes their data.
    const servers = join(dir, 'servers')
    expect(readdirSync(servers).filter((d) => d.startsWith('rds-') || d.startsWith('cache-')).length).toBe(2)
    const pids = (JSON.parse(readFileSync(join(servers, 'servers.json'), 'utf8')) as {pid: number}[]).map((s) => s.pid)
    expect(pids.length).toBe(2)
    await cfn.send(new DeleteStackCommand({StackName: 'demo-test-api'}))
    const deleted = await settle(cfn, 'demo-test-api', 60_000)
    expect(deleted.StackStatus, deleted.StackStatusReason).toBe('DELETE_COMPLETE')
    expect((await cfn.send(new DescribeStacksCommand({StackName: nested.StackId}))).Stacks![0]!.StackStatus).toBe('DELETE_COMPLETE')
    expect(processesMentioning(servers)).toEqual([])
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([])
    expect(await accepting(secret.port)).toBe(false)
    expect(await accepting(redisPort)).toBe(false)
    expect(readdirSync(servers).filter((d) => d.startsWith('rds-') || d.startsWith('cache-'))).toEqual([])
    await expect(new DynamoDBClient(client).send(new DescribeTableCommand({TableName: out('OrdersTable')}))).rejects.toThrow(/not found/)
  }, 240_000)

  it('rolls the parent back when its nested stack fails, deleting what the nested stack made', async () => {
    await cfn.send(new CreateStackCommand({StackName: 'demo-test-bad', TemplateBody: SERVICE(url('failing.yml'), false), Capabilities: ['CAPABILITY_IAM']}))
    const stack = await settle(cfn, 'demo-test-bad', 120_000)
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(stack.StackStatusReason).toMatch(/AddonsStack CREATE_FAILED: Embedded stack arn:aws:cloudformation:.* was not successfully created: The following resource\(s\) failed to create: \[OracleDB\]/)
    const nested = (await cfn.send(new DescribeStackEventsCommand({StackName: 'demo-test-bad'}))).StackEvents!
      .find((e) => e.LogicalResourceId === 'AddonsStack' && e.PhysicalResourceId)!.PhysicalResourceId!
    const child = (await cfn.send(new DescribeStacksCommand({StackName: nested}))).Stacks![0]!
    expect(child.StackStatus).toBe('DELETE_COMPLETE')
    const childEvents = (await cfn.send(new DescribeStackEventsCommand({StackName: nested}))).StackEvents!
    expect(childEvents.find((e) => e.LogicalResourceId === 'OracleDB' && e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason)
      .toMatch(/Engine oracle-ee is not run by the local control plane/)
    expect(childEvents.some((e) => e.LogicalResourceId === 'Cache' && e.ResourceStatus === 'DELETE_COMPLETE')).toBe(true)
    expect(readdirSync(join(dir, 'servers')).filter((d) => d.startsWith('cache-'))).toEqual([])
  }, 120_000)

  it.skipIf(!existsSync('/usr/sbin/mariadbd'))('runs MySQL-compatible engines with MariaDB, with a password RDS manages in a secret', async () => {
    await cfn.send(new CreateStackCommand({StackName: 'shop', TemplateBody: `
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql, MasterUsername: admin, ManageMasterUserPassword: true, DBName: shop, DBInstanceClass: db.t4g.micro}
Outputs:
  Host: {Value: !GetAtt Db.Endpoint.Address}
  Port: {Value: !GetAtt Db.Endpoint.Port}
  Secret: {Value: !GetAtt Db.MasterUserSecret.SecretArn}
`}))
    const stack = await settle(cfn, 'shop', 120_000)
    expect(stack.StackStatus, stack.StackStatusReason).toBe('CREATE_COMPLETE')
    const out = (key: string) => stack.Outputs!.find((o) => o.OutputKey === key)!.OutputValue!
    const secret = JSON.parse((await new SecretsManagerClient(client).send(new GetSecretValueCommand({SecretId: out('Secret')}))).SecretString!)
    expect(secret.username).toBe('admin')
    const query = (password: string) => new Promise<string>((resolve, reject) => {
      execFile('/usr/bin/mariadb', ['--no-defaults', '-h', out('Host'), '-P', out('Port'), '-u', 'admin', `-p${password}`, '-N', '-B', 'shop', '-e', 'SELECT DATABASE(), 6 * 7'],
        (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout.trim())))
    })
    expect(await query(secret.password)).toBe('shop\t42')
    await expect(query('wrong')).rejects.toThrow(/Access denied/)
    await cfn.send(new DeleteStackCommand({StackName: 'shop'}))
    expect((await settle(cfn, 'shop', 60_000)).StackStatus).toBe('DELETE_COMPLETE')
    expect(await accepting(Number(out('Port')))).toBe(false)
    await expect(new SecretsManagerClient(client).send(new GetSecretValueCommand({SecretId: out('Secret')}))).rejects.toThrow()
  }, 150_000)

  it('fails a database whose server is not installed with a reason that says what to install', async () => {
    process.env.PIER_POSTGRES_DIR = join(dir, 'no-postgres-here')
    try {
      await cfn.send(new CreateStackCommand({StackName: 'nopg', TemplateBody: `
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, MasterUsername: app, MasterUserPassword: secret123, DBName: app}
`}))
      const stack = await settle(cfn, 'nopg', 60_000)
      expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE')
      expect(stack.StackStatusReason).toMatch(/Db CREATE_FAILED: The local database instance could not start: PostgreSQL is not installed on this machine .* install Debian's postgresql package/)
    } finally {
      delete process.env.PIER_POSTGRES_DIR
    }
  }, 60_000)
})
