// Exec over the data channel, against the real local control plane (dist/local/main.js in its own
// process, in its default exec mode, which behaves as ECS): session open time (also on a cluster whose
// sessions are KMS-encrypted), keystroke echo round trip on a pseudo-terminal, and the throughput of a
// command printing 10 MB the way `pier svc exec --command` runs it (the exit-status wrapper on a
// terminal session).
import {spawn} from 'node:child_process'
import {EventEmitter, once} from 'node:events'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough, Writable} from 'node:stream'
import {pathToFileURL} from 'node:url'
import {CreateClusterCommand, DescribeTasksCommand, ECSClient, ExecuteCommandCommand, RegisterTaskDefinitionCommand, RunTaskCommand} from '@aws-sdk/client-ecs'
import {CreateAliasCommand, CreateKeyCommand, GenerateDataKeyCommand, KMSClient} from '@aws-sdk/client-kms'
import {build} from 'esbuild'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function startControlPlane(root, stateDir, env) {
  const child = spawn(process.execPath, [join(root, 'dist', 'local', 'main.js'), '--state-dir', stateDir, '--port', '0'], {stdio: 'ignore', env})
  const statusFile = join(stateDir, 'control-plane.json')
  for (let i = 0; i < 600 && !existsSync(statusFile); i++) await sleep(50)
  if (!existsSync(statusFile)) throw new Error('the local control plane did not start')
  return {child, status: JSON.parse(readFileSync(statusFile, 'utf8'))}
}

