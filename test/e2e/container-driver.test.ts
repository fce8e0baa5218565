// End to end with the container driver: the real `pier` binary deploys, to the local control plane
// running podman, a workspace whose two services both listen on 8080 in their containers and whose
// Dockerfiles RUN the step that makes what they serve. The web service answers through the local load
// balancer and calls the backend by its discovery name; exec runs inside a container; a one-off task
// exits with its container's code; deleting the application leaves no container, namespace or image
// Pier built. Images come FROM a busybox root file system imported into podman (no registry here).
import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ContainerDriver} from '../../src/local/agent/container-driver.js'
import {createEngine} from '../../src/local/agent/engine.js'
import {agentMarker} from '../../src/local/agent/pids.js'
import {E2eWorkspace, fetchText} from './harness.js'

const e2e = new E2eWorkspace('pier-e2e-containers-')
const engine = createEngine('podman', join(e2e.root, 'podman'))
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync)
const podmanWorks = await ContainerDriver.available({engine})
const skipReason = !podmanWorks ? 'podman is not installed or does not answer' : !busybox ? 'no static busybox' : process.getuid?.() !== 0 ? 'not root (no network namespaces)' : ''
// Skipped only where podman is not installed at all, or without root: installed (as scripts/setup.sh
// does in CI) but not answering is a failure, as is anything missing when PIER_REQUIRE_CONTAINERS is set.
const podmanInstalled = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'podman')))
if (skipReason && ((podmanInstalled && process.getuid?.() === 0) || process.env.PIER_REQUIRE_CONTAINERS)) throw new Error(`container end-to-end tests cannot run: ${skipReason}`)
if (skipReason) {
  console.warn(`container end-to-end tests skipped: ${skipReason}`)
  rmSync(e2e.root, {recursive: true, force: true})
}

const base = `localhost/pier-e2e/busybox:${process.pid}`
// A shell as the container's first process, so SIGTERM stops it at once (a bare PID 1 ignores it).
const serve = JSON.stringify(['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait'])
const stateDir = e2e.env.PIER_STATE_DIR!
const marker = agentMarker(stateDir)
Object.assign(e2e.env, {PIER_LOCAL_DRIVER: 'container', PIER_CONTAINER_ENGINE: 'podman'})
const podman = (...args: string[]): string => execFileSync('podman', args, {env: {...process.env, ...engine.env}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
const pierNamespaces = (): string[] => (existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`pier-${marker.slice(0, 8)}-`)) : [])

