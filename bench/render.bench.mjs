// Rendering speed: a cold `pier svc package` of one service (a new process each time, as a user or CI
// runs it), `pier svc package --all` of a 50-service workspace end to end, and the pure renderer alone
// rendering those 50 services in process. Targets from issue 3: one service < 250 ms cold, 50 < 1 s.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {build} from 'esbuild'

function manifestText(name) {
  return [
    `name: ${name}`,
    'type: Load Balanced Web Service',
    'http:',
    `  path: /${name}`,
    '  healthcheck: /healthz',
    'image:',
    `  build: ${name}/Dockerfile`,
    '  port: 8080',
    'cpu: 256',
    'memory: 512',
    'count:',
    '  range: 1-4',
    '  cpu_percentage: 70',
    'exec: true',
    'variables:',
    '  LOG_LEVEL: info',
    'secrets:',
    `  DB_PASSWORD: /bench/${name}/db`,
    'environments:',
    '  test:',
    '    count:',
    '      range: 1-2',
    '',
  ].join('\n')
}

function workspace(count) {
  const root = mkdtempSync(join(tmpdir(), 'pier-bench-render-'))
  const copilot = join(root, 'copilot')
  mkdirSync(join(copilot, 'environments', 'test'), {recursive: true})
  writeFileSync(join(copilot, '.workspace'), 'application: bench\n')
  writeFileSync(join(copilot, 'environments', 'test', 'manifest.yml'), 'name: test\ntype: Environment\n')
  for (let i = 0; i < count; i++) {
    const name = `svc${String(i).padStart(2, '0')}`
    mkdirSync(join(copilot, name), {recursive: true})
    writeFileSync(join(copilot, name, 'manifest.yml'), manifestText(name))
  }
  return root
}

/** The renderer alone, bundled from source, rendering `count` services per run. */
async function inProcess(ctx, count) {
  const out = mkdtempSync(join(tmpdir(), 'pier-bench-render-bundle-'))
  try {
    await build({entryPoints: [join(ctx.root, 'src', 'render', 'index.ts')], bundle: true, format: 'esm', platform: 'node', outfile: join(out, 'render.mjs'), logLevel: 'silent'})
    const render = await import(pathToFileURL(join(out, 'render.mjs')).href)
    const manifests = Array.from({length: count}, (_, i) => ({
      name: `svc${i}`,
      type: 'Load Balanced Web Service',
      http: {path: `/svc${i}`, healthcheck: '/healthz'},
      image: {location: 'public.ecr.aws/example/app:1', port: 8080},
      cpu: 256,
      memory: 512,
      count: {range: '1-4', cpu_percentage: 70},
      exec: true,
      variables: {LOG_LEVEL: 'info'},
      secrets: {DB_PASSWORD: `/bench/svc${i}/db`},
    }))
    const samples = []
    for (let run = 0; run < 12; run++) {
      const t = process.hrtime.bigint()
      for (const m of manifests) render.renderWorkloadStack({app: 'bench', env: 'test', name: m.name, manifest: m, inputs: {}})
      if (run >= 2) samples.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    return ctx.stats(samples)
  } finally {
    rmSync(out, {recursive: true, force: true})
  }
}

/** CPU time (user + system, ms) of a cold command, by /usr/bin/time: far less sensitive to a busy
 * machine than wall time, and close to the wall time the same run takes on an idle one. */
function cpuTime(ctx, args, cwd, env, runs) {
  if (!existsSync('/usr/bin/time')) return undefined
  const samples = []
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', 'PIERCPU %U %S', process.execPath, ctx.bin, ...args], {cwd, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']})
    const m = /PIERCPU ([\d.]+) ([\d.]+)/.exec(r.stderr)
    if (r.status !== 0 || !m) throw new Error(`pier ${args.join(' ')} failed: ${r.stderr}`)
    samples.push((Number(m[1]) + Number(m[2])) * 1000)
  }
  return ctx.stats(samples)
}

/** The machine's load while measuring: figures on a shared, busy machine are inflated by it. */
const load = () => `load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs`

export default async function (ctx) {
  const rows = []
  const one = workspace(1)
  const fifty = workspace(50)
  const env = {...ctx.env, CI: 'true'}
  try {
    // The floor every command pays: Node start, the CLI framework, command lookup.
    const floor = ctx.stats(ctx.timeCommand(process.execPath, [ctx.bin, '--version'], {cwd: one, runs: 10, warmup: 2, env}))
    rows.push({id: 'cli-floor', label: 'pier --version, cold process (p50): the start-up floor', value: floor.p50, unit: 'ms', note: load()})
    const floorCpu = cpuTime(ctx, ['--version'], one, env, 6)
    if (floorCpu) rows.push({id: 'cli-floor-cpu', label: 'pier --version, cold: CPU time (p50)', value: floorCpu.p50, unit: 'ms', note: `user + system; ${load()}`})
    const single = ctx.stats(ctx.timeCommand(process.execPath, [ctx.bin, 'svc', 'package', '-n', 'svc00', '-e', 'test'], {cwd: one, runs: 10, warmup: 2, env}))
    rows.push({id: 'svc-package-cold', label: 'pier svc package, one service, cold process (p50)', value: single.p50, unit: 'ms', target: 250, note: `p99 ${single.p99.toFixed(0)} ms over ${single.n} runs; ${load()}`})
    const singleCpu = cpuTime(ctx, ['svc', 'package', '-n', 'svc00', '-e', 'test'], one, env, 6)
    if (singleCpu) rows.push({id: 'svc-package-cold-cpu', label: 'pier svc package, one service, cold: CPU time (p50)', value: singleCpu.p50, unit: 'ms', target: 250, note: `user + system; ${load()}`})
    const outDir = join(fifty, 'out')
    const all = ctx.stats(ctx.timeCommand(process.execPath, [ctx.bin, 'svc', 'package', '--all', '-e', 'test', '--output-dir', outDir], {cwd: fifty, runs: 5, warmup: 1, env}))
    rows.push({id: 'svc-package-50', label: 'pier svc package --all, 50 services, end to end (p50)', value: all.p50, unit: 'ms', target: 1000, note: `p99 ${all.p99.toFixed(0)} ms; writes 150 files; ${load()}`})
    const allCpu = cpuTime(ctx, ['svc', 'package', '--all', '-e', 'test', '--output-dir', outDir], fifty, env, 3)
    if (allCpu) rows.push({id: 'svc-package-50-cpu', label: 'pier svc package --all, 50 services: CPU time (p50)', value: allCpu.p50, unit: 'ms', target: 1000, note: `user + system; ${load()}`})
  } finally {
    rmSync(one, {recursive: true, force: true})
    rmSync(fifty, {recursive: true, force: true})
  }
  const pure = await inProcess(ctx, 50)
  rows.push({id: 'render-50-in-process', label: 'renderWorkloadStack x 50 in process (p50)', value: pure.p50, unit: 'ms', note: `pure renderer, warm; ${load()}`})
  return rows
}
