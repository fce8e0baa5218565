import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, request, type Server} from 'node:http'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ContainerDriver} from '../../../src/local/agent/container-driver.js'
import {createEngine} from '../../../src/local/agent/engine.js'
import {agentMarker} from '../../../src/local/agent/pids.js'
import type {ExecProcess} from '../../../src/local/agent/types.js'
import {RecordingListener, taskSpec, tempDir} from './helpers.js'

// The container driver needs podman (apt-get install podman runc) and a local image; the image is
// made from a static busybox (apt-get install busybox-static), since no registry is reachable. CI
// installs both (scripts/setup.sh) and sets PIER_REQUIRE_CONTAINERS=1, so there these tests run or fail.
const dir = tempDir('pier-container-')
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync)
const engine = createEngine('podman', join(dir.path, 'agent'))
const podmanWorks = await ContainerDriver.available({engine})
const skipReason = !podmanWorks ? 'podman is not installed or does not answer' : !busybox ? 'no static busybox to make a test image from' : ''
// Skipped only where podman is not installed at all: installed (as scripts/setup.sh does in CI) but
// not answering is a failure, as is anything missing when PIER_REQUIRE_CONTAINERS is set.
const podmanInstalled = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'podman')))
if (skipReason && (podmanInstalled || process.env.PIER_REQUIRE_CONTAINERS)) throw new Error(`container driver tests cannot run: ${skipReason}`)
if (skipReason) {
  console.warn(`container driver tests skipped: ${skipReason}`)
  dir.remove()
}
const root = process.getuid?.() === 0

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({host, port, path: '/', agent: false, timeout: 3000}, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

async function eventually(host: string, port: number): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await get(host, port)
    } catch (error) {
      if (i > 100) throw error
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

async function execOut(driver: ContainerDriver, taskId: string, container: string, command: string): Promise<{code: number; out: string}> {
  const p: ExecProcess = driver.exec(taskId, container, ['/bin/sh', '-c', command], {tty: false})
  let out = ''
  p.onStdout((d) => (out += d.toString()))
  p.onStderr((d) => (out += d.toString()))
  const code = await new Promise<number>((resolve) => p.onExit(resolve))
  return {code, out}
}

const podman = (...args: string[]): string => execFileSync('podman', args, {env: {...process.env, ...engine.env}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})

describe.skipIf(skipReason !== '')('ContainerDriver (podman)', () => {
  const image = `localhost/pier-test/busybox:${process.pid}`
  const listener = new RecordingListener()
  const hostServers: Server[] = []
  let discoveryLines = ''
  let driver: ContainerDriver

  beforeAll(() => {
    const rootfs = join(dir.path, 'rootfs')
    mkdirSync(join(rootfs, 'bin'), {recursive: true})
    copyFileSync(busybox!, join(rootfs, 'bin', 'busybox'))
    for (const cmd of ['sh', 'echo', 'sleep', 'httpd', 'mkdir', 'cat', 'test', 'true', 'wget', 'id', 'touch', 'pwd', 'ls']) symlinkSync('busybox', join(rootfs, 'bin', cmd))
    execFileSync('tar', ['-C', rootfs, '-cf', join(dir.path, 'rootfs.tar'), '.'])
    podman('import', join(dir.path, 'rootfs.tar'), image)
    driver = new ContainerDriver({stateDir: dir.path, listener, defaultStopTimeout: 1, engine, hostsFile: () => discoveryLines, environment: {FROM_AGENT: 'yes'}})
  }, 60_000)

  afterAll(async () => {
    await driver?.shutdown()
    await ContainerDriver.cleanupOrphans({stateDir: dir.path, engine})
    for (const s of hostServers) s.close()
    execFileSync('podman', ['rmi', '-f', image], {env: {...process.env, ...engine.env}, stdio: 'ignore'})
    // The build cache of the images built here (intermediate layers carry the agent's label too).
    const cached = podman('images', '-a', '-q', '--filter', `label=pier.agent=${agentMarker(dir.path)}`).split('\n').filter(Boolean)
    if (cached.length) execFileSync('podman', ['rmi', '-f', ...cached], {env: {...process.env, ...engine.env}, stdio: 'ignore'})
    dir.remove()
  }, 60_000)

  it('runs a container: RUNNING, logs, then STOPPED with its exit code', async () => {
    const spec = taskSpec([{image, command: ['sh', '-c', 'echo hi from $AWS_REGION $FROM_AGENT; exit 3']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId, 30_000)
    expect(listener.statuses(spec.taskId)).toEqual(['RUNNING', 'STOPPED'])
    expect(stopped).toMatchObject({stopCode: 'EssentialContainerExited', containers: [{exitCode: 3}]})
    expect(listener.linesOf(spec.taskId)).toEqual(['hi from us-east-1 yes'])
  }, 40_000)

  it('enforces the user, working directory, read-only root, ulimits and environment of the task definition', async () => {
    const script = 'id -u; pwd; ulimit -n; touch /x 2>/dev/null && echo writable || echo read-only; echo "$SECRET"'
    const spec = taskSpec([{image, command: ['sh', '-c', script], user: '1234', workingDirectory: '/tmp', readonlyRootFilesystem: true, ulimits: [{name: 'nofile', softLimit: 321, hardLimit: 456}], environment: {SECRET: 'multi\nline'}}])
    await driver.start(spec)
    await listener.stopped(spec.taskId, 30_000)
    expect(listener.linesOf(spec.taskId)).toEqual(['1234', '/tmp', '321', 'read-only', 'multi', 'line'])
  }, 40_000)

  it.skipIf(!root)('gives each task its own network: containers share localhost, two tasks both listen on 8080, the host reaches them', async () => {
    const serve = (text: string) => `mkdir -p /w; echo ${text} > /w/index.html; exec httpd -f -p 8080 -h /w`
    const task = (text: string) =>
      taskSpec([
        {image, command: ['sh', '-c', serve(text)], portMappings: [{containerPort: 8080}]},
        {image, command: ['sh', '-c', 'sleep 600'], essential: false, workingDirectory: '/bin'},
      ])
    const a = task('task-a')
    const b = task('task-b')
    await Promise.all([driver.start(a), driver.start(b)])
    const [ra, rb] = await Promise.all([listener.running(a.taskId, 30_000), listener.running(b.taskId, 30_000)])
    expect(ra.privateIp).not.toBe(rb.privateIp)
    expect(ra.containers[0]!.networkBindings).toEqual([{containerPort: 8080, hostPort: 8080, bindIP: ra.privateIp, protocol: 'tcp'}])
    expect(await eventually(ra.privateIp!, 8080)).toBe('task-a\n')
    expect(await eventually(rb.privateIp!, 8080)).toBe('task-b\n')
    // The sidecar reaches its task's web server on localhost, through exec (in the container's working directory).
    expect(await execOut(driver, a.taskId, 'c1', 'wget -qO- http://localhost:8080/; pwd')).toEqual({code: 0, out: 'task-a\n/bin\n'})
    expect(readdirSync('/run/netns').filter((n) => n.includes(a.taskId))).toHaveLength(1)
    await Promise.all([driver.stop(a.taskId, 'UserInitiated', 'done'), driver.stop(b.taskId, 'UserInitiated', 'done')])
    expect(listener.last(a.taskId)).toMatchObject({lastStatus: 'STOPPED', stopCode: 'UserInitiated'})
    expect(readdirSync('/run/netns').filter((n) => n.includes(a.taskId) || n.includes(b.taskId))).toEqual([])
    expect(podman('ps', '-aq', '--filter', `label=pier.task=${a.taskId}`).trim()).toBe('')
  }, 90_000)

  it.skipIf(!root)('reaches discovery names and servers on the host\'s loopback from inside a container', async () => {
    const serveOn = (host: string, text: string) =>
      new Promise<number>((resolve) => {
        const s = createServer((_req, res) => res.end(text)).listen(0, host, () => resolve((s.address() as {port: number}).port))
        hostServers.push(s)
      })
    const discoveryPort = await serveOn('127.77.201.9', 'from discovery')
    const addonPort = await serveOn('127.0.0.1', 'from the addon')
    discoveryLines = '127.77.201.9 api.test.demo.local api\n'
    // Its health check runs inside the container too: the file exists only there.
    const healthCheck = {command: ['CMD-SHELL', 'test -e /made-inside'], interval: 1, timeout: 5, retries: 3, startPeriod: 0}
    const spec = taskSpec([{image, command: ['sh', '-c', 'touch /made-inside; exec sleep 600'], healthCheck}])
    await driver.start(spec)
    await listener.running(spec.taskId, 30_000)
    await listener.until(() => listener.last(spec.taskId)?.healthStatus === 'HEALTHY', 30_000)
    const r = await execOut(driver, spec.taskId, 'c0', `wget -qO- http://api.test.demo.local:${discoveryPort}/; echo; wget -qO- http://api:${discoveryPort}/; echo; wget -qO- http://127.0.0.1:${addonPort}/`)
    expect(r).toEqual({code: 0, out: 'from discovery\nfrom discovery\nfrom the addon'})
    // Names added later appear in running tasks.
    discoveryLines += '127.77.201.9 late.test.demo.local\n'
    driver.refreshHosts()
    expect((await execOut(driver, spec.taskId, 'c0', `wget -qO- http://late.test.demo.local:${discoveryPort}/`)).out).toBe('from discovery')
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
  }, 60_000)

  it('builds a source image with its RUN steps, stages, target and arguments, and removes it after the task', async () => {
    const ctx = join(dir.path, 'src')
    mkdirSync(ctx, {recursive: true})
    writeFileSync(join(ctx, 'greeting.txt'), 'hello')
    writeFileSync(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${image} AS base`,
        'ARG SUFFIX=default',
        'COPY greeting.txt /app/',
        'RUN echo "$(cat /app/greeting.txt) $SUFFIX" > /app/built.txt',
        'FROM base AS final',
        'WORKDIR /app',
        'CMD ["cat", "built.txt"]',
        'FROM base AS other',
        'CMD ["echo", "wrong stage"]',
        '',
      ].join('\n'),
    )
    const labels = {'pier.build.context': ctx, 'pier.build.dockerfile': 'Dockerfile', 'pier.build.target': 'final', 'pier.build.args': '{"SUFFIX":"built"}', 'pier.source.digest': `d${process.pid}`}
    const spec = taskSpec([{image: 'demo/web:latest', dockerLabels: labels}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId, 120_000)
    expect(stopped.containers[0]).toMatchObject({exitCode: 0})
    expect(listener.linesOf(spec.taskId)).toEqual(['hello built'])
    // The image goes once the task has been released; the build cache stays.
    // Listing fails while an image is being removed (ours, or anyone's on this machine): ask again.
    const built = () => {
      try {
        return podman('images', '--filter', `label=pier.agent=${agentMarker(dir.path)}`, '--format', '{{.Repository}}:{{.Tag}}')
      } catch {
        return 'busy'
      }
    }
    for (let i = 0; i < 100 && /localhost\/pier\/demo\/web|^busy$/.test(built()); i++) await new Promise((r) => setTimeout(r, 100))
    expect(built()).not.toContain('localhost/pier/demo/web')
  }, 150_000)

  it('stops with CannotStartContainerError when the engine cannot start the container', async () => {
    const spec = taskSpec([{image, command: ['/no/such/program']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId, 30_000)
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toMatch(/^CannotStartContainerError: .*\/no\/such\/program/)
    expect(listener.statuses(spec.taskId)).toEqual(['STOPPED'])
  }, 40_000)

  it('stops with CannotPullContainerError for an image it cannot pull, and for a build that fails', async () => {
    const spec = taskSpec([{image: 'localhost:1/pier-test/absent:1', command: ['true']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId, 60_000)
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toMatch(/^CannotPullContainerError: .*podman could not pull localhost:1\/pier-test\/absent:1/)

    const ctx = join(dir.path, 'broken')
    mkdirSync(ctx, {recursive: true})
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${image}\nRUN exit 9\n`)
    const failing = taskSpec([{image: 'demo/broken:latest', dockerLabels: {'pier.build.context': ctx}}])
    await driver.start(failing)
    const failed = await listener.stopped(failing.taskId, 60_000)
    expect(failed.stoppedReason).toMatch(/^CannotPullContainerError: building the image of c0 from .*broken failed/)
  }, 120_000)

  it('removes the containers and namespaces a crashed control plane left', async () => {
    const state = tempDir('pier-container-orphans-')
    try {
      const crashed = new ContainerDriver({stateDir: state.path, listener: new RecordingListener(), engine, defaultStopTimeout: 1})
      const spec = taskSpec([{image, command: ['sleep', '600']}])
      const l = new RecordingListener()
      const orphanDriver = new ContainerDriver({stateDir: state.path, listener: l, engine})
      await orphanDriver.start(spec)
      await l.running(spec.taskId, 30_000)
      // The control plane dies here: nothing stops the task. The next start sweeps.
      const removed = await ContainerDriver.cleanupOrphans({stateDir: state.path, engine})
      expect(removed).toHaveLength(1)
      expect(podman('ps', '-aq', '--filter', `label=pier.task=${spec.taskId}`).trim()).toBe('')
      if (root) expect(readdirSync('/run/netns').filter((n) => n.includes(spec.taskId))).toEqual([])
      await l.stopped(spec.taskId, 30_000)
      await crashed.shutdown()
    } finally {
      state.remove()
    }
  }, 60_000)
})
