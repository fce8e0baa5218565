// Deploy figures against the local control plane, through the real CLI:
//   - an environment plus one web service, from nothing to HTTP 200 (target < 3 s)
//   - a no-op redeploy (target < 1 s)
//   - a crash-looping service: from the first stopped task to Pier reporting it (target < 2 s), and to
//     the deploy failing with the reason
//   - AWS API calls made by each deploy
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

function run(ctx, cwd, env, args) {
  return new Promise((resolve) => {
    const t0 = Date.now()
    const child = spawn(process.execPath, [ctx.bin, ...args], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout, stderr, ms: Date.now() - t0, endedAt: Date.now()}))
  })
}

async function ok(ctx, cwd, env, args) {
  const r = await run(ctx, cwd, env, args)
  if (r.code !== 0) throw new Error(`pier ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-500)}`)
  return r
}

function status(url) {
  return new Promise((resolve) => {
    const req = get(url, {agent: false, timeout: 1000}, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
  })
}

function events(stdout) {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

const server = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT || 8080))\n`

export default async function deployBench(ctx) {
  const root = mkdtempSync(join(tmpdir(), 'pier-bench-deploy-'))
  const ws = join(root, 'ws')
  const env = {...ctx.env, CI: 'true', PIER_STATE_DIR: join(root, 'state'), PIER_LOCAL_PORT: '0', PIER_LOCAL: '1', PIER_CONTAINER_ENGINE: 'none'}
  for (const dir of ['web', 'crash']) mkdirSync(join(ws, dir), {recursive: true})
  writeFileSync(join(ws, 'web', 'server.js'), server)
  writeFileSync(join(ws, 'web', 'Dockerfile'), 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n')
  writeFileSync(join(ws, 'crash', 'main.js'), 'console.error("Error: DATABASE_URL is not set")\nprocess.exit(3)\n')
  writeFileSync(join(ws, 'crash', 'Dockerfile'), 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "main.js"]\n')
  const rows = []
  try {
    await ok(ctx, ws, env, ['app', 'init', 'demo'])
    await ok(ctx, ws, env, ['env', 'init', '--name', 'test'])
    await ok(ctx, ws, env, ['svc', 'init', '--name', 'web', '--svc-type', 'Load Balanced Web Service', '--dockerfile', 'web/Dockerfile', '--port', '8080'])
    await ok(ctx, ws, env, ['svc', 'init', '--name', 'crash', '--svc-type', 'Backend Service', '--dockerfile', 'crash/Dockerfile', '--port', '8080'])
    await ok(ctx, ws, env, ['local', 'start'])

    // 1. Environment + web service to HTTP 200.
    const t0 = Date.now()
    const first = await ok(ctx, ws, env, ['deploy', '--name', 'web', '--env', 'test', '--json'])
    const result = events(first.stdout).find((e) => e.code === 'result')
    const url = result.data[0].url
    while ((await status(url)) !== 200) {
      if (Date.now() - t0 > 60_000) throw new Error(`${url} never answered 200`)
      await new Promise((r) => setTimeout(r, 20))
    }
    const toHttp200 = (Date.now() - t0) / 1000
    rows.push({id: 'env-web-http200', label: 'deploy environment + web service to HTTP 200', value: toHttp200, unit: 's', target: 3})
    rows.push({id: 'api-calls-first', label: 'AWS API calls: first deploy (environment + service)', value: result.apiCalls, unit: 'calls'})

    // 2. No-op redeploy.
    const noops = []
    let noopCalls = 0
    for (let i = 0; i < 3; i++) {
      const r = await ok(ctx, ws, env, ['deploy', '--name', 'web', '--env', 'test', '--json'])
      noops.push(r.ms)
      noopCalls = events(r.stdout).find((e) => e.code === 'result').apiCalls
    }
    const noop = ctx.stats(noops)
    rows.push({id: 'noop-redeploy', label: 'no-op redeploy (p50 of 3)', value: noop.p50 / 1000, unit: 's', target: 1, note: `min ${(noop.min / 1000).toFixed(2)} s`})
    rows.push({id: 'api-calls-noop', label: 'AWS API calls: no-op redeploy', value: noopCalls, unit: 'calls'})

    // 3. Crash loop: reported as the first task stops, deploy failed with the reason.
    const crash = await run(ctx, ws, env, ['deploy', '--name', 'crash', '--env', 'test', '--json'])
    if (crash.code !== 1) throw new Error(`the crashing deploy exited ${crash.code}`)
    const stopped = events(crash.stdout).filter((e) => e.code === 'rollout.task-stopped')
    if (!stopped.length || !stopped[0].data.stoppedAt) throw new Error(`no stopped task was reported: ${JSON.stringify(stopped[0] ?? crash.stdout.slice(-800))}`)
    const firstStop = Date.parse(stopped[0].data.stoppedAt)
    rows.push({id: 'crash-reported', label: 'crash: first stopped task reported after it stopped', value: (Date.parse(stopped[0].time) - firstStop) / 1000, unit: 's', target: 2, note: `exit code ${stopped[0].data.exitCode}`})
    rows.push({id: 'crash-failed', label: 'crash: deploy failed with the reason, after the first stop', value: (crash.endedAt - firstStop) / 1000, unit: 's', note: `${stopped.length} stops seen`})
  } finally {
    await run(ctx, ws, env, ['local', 'stop'])
    rmSync(root, {recursive: true, force: true})
  }
  return rows
}
