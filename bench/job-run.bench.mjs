// `pier job run` against the local control plane: a job whose container prints a line and exits 0,
// run through its state machine. Wall time of `job run` (start the execution) and of
// `job run --follow` (start, find the task in the execution history, follow it, wait for the end).
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'

const RUNS = Number(process.env.PIER_BENCH_RUNS ?? 5)

export default async function jobRun(ctx) {
  const root = mkdtempSync(join(tmpdir(), 'pier-bench-job-'))
  const ws = join(root, 'ws')
  const env = {...ctx.env, CI: 'true', PIER_STATE_DIR: join(root, 'state'), PIER_LOCAL_PORT: '0', PIER_LOCAL: '1', PIER_CONTAINER_ENGINE: 'none', AWS_PROFILE: ''}
  delete env.AWS_ENDPOINT_URL
  const pier = (...args) => {
    const r = spawnSync(process.execPath, [ctx.bin, ...args], {cwd: ws, env, encoding: 'utf8'})
    if (r.status !== 0) throw new Error(`pier ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    return r
  }
  try {
    mkdirSync(join(ws, 'tick'), {recursive: true})
    writeFileSync(join(ws, 'tick', 'job.js'), 'console.log("tick")\n')
    writeFileSync(join(ws, 'tick', 'Dockerfile'), 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "job.js"]\n')
    pier('app', 'init', 'bench')
    pier('env', 'init', '--name', 'test')
    pier('job', 'init', '--name', 'tick', '--dockerfile', 'tick/Dockerfile', '--schedule', '@daily')
    pier('job', 'deploy', '--name', 'tick', '--env', 'test')
    const load = loadavg()[0]
    const start = ctx.timeCommand(process.execPath, [ctx.bin, 'job', 'run', '-n', 'tick', '-e', 'test', '--json'], {runs: RUNS, warmup: 1, cwd: ws, env})
    const follow = ctx.timeCommand(process.execPath, [ctx.bin, 'job', 'run', '-n', 'tick', '-e', 'test', '--follow'], {runs: RUNS, warmup: 1, cwd: ws, env})
    const note = `p50 of ${RUNS}, local control plane; load average ${load.toFixed(1)}`
    const [s, f] = [ctx.stats(start).p50, ctx.stats(follow).p50]
    return [
      // Mostly a cold CLI start that loads the CloudFormation and Step Functions clients (`job show` costs as much).
      {id: 'job-run-start', label: 'pier job run (start the execution)', value: s, unit: 'ms', note},
      {id: 'job-run-follow', label: 'pier job run --follow (job exits 0 at once)', value: f, unit: 'ms', note},
      // What following adds: the history polls, the task's start, logs and stop, the execution's end.
      {id: 'job-run-follow-extra', label: 'job run --follow: time beyond starting the execution', value: Math.max(0, f - s), unit: 'ms', note},
    ]
  } finally {
    spawnSync(process.execPath, [ctx.bin, 'local', 'stop'], {cwd: ws, env, stdio: 'ignore'})
    rmSync(root, {recursive: true, force: true})
  }
}