export default async function (ctx) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-exec-'))
  const outfile = join(dir, 'exec.mjs')
  await build({
    entryPoints: [join(ctx.root, 'src', 'exec', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {js: "import {createRequire as __r} from 'node:module'; const require = __r(import.meta.url);"},
  })
  const {dialSession, exitStatusCommand, newMarker, runCommandSession} = await import(pathToFileURL(outfile).href)
  const {child: server, status} = await startControlPlane(ctx.root, join(dir, 'state'), ctx.env)
  const config = {region: status.region, endpoint: status.endpoint, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}}
  const ecs = new ECSClient(config)
  const kmsClient = new KMSClient(config)
  const kms = {generateDataKey: (input) => kmsClient.send(new GenerateDataKeyCommand(input))}
  try {
    const key = await kmsClient.send(new CreateKeyCommand({Description: 'bench exec sessions'}))
    await kmsClient.send(new CreateAliasCommand({AliasName: 'alias/bench/exec', TargetKeyId: key.KeyMetadata.KeyId}))
    await ecs.send(new CreateClusterCommand({clusterName: 'bench'}))
    await ecs.send(new CreateClusterCommand({clusterName: 'bench-kms', configuration: {executeCommandConfiguration: {kmsKeyId: 'alias/bench/exec', logging: 'NONE'}}}))
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'bench',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{name: 'app', image: 'busybox', essential: true, command: ['sh', '-c', 'sleep 3600']}],
      }),
    )
    const startTask = async (cluster) => {
      const run = await ecs.send(
        new RunTaskCommand({cluster, taskDefinition: 'bench', launchType: 'FARGATE', enableExecuteCommand: true, networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-local']}}}),
      )
      const task = run.tasks[0].taskArn
      for (let i = 0; i < 400; i++) {
        const t = (await ecs.send(new DescribeTasksCommand({cluster, tasks: [task]}))).tasks?.[0]
        if (t?.lastStatus === 'RUNNING') return {cluster, task, targetId: `ecs:${cluster}_${task.slice(task.lastIndexOf('/') + 1)}_${t.containers?.[0]?.runtimeId}`}
        await sleep(50)
      }
      throw new Error('the bench task did not reach RUNNING')
    }
    const plain = await startTask('bench')
    const encrypted = await startTask('bench-kms')
    // What `pier svc exec` does once it knows the task: ExecuteCommand, then dial (and the KMS handshake
    // when the cluster asks for it).
    const openIn = async (where, command) => {
      const {session} = await ecs.send(new ExecuteCommandCommand({cluster: where.cluster, task: where.task, container: 'app', command, interactive: true}))
      return dialSession({streamUrl: session.streamUrl, tokenValue: session.tokenValue, kms, targetId: where.targetId})
    }
    const open = (command) => openIn(plain, command)
    const openTimes = async (where) => {
      const samples = []
      for (let i = 0; i < 25; i++) {
        const t = performance.now()
        const s = await openIn(where, 'true')
        const ms = performance.now() - t
        if (where === encrypted && !s.encrypted) throw new Error('the session on the KMS cluster is not encrypted')
        s.sendInput(Buffer.alloc(0))
        await s.done
        if (i >= 5) samples.push(ms)
      }
      return ctx.stats(samples)
    }

    // 1. Session open, plain and KMS-encrypted.
    const openStats = await openTimes(plain)
    const kmsOpenStats = await openTimes(encrypted)

    // 2. Keystroke echo: one byte typed into a terminal running cat, until it comes back.
    const s = await open('cat')
    s.resize(80, 24) // a terminal size first: the command runs on a pseudo-terminal, which echoes
    let got = ''
    let waiter
    s.onStdout((d) => {
      got += d.toString('latin1')
      waiter?.()
    })
    const echoes = []
    for (let i = 0; i < 220; i++) {
      const ch = String.fromCharCode(97 + (i % 26))
      got = ''
      const t = performance.now()
      await new Promise((resolve) => {
        waiter = () => got.includes(ch) && resolve()
        s.sendInput(Buffer.from(ch))
      })
      if (i >= 20) echoes.push(performance.now() - t)
    }
    await s.terminate()
    const echo = ctx.stats(echoes)

    // 3. Throughput: a command printing 10 MB, from ExecuteCommand to the exit code; and the CPU time
    // both processes spent (Linux /proc), which a loaded machine inflates less than wall-clock time.
    const size = 10 * 1024 * 1024
    const serverCpuMs = () => {
      const f = readFileSync(`/proc/${status.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      return (Number(f[11]) + Number(f[12])) * 10
    }
    const rates = []
    const cpuMs = []
    for (let i = 0; i < 3; i++) {
      const c0 = process.cpuUsage()
      const s0 = serverCpuMs()
      const t = performance.now()
      const marker = newMarker()
      const out = await open(exitStatusCommand(`head -c ${size} /dev/zero`, marker, {interactive: false}))
      let bytes = 0
      const stdin = new PassThrough()
      stdin.end()
      const stdout = new Writable({write: (chunk, _enc, cb) => ((bytes += chunk.length), cb())})
      const r = await runCommandSession(out, {stdin, stdout, stderr: new PassThrough(), signals: new EventEmitter()}, {marker, interactive: false})
      const sec = (performance.now() - t) / 1000
      if (bytes !== size || r.exitCode !== 0) throw new Error(`throughput run got ${bytes} bytes, exit ${r.exitCode}`)
      rates.push(size / 1024 / 1024 / sec)
      const c = process.cpuUsage(c0)
      cpuMs.push((c.user + c.system) / 1000 + (serverCpuMs() - s0))
    }
    const median = [...rates].sort((a, b) => a - b)[1]
    const cpu = [...cpuMs].sort((a, b) => a - b)[1]
    const load = `load average ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} CPUs`

    return [
      {id: 'exec-open-p50', label: 'exec: session open p50 (ExecuteCommand to handshake complete)', value: openStats.p50, unit: 'ms', target: 150, note: `p99 ${openStats.p99.toFixed(1)} ms, n=${openStats.n}; ${load}`},
      {id: 'exec-open-kms-p50', label: 'exec: session open p50, KMS-encrypted cluster', value: kmsOpenStats.p50, unit: 'ms', target: 150, note: `p99 ${kmsOpenStats.p99.toFixed(1)} ms, n=${kmsOpenStats.n}`},
      {id: 'exec-echo-p99', label: 'exec: keystroke echo p99', value: echo.p99, unit: 'ms', target: 10, note: `p50 ${echo.p50.toFixed(2)} ms, n=${echo.n}`},
      {id: 'exec-throughput', label: 'exec: 10 MB output throughput through the exit-status wrapper (median of 3)', value: median, unit: 'MB/s', targetText: '>= 20 MB/s', met: median >= 20, note: `best ${Math.max(...rates).toFixed(1)} MB/s`},
      {id: 'exec-throughput-cpu', label: 'exec: 10 MB output, CPU time of client + control plane', value: cpu, unit: 'ms', note: `${(10 / (cpu / 1000)).toFixed(0)} MB per CPU-second`},
    ]
  } finally {
    ecs.destroy()
    kmsClient.destroy()
    server.kill('SIGTERM')
    await Promise.race([once(server, 'exit'), sleep(15_000)])
    rmSync(dir, {recursive: true, force: true})
  }
}
