// Start-up: cold `pier --version` and cold `pier validate` on a four-workload workspace (the demo
// plus a worker), each against `node -e 0` measured in the same run, interleaved so that load on
// the machine affects all three alike. The harness unsets NODE_EXTRA_CA_CERTS.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'

const RUNS = Number(process.env.PIER_BENCH_RUNS ?? 15)
const WARMUP = 2

function time(args, cwd, env) {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/** CPU time (user + system) of one run, from the shell's `times` (10 ms resolution); less sensitive to load than wall time. */
function cpuTime(args, cwd, env) {
  const quoted = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
  const r = spawnSync('/bin/sh', ['-c', `${quoted} >/dev/null 2>&1; times`], {cwd, env, encoding: 'utf8'})
  const child = r.stdout.trim().split('\n')[1] ?? ''
  const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]))
  return (secs[0] ?? NaN) * 1000 + (secs[1] ?? NaN) * 1000
}

export default async function startup(ctx) {
  const ws = mkdtempSync(join(tmpdir(), 'pier-bench-'))
  try {
    cpSync(join(ctx.root, 'manifests', 'demo'), ws, {recursive: true})
    mkdirSync(join(ws, 'copilot', 'worker'))
    writeFileSync(join(ws, 'copilot', 'worker', 'manifest.yml'), 'name: worker\ntype: Worker Service\nimage:\n  location: public.ecr.aws/docker/library/node:20-alpine\ncount:\n  range: 1-4\n  queue_delay:\n    acceptable_latency: 1m\n    msg_processing_time: 250ms\n')
    const env = {...ctx.env, CI: 'true'}
    const samples = {node: [], version: [], validate: []}
    const load = loadavg()[0]
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const node = time(['-e', '0'], ws, env)
      const version = time([ctx.bin, '--version'], ws, env)
      const validate = time([ctx.bin, 'validate'], ws, env)
      if (i < WARMUP) continue
      samples.node.push(node)
      samples.version.push(version)
      samples.validate.push(validate)
    }
    const cpu = {node: [], version: [], validate: []}
    for (let i = 0; i < 7; i++) {
      cpu.node.push(cpuTime(['-e', '0'], ws, env))
      cpu.version.push(cpuTime([ctx.bin, '--version'], ws, env))
      cpu.validate.push(cpuTime([ctx.bin, 'validate'], ws, env))
    }
    const cpuNode = ctx.stats(cpu.node).p50
    const node = ctx.stats(samples.node).p50
    const version = ctx.stats(samples.version).p50
    const validate = ctx.stats(samples.validate).p50
    const note = `p50 of ${RUNS}; load average ${load.toFixed(1)} on this machine`
    return [
      {id: 'node-e-0', label: 'node -e 0 (baseline)', value: node, unit: 'ms', note},
      {id: 'version', label: 'pier --version', value: version, unit: 'ms', note},
      {id: 'version-ratio', label: 'pier --version / node -e 0', value: version / node, unit: 'x', target: 2.5},
      {id: 'validate', label: 'pier validate (4 workloads x 2 envs)', value: validate, unit: 'ms', target: 200, note},
      {id: 'validate-ratio', label: 'pier validate / node -e 0', value: validate / node, unit: 'x', note: 'the wall-clock target assumes an idle machine; this ratio does not'},
      {id: 'validate-own', label: 'pier validate minus node start', value: Math.max(0, validate - node), unit: 'ms'},
      {id: 'cpu-node', label: 'CPU time: node -e 0', value: cpuNode, unit: 'ms', note: 'p50 of 7, user+system'},
      {id: 'cpu-version-ratio', label: 'CPU time: pier --version / node -e 0', value: ctx.stats(cpu.version).p50 / cpuNode, unit: 'x', target: 2.5},
      {id: 'cpu-validate', label: 'CPU time: pier validate', value: ctx.stats(cpu.validate).p50, unit: 'ms', note: 'p50 of 7, user+system'},
      {id: 'cpu-validate-ratio', label: 'CPU time: pier validate / node -e 0', value: ctx.stats(cpu.validate).p50 / cpuNode, unit: 'x'},
    ]
  } finally {
    rmSync(ws, {recursive: true, force: true})
  }
}
