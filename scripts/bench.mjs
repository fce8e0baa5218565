// `npm run bench`: runs every bench/*.bench.mjs, prints one table and writes bench/results/latest.json.
// Each bench module exports `default async function (ctx)` returning rows:
//   {id, label, value, unit, target?, targetText?, met?, note?}
// `met` is computed from `target` as value <= target unless the module sets it.
// NODE_EXTRA_CA_CERTS is removed from the environment: on these machines it adds ~80-100 ms per Node start.
// PIER_LOCAL_DRIVER is process: the agent bench measures the container driver beside it on its own.
import {spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
delete process.env.NODE_EXTRA_CA_CERTS
// Every figure but the agent bench's container rows is the process driver's, as before the container driver.
process.env.PIER_LOCAL_DRIVER = 'process'
const only = process.argv.slice(2)

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

const ctx = {
  root,
  bin: join(root, 'bin', 'run.js'),
  env: {...process.env},
  percentile,
  stats(samples) {
    const s = [...samples].sort((a, b) => a - b)
    return {p50: percentile(s, 50), p99: percentile(s, 99), min: s[0], max: s[s.length - 1], n: s.length}
  },
  /** Runs a command `runs` times (after `warmup` runs) and returns the wall-clock samples in ms. */
  timeCommand(cmd, args, {runs = 10, warmup = 2, cwd = root, env = ctx.env, expectStatus = 0} = {}) {
    const samples = []
    for (let i = 0; i < warmup + runs; i++) {
      const t = process.hrtime.bigint()
      const r = spawnSync(cmd, args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
      const ms = Number(process.hrtime.bigint() - t) / 1e6
      if (expectStatus !== null && r.status !== expectStatus) {
        throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
      }
      if (i >= warmup) samples.push(ms)
    }
    return samples
  },
}

const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
const rows = []
for (const f of files) {
  try {
    const mod = await import(pathToFileURL(join(root, 'bench', f)).href)
    for (const row of await mod.default(ctx)) {
      if (row.met === undefined && typeof row.target === 'number') row.met = row.value <= row.target
      rows.push({bench: f.replace('.bench.mjs', ''), ...row})
    }
  } catch (error) {
    rows.push({bench: f.replace('.bench.mjs', ''), id: 'error', label: `failed: ${error.message}`, value: NaN, unit: '', met: false})
  }
}

const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1)) : String(v ?? ''))
const table = rows.map((r) => [r.label, `${fmt(r.value)} ${r.unit}`.trim(), r.targetText ?? (r.target === undefined ? '' : `<= ${fmt(r.target)} ${r.unit}`), r.met === undefined ? '' : r.met ? 'met' : 'NOT MET', r.note ?? ''])
const head = ['measure', 'value', 'target', 'status', 'note']
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)))
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
console.log(line(head))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of table) console.log(line(r))

mkdirSync(join(root, 'bench', 'results'), {recursive: true})
const out = {date: new Date().toISOString(), node: process.version, nodeExtraCaCerts: 'unset', rows}
writeFileSync(join(root, 'bench', 'results', 'latest.json'), JSON.stringify(out, null, 2) + '\n')
console.log(`\nwritten: bench/results/latest.json`)
if (rows.some((r) => r.id === 'error')) process.exitCode = 1