describe.skipIf(skipReason !== '')('pier with the container driver (podman)', {timeout: 300_000}, () => {
  beforeAll(() => {
    const rootfs = join(e2e.root, 'rootfs')
    mkdirSync(join(rootfs, 'bin'), {recursive: true})
    copyFileSync(busybox!, join(rootfs, 'bin', 'busybox'))
    for (const cmd of ['sh', 'echo', 'sleep', 'httpd', 'mkdir', 'cat', 'true', 'wget', 'chmod', 'printf']) symlinkSync('busybox', join(rootfs, 'bin', cmd))
    execFileSync('tar', ['-C', rootfs, '-cf', join(e2e.root, 'rootfs.tar'), '.'])
    podman('import', join(e2e.root, 'rootfs.tar'), base)
    // The backend serves what its RUN step wrote; the web service's RUN step installs the CGI script
    // that calls the backend by its discovery name.
    e2e.write('api/Dockerfile', `FROM ${base}\nRUN mkdir -p /www && echo "hello from api" > /www/index.html\nEXPOSE 8080\nCMD ${serve}\n`)
    // CGI headers end in CRLF: the load balancer, like Node's HTTP parser, refuses bare line feeds.
    e2e.write('web/call.sh', '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "web got: $(wget -qO- http://api.test.demo.local:8080/)"\n')
    e2e.write(
      'web/Dockerfile',
      `FROM ${base}\nCOPY call.sh /www/cgi-bin/call\nRUN echo "hello from web" > /www/index.html && chmod +x /www/cgi-bin/call\nEXPOSE 8080\nCMD ${serve}\n`,
    )
  }, 60_000)

  afterAll(async () => {
    await e2e.pier('local', 'stop')
    await ContainerDriver.cleanupOrphans({stateDir, engine})
    try {
      // The build cache of the images built here (intermediate layers carry the agent's label too).
      const cached = podman('images', '-a', '-q', '--filter', `label=pier.agent=${marker}`).split('\n').filter(Boolean)
      podman('rmi', '-f', base, ...cached)
    } catch {
      // not imported
    }
    await e2e.cleanup()
  }, 90_000)

  it('deploys two services that both listen on 8080; the web one answers through the load balancer and calls the other by name', async () => {
    await e2e.ok('app', 'init', 'demo')
    await e2e.ok('env', 'init', '--name', 'test')
    await e2e.ok('svc', 'init', '--name', 'web', '--svc-type', 'Load Balanced Web Service', '--dockerfile', 'web/Dockerfile', '--port', '8080')
    await e2e.ok('svc', 'init', '--name', 'api', '--svc-type', 'Backend Service', '--dockerfile', 'api/Dockerfile', '--port', '8080')
    const r = await e2e.ok('deploy', '--name', 'web', '--name', 'api', '--env', 'test', '--local')
    expect(r.stderr).toMatch(/✔ Deployed web to test\./)
    expect((await e2e.ok('local', 'status')).stdout).toMatch(/Driver:\s+container \(podman\)/)
    const shown = JSON.parse((await e2e.ok('env', 'show', '--name', 'test', '--json')).stdout)
    const url = `http://${shown.publicLoadBalancer}`
    expect(await fetchText(`${url}/`)).toEqual({status: 200, body: 'hello from web\n'})
    expect(await fetchText(`${url}/cgi-bin/call`)).toEqual({status: 200, body: 'web got: hello from api\n'})
    expect(podman('ps', '--filter', `label=pier.agent=${marker}`, '--format', '{{.Names}}').trim().split('\n')).toHaveLength(2)
  })

  it('runs a command inside a container with svc exec', async () => {
    const r = await e2e.ok('svc', 'exec', '--name', 'api', '--env', 'test', '--command', 'cat /www/index.html', '--local')
    expect(r.stdout).toContain('hello from api')
  })

  it('runs a one-off task from an image and exits with its container\'s exit code', async () => {
    const r = await e2e.pier('task', 'run', '-n', 'oneoff', '--image', base, '--command', `sh -c 'echo hello from a container; exit 7'`, '--env', 'test', '--follow', '--local')
    expect(r.code, r.stderr).toBe(7)
    expect(r.stdout).toContain('hello from a container')
  })

  it('removes the containers and namespaces a crashed control plane left, when it starts again', async () => {
    await e2e.ok('task', 'run', '-n', 'sleeper', '--image', base, '--command', 'sleep 600', '--env', 'test', '--local')
    const containers = () => podman('ps', '-a', '--filter', `label=pier.agent=${marker}`, '--format', '{{.Names}}').trim().split('\n').filter(Boolean)
    for (let i = 0; i < 100 && containers().length < 3; i++) await new Promise((r) => setTimeout(r, 200))
    const before = containers()
    expect(before).toHaveLength(3)
    const {pid} = JSON.parse((await e2e.ok('local', 'status', '--json')).stdout)
    process.kill(pid, 'SIGKILL')
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50))
    // The containers outlive the control plane (the engine keeps them), until it starts again.
    expect(containers()).toEqual(before)
    await e2e.ok('local', 'start')
    const after = containers()
    expect(after.filter((n) => before.includes(n))).toEqual([])
    expect(pierNamespaces().filter((n) => before.some((c) => c.includes(n.slice(n.lastIndexOf('-') + 1))))).toEqual([])
  })

  it('deletes everything: no container, network namespace or built image is left', async () => {
    await e2e.ok('app', 'delete', '--yes')
    // Listing fails while an image is being removed (anyone's on this machine): that counts as not yet.
    const ask = (...args: string[]) => {
      try {
        return podman(...args)
      } catch {
        return 'busy'
      }
    }
    const left = async () => ({
      containers: ask('ps', '-a', '--filter', `label=pier.agent=${marker}`, '--format', '{{.Names}}').trim(),
      images: ask('images', '--filter', `label=pier.agent=${marker}`, '--format', '{{.Repository}}:{{.Tag}}').replace(/<none>:<none>\n?/g, '').trim(),
      namespaces: pierNamespaces(),
    })
    let now = await left()
    for (let i = 0; i < 50 && (now.containers || now.images || now.namespaces.length); i++) {
      await new Promise((r) => setTimeout(r, 200))
      now = await left()
    }
    expect(now).toEqual({containers: '', images: '', namespaces: []})
  })
})
