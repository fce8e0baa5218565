// `pier svc package` / `pier job package` once their flags are parsed, by oclif or by the fast path
// (so this module does not load the CLI framework).
import {checkAppFlag} from '../app/check-app.js'
import {importedAlbName} from '../app/imported-alb.js'
import {packageWorkload, type PackageResult, type WorkloadKind, writePackage} from '../app/package.js'
import {workspaceManifests} from '../app/workspace-manifests.js'
import {UserError} from '../errors.js'
import {workloadStackName} from '../render/names.js'
import {printData, printStatus, success, useColor} from './output.js'
import {requireValue} from './prompt.js'

export interface PackageFlags {
  app?: string
  name?: string
  env?: string
  'output-dir'?: string
  tag: string
  all: boolean
  'upload-assets'?: boolean
  diff?: boolean
  profile?: string
  region?: string
  'endpoint-url'?: string
  local?: boolean
  strict?: boolean
}

export async function runPackage(kind: WorkloadKind, flags: PackageFlags): Promise<void> {
  const cwd = process.cwd()
  let src = workspaceManifests(cwd, {color: useColor(process.stderr), strict: flags.strict, warn: printStatus})
  checkAppFlag(flags.app, src.application)
  const names = src.workloads.filter((w) => (w.type === 'Scheduled Job') === (kind === 'job')).map((w) => w.name)
  if (flags.all && !flags['output-dir']) {
    throw new UserError('--all needs --output-dir: several templates cannot go to stdout', {hint: 'Add --output-dir DIR.'})
  }
  const targets = flags.all ? names : [await requireValue(flags.name, {flag: '--name', question: `Which ${kind}?`, choices: names, example: names[0] ?? 'web'})]
  if (targets.length === 0) throw new UserError(`no ${kind === 'job' ? 'jobs' : 'services'} in this workspace`, {hint: kind === 'job' ? 'Create one with `pier job init`.' : 'Create one with `pier svc init`.'})
  const env = await requireValue(flags.env, {flag: '--env', question: 'Which environment?', choices: src.environments, example: src.environments[0] ?? 'test'})
  // Online (--diff, --upload-assets), an environment without a manifest is read as a deploy reads it.
  const deployed = flags.diff || flags['upload-assets'] ? await (await import('./package-online.js')).deployedEnvironment(flags, cwd, env) : undefined
  if (deployed) {
    printStatus(`Environment ${env} has no manifest (Copilot before v1.21): packaging against ${deployed.from}.`)
    const offline = src.environment.bind(src)
    src = {...src, environment: (e) => (e === env ? deployed.manifest : offline(e))}
  }
  const results: PackageResult[] = []
  for (const name of targets) {
    // --upload-assets: the addons template is in S3 before rendering, so its URL is in the template.
    const uploaded = flags['upload-assets'] ? await (await import('./package-online.js')).uploadAssets(flags, src.root, {workload: name}, workloadStackName(src.application, env, name)) : undefined
    const manifest = src.workload(name, env)
    const alb = importedAlbName(manifest)
    const importedAlb = alb ? await (await import('./package-online.js')).importedAlb(flags, name, alb) : undefined
    results.push(packageWorkload(src, {name, env, kind, tag: flags.tag, ...(uploaded ? {uploaded} : {}), ...(importedAlb ? {importedAlb} : {})}))
  }
  if (flags.diff) {
    const diff = await (await import('./package-online.js')).diffWithDeployed(flags, results[0]!)
    return diff ? printData(diff) : printStatus(`${results[0]!.stackName}: the deployed template is the same.`)
  }
  if (!flags['output-dir']) {
    printData(results[0]!.files[0]!.content.trimEnd())
    const notes = results[0]!.notes ?? []
    for (const n of notes) printStatus(n)
    if (results[0]!.files.some((f) => f.name.endsWith('.addons.stack.yml'))) printStatus('The addons template is written with --output-dir DIR.')
    return
  }
  for (const r of results) {
    for (const n of r.notes ?? []) printStatus(n)
    const paths = writePackage(r.files, flags['output-dir'], cwd)
    success(`Wrote the ${r.stackName} stack: ${paths.join(', ')}`)
  }
}
