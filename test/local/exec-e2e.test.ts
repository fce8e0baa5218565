// End to end: the built `pier` binary runs `task exec` against a real local control plane (frontend,
// ECS, the process driver, the exec broker and KMS) where a task started with exec enabled runs.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand} from '@aws-sdk/client-ecs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {type ControlPlane, createControlPlane} from '../../src/local/control-plane.js'
import {ProcessDriver} from '../../src/local/agent/process-driver.js'
import {createAgentRelay, createEcs} from '../../src/local/ecs/index.js'
import {installExec} from '../../src/local/exec/index.js'
import {bin, requireBuild, root} from './cli.js'

let dir: string
let cp: ControlPlane
let ecs: ECSClient
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
  cp.register({json: [local.service]})
  cp.onClose(async () => {
    await driver.shutdown()
    await local.close()
  })
  ecs = new ECSClient({region: LOCAL_REGION, endpoint: cp.endpoint, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  await ecs.send(new CreateClusterCommand({clusterName: 'demo-test'}))
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

async function runTask(enableExecuteCommand: boolean): Promise<string> {
  const out = await ecs.send(new RunTaskCommand({cluster: 'demo-test', taskDefinition: 'worker', launchType: 'FARGATE', enableExecuteCommand, networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-local']}}}))
  const arn = out.tasks![0]!.taskArn!
  for (let i = 0; i < 200; i++) {
    const t = (await ecs.send(new DescribeTasksCommand({cluster: 'demo-test', tasks: [arn]}))).tasks?.[0]
    if (t?.lastStatus === 'RUNNING') return arn.slice(arn.lastIndexOf('/') + 1)
    if (t?.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('task did not reach RUNNING')
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
    expect(r.stdout).toBe('hello, piped input\n')
    expect(r.stderr).toContain('oops\n')
    expect(r.stderr).toContain(`Starting a session in task ${taskId}, container app.`)
    expect(r.code).toBe(3)
  })

  it('explains that exec is not enabled on a task started without it', async () => {
    const taskId = await runTask(false)
    const r = await pier(['task', 'exec', '--cluster', 'demo-test', '--task-id', taskId, '--command', 'true'], '')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`✘ Exec is not enabled on task ${taskId} of cluster demo-test: it was started without ECS Exec.`)
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
  })
})
