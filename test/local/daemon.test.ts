import {GetParameterCommand, PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {isAlive, stopLocal} from '../../src/local/launcher.js'
import {pier, requireBuild} from './cli.js'

let dir: string
beforeAll(() => {
  requireBuild()
  dir = mkdtempSync(join(tmpdir(), 'pier-daemon-'))
})
afterAll(async () => {
  await stopLocal(dir, {timeoutMs: 5000})
  rmSync(dir, {recursive: true, force: true})
})

// Each step runs the CLI or starts a daemon (seconds each on a busy machine): generous timeouts.
describe('pier local (built CLI)', {timeout: 120_000}, () => {
  it('starts a daemon on a free port, answers status and env, is idempotent, and stops leaving no process', async () => {
    const start = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
    expect(start.code, start.stderr).toBe(0)
    expect(start.stderr).toContain('Started the local control plane at http://127.0.0.1:')
    const status = await pier(['local', 'status', '--json', '--state-dir', dir])
    expect(status.code).toBe(0)
    const s = JSON.parse(status.stdout)
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'stateDir', 'pid']))
    expect(s).toMatchObject({region: 'us-east-1', stateDir: dir})
    expect(s.port).toBeGreaterThan(0)
    expect(start.stdout).toContain(`Endpoint:          ${s.endpoint}`)
    expect(isAlive(s.pid)).toBe(true)

    const env = await pier(['local', 'env', '--state-dir', dir])
    expect(env.stdout).toContain(`export AWS_ENDPOINT_URL=${s.endpoint}\n`)
    expect(env.stdout).toMatch(/export AWS_REGION=us-east-1\nexport AWS_DEFAULT_REGION=us-east-1\nexport AWS_ACCESS_KEY_ID=\S+\nexport AWS_SECRET_ACCESS_KEY=\S+\n/)

    const ssm = new SSMClient({endpoint: s.endpoint, region: s.region, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}})
    await ssm.send(new PutParameterCommand({Name: '/daemon/x', Value: 'kept', Type: 'SecureString'}))

    const again = await pier(['local', 'start', '--state-dir', dir])
    expect(again.code).toBe(0)
    expect(again.stderr).toContain(`already running at ${s.endpoint} (pid ${s.pid})`)

    const stop = await pier(['local', 'stop', '--state-dir', dir])
    expect(stop.code).toBe(0)
    expect(stop.stderr).toContain(`Stopped the local control plane (pid ${s.pid})`)
    expect(isAlive(s.pid)).toBe(false)
    expect(existsSync(join(dir, 'control-plane.json'))).toBe(false)
    expect(readFileSync(join(dir, 'control-plane.log'), 'utf8')).toContain('SIGTERM: stopping every task')

    const notRunning = await pier(['local', 'status', '--state-dir', dir])
    expect(notRunning.code).toBe(1)
    expect(notRunning.stderr).toContain('the local control plane is not running')

    // State survives the restart.
    const restart = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
    expect(restart.code).toBe(0)
    const s2 = JSON.parse((await pier(['local', 'status', '--json', '--state-dir', dir])).stdout)
    const ssm2 = new SSMClient({endpoint: s2.endpoint, region: s2.region, credentials: {accessKeyId: s2.accessKeyId, secretAccessKey: s2.secretAccessKey}})
    expect((await ssm2.send(new GetParameterCommand({Name: '/daemon/x', WithDecryption: true}))).Parameter?.Value).toBe('kept')
    await pier(['local', 'stop', '--state-dir', dir])
    expect(isAlive(s2.pid)).toBe(false)
  })

  it('stops by itself when its state directory is removed, and leaves it removed', async () => {
    const own = mkdtempSync(join(tmpdir(), 'pier-daemon-rm-'))
    const start = await pier(['local', 'start', '--port', '0', '--state-dir', own])
    expect(start.code, start.stderr).toBe(0)
    const {pid} = JSON.parse((await pier(['local', 'status', '--json', '--state-dir', own])).stdout)
    rmSync(own, {recursive: true, force: true})
    const deadline = Date.now() + 30_000
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    expect(isAlive(pid)).toBe(false)
    expect(existsSync(own)).toBe(false)
  })

  it('treats a status file of a dead process as stale, and leaves it for the next start', async () => {
    writeFileSync(join(dir, 'control-plane.json'), JSON.stringify({endpoint: 'http://127.0.0.1:1', pid: 2 ** 22 + 12345}))
    const status = await pier(['local', 'status', '--state-dir', dir])
    expect(status.code).toBe(1)
    expect(existsSync(join(dir, 'control-plane.json'))).toBe(true)
  })

  it('reports a port in use with the reason', async () => {
    const {createServer} = await import('node:net')
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as {port: number}).port
    try {
      const r = await pier(['local', 'start', '--port', String(port), '--state-dir', dir])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`)
    } finally {
      blocker.close()
    }
  })

  it('wipes state on reset only with --yes when not on a terminal, and never a foreign directory', async () => {
    const refused = await pier(['local', 'reset', '--state-dir', dir])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('Pass --yes to confirm.')
    const foreign = mkdtempSync(join(tmpdir(), 'pier-foreign-'))
    writeFileSync(join(foreign, 'precious.txt'), 'keep me')
    const wrong = await pier(['local', 'reset', '--yes', '--state-dir', foreign])
    expect(wrong.code).toBe(1)
    expect(readFileSync(join(foreign, 'precious.txt'), 'utf8')).toBe('keep me')
    rmSync(foreign, {recursive: true, force: true})
    const reset = await pier(['local', 'reset', '--yes', '--state-dir', dir])
    expect(reset.code, reset.stderr).toBe(0)
    expect(existsSync(dir)).toBe(false)
  })
})
