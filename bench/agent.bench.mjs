// Time from `driver.start(spec)` (what RunTask hands the agent) to the RUNNING report, for the process
// driver and, where podman answers, the container driver (a busybox image imported into podman, a
// network namespace per task when root). The drivers are bundled on the fly (they are not dist
// entries of their own), then run in this process.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

async function loadDriver(root, outDir, file = 'process-driver') {
  const outfile = join(outDir, `${file}.mjs`)
  await build({
    entryPoints: [join(root, 'src', 'local', 'agent', `${file}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  })
  return import(pathToFileURL(outfile).href)
}

function spec(i, image, command) {
  const taskId = `bench${process.pid}x${i.toString().padStart(6, '0')}`
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/bench/${taskId}`,
    taskId,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/bench',
    taskDefinition: 'bench:1',
    cpu: 256,
    memory: 512,
    containers: [{name: 'app', image, essential: true, command, environment: {}, portMappings: [{containerPort: 8080}]}],
  }
}

/** start → RUNNING samples of `runs` tasks, one at a time, each stopped before the next. */
async function measure(Driver, options, runs, warmup, image, command) {
  const waiting = new Map()
  const listener = {
    onTaskChange(report) {
      const w = waiting.get(report.taskId)
      if (!w) return
      if (report.lastStatus === 'RUNNING' && !w.running) {
        w.running = performance.now()
        w.onRunning()
      }
      if (report.lastStatus === 'STOPPED') w.stopped()
    },
    onLog() {},
  }
  const driver = new Driver({...options, listener})
  const samples = []
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const s = spec(i, image, command)
      const w = {}
      const running = new Promise((resolve) => (w.onRunning = resolve))
      const done = new Promise((resolve) => (w.stopped = resolve))
      waiting.set(s.taskId, w)
      const t0 = performance.now()
      await driver.start(s)
      await Promise.race([running, done])
      if (w.running && i >= warmup) samples.push(w.running - t0)
      await driver.stop(s.taskId, 'UserInitiated', 'bench')
      await done
      waiting.delete(s.taskId)
    }
  } finally {
    await driver.shutdown()
  }
  return samples
}

/** The container driver's rows, or one row saying why there are none. */
async function containerRows(ctx, work) {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync)
  const {ContainerDriver} = await loadDriver(ctx.root, work, 'container-driver')
  const {createEngine} = await loadDriver(ctx.root, work, 'engine')
  const engine = createEngine('podman', join(work, 'podman'))
  if (!busybox || !(await ContainerDriver.available({engine}))) {
    return [{id: 'container-start-to-running-p50', label: 'container driver: start to RUNNING p50', value: NaN, unit: 'ms', met: undefined, note: 'not measured: podman or busybox-static is missing (scripts/setup.sh installs them)'}]
  }
  const image = `localhost/pier-bench/busybox:${process.pid}`
  const env = {...process.env, ...engine.env}
  const rootfs = join(work, 'rootfs')
  mkdirSync(join(rootfs, 'bin'), {recursive: true})
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'))
  symlinkSync('busybox', join(rootfs, 'bin', 'sleep'))
  execFileSync('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.'])
  execFileSync('podman', ['import', join(work, 'rootfs.tar'), image], {env, stdio: 'ignore'})
  try {
    const samples = await measure(ContainerDriver, {stateDir: join(work, 'cstate'), engine, defaultStopTimeout: 1}, 10, 2, image, ['sleep', '600'])
    const s = ctx.stats(samples)
    const network = process.getuid?.() === 0 ? 'its own network namespace' : "podman's bridge"
    const note = `${s.n} tasks, podman ${engine.kind === 'podman' ? '(runc)' : ''}, busybox image, one port mapping, ${network}; load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`
    return [
      {id: 'container-start-to-running-p50', label: 'container driver: start to RUNNING p50', value: s.p50, unit: 'ms', target: 1500, note},
      {id: 'container-start-to-running-p99', label: 'container driver: start to RUNNING p99', value: s.p99, unit: 'ms', target: 4000, note},
    ]
  } finally {
    execFileSync('podman', ['rmi', '-f', image], {env, stdio: 'ignore'})
  }
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
  const rows = [
    {id: 'start-to-running-p50', label: 'process driver: start to RUNNING p50', value: s.p50, unit: 'ms', target: 20, note},
    {id: 'start-to-running-p99', label: 'process driver: start to RUNNING p99', value: s.p99, unit: 'ms', target: 100, note},
  ]
  const cwork = mkdtempSync(join(tmpdir(), 'pier-agent-bench-containers-'))
  try {
    rows.push(...(await containerRows(ctx, cwork)))
  } finally {
    rmSync(cwork, {recursive: true, force: true})
  }
  return rows
}
