// End to end: the built `pier` binary runs `task exec` against a real local control plane (frontend,
// ECS, the process driver, the exec broker and KMS) where a task started with exec enabled runs.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CloudFormationClient, CreateStackCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand} from '@aws-sdk/client-ecs'
import {CreateAliasCommand, CreateKeyCommand, KMSClient} from '@aws-sdk/client-kms'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {type ControlPlane, createControlPlane} from '../../src/local/control-plane.js'
import {ProcessDriver} from '../../src/local/agent/process-driver.js'
import {createCloudFormation} from '../../src/local/cloudformation/index.js'
import {createAgentRelay, createEcs} from '../../src/local/ecs/index.js'
import {installExec} from '../../src/local/exec/index.js'
import {bin, requireBuild, root} from './cli.js'

let dir: string
let cp: ControlPlane
let ecs: ECSClient
const credentials = {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}
const env = {AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY, AWS_REGION: LOCAL_REGION}

beforeAll(async () => {
  requireBuild()
  dir = mkdtempSync(join(tmpdir(), 'pier-exec-e2e-'))
  cp = await createControlPlane({stateDir: dir, port: 0, log: () => {}})
  const relay = createAgentRelay()
  const driver = new ProcessDriver({stateDir: dir, listener: relay, log: () => {}})
  const {broker} = installExec(cp, {driver: () => driver})
  const local = createEcs({stateDir: dir, driver, secrets: cp.secrets, logs: cp.logs, exec: broker, region: cp.region, accountId: cp.accountId})
  relay.attach(broker.trackTasks(local.listener))
  const cfn = createCloudFormation({stateDir: dir, api: cp.api, region: cp.region, accountId: cp.accountId})
  cp.register({json: [local.service], query: [cfn.service]})
  cp.onClose(async () => {
    await cfn.close()
    await driver.shutdown()
    await local.close()
  })
  ecs = new ECSClient({region: LOCAL_REGION, endpoint: cp.endpoint, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  // Like a cluster whose exec configuration names a KMS key: its sessions are encrypted.
  const kms = new KMSClient({region: LOCAL_REGION, endpoint: cp.endpoint, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  const key = await kms.send(new CreateKeyCommand({Description: 'exec sessions'}))
  await kms.send(new CreateAliasCommand({AliasName: 'alias/demo/exec', TargetKeyId: key.KeyMetadata!.KeyId!}))
  kms.destroy()
  await ecs.send(new CreateClusterCommand({clusterName: 'demo-test', configuration: {executeCommandConfiguration: {kmsKeyId: 'alias/demo/exec', logging: 'NONE'}}}))
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'worker',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{name: 'app', image: 'busybox', essential: true, command: ['sh', '-c', 'sleep 600'], environment: [{name: 'GREETING', value: 'hello'}]}],
    }),
  )
}, 60_000)

afterAll(async () => {
  ecs?.destroy()
  await cp?.close()
  rmSync(dir, {recursive: true, force: true})
})

