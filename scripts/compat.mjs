// `npm run compat`: tries Pier, as a new user would, on the real Copilot workspaces of
// ../shared/compat/wild (skipped when that folder is absent; they are never copied into the repository).
// For each workspace, in a temporary copy: `pier validate`, `pier env package` for every environment,
// `pier svc|job package` for every workload in every environment it deploys to. Prints the figures
// and every refusal grouped by cause; `--json FILE` also writes them as JSON.
//
// What a user has outside the repository is supplied in the copy only: a `.workspace` when it was
// gitignored, and placeholder values for `${VAR}` references that CI sets. Workspaces without
// environment manifests (Copilot before v1.21) are left as they are: Pier must handle them.
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'

import {yamlV3Refusal} from './copilot-yaml.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const wild = join(root, '..', 'shared', 'compat', 'wild')
const bin = join(root, 'bin', 'run.js')
const args = process.argv.slice(2)
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json')

if (!existsSync(wild)) {
  console.log(`compat: skipped (${relative(root, wild)} is absent)`)
  process.exit(0)
}
if (!existsSync(join(root, 'dist'))) {
  console.error('compat: run `npm run build` first (the check runs the real binary)')
  process.exit(2)
}

/** Every file under dir, relative. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p).map((f) => join(name, f)) : [name]
  })
}

/** The environment variables a workspace's manifests interpolate, with placeholder values (as CI would set them). */
function placeholders(copilotDir) {
  const vars = {}
  for (const f of files(copilotDir).filter((f) => f.endsWith('manifest.yml'))) {
    const text = readFileSync(join(copilotDir, f), 'utf8')
    for (const m of text.matchAll(/(?<!\\)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      if (!m[1].startsWith('COPILOT_')) vars[m[1]] = 'placeholder'
    }
  }
  return vars
}

function readYaml(path) {
  try {
    return parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** The workloads of a workspace with their kind, and the environments each deploys to. */
function survey(copilotDir) {
  const envDir = join(copilotDir, 'environments')
  const envManifests = existsSync(envDir) ? readdirSync(envDir).filter((e) => existsSync(join(envDir, e, 'manifest.yml'))).sort() : []
  const workloads = []
  for (const name of readdirSync(copilotDir).sort()) {
    if (['environments', 'pipelines'].includes(name) || name.startsWith('.')) continue
    const path = join(copilotDir, name, 'manifest.yml')
    if (!existsSync(path)) continue
    const doc = readYaml(path)
    const overrides = doc && typeof doc.environments === 'object' && doc.environments ? Object.keys(doc.environments) : []
    workloads.push({name, type: doc?.type, overrides})
  }
  // Without environment manifests, the environments a workload deploys to are those it names in
  // `environments:`; with none named, Pier's default environment.
  const legacy = envManifests.length === 0
  const envs = legacy ? [...new Set(workloads.flatMap((w) => w.overrides))].sort() : envManifests
  if (envs.length === 0) envs.push('test')
  // Who has addons (a nested stack) or overrides (patches or a CDK app): their packages must carry them.
  const extended = (owner) => ['addons', 'overrides'].some((d) => existsSync(join(copilotDir, owner, d)) && readdirSync(join(copilotDir, owner, d)).length > 0)
  const extensions = ['environments', ...workloads.map((w) => w.name)].filter(extended)
  return {legacy, envs, workloads, extensions}
}

/** Why Copilot's YAML reader refuses one of the workspace's manifests, if it does. */
function copilotRefusal(copilotDir) {
  for (const f of files(copilotDir).filter((f) => f.endsWith('manifest.yml')).sort()) {
    const why = yamlV3Refusal(readFileSync(join(copilotDir, f), 'utf8'))
    if (why) return `copilot/${f} ${why}`
  }
  return undefined
}

function run(cwd, env, argv) {
  const r = spawnSync(process.execPath, [bin, ...argv], {cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** A refusal's cause: a diagnostic code and field path (list indexes and environment names removed), or a message's first line. */
function causeOf(d) {
  const path = String(d.path ?? '').replace(/\[\d+\]/g, '[]').replace(/^environments\.[^.]+\./, '')
  const msg = d.message.replace(/"[^"]*"/g, '"…"').replace(/`[^`]*`/g, (s) => (s.length > 40 ? '`…`' : s)).replace(/ \(environment [^)]*\)$/, '').replace(/\d+/g, 'N')
  return `${d.code} ${path}: ${msg}`.slice(0, 200)
}

function messageCause(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const diag = lines.find((l) => /: error \[/.test(l))
  if (diag) {
    const m = /: error \[([^\]]+)\] (.*)$/.exec(diag)
    if (m) return `${m[1]}: ${m[2].replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').replace(/ \(environment [^)]*\)$/, '')}`.slice(0, 200)
  }
  // Warnings (and their code frames and hints) come before the refusal: skip them.
  const first = lines.find((l) => !/^›?\s*Warning:/i.test(l) && !/: warning \[/.test(l) && !/^(>?\s*\d+ \||\||hint:|\d+ errors?,)/.test(l)) ?? '(no message)'
  return first.replace(/^[^a-zA-Z`]*(Error:\s*)?/, '').replace(/copilot\/environments\/[^/\s]+\//g, 'copilot/environments/…/').replace(/ in \/\S+/g, '').replace(/"[^"]*"/g, '"…"').replace(/\b(environment|workload|service|job) \S+/g, '$1 …').replace(/\d+/g, 'N').slice(0, 200)
}

const tmp = mkdtempSync(join(tmpdir(), 'pier-compat-'))
const results = []
const started = Date.now()
try {
  for (const ws of readdirSync(wild).filter((d) => existsSync(join(wild, d, 'copilot'))).sort()) {
    if (only.length && !only.some((o) => ws.includes(o))) continue
    const dir = join(tmp, ws)
    cpSync(join(wild, ws, 'copilot'), join(dir, 'copilot'), {recursive: true, dereference: true})
    const copilotDir = join(dir, 'copilot')
    const supplied = []
    if (!existsSync(join(copilotDir, '.workspace'))) {
      writeFileSync(join(copilotDir, '.workspace'), `application: ${ws.split('+')[1].toLowerCase().replace(/[^a-z0-9-]/g, '-')}\n`)
      supplied.push('.workspace')
    }
    const env = {...process.env, ...placeholders(copilotDir), NO_COLOR: '1', CI: '1'}
    delete env.NODE_EXTRA_CA_CERTS
    const {legacy, envs, workloads, extensions} = survey(copilotDir)
    const v = run(dir, env, ['validate', '--json'])
    let report
    try {
      report = JSON.parse(v.stdout)
    } catch {
      report = undefined
    }
    const errors = report ? report.diagnostics.filter((d) => d.severity === 'error') : []
    const warnings = report ? report.diagnostics.filter((d) => d.severity === 'warning') : []
    const validate = {ok: v.status === 0, causes: report ? [...new Set(errors.map(causeOf))] : [messageCause(v.stderr)], warnings: warnings.length}
    // A workspace Pier refuses that Copilot's YAML reader refuses too is invalid, not a gap.
    if (!validate.ok) validate.copilotInvalid = copilotRefusal(copilotDir)
    const packages = []
    for (const e of envs) {
      const r = run(dir, env, ['env', 'package', '-n', e, '--output-dir', join(dir, 'out')])
      packages.push({what: 'env', name: e, env: e, ok: r.status === 0, cause: r.status === 0 ? undefined : messageCause(r.stderr)})
    }
    for (const w of workloads) {
      // App Runner services and static sites validate, but Pier deploys ECS workloads only.
      if (w.type === 'Request-Driven Web Service' || w.type === 'Static Site') {
        for (const e of envs) packages.push({what: 'unsupported', name: w.name, env: e, ok: false, cause: w.type})
        continue
      }
      for (const e of envs) {
        const kind = w.type === 'Scheduled Job' ? 'job' : 'svc'
        const r = run(dir, env, [kind, 'package', '-n', w.name, '-e', e, '--output-dir', join(dir, 'out')])
        packages.push({what: 'workload', name: w.name, env: e, ok: r.status === 0, cause: r.status === 0 ? undefined : messageCause(r.stderr)})
      }
    }
    results.push({workspace: ws, legacy, supplied, envs, validate, packages, extensions})
    const wl = packages.filter((p) => p.what === 'workload')
    console.error(`${validate.ok ? 'ok  ' : 'FAIL'} ${ws}: ${wl.filter((p) => p.ok).length}/${wl.length} workload-environments, ${packages.filter((p) => p.what === 'env' && p.ok).length}/${envs.length} environments${validate.warnings ? `, ${validate.warnings} warnings` : ''}`)
  }
} finally {
  rmSync(tmp, {recursive: true, force: true})
}

const all = results.flatMap((r) => r.packages)
const figures = {
  workspaces: results.length,
  validated: results.filter((r) => r.validate.ok).length,
  invalidForCopilot: results.filter((r) => r.validate.copilotInvalid).length,
  workloadEnvironments: all.filter((p) => p.what === 'workload').length,
  workloadEnvironmentsPackaged: all.filter((p) => p.what === 'workload' && p.ok).length,
  unsupportedTypes: all.filter((p) => p.what === 'unsupported').length,
  environments: all.filter((p) => p.what === 'env').length,
  environmentsPackaged: all.filter((p) => p.what === 'env' && p.ok).length,
  seconds: Math.round((Date.now() - started) / 1000),
}

/** Refusals Copilot made too, and why: what stays refused must be invalid for Copilot as well (or need
 * what Copilot needed too), and the report says which rule of Copilot's refuses it. */
const COPILOT_REFUSES_TOO = [
  [/the workload has no image/, 'invalid for Copilot too: its manifest validation (ImageLocationOrBuild) refuses an image without `build` or `location` ("must specify one of build and location") before it packages or deploys'],
  [/yaml-syntax|invalid YAML/, 'invalid for Copilot too: the YAML does not parse (yaml.v3 refuses it as well)'],
  [/CloudFront prefix list/, 'needs AWS access, as Copilot did: the region\'s CloudFront prefix list ID is looked up in EC2 (Copilot\'s env package and deploy looked it up too)'],
]
const copilotNote = (cause) => COPILOT_REFUSES_TOO.find(([re]) => re.test(cause))?.[1]

/** cause -> the workspaces (and how many package runs) it refuses. */
function group(entries) {
  const by = new Map()
  for (const [cause, ws] of entries) {
    const g = by.get(cause) ?? {cause, workspaces: new Set(), count: 0}
    g.workspaces.add(ws)
    g.count++
    by.set(cause, g)
  }
  return [...by.values()].map((g) => ({cause: g.cause, workspaces: [...g.workspaces].sort(), count: g.count, copilot: copilotNote(g.cause)})).sort((a, b) => b.workspaces.length - a.workspaces.length || b.count - a.count)
}
const validateCauses = group(results.filter((r) => !r.validate.ok).flatMap((r) => r.validate.causes.map((c) => [c, r.workspace])))
const packageCauses = group(results.flatMap((r) => r.packages.filter((p) => !p.ok && p.what !== 'unsupported').map((p) => [`${p.what === 'env' ? 'env package' : 'package'}: ${p.cause}`, r.workspace])))

console.log(`\nPier on ${figures.workspaces} real Copilot workspaces (${figures.seconds} s)`)
console.log(`  workspaces validated:          ${figures.validated}/${figures.workspaces}${figures.invalidForCopilot ? ` (${figures.invalidForCopilot} of the others invalid for Copilot too, below)` : ''}`)
console.log(`  workload-environments packaged: ${figures.workloadEnvironmentsPackaged}/${figures.workloadEnvironments}`)
if (figures.unsupportedTypes) console.log(`  (not counted: ${figures.unsupportedTypes} workload-environments of Request-Driven Web Services or Static Sites, which Pier does not deploy)`)
console.log(`  environments packaged:          ${figures.environmentsPackaged}/${figures.environments}`)
figures.refusedAsCopilotDid = packageCauses.filter((c) => c.copilot).reduce((n, c) => n + c.count, 0)
figures.refusedOtherwise = packageCauses.filter((c) => !c.copilot).reduce((n, c) => n + c.count, 0)
console.log(`  package refusals Copilot made too (or that need AWS access, as Copilot did): ${figures.refusedAsCopilotDid}; others: ${figures.refusedOtherwise}`)
const invalid = results.filter((r) => r.validate.copilotInvalid)
if (invalid.length) {
  console.log('\nRefused, and invalid for Copilot too (its YAML reader, gopkg.in/yaml.v3, refuses them):')
  for (const r of invalid) console.log(`       ${r.workspace}: ${r.validate.copilotInvalid}`)
}
if (validateCauses.length) {
  console.log('\nValidation refusals by cause (workspaces):')
  for (const c of validateCauses) console.log(`  ${String(c.workspaces.length).padStart(3)}  ${c.cause}\n       ${c.workspaces.join(', ')}${c.copilot ? `\n       (${c.copilot})` : ''}`)
}
// Addons and overrides: every package run of an owner that has them carries them (package reads them).
const extended = results.filter((r) => r.extensions.length)
const extendedRuns = extended.flatMap((r) => r.packages.filter((p) => p.what !== 'unsupported' && r.extensions.includes(p.what === 'env' ? 'environments' : p.name)).map((p) => ({...p, workspace: r.workspace})))
figures.addons = {workspaces: extended.length, packaged: extendedRuns.filter((p) => p.ok).length, runs: extendedRuns.length}
console.log(`  with addons or overrides:       ${extended.length} workspaces; ${figures.addons.packaged}/${figures.addons.runs} of their package runs carry them`)
for (const p of extendedRuns.filter((x) => !x.ok)) console.log(`       refused: ${p.workspace} ${p.what === 'env' ? 'environment' : p.name} (${p.env}): ${p.cause}`)
if (packageCauses.length) {
  console.log('\nPackage refusals by cause (workspaces, runs):')
  for (const c of packageCauses) console.log(`  ${String(c.workspaces.length).padStart(3)} ${String(c.count).padStart(4)}  ${c.cause}\n       ${c.workspaces.join(', ')}${c.copilot ? `\n       (${c.copilot})` : ''}`)
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({figures, validateCauses, packageCauses, results}, null, 2)}\n`)
