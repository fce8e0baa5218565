// `npm run mutate [-- <path>... [stryker options]]`: mutation testing (StrykerJS) of the core that must
// not regress. Each target is mutated on its own, against the unit tests that cover it, and ends with one
// line `mutation <target>: score=...% killed=... survived=...`; the HTML report is in reports/mutation/.
// A path may be a target, a file or folder inside one (mutated against that target's tests), or any other
// source path (mutated against the whole unit suite). Without a path, every target runs: that takes hours.
// Options after the paths go to Stryker as they are (e.g. `--concurrency 1`). Not part of CI: it is slow.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** What is mutated, and the tests that are meant to catch it. */
export const TARGETS = {
  'src/local/cloudformation/intrinsics.ts': ['test/local/cloudformation/intrinsics*.test.ts', 'test/local/cloudformation/template.test.ts'],
  'src/local/elb/rules.ts': ['test/local/elb/*.test.ts'],
  'src/local/capacity': ['test/local/ecs/placement.test.ts', 'test/local/ecs/capacity.test.ts'],
  'src/deploy': ['test/deploy/*.test.ts'],
  // The ECS tests that drive the scheduler in-process (daemon.test.ts and e2e.test.ts run dist/).
  'src/local/cluster/scheduler.ts': ['services', 'scheduler-extras', 'scheduler-health', 'scheduler-rollout', 'scheduler-drain', 'scheduler-durable', 'scale-out', 'persistence', 'tasks', 'clusters'].map((t) => `test/local/ecs/${t}.test.ts`),
  // The in-process tests of exec's users too: the CLI's use case (test/app/exec.test.ts), the local agent's two
  // modes and its installation, and the command splitter as manifests use it.
  'src/exec': ['test/exec/*.test.ts', 'test/local/exec-broker.test.ts', 'test/local/exec-modes.test.ts', 'test/local/exec-install.test.ts', 'test/app/exec.test.ts', 'test/manifest/command.test.ts'],
  'src/render': ['test/render/**/*.test.ts', 'test/golden/golden.test.ts'],
  'src/manifest': ['test/manifest/**/*.test.ts'],
}
// Targets whose code keeps no state between calls (no lazily built tables a mutant could leave behind for
// the next run) and whose tests start no servers: their test files run without isolation.
const SHARED_MODULES = new Set(['src/render'])
const UNIT_TESTS = ['test/**/*.test.ts', 'test/**/*.test.tsx']

const args = process.argv.slice(2)
const firstOption = args.findIndex((a) => a.startsWith('-'))
const paths = (firstOption < 0 ? args : args.slice(0, firstOption)).map((p) => relative(root, resolve(p)).replaceAll('\\', '/'))
const strykerArgs = firstOption < 0 ? [] : args.slice(firstOption)

for (const p of paths) {
  if (!existsSync(join(root, p))) {
    console.error(`mutate: ${p} does not exist. Targets: ${Object.keys(TARGETS).join(', ')}`)
    process.exit(2)
  }
}

/** The tests for a path: those of the target it is in, else the whole unit suite. */
function targetOf(path) {
  return Object.keys(TARGETS).find((t) => path === t || path.startsWith(t + '/'))
}

function testsFor(path) {
  const target = targetOf(path)
  return target ? TARGETS[target] : UNIT_TESTS
}

function mutateGlobs(path) {
  if (path.endsWith('.ts')) return [path]
  return [`${path}/**/*.ts`, `!${path}/**/*.d.ts`, `!${path}/**/*.generated.ts`, `!${path}/**/*.test.ts`]
}

// The code the tests import includes generated files (precompiled validators) that a fresh clone lacks:
// run the build's code generation, not the whole build, so that dist/ is left to tests that use it.
const codegen = join(root, 'scripts', 'codegen')
for (const f of existsSync(codegen) ? readdirSync(codegen).filter((f) => f.endsWith('.mjs')).sort() : []) {
  const r = spawnSync(process.execPath, [join(codegen, f)], {cwd: root, stdio: 'inherit'})
  if (r.status !== 0) process.exit(r.status ?? 1)
}

const runs = paths.length > 0 ? paths : Object.keys(TARGETS)
let worst = 0
for (const path of runs) {
  const name = path.replace(/^src\//, '').replace(/\.ts$/, '').replaceAll('/', '-')
  mkdirSync(join(root, 'reports', 'mutation'), {recursive: true})
  const env = {
    ...process.env,
    PIER_MUTATE: mutateGlobs(path).join('\n'),
    PIER_MUTATE_TESTS: testsFor(path).join(','),
    PIER_MUTATE_NAME: name,
    PIER_MUTATE_ISOLATE: SHARED_MODULES.has(targetOf(path)) ? 'false' : 'true',
  }
  console.log(`mutate: ${path} against ${testsFor(path).join(' ')}`)
  const started = Date.now()
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...strykerArgs], {cwd: root, env, stdio: 'inherit'})
  if (r.status !== 0) worst = r.status ?? 1
  const report = join(root, 'reports', 'mutation', `${name}.json`)
  if (existsSync(report)) console.log(`mutation ${path}: ${summarize(JSON.parse(readFileSync(report, 'utf8')))} minutes=${((Date.now() - started) / 60000).toFixed(1)}`)
}
process.exit(worst)

/** Counts by status and Stryker's score: killed and timed out over all valid mutants. */
function summarize(report) {
  const counts = {}
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1
  }
  const n = (s) => counts[s] ?? 0
  const detected = n('Killed') + n('Timeout')
  const valid = detected + n('Survived') + n('NoCoverage')
  const score = valid === 0 ? 100 : (100 * detected) / valid
  return `score=${score.toFixed(1)}% killed=${n('Killed')} timeout=${n('Timeout')} survived=${n('Survived')} no_coverage=${n('NoCoverage')} errors=${n('RuntimeError') + n('CompileError')} ignored=${n('Ignored')}`
}
