// The demo application's code runs as the images would run it: web answers with api's answer,
// and the report job prints one JSON line. Ports are picked by the system (PORT=0).
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

const demo = join(import.meta.dirname, '..', '..', 'manifests', 'demo')
const children: ChildProcess[] = []
afterAll(() => children.forEach((c) => c.kill('SIGTERM')))

function start(script: string, env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [script], {cwd: demo, env: {...process.env, ...env, PORT: '0'}, stdio: ['ignore', 'pipe', 'inherit']})
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      const m = /listening on (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)))
  })
}

describe('demo application', {timeout: 60_000}, () => {
  it('web answers with the backend\'s answer, and the job reports it', async () => {
    const apiPort = await start('api/server.js', {COPILOT_ENVIRONMENT_NAME: 'test', GREETING: 'hi'})
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const webPort = await start('web/server.js', {API_URL: apiUrl, COPILOT_APPLICATION_NAME: 'demo'})
    const res = await fetch(`http://127.0.0.1:${webPort}/`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({service: 'web', application: 'demo', backend: {ok: true, body: {service: 'api', message: 'hi', environment: 'test'}}})
    expect(await (await fetch(`http://127.0.0.1:${webPort}/healthz`)).text()).toBe('ok\n')
    const job = spawnSync(process.execPath, ['report/report.js'], {cwd: demo, env: {...process.env, API_URL: apiUrl}, encoding: 'utf8'})
    expect(job.status).toBe(0)
    expect(JSON.parse(job.stdout)).toMatchObject({job: 'report', backend: {ok: true, body: {service: 'api'}}})
  })

  it('web says 502 when the backend is down', async () => {
    const webPort = await start('web/server.js', {API_URL: 'http://127.0.0.1:9'})
    const res = await fetch(`http://127.0.0.1:${webPort}/`)
    expect(res.status).toBe(502)
    expect(await res.json()).toMatchObject({backend: {ok: false}})
  })
})