async function runTask(enableExecuteCommand: boolean, cluster = 'demo-test'): Promise<string> {
  const out = await ecs.send(new RunTaskCommand({cluster, taskDefinition: 'worker', launchType: 'FARGATE', enableExecuteCommand, networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-local']}}}))
  const arn = out.tasks![0]!.taskArn!
  for (let i = 0; i < 200; i++) {
    const t = (await ecs.send(new DescribeTasksCommand({cluster, tasks: [arn]}))).tasks?.[0]
    if (t?.lastStatus === 'RUNNING') return arn.slice(arn.lastIndexOf('/') + 1)
    if (t?.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('task did not reach RUNNING')
}

/** A service deployed the way Pier deploys one: a workload stack named <app>-<env>-<name>. */
async function deployServiceStack(): Promise<void> {
  const cloudformation = new CloudFormationClient({region: LOCAL_REGION, endpoint: cp.endpoint, credentials})
  const template = {
    Resources: {
      Cluster: {Type: 'AWS::ECS::Cluster', Properties: {ClusterName: 'demo-svc'}},
      TaskDefinition: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          Family: 'demo-test-web',
          RequiresCompatibilities: ['FARGATE'],
          NetworkMode: 'awsvpc',
          Cpu: '256',
          Memory: '512',
          ContainerDefinitions: [{Name: 'web', Image: 'busybox', Essential: true, Command: ['sh', '-c', 'sleep 600'], Environment: [{Name: 'ROLE', Value: 'web'}]}],
        },
      },
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: {
          Cluster: {Ref: 'Cluster'},
          TaskDefinition: {Ref: 'TaskDefinition'},
          DesiredCount: 1,
          LaunchType: 'FARGATE',
          EnableExecuteCommand: true,
          NetworkConfiguration: {AwsvpcConfiguration: {Subnets: ['subnet-local']}},
        },
      },
    },
  }
  await cloudformation.send(new CreateStackCommand({StackName: 'demo-test-web', TemplateBody: JSON.stringify(template)}))
  for (let i = 0; i < 400; i++) {
    const status = (await cloudformation.send(new DescribeStacksCommand({StackName: 'demo-test-web'}))).Stacks?.[0]?.StackStatus ?? ''
    if (status === 'CREATE_COMPLETE') return cloudformation.destroy()
    if (!status.endsWith('IN_PROGRESS')) throw new Error(`stack ended ${status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('stack did not complete')
}

function pier(args: string[], stdin: string): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--endpoint-url', cp.endpoint], {cwd: root, env: {...process.env, CI: 'true', NO_COLOR: '1', ...env}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout, stderr}))
    child.stdin.end(stdin)
  })
}

describe('pier task exec on the local control plane', () => {
  it('runs a command in the task\'s environment, pipes stdin, and exits with the remote exit code', async () => {
    const taskId = await runTask(true)
    const r = await pier(['task', 'exec', '--cluster', 'demo-test', '--task-id', taskId.slice(0, 8), '--command', 'read line; echo "$GREETING, $line"; echo oops >&2; exit 3'], 'piped input\n')
    // A terminal session, as ECS gives: stderr comes with stdout.
    expect(r.stdout).toBe('hello, piped input\noops\n')
    expect(r.stderr).toContain(`Starting a session in task ${taskId}, container app.`)
    expect(r.stderr).toMatch(/Session ecs-execute-command-\w+ open, encrypted with KMS\./)
    expect(r.code).toBe(3)
  })

  it('explains that exec is not enabled on a task started without it', async () => {
    const taskId = await runTask(false)
    const r = await pier(['task', 'exec', '--cluster', 'demo-test', '--task-id', taskId, '--command', 'true'], '')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`✘ Exec is not enabled on task ${taskId} of cluster demo-test: it was started without ECS Exec.`)
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
  })

  it('names the KMS key a cluster encrypts sessions with when the caller cannot use it', async () => {
    await ecs.send(new CreateClusterCommand({clusterName: 'demo-badkey', configuration: {executeCommandConfiguration: {kmsKeyId: 'alias/missing', logging: 'NONE'}}}))
    const taskId = await runTask(true, 'demo-badkey')
    const r = await pier(['task', 'exec', '--cluster', 'demo-badkey', '--task-id', taskId, '--command', 'true'], '')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/✘ Your credentials cannot use the KMS key alias\/missing that cluster demo-badkey encrypts exec sessions with: .*not found/)
    expect(r.stderr).toContain('kms:GenerateDataKey')
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
  })

  it('pier svc exec finds the service through its stack and runs in its task', async () => {
    await deployServiceStack()
    // The service's task must be running before exec can reach it.
    for (let i = 0; i < 200; i++) {
      const r = await pier(['svc', 'exec', '-a', 'demo', '-n', 'web', '-e', 'test', '--command', 'echo "role=$ROLE"; exit 0'], '')
      if (r.code === 0) {
        expect(r.stdout).toBe('role=web\n')
        // Its cluster names no exec key: the session is not encrypted, as on AWS.
        expect(r.stderr).toMatch(/Session ecs-execute-command-\w+ open\./)
        return
      }
      expect(r.stderr).toMatch(/No task of service web in environment test is running|not connected|not enabled/)
      await new Promise((res) => setTimeout(res, 200))
    }
    throw new Error('the service never ran a task exec could reach')
  }, 120_000)

  it('runs interactively on a terminal: typed commands echo back and the exit code comes home', async () => {
    const taskId = await runTask(true)
    const cmd = [process.execPath, bin, 'task', 'exec', '--cluster', 'demo-test', '--task-id', taskId, '--endpoint-url', cp.endpoint, '--command', "env PS1='remote> ' sh -i"]
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`
    const script = `stty cols 90 rows 20; ${cmd.map(quote).join(' ')}; echo "rc=$?"`
    const child = spawn('script', ['-qfec', script, '/dev/null'], {cwd: root, env: {...process.env, ...env, TERM: 'xterm'}})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const until = async (text: string) => {
      for (let i = 0; i < 600 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toContain(text)
    }
    try {
      await until('remote> ')
      child.stdin.write('echo "$GREETING-$((2+3))"; stty size\r')
      await until('hello-5')
      await until('20 90')
      child.stdin.write('exit 4\r')
      await until('rc=4')
    } finally {
      child.kill('SIGKILL')
    }
  }, 60_000)
})
