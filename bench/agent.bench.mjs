// Process driver: time from `driver.start(spec)` to the RUNNING report for a trivial command.
// The driver is bundled on the fly (it is not a dist entry of its own), then run in this process.
import {build} from 'esbuild'
import {mkdtempSync, rmSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

async function loadDriver(root, outDir) {
  const outfile = join(outDir, 'process-driver.mjs')
  await build({
    entryPoints: [join(root, 'src', 'local', 'agent', 'process-driver.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  })
  return import(pathToFileURL(outfile).href)
}

export default async function agentBench(ctx) {
  const work = mkdtempSync(join(tmpdir(), 'pier-agent-bench-'))
  const {ProcessDriver} = await loadDriver(ctx.root, work)
  const waiting = new Map()
  const listener = {
    onTaskChange(report) {
      const w = waiting.get(report.taskId)
      if (!w) return
      if (report.lastStatus === 'RUNNING' && !w.running) w.running = performance.now()
      if (report.lastStatus === 'STOPPED') w.stopped()
    },
    onLog() {},
  }
  const driver = new ProcessDriver({stateDir: join(work, 'state'), listener})
  const runs = 200
  const warmup = 20
  const samples = []
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const taskId = `bench${i.toString().padStart(6, '0')}`
      const done = new Promise((resolve) => waiting.set(taskId, {stopped: resolve}))
      const spec = {
        taskArn: `arn:aws:ecs:us-east-1:000000000000:task/bench/${taskId}`,
        taskId,
        clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/bench',
        taskDefinition: 'bench:1',
        cpu: 256,
        memory: 512,
        containers: [{name: 'app', image: 'local', essential: true, command: ['true'], environment: {}, portMappings: [{containerPort: 8080}]}],
      }
      const t0 = performance.now()
      await driver.start(spec)
      await done
      if (i >= warmup) samples.push(waiting.get(taskId).running - t0)
      waiting.delete(taskId)
    }
  } finally {
    await driver.shutdown()
    rmSync(work, {recursive: true, force: true})
  }
  const s = ctx.stats(samples)
  // Almost all of it is fork and exec of the container's process, which slows with the machine's load.
  const note = `${s.n} tasks, one container with one port mapping, command \`true\`; load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`
  return [
    {id: 'start-to-running-p50', label: 'process driver: start to RUNNING p50', value: s.p50, unit: 'ms', target: 20, note},
    {id: 'start-to-running-p99', label: 'process driver: start to RUNNING p99', value: s.p99, unit: 'ms', target: 100, note},
  ]
}
