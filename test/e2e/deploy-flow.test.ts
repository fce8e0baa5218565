// End to end: the real `pier` binary against the real local control plane, as CI runs it (CI=true, no
// stdin). Initialise an application, deploy an environment with a web service and a backend service in
// parallel, call the web service through the local load balancer, redeploy a change with requests
// flowing, watch a crashing service fail fast with its exit code and log line, run a one-off task and
// a job, read logs, then delete everything and find nothing left.
// Each test asks for what it needs (an initialised workspace, a deployed environment) through a step that
// runs once, whichever test asks first: the tests pass in any order (vitest --sequence.shuffle).
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {E2eWorkspace, fetchText} from './harness.js'

const e2e = new E2eWorkspace('pier-e2e-')
const {ws} = e2e
const pier = e2e.pier.bind(e2e)
const ok = e2e.ok.bind(e2e)
const write = e2e.write.bind(e2e)
const pierUntil = e2e.pierUntil.bind(e2e)

const server = `const http = require('http')
const port = Number(process.env.PORT || 8080)
const s = http.createServer((req, res) => res.end('hello from ' + (process.env.GREETING || 'web') + '\\n'))
s.listen(port, () => console.log('listening on ' + port))
process.on('SIGTERM', () => s.close(() => process.exit(0)))
`

/** Runs `step` the first time it is asked for; later calls get the same result. */
function once<T>(step: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined
  return () => (result ??= step())
}

const initialised = once(async () => {
  await ok('app', 'init', 'demo')
  await ok('env', 'init', '--name', 'test')
  await ok('svc', 'init', '--name', 'web', '--svc-type', 'Load Balanced Web Service', '--dockerfile', 'web/Dockerfile', '--port', '8080')
  await ok('svc', 'init', '--name', 'api', '--svc-type', 'Backend Service', '--dockerfile', 'api/Dockerfile', '--port', '8080')
  await ok('job', 'init', '--name', 'report', '--dockerfile', 'report/Dockerfile', '--schedule', '@daily')
})

/** The environment with the web and backend services deployed: the deploy's output and the web URL. */
const deployed = once(async () => {
  await initialised()
  const r = await ok('deploy', '--name', 'web', '--name', 'api', '--env', 'test')
  const shown = JSON.parse((await ok('env', 'show', '--name', 'test', '--json')).stdout)
  return {r, shown, url: `http://${shown.publicLoadBalancer}/`}
})

beforeAll(() => {
  write('web/server.js', server)
  write('web/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nEXPOSE 8080\nCMD ["node", "server.js"]\n')
  write('api/server.js', server)
  write('api/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n')
  write('crash/main.js', 'console.log("booting")\nconsole.error("Error: DATABASE_URL is not set")\nprocess.exit(3)\n')
  write('crash/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "main.js"]\n')
  // The job exits with the code written in report-exit (0 without it), or runs until stopped when it
  // says "hang": the test picks each run's outcome.
  write('report/job.js', [
    `const fs = require('fs')`,
    `console.log("report ran")`,
    `const f = ${JSON.stringify(join(ws, 'report-exit'))}`,
    `const code = fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : '0'`,
    `if (code === 'hang') setInterval(() => console.log('report waiting'), 200)`,
    `else process.exit(Number(code))`,
    '',
  ].join('\n'))
  write('report/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "job.js"]\n')
})

let doomed: E2eWorkspace | undefined

afterAll(async () => {
  await e2e.cleanup()
  await doomed?.cleanup()
}, 60_000)

