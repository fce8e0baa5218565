// End to end, in both exec modes of the local control plane: `pier local start --exec-mode aws` (the
// default, sessions as ECS gives them: a terminal, no exit-code message) and `--exec-mode extended`.
// A service stack with exec enabled is created through CloudFormation; the built `pier svc exec` must
// print exactly the command's output, exit with its code, carry 3 MB of binary output and piped stdin
// intact, run in the container's working directory, and still work interactively through a terminal.
import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CloudFormationClient, CreateStackCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import {bin, requireBuild, root} from '../cli.js'

interface Run {
  code: number | null
  stdout: Buffer
  stderr: string
}

function run(env: NodeJS.ProcessEnv, args: string[], stdin: Buffer | string = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd: root, env})
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout: Buffer.concat(out), stderr}))
    child.stdin.on('error', () => {})
    child.stdin.end(stdin)
  })
}

async function deployServiceStack(endpoint: string, workdir: string): Promise<void> {
  const cloudformation = new CloudFormationClient({region: LOCAL_REGION, endpoint, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  const template = {
    Resources: {
      Cluster: {Type: 'AWS::ECS::Cluster', Properties: {ClusterName: 'demo-test'}},
      TaskDefinition: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          Family: 'demo-test-web',
          RequiresCompatibilities: ['FARGATE'],
          NetworkMode: 'awsvpc',
          Cpu: '256',
          Memory: '512',
          ContainerDefinitions: [
            {Name: 'web', Image: 'busybox', Essential: true, WorkingDirectory: workdir, Command: ['sh', '-c', 'sleep 600'], Environment: [{Name: 'ROLE', Value: 'web'}]},
          ],
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
  try {
    await cloudformation.send(new CreateStackCommand({StackName: 'demo-test-web', TemplateBody: JSON.stringify(template)}))
    for (let i = 0; i < 600; i++) {
      const status = (await cloudformation.send(new DescribeStacksCommand({StackName: 'demo-test-web'}))).Stacks?.[0]?.StackStatus ?? ''
      if (status === 'CREATE_COMPLETE') return
      if (!status.endsWith('IN_PROGRESS')) throw new Error(`stack ended ${status}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error('stack did not complete')
  } finally {
    cloudformation.destroy()
  }
}

describe.each(['aws', 'extended'] as const)('pier svc exec with the local control plane in exec mode %s', (mode) => {
  let tmp: string
  let env: NodeJS.ProcessEnv
  let workdir: string
  const exec = (command: string, stdin: Buffer | string = '') => run(env, ['svc', 'exec', '-a', 'demo', '-n', 'web', '-e', 'test', '--local', '--command', command], stdin)

  beforeAll(async () => {
    requireBuild()
    tmp = mkdtempSync(join(tmpdir(), `pier-exec-${mode}-`))
    workdir = join(tmp, 'app')
    mkdirSync(workdir)
    env = {...process.env, CI: 'true', NO_COLOR: '1', PIER_STATE_DIR: join(tmp, 'state'), PIER_LOCAL_PORT: '0'}
    delete env.PIER_EXEC_MODE
    const started = await run(env, ['local', 'start', ...(mode === 'aws' ? [] : ['--exec-mode', mode])])
    expect(started.code).toBe(0)
    const endpoint = /Endpoint:\s+(\S+)/.exec(started.stdout.toString())![1]!
    await deployServiceStack(endpoint, workdir)
    // The service's task must be running, with its exec agent, before exec reaches it.
    for (let i = 0; i < 300; i++) {
      const r = await exec('true')
      if (r.code === 0) return
      expect(r.stderr).toMatch(/No task of service web in environment test is running|not connected|not RUNNING|not enabled/)
      await new Promise((res) => setTimeout(res, 200))
    }
    throw new Error('the service never ran a task exec could reach')
  }, 180_000)

  afterAll(async () => {
    if (env) await run(env, ['local', 'stop'])
    rmSync(tmp, {recursive: true, force: true})
  }, 60_000)

  it('prints exactly the output of sh -c and exits with its code; true exits 0', async () => {
    const r = await exec("sh -c 'echo x; exit 5'")
    expect(r.stdout.toString()).toBe('x\n')
    expect(r.code).toBe(5)
    expect(r.stderr).not.toContain('pier-')
    const t = await exec('true')
    expect(t.stdout.toString()).toBe('')
    expect(t.code).toBe(0)
  }, 60_000)

  it('runs in the container\'s working directory with the task\'s environment', async () => {
    const r = await exec('sh -c \'pwd; echo "role=$ROLE"\'')
    expect(r.stdout.toString()).toBe(`${workdir}\nrole=web\n`)
    expect(r.code).toBe(0)
  }, 60_000)

  it('carries 3 MB of binary output intact', async () => {
    const data = randomBytes(3 * 1024 * 1024)
    const file = join(tmp, 'blob.bin')
    writeFileSync(file, data)
    const r = await exec(`cat ${file}`)
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBe(data.length)
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))
  }, 120_000)

  it('passes piped stdin to the command, control bytes and its end included', async () => {
    const input = Buffer.concat([randomBytes(200_000), Buffer.from('\nlast line without newline')])
    const r = await exec('sha256sum', input)
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toBe(`${createHash('sha256').update(input).digest('hex')}  -\n`)
  }, 120_000)

  it('works interactively through a pseudo-terminal, and exits with the shell\'s code', async () => {
    const cmd = [process.execPath, bin, 'svc', 'exec', '-a', 'demo', '-n', 'web', '-e', 'test', '--local', '--command', "env PS1='remote> ' sh -i"]
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`
    const script = `stty cols 90 rows 20; ${cmd.map(quote).join(' ')}; echo "rc=$?"`
    const {CI: _ci, ...ttyEnv} = env
    const child = spawn('script', ['-qfec', script, '/dev/null'], {cwd: root, env: {...ttyEnv, TERM: 'xterm'}})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const until = async (text: string) => {
      for (let i = 0; i < 600 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toContain(text)
    }
    try {
      await until('remote> ')
      child.stdin.write('echo "$ROLE-$((2+3))"; stty size\r')
      await until('web-5')
      await until('20 90')
      child.stdin.write('exit 4\r')
      await until('rc=4')
      expect(out).not.toContain('pier-')
    } finally {
      child.kill('SIGKILL')
    }
  }, 60_000)
})
