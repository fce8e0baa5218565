import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {ProcessDriver} from '../../../src/local/agent/process-driver.js'
import {RecordingListener, taskSpec, tempDir} from './helpers.js'

const node = process.execPath
const httpServer = `require('http').createServer((q,s)=>s.end(process.env.PIER_TASK_ID+' '+process.env.PORT_8080)).listen(+process.env.PORT,'127.0.0.1',()=>console.log('listening'))`

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path: '/'}, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('ProcessDriver', () => {
  const dir = tempDir('pier-agent-')
  let listener: RecordingListener
  let driver: ProcessDriver

  beforeAll(() => {
    listener = new RecordingListener()
    driver = new ProcessDriver({stateDir: dir.path, listener, defaultStopTimeout: 2})
  })
  afterEach(() => {
    listener.reports.length = 0
  })
  afterAll(async () => {
    await driver.shutdown()
    dir.remove()
  })

  it('runs a command: RUNNING, then STOPPED with its exit code and its output as log lines', async () => {
    const spec = taskSpec([{command: ['sh', '-c', 'echo hi; echo oops >&2; exit 3']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId)
    expect(listener.statuses(spec.taskId)).toEqual(['RUNNING', 'STOPPED'])
    expect(stopped).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{name: 'c0', lastStatus: 'STOPPED', exitCode: 3}],
    })
    expect(listener.logs.filter((l) => l.taskId === spec.taskId).map((l) => [l.stream, l.line])).toEqual(
      expect.arrayContaining([
        ['stdout', 'hi'],
        ['stderr', 'oops'],
      ]),
    )
    // Nothing of the task is left in the state directory.
    expect(readdirSync(join(dir.path, 'agent', 'tasks'))).not.toContain(spec.taskId)
    expect(readdirSync(join(dir.path, 'agent', 'pids'))).not.toContain(`${spec.taskId}.json`)
  })

  it('gives two tasks with the same container port their own host ports, both serving HTTP', async () => {
    const container = {command: [node, '-e', httpServer], portMappings: [{containerPort: 8080}]}
    const a = taskSpec([container])
    const b = taskSpec([container])
    await Promise.all([driver.start(a), driver.start(b)])
    const [ra, rb] = await Promise.all([listener.running(a.taskId), listener.running(b.taskId)])
    const pa = ra.containers[0]!.networkBindings[0]!
    const pb = rb.containers[0]!.networkBindings[0]!
    expect(pa).toMatchObject({containerPort: 8080, bindIP: '127.0.0.1', protocol: 'tcp'})
    expect(pa.hostPort).not.toBe(pb.hostPort)
    await listener.until(() => listener.linesOf(a.taskId).includes('listening') && listener.linesOf(b.taskId).includes('listening'))
    expect(await get(pa.hostPort)).toBe(`${a.taskId} ${pa.hostPort}`)
    expect(await get(pb.hostPort)).toBe(`${b.taskId} ${pb.hostPort}`)
    await Promise.all([driver.stop(a.taskId, 'UserInitiated', 'test done'), driver.stop(b.taskId, 'UserInitiated', 'test done')])
    expect(listener.last(a.taskId)).toMatchObject({lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'test done'})
  })

  it('sends SIGTERM, then SIGKILL after stopTimeout', async () => {
    const stubborn = taskSpec([{command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'], stopTimeout: 0.3}])
    const polite = taskSpec([{command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while :; do sleep 0.05; done'], stopTimeout: 5}])
    await Promise.all([driver.start(stubborn), driver.start(polite)])
    await listener.until(() => listener.linesOf(stubborn.taskId).includes('ready') && listener.linesOf(polite.taskId).includes('ready'))
    await Promise.all([
      driver.stop(stubborn.taskId, 'UserInitiated', 'stop'),
      driver.stop(polite.taskId, 'UserInitiated', 'stop'),
    ])
    expect(listener.last(stubborn.taskId)!.containers[0]!.exitCode).toBe(137)
    expect(listener.last(polite.taskId)!.containers[0]!.exitCode).toBe(0)
    expect(listener.linesOf(polite.taskId)).toContain('bye')
  })

  it('stops a container only after the containers that depend on it', async () => {
    const term = (name: string) => `trap "echo ${name} stopping; exit 0" TERM; echo ${name} up; while :; do sleep 0.05; done`
    const spec = taskSpec([
      {name: 'sidecar', essential: false, command: ['sh', '-c', term('sidecar')], stopTimeout: 2},
      {name: 'app', command: ['sh', '-c', term('app')], dependsOn: [{containerName: 'sidecar', condition: 'START'}], stopTimeout: 2},
    ])
    await driver.start(spec)
    await listener.until(() => listener.linesOf(spec.taskId).length === 2)
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
    expect(listener.linesOf(spec.taskId).filter((l) => l.endsWith('stopping'))).toEqual(['app stopping', 'sidecar stopping'])
  })

  it('reports health from the container health check as it flips', async () => {
    const flag = join(dir.path, 'healthy-flag')
    const spec = taskSpec([
      {
        command: ['sh', '-c', 'while :; do sleep 0.1; done'],
        healthCheck: {command: ['CMD-SHELL', `test -f ${flag}`], interval: 0.1, timeout: 1, retries: 2, startPeriod: 0},
        stopTimeout: 1,
      },
    ])
    await driver.start(spec)
    await listener.until(() => listener.last(spec.taskId)?.healthStatus === 'UNHEALTHY')
    expect(listener.last(spec.taskId)!.containers[0]!.healthStatus).toBe('UNHEALTHY')
    writeFileSync(flag, '')
    await listener.until(() => listener.last(spec.taskId)?.healthStatus === 'HEALTHY')
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
  })

  it('keeps a task running when a non-essential container exits, and stops it when an essential one does', async () => {
    const spec = taskSpec([
      {name: 'app', command: ['sh', '-c', 'sleep 0.5; exit 0']},
      {name: 'sidecar', essential: false, command: ['sh', '-c', 'exit 1']},
      {name: 'other', essential: false, command: ['sh', '-c', 'while :; do sleep 0.05; done'], stopTimeout: 1},
    ])
    await driver.start(spec)
    const afterSidecar = await listener.until(() =>
      listener.reports.find((r) => r.taskId === spec.taskId && r.containers.find((c) => c.name === 'sidecar')?.lastStatus === 'STOPPED'),
    )
    expect(afterSidecar.lastStatus).toBe('RUNNING')
    expect(afterSidecar.containers.find((c) => c.name === 'sidecar')!.exitCode).toBe(1)
    const stopped = await listener.stopped(spec.taskId)
    expect(stopped.stopCode).toBe('EssentialContainerExited')
    expect(stopped.containers.map((c) => [c.name, c.lastStatus, c.exitCode])).toEqual([
      ['app', 'STOPPED', 0],
      ['sidecar', 'STOPPED', 1],
      ['other', 'STOPPED', 143],
    ])
  })

  it('starts containers in dependsOn order and fails the task when a SUCCESS dependency fails', async () => {
    const marker = join(dir.path, 'init-done')
    const ok = taskSpec([
      {name: 'app', command: ['sh', '-c', `cat ${marker}`], dependsOn: [{containerName: 'init', condition: 'SUCCESS'}]},
      {name: 'init', essential: false, command: ['sh', '-c', `sleep 0.2; echo initialised > ${marker}`]},
    ])
    await driver.start(ok)
    const stopped = await listener.stopped(ok.taskId)
    expect(listener.linesOf(ok.taskId, 'app')).toEqual(['initialised'])
    expect(stopped.containers.find((c) => c.name === 'app')!.exitCode).toBe(0)

    const bad = taskSpec([
      {name: 'app', command: ['sh', '-c', 'echo should not run'], dependsOn: [{containerName: 'init', condition: 'SUCCESS'}]},
      {name: 'init', essential: false, command: ['sh', '-c', 'exit 4']},
    ])
    await driver.start(bad)
    const failed = await listener.stopped(bad.taskId)
    expect(failed.stopCode).toBe('TaskFailedToStart')
    expect(failed.stoppedReason).toBe('CannotStartContainerError: container app depends on init reaching SUCCESS, but it exited with code 4')
    expect(listener.linesOf(bad.taskId, 'app')).toEqual([])
  })

  it('waits for a HEALTHY dependency', async () => {
    const spec = taskSpec([
      {name: 'app', command: ['sh', '-c', 'echo started'], dependsOn: [{containerName: 'db', condition: 'HEALTHY'}]},
      {
        name: 'db',
        essential: false,
        command: ['sh', '-c', 'sleep 0.2; touch ready; while :; do sleep 0.05; done'],
        healthCheck: {command: ['CMD-SHELL', 'test -f ready'], interval: 0.05, timeout: 1, retries: 3, startPeriod: 5},
        stopTimeout: 1,
      },
    ])
    await driver.start(spec)
    await listener.stopped(spec.taskId)
    expect(listener.linesOf(spec.taskId, 'app')).toEqual(['started'])
  })

  it('stops with a clear reason when an image location has no command', async () => {
    const spec = taskSpec([{image: 'public.ecr.aws/nginx/nginx:latest'}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId)
    expect(listener.statuses(spec.taskId)).toEqual(['STOPPED'])
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toMatch(/^CannotPullContainerError: the process driver cannot run image public.ecr.aws\/nginx\/nginx:latest/)
    expect(stopped.containers[0]!.reason).toBe(stopped.stoppedReason)
  })

  it('stops with CannotStartContainerError when the program does not exist', async () => {
    const spec = taskSpec([{command: ['no-such-program-here', '--x']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId)
    expect(stopped.stoppedReason).toBe('CannotStartContainerError: exec: "no-such-program-here": executable file not found in $PATH')
  })

  it('runs a source image with its Dockerfile WORKDIR, ENV and CMD, and sets the task metadata', async () => {
    const ctx = join(dir.path, 'ctx')
    mkdirSync(join(ctx, 'app'), {recursive: true})
    writeFileSync(
      join(ctx, 'Dockerfile'),
      'FROM node:20\nWORKDIR /srv\nCOPY app ./app\nWORKDIR /srv/app\nENV GREETING="hello there"\nCMD echo "$GREETING from $(pwd)"; echo "$AWS_REGION $HOSTNAME $PORT_8080 $PORT"',
    )
    const spec = taskSpec([{dockerLabels: {'pier.build.context': ctx}, portMappings: [{containerPort: 8080}]}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId)
    const port = stopped.containers[0]!.networkBindings[0]!.hostPort
    expect(listener.linesOf(spec.taskId)).toEqual([`hello there from ${join(ctx, 'app')}`, `us-east-1 ${spec.taskId} ${port} ${port}`])
  })

  it('tells, in the task log, when an app ignores $PORT and listens elsewhere', async () => {
    const checking = new ProcessDriver({stateDir: join(dir.path, 'checking'), listener, portCheckDelays: [300, 900, 2000, 4000]})
    // Port 0 stands for a hard-coded port: anything but the one the agent assigned.
    const elsewhere = `require('http').createServer(()=>{}).listen(0,'127.0.0.1',()=>console.log('listening'))`
    // A container of the good task that listens elsewhere only after a second: the check that warns about
    // it is a pass over the whole task, so web, listening by then, was checked in the same pass.
    const late = `setTimeout(()=>require('http').createServer(()=>{}).listen(0,'127.0.0.1'),1000);setInterval(()=>{},1000)`
    const good = taskSpec([
      {name: 'web', command: [node, '-e', httpServer], portMappings: [{containerPort: 8080}], stopTimeout: 1},
      {name: 'late', command: [node, '-e', late], portMappings: [{containerPort: 9090}], stopTimeout: 1},
    ])
    const bad = taskSpec([{name: 'web', command: [node, '-e', elsewhere], portMappings: [{containerPort: 8080}], stopTimeout: 1}])
    await Promise.all([checking.start(good), checking.start(bad)])
    const running = await listener.running(bad.taskId)
    const hostPort = running.containers[0]!.networkBindings[0]!.hostPort
    const warning = await listener.until(() => listener.linesOf(bad.taskId).find((l) => l.startsWith('[pier agent]')), 5000)
    expect(warning).toMatch(new RegExp(`^\\[pier agent\\] container web listens on port \\d+, not on the port the process driver gave it \\(PORT=${hostPort}; PORT_8080=${hostPort}\\)`))
    expect(listener.logs.find((l) => l.taskId === bad.taskId && l.line === warning)!.stream).toBe('stderr')
    await listener.until(() => listener.linesOf(good.taskId, 'late').find((l) => l.startsWith('[pier agent]')), 10_000)
    const at = (container: string, test: (l: string) => boolean) => listener.logs.findIndex((l) => l.taskId === good.taskId && l.container === container && test(l.line))
    expect(at('web', (l) => l === 'listening')).toBeGreaterThanOrEqual(0)
    expect(at('web', (l) => l === 'listening')).toBeLessThan(at('late', (l) => l.startsWith('[pier agent]')))
    expect(listener.linesOf(good.taskId, 'web').filter((l) => l.startsWith('[pier agent]'))).toEqual([])
    await checking.shutdown()
  })

  it('layers the environment: agent defaults, image, task definition, then PORT from the agent', async () => {
    const ctx = join(dir.path, 'ctx2')
    mkdirSync(ctx, {recursive: true})
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM x\nENV A=image B=image\nCMD ["sh", "-c", "echo $A $B $C $AWS_ENDPOINT_URL $PORT"]')
    const local = new ProcessDriver({stateDir: join(dir.path, 'layers'), listener, environment: {AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', A: 'agent', C: 'agent'}})
    const spec = taskSpec([
      {dockerLabels: {'pier.build.context': ctx}, environment: {B: 'task', PORT: '80'}, portMappings: [{containerPort: 80}]},
    ])
    await local.start(spec)
    const stopped = await listener.stopped(spec.taskId)
    expect(listener.linesOf(spec.taskId)).toEqual([`image task agent http://127.0.0.1:4566 ${stopped.containers[0]!.networkBindings[0]!.hostPort}`])
  })
})