describe('pier against the local control plane', {timeout: 240_000}, () => {
  it('initialises an application, an environment and three workloads', async () => {
    await initialised()
    for (const name of ['web', 'api', 'report']) expect(existsSync(join(ws, 'copilot', name, 'manifest.yml')), name).toBe(true)
    expect(existsSync(join(ws, 'copilot', 'environments', 'test', 'manifest.yml'))).toBe(true)
  })

  it('deploys the environment, then the web and backend services in parallel', async () => {
    const {r, shown, url} = await deployed()
    expect(r.stderr).toMatch(/demo-test: CREATE_COMPLETE/)
    expect(r.stderr).toMatch(/✔ Deployed web to test\./)
    expect(r.stderr).toMatch(/✔ Deployed api to test\./)
    expect(shown.workloads).toEqual(['api', 'web'])
    // The body depends on whether the variable test already redeployed web.
    expect(await fetchText(url)).toMatchObject({status: 200, body: expect.stringMatching(/^hello from (web|v2)\n$/)})
  })

  it('lists the application and shows the service\'s health', async () => {
    await deployed()
    expect(JSON.parse((await ok('app', 'ls', '--json')).stdout).map((a: {name: string}) => a.name)).toEqual(['demo'])
    const status = JSON.parse((await ok('svc', 'status', '--name', 'web', '--env', 'test', '--json')).stdout)
    expect(status.service).toMatchObject({runningCount: 1, desiredCount: 1})
    expect(status.targets.map((t: {state: string}) => t.state)).toEqual(['healthy'])
  })

  it('redeploys a changed variable with rolling tasks and no failed request', async () => {
    const {url} = await deployed()
    const manifest = join(ws, 'copilot', 'web', 'manifest.yml')
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\nvariables:\n  GREETING: v2\n`)
    let polling = true
    const failures: string[] = []
    let requests = 0
    const poller = (async () => {
      while (polling) {
        requests++
        try {
          const r = await fetchText(url)
          if (r.status !== 200) failures.push(`HTTP ${r.status}`)
        } catch (error) {
          failures.push((error as Error).message)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    const r = await pier('svc', 'deploy', '--name', 'web', '--env', 'test')
    polling = false
    await poller
    expect(r.code, r.stderr).toBe(0)
    expect(requests).toBeGreaterThan(5)
    expect(failures).toEqual([])
    expect(await fetchText(url)).toEqual({status: 200, body: 'hello from v2\n'})
  })

  it('says "no changes" and exits 0 when nothing changed', async () => {
    await deployed()
    // A first deploy brings web up to its manifest (whatever ran before); a second has nothing to do.
    await ok('svc', 'deploy', '--name', 'web', '--env', 'test')
    const r = await ok('svc', 'deploy', '--name', 'web', '--env', 'test')
    expect(r.stderr).toMatch(/no changes/)
  })

  it('fails fast on a crashing service with its exit code and log line', async () => {
    await deployed()
    await ok('svc', 'init', '--name', 'crash', '--svc-type', 'Backend Service', '--dockerfile', 'crash/Dockerfile', '--port', '8080')
    const r = await pier('deploy', '--name', 'crash', '--env', 'test', '--json')
    expect(r.code).toBe(1)
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    const stopped = events.filter((e) => e.code === 'rollout.task-stopped')
    expect(stopped.length).toBeGreaterThan(0)
    expect(stopped[0].data).toMatchObject({exitCode: 3, stoppedReason: expect.stringMatching(/exited/)})
    expect(stopped[0].data.logLines).toContain('Error: DATABASE_URL is not set')
    expect(r.stderr).toMatch(/exit code 3/)
    expect(r.stderr).toMatch(/DATABASE_URL is not set/)
    await ok('svc', 'delete', '--name', 'crash', '--yes')
  })

  it('runs a one-off task and exits with the container\'s exit code', async () => {
    await deployed()
    const r = await pier('task', 'run', '-n', 'oneoff', '--image', 'alpine:3', '--command', `sh -c 'echo hello from task; exit 7'`, '--env', 'test', '--follow')
    expect(r.code).toBe(7)
    expect(r.stdout).toContain('hello from task')
  })

  it('deploys a scheduled job, runs it now through its state machine, and reads its logs', async () => {
    await deployed()
    await ok('job', 'deploy', '--name', 'report', '--env', 'test')
    // A failing run: an execution of the job's state machine, followed to the container's exit code.
    write('report-exit', '5')
    const failed = await pier('job', 'run', '--name', 'report', '--env', 'test', '--follow', '--json')
    expect(failed.code, failed.stderr).toBe(5)
    const result = JSON.parse(failed.stdout)
    expect(result).toMatchObject({executionArn: expect.stringMatching(/^arn:aws:states:[\w-]+:\d+:execution:[^:]+:pier-run-/), status: 'FAILED', exitCode: 5, taskArns: [expect.stringMatching(/:task\//)]})
    expect(failed.stderr).toContain('report ran')
    // Ctrl-C while following: the execution and its task stop, and the command exits 130.
    write('report-exit', 'hang')
    const stopped = await pierUntil(['job', 'run', '--name', 'report', '--env', 'test', '--follow'], 'report waiting', 'SIGINT')
    expect(stopped.code, stopped.stderr).toBe(130)
    expect(stopped.stderr).toMatch(/Stopping execution pier-run-\S+ and its task/)
    expect(stopped.stderr).toMatch(/Execution pier-run-\S+ was stopped/)
    rmSync(join(ws, 'report-exit'))
    const run = await ok('job', 'run', '--name', 'report', '--env', 'test', '--follow')
    expect(run.stdout).toContain('report ran')
    expect(run.stderr).toMatch(/Execution pier-run-\S+ succeeded/)
    expect((await ok('job', 'logs', '--name', 'report', '--env', 'test')).stdout).toMatch(/report\/\w+ report ran/)
  })

  it('prints a service\'s logs, also as JSON', async () => {
    await deployed()
    const lines = (await ok('svc', 'logs', '--name', 'web', '--env', 'test', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.some((l) => l.message === 'listening on 8080' || /^listening on \d+$/.test(l.message))).toBe(true)
  })

  // In a workspace of its own, so that deleting everything leaves the other tests theirs, in any order.
  it('refuses to delete without --yes in CI, then deletes everything', async () => {
    const other = (doomed ??= new E2eWorkspace('pier-e2e-delete-'))
    other.write('api/server.js', server)
    other.write('api/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n')
    await other.ok('app', 'init', 'gone')
    await other.ok('env', 'init', '--name', 'test')
    await other.ok('svc', 'init', '--name', 'api', '--svc-type', 'Backend Service', '--dockerfile', 'api/Dockerfile', '--port', '8080')
    await other.ok('deploy', '--name', 'api', '--env', 'test')
    const refused = await other.pier('app', 'delete')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/--yes/)
    await other.ok('app', 'delete', '--yes')
    expect(JSON.parse((await other.ok('app', 'ls', '--json')).stdout)).toEqual([])
    const {createAwsClients} = await import('../../src/aws/clients.js')
    const saved = {...process.env}
    Object.assign(process.env, {PIER_STATE_DIR: other.env.PIER_STATE_DIR, PIER_LOCAL_PORT: '0'})
    try {
      const aws = await createAwsClients({local: true})
      const {Stacks = []} = await aws.stacks.describeStacks({})
      expect(Stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName)).toEqual([])
      const {Parameters = []} = await aws.parameters.getParametersByPath({Path: '/copilot', Recursive: true})
      expect(Parameters).toEqual([])
    } finally {
      process.env = saved
    }
  })
})
