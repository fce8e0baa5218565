import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, symlinkSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ContainerDriver} from '../../../src/local/agent/container-driver.js'
import type {ExecProcess} from '../../../src/local/agent/types.js'
import {RecordingListener, taskSpec, tempDir} from './helpers.js'

// The container driver needs podman (apt-get install podman runc) and a local image; the image is
// made from a static busybox (apt-get install busybox-static), since no registry is reachable.
const dir = tempDir('pier-container-')
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync)
const podmanWorks = await ContainerDriver.available({stateDir: dir.path})
const skipReason = !podmanWorks ? 'podman is not installed or does not answer' : !busybox ? 'no static busybox to make a test image from' : ''
if (skipReason) {
  console.warn(`container driver tests skipped: ${skipReason}`)
  // The suite's afterAll that removes it does not run when the suite is skipped.
  dir.remove()
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path: '/', agent: false}, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(skipReason !== '')('ContainerDriver (podman)', () => {
  const image = `localhost/pier-test/busybox:${process.pid}`
  const env = {...process.env, CONTAINERS_CONF: join(dir.path, 'agent', 'containers.conf')}
  const listener = new RecordingListener()
  let driver: ContainerDriver

  beforeAll(() => {
    const root = join(dir.path, 'rootfs')
    mkdirSync(join(root, 'bin'), {recursive: true})
    copyFileSync(busybox!, join(root, 'bin', 'busybox'))
    for (const cmd of ['sh', 'echo', 'sleep', 'httpd', 'mkdir', 'cat', 'test', 'true']) symlinkSync('busybox', join(root, 'bin', cmd))
    execFileSync('tar', ['-C', root, '-cf', join(dir.path, 'rootfs.tar'), '.'])
    execFileSync('podman', ['import', join(dir.path, 'rootfs.tar'), image], {env, stdio: 'ignore'})
    driver = new ContainerDriver({stateDir: dir.path, listener, defaultStopTimeout: 1})
  }, 60_000)

  afterAll(async () => {
    await driver?.shutdown()
    await ContainerDriver.cleanupOrphans({stateDir: dir.path})
    execFileSync('podman', ['rmi', '-f', image], {env, stdio: 'ignore'})
    dir.remove()
  }, 60_000)

  it('runs a container: RUNNING, logs, then STOPPED with its exit code', async () => {
    const spec = taskSpec([{image, command: ['sh', '-c', 'echo hi from $AWS_REGION; exit 3']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId, 30_000)
    expect(listener.statuses(spec.taskId)).toEqual(['RUNNING', 'STOPPED'])
    expect(stopped).toMatchObject({stopCode: 'EssentialContainerExited', containers: [{exitCode: 3}]})
    expect(listener.linesOf(spec.taskId)).toEqual(['hi from us-east-1'])
  }, 40_000)

  it('publishes container ports on a loopback host port, execs inside, and stops', async () => {
    const serve = 'mkdir -p /w; echo hello > /w/index.html; exec httpd -f -p 8080 -h /w'
    const spec = taskSpec([{image, command: ['sh', '-c', serve], portMappings: [{containerPort: 8080}]}])
    await driver.start(spec)
    const running = await listener.running(spec.taskId, 30_000)
    const port = running.containers[0]!.networkBindings[0]!.hostPort
    let body = ''
    for (let i = 0; i < 50 && body === ''; i++) {
      body = await get(port).catch(async () => {
        await new Promise((r) => setTimeout(r, 100))
        return ''
      })
    }
    expect(body).toBe('hello\n')

    const p: ExecProcess = driver.exec(spec.taskId, 'c0', 'cat /w/index.html; exit 4', {tty: false})
    let out = ''
    p.onStdout((d) => (out += d.toString()))
    expect(await new Promise((resolve) => p.onExit(resolve))).toBe(4)
    expect(out).toBe('hello\n')

    await driver.stop(spec.taskId, 'UserInitiated', 'done')
    expect(listener.last(spec.taskId)).toMatchObject({lastStatus: 'STOPPED', stopCode: 'UserInitiated'})
  }, 60_000)

  it('stops with CannotPullContainerError for an image that is not in the local store', async () => {
    const spec = taskSpec([{image: 'localhost/pier-test/absent:1', command: ['true']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId)
    expect(stopped.stoppedReason).toMatch(/^CannotPullContainerError: image localhost\/pier-test\/absent:1 is not in the local podman store/)
  })
})
