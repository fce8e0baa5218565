// ECS control plane figures: RunTask → RUNNING, API round trip, and 500 tasks across 50 services
// (API p99 and resident memory). The workload (bench/ecs-scenario.ts) runs in its own process.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {build} from 'esbuild'

export default async function ecsBench(ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-ecs-bench-build-'))
  try {
    const outfile = join(dir, 'scenario.mjs')
    await build({entryPoints: [join(ctx.root, 'bench', 'ecs-scenario.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent',
      // CommonJS dependencies (the AWS SDK) require node built-ins; give the ESM bundle a require.
      banner: {js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"}})
    const r = spawnSync(process.execPath, ['--expose-gc', outfile], {env: ctx.env, encoding: 'utf8', timeout: 180_000})
    if (r.status !== 0) throw new Error(`ecs scenario exited ${r.status}: ${r.stderr}`)
    const m = JSON.parse(r.stdout.trim().split('\n').pop())
    const real = 'SDK over loopback HTTP, process driver (sleep)'
    const note = 'in process, in-memory driver (control plane cost only)'
    return [
      {id: 'ecs.runtask-running.p50', label: 'ECS RunTask to RUNNING p50', value: m.real.runToRunning.p50, unit: 'ms', target: 20, note: real},
      {id: 'ecs.runtask-running.p99', label: 'ECS RunTask to RUNNING p99', value: m.real.runToRunning.p99, unit: 'ms', target: 100, note: real},
      {id: 'ecs.api.http.p50', label: 'ECS DescribeTasks round trip p50', value: m.real.api.p50, unit: 'ms', target: 1, note: 'SDK over loopback HTTP, SigV4 checked'},
      {id: 'ecs.inproc.runtask-running.p50', label: 'ECS RunTask to RUNNING p50, in process', value: m.runToRunning.p50, unit: 'ms', target: 20, note},
      {id: 'ecs.inproc.runtask-running.p99', label: 'ECS RunTask to RUNNING p99, in process', value: m.runToRunning.p99, unit: 'ms', target: 100, note},
      {id: 'ecs.api.p50', label: 'ECS DescribeTasks p50, in process', value: m.api.p50, unit: 'ms', target: 1, note: 'no HTTP'},
      {id: 'ecs.scale.api.p99', label: 'ECS API p99, 500 tasks / 50 services', value: m.scale.p99, unit: 'ms', target: 50, note: 'mixed reads, RunTask and StopTask'},
      {id: 'ecs.scale.rss', label: 'ECS resident memory, 500 tasks / 50 services', value: m.scale.rssMb, unit: 'MB', target: 500},
      {id: 'ecs.scale.up', label: 'ECS 50 services to 500 RUNNING tasks', value: m.scale.scaleUpMs, unit: 'ms', note: 'from the first CreateService'},
    ]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
