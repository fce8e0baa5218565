// Exec over the data channel: session open time, keystroke echo round trip, output throughput.
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {build} from 'esbuild'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

export default async function (ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-exec-'))
  const outfile = join(dir, 'harness.mjs')
  await build({
    entryPoints: [join(ctx.root, 'bench', 'exec-harness.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {js: "import {createRequire as __r} from 'node:module'; const require = __r(import.meta.url);"},
  })
  const harness = await import(pathToFileURL(outfile).href)
  // The control plane side runs in its own process, as `pier local` does; the client runs here.
  const server = spawn(process.execPath, [outfile, 'serve'], {stdio: ['pipe', 'pipe', 'inherit'], env: ctx.env})
  const [line] = await once(server.stdout, 'data')
  const {port} = JSON.parse(String(line))
  const h = {open: (command, interactive) => harness.open(port, command, interactive)}
  try {
    // 1. Session open: ExecuteCommand's session, dial, handshake complete.
    const opens = []
    for (let i = 0; i < 25; i++) {
      const t = performance.now()
      const s = await h.open('true', false)
      const ms = performance.now() - t
      await s.done
      if (i >= 5) opens.push(ms)
    }
    const open = ctx.stats(opens)

    // 2. Keystroke echo: one byte typed into a terminal running cat, until it comes back.
    const s = await h.open('cat', true)
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

    // 3. Throughput: a command printing 10 MB, from the first byte requested to the exit code.
    const size = 10 * 1024 * 1024
    const rates = []
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      const out = await h.open(`head -c ${size} /dev/zero`, false)
      let bytes = 0
      out.onStdout((d) => (bytes += d.length))
      const r = await out.done
      const sec = (performance.now() - t) / 1000
      if (bytes !== size || r.exitCode !== 0) throw new Error(`throughput run got ${bytes} bytes, exit ${r.exitCode}`)
      rates.push(size / 1024 / 1024 / sec)
    }
    const best = Math.max(...rates)
    const median = [...rates].sort((a, b) => a - b)[1]

    return [
      {id: 'exec-open-p50', label: 'exec: session open p50', value: open.p50, unit: 'ms', target: 150, note: `n=${open.n}, p99 ${open.p99.toFixed(1)} ms`},
      {id: 'exec-echo-p99', label: 'exec: keystroke echo p99', value: echo.p99, unit: 'ms', target: 10, note: `p50 ${echo.p50.toFixed(2)} ms, n=${echo.n}`},
      {
        id: 'exec-throughput',
        label: 'exec: 10 MB output throughput (median of 3)',
        value: median,
        unit: 'MB/s',
        targetText: '>= 20 MB/s',
        met: median >= 20,
        note: `best ${best.toFixed(1)} MB/s`,
      },
    ]
  } finally {
    server.stdin.end()
    await once(server, 'close')
    rmSync(dir, {recursive: true, force: true})
  }
}
