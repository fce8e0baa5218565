// Conformance with a client Pier did not write: Debian's AWS CLI against a daemon started by `pier local
// start`, configured only by `pier local env` (plus --endpoint-url, which AWS CLI 2.9 needs).
import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {stopLocal} from '../../src/local/launcher.js'
import {pier, processesMentioning, requireBuild} from './cli.js'
import {AWS, requireAwsCli, skipAwsCli} from './aws-cli.js'


let dir: string
let env: NodeJS.ProcessEnv
let endpoint: string

function aws(...args: string[]): Promise<{code: number; out: any; stderr: string}> {
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', endpoint, '--output', 'json', ...args], {env}, (err, stdout, stderr) => {
      let out: unknown = stdout
      try {
        out = stdout.trim() ? JSON.parse(stdout) : {}
      } catch {
        // plain text output
      }
      resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, out, stderr})
    })
  })
}

// Each AWS CLI call costs a Python start (1-5 s on a busy machine): few calls, generous timeouts.
describe.skipIf(skipAwsCli)('AWS CLI conformance', {timeout: 120_000}, () => {
  beforeAll(async () => {
    requireAwsCli()
    requireBuild()
    dir = mkdtempSync(join(tmpdir(), 'pier-awscli-'))
    const start = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
    expect(start.code, start.stderr).toBe(0)
    const exports = (await pier(['local', 'env', '--state-dir', dir])).stdout
    env = {PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: ''}
    for (const m of exports.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!
    endpoint = env.AWS_ENDPOINT_URL!
  })
  afterAll(async () => {
    await stopLocal(dir, {timeoutMs: 5000})
    rmSync(dir, {recursive: true, force: true})
  })

  it('gets the caller identity', async () => {
    const r = await aws('sts', 'get-caller-identity')
    expect(r.code, r.stderr).toBe(0)
    expect(r.out).toEqual({UserId: '000000000000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root'})
  })

  it('puts and gets parameters, and reports a missing one in AWS words', async () => {
    expect((await aws('ssm', 'put-parameter', '--name', '/cli/secret', '--value', 'p@ss word', '--type', 'SecureString')).out).toEqual({Version: 1, Tier: 'Standard'})
    const got = await aws('ssm', 'get-parameter', '--name', '/cli/secret', '--with-decryption')
    expect(got.out.Parameter).toMatchObject({Name: '/cli/secret', Value: 'p@ss word', Type: 'SecureString'})
    const missing = await aws('ssm', 'get-parameter', '--name', '/cli/missing')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('An error occurred (ParameterNotFound) when calling the GetParameter operation')
  })

  it('writes and reads log events', async () => {
    expect((await aws('logs', 'create-log-group', '--log-group-name', '/cli/group')).code).toBe(0)
    expect((await aws('logs', 'create-log-stream', '--log-group-name', '/cli/group', '--log-stream-name', 'web/1')).code).toBe(0)
    const now = Date.now()
    const put = await aws('logs', 'put-log-events', '--log-group-name', '/cli/group', '--log-stream-name', 'web/1', '--log-events', `timestamp=${now},message=hello`, `timestamp=${now + 1},message=ERROR boom`)
    expect(put.code, put.stderr).toBe(0)
    const events = await aws('logs', 'get-log-events', '--log-group-name', '/cli/group', '--log-stream-name', 'web/1', '--start-from-head')
    expect(events.out.events.map((e: {message: string}) => e.message)).toEqual(['hello', 'ERROR boom'])
  })

  it('creates and reads a secret', async () => {
    const created = await aws('secretsmanager', 'create-secret', '--name', 'cli/db', '--secret-string', '{"password":"x"}')
    expect(created.out.ARN).toMatch(/:secret:cli\/db-\w{6}$/)
    const value = await aws('secretsmanager', 'get-secret-value', '--secret-id', 'cli/db')
    expect(value.out.SecretString).toBe('{"password":"x"}')
  })

  it('creates a VPC and a subnet, describes them, and names a missing VPC in EC2 words', async () => {
    const vpc = await aws('ec2', 'create-vpc', '--cidr-block', '10.7.0.0/16')
    expect(vpc.out.Vpc, vpc.stderr).toMatchObject({CidrBlock: '10.7.0.0/16', State: 'available'})
    const subnet = await aws('ec2', 'create-subnet', '--vpc-id', vpc.out.Vpc.VpcId, '--cidr-block', '10.7.1.0/24')
    expect(subnet.out.Subnet, subnet.stderr).toMatchObject({VpcId: vpc.out.Vpc.VpcId, CidrBlock: '10.7.1.0/24'})
    const described = await aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc.out.Vpc.VpcId}`)
    expect(described.out.Subnets.map((s: {SubnetId: string}) => s.SubnetId)).toEqual([subnet.out.Subnet.SubnetId])
    const missing = await aws('ec2', 'describe-vpcs', '--vpc-ids', 'vpc-0000000000000000f')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain("An error occurred (InvalidVpcID.NotFound) when calling the DescribeVpcs operation: The vpc ID 'vpc-0000000000000000f' does not exist")
  })

  it('lists CloudFront’s managed prefix list by name, as a user checks what a restricted load balancer admits', async () => {
    const lists = await aws('ec2', 'describe-managed-prefix-lists', '--filters', 'Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing')
    expect(lists.out.PrefixLists, lists.stderr).toEqual([expect.objectContaining({PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing', OwnerId: 'AWS', PrefixListId: expect.stringMatching(/^pl-[0-9a-f]{8}$/)})])
  })

  it('imports a certificate from PEM files and describes it', async () => {
    const certs = join(import.meta.dirname, '..', 'fixtures', 'certs')
    const imported = await aws('acm', 'import-certificate', '--certificate', `fileb://${join(certs, 'example.cert.pem')}`, '--private-key', `fileb://${join(certs, 'example.key.pem')}`)
    expect(imported.out.CertificateArn, imported.stderr).toMatch(/^arn:aws:acm:us-east-1:000000000000:certificate\//)
    const described = await aws('acm', 'describe-certificate', '--certificate-arn', imported.out.CertificateArn)
    expect(described.out.Certificate).toMatchObject({DomainName: 'example.com', Status: 'ISSUED', Type: 'IMPORTED'})
  })

  it('runs a task: RUNNING, then STOPPED with its exit code, its output in CloudWatch Logs', async () => {
    const gate = join(dir, 'go')
    expect((await aws('ecs', 'create-cluster', '--cluster-name', 'cli')).out.cluster.status).toBe('ACTIVE')
    const container = {
      name: 'app',
      image: 'public.ecr.aws/docker/library/busybox:latest',
      essential: true,
      command: ['sh', '-c', `echo hello from the task; while [ ! -f ${gate} ]; do sleep 0.05; done; exit 3`],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {'awslogs-group': '/ecs/cli', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true'},
      },
    }
    const td = await aws('ecs', 'register-task-definition', '--family', 'cli', '--requires-compatibilities', 'FARGATE', '--network-mode', 'awsvpc',
      '--cpu', '256', '--memory', '512', '--execution-role-arn', 'arn:aws:iam::000000000000:role/exec', '--container-definitions', JSON.stringify([container]))
    expect(td.out.taskDefinition.revision, td.stderr).toBe(1)
    const run = await aws('ecs', 'run-task', '--cluster', 'cli', '--task-definition', 'cli', '--launch-type', 'FARGATE',
      '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-1]}')
    const task = run.out.tasks[0]
    expect(task.lastStatus, run.stderr).toBe('PENDING')
    const describe = async () => (await aws('ecs', 'describe-tasks', '--cluster', 'cli', '--tasks', task.taskArn)).out.tasks[0]
    let t = await describe()
    for (let i = 0; i < 20 && t.lastStatus !== 'RUNNING'; i++) t = await describe()
    expect(t.lastStatus).toBe('RUNNING')
    writeFileSync(gate, '')
    for (let i = 0; i < 20 && t.lastStatus !== 'STOPPED'; i++) t = await describe()
    expect(t).toMatchObject({lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{name: 'app', exitCode: 3}]})
    const taskId = task.taskArn.split('/').pop()
    const events = await aws('logs', 'get-log-events', '--log-group-name', '/ecs/cli', '--log-stream-name', `ecs/app/${taskId}`, '--start-from-head')
    expect(events.out.events.map((e: {message: string}) => e.message)).toEqual(['hello from the task'])
  })

  it('leaves no task process behind after pier local stop', async () => {
    const gate = join(dir, 'never')
    const container = {name: 'app', image: 'busybox', essential: true, command: ['sh', '-c', `while [ ! -f ${gate} ]; do sleep 0.05; done`]}
    await aws('ecs', 'register-task-definition', '--family', 'forever', '--requires-compatibilities', 'FARGATE', '--network-mode', 'awsvpc',
      '--cpu', '256', '--memory', '512', '--container-definitions', JSON.stringify([container]))
    const run = await aws('ecs', 'run-task', '--cluster', 'cli', '--task-definition', 'forever', '--count', '2', '--launch-type', 'FARGATE',
      '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-1]}')
    expect(run.out.tasks, run.stderr).toHaveLength(2)
    const running = () => processesMentioning(gate)
    for (let i = 0; i < 100 && running().length < 2; i++) await new Promise((r) => setTimeout(r, 50))
    expect(running().length).toBeGreaterThanOrEqual(2)
    const stop = await pier(['local', 'stop', '--state-dir', dir])
    expect(stop.code, stop.stderr).toBe(0)
    expect(running()).toEqual([])
    const start = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
    expect(start.code, start.stderr).toBe(0)
    endpoint = JSON.parse((await pier(['local', 'status', '--json', '--state-dir', dir])).stdout).endpoint
  })

  it('is refused with other credentials', async () => {
    const saved = env
    env = {...env, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}
    try {
      const r = await aws('sts', 'get-caller-identity')
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain('InvalidClientTokenId')
    } finally {
      env = saved
    }
  })
})
