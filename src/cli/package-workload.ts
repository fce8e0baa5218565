// Shared by `pier svc package` and `pier job package`.
import {Flags} from '@oclif/core'

import {checkAppFlag} from '../app/check-app.js'
import {packageWorkload, type PackageResult, type WorkloadKind, writePackage} from '../app/package.js'
import {workspaceManifests} from '../app/workspace-manifests.js'
import {UserError} from './errors.js'
import {printData, success, useColor} from './output.js'
import {requireValue} from './prompt.js'

export const packageFlags = {
  app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
  name: Flags.string({char: 'n', description: 'Name of the workload.', exclusive: ['all']}),
  env: Flags.string({char: 'e', description: 'Name of the environment.'}),
  'output-dir': Flags.string({description: 'Write <name>-<env>.stack.yml, .params.json and .taskdef.json into this directory instead of printing the template.'}),
  tag: Flags.string({description: 'Tag for images built from source (they are named <app>/<workload>:<tag>).', default: 'latest'}),
  all: Flags.boolean({description: 'Package every workload of this kind in the workspace (needs --output-dir).'}),
}

export interface PackageFlags {
  app?: string
  name?: string
  env?: string
  'output-dir'?: string
  tag: string
  all: boolean
}

export async function runPackage(kind: WorkloadKind, flags: PackageFlags): Promise<void> {
  const cwd = process.cwd()
  const src = workspaceManifests(cwd, {color: useColor(process.stderr)})
  checkAppFlag(flags.app, src.application)
  const names = src.workloads.filter((w) => (w.type === 'Scheduled Job') === (kind === 'job')).map((w) => w.name)
  if (flags.all && !flags['output-dir']) {
    throw new UserError('--all needs --output-dir: several templates cannot go to stdout', {hint: 'Add --output-dir DIR.'})
  }
  const targets = flags.all ? names : [await requireValue(flags.name, {flag: '--name', question: `Which ${kind}?`, choices: names, example: names[0] ?? 'web'})]
  if (targets.length === 0) throw new UserError(`no ${kind === 'job' ? 'jobs' : 'services'} in this workspace`, {hint: kind === 'job' ? 'Create one with `pier job init`.' : 'Create one with `pier svc init`.'})
  const env = await requireValue(flags.env, {flag: '--env', question: 'Which environment?', choices: src.environments, example: src.environments[0] ?? 'test'})
  const results: PackageResult[] = targets.map((name) => packageWorkload(src, {name, env, kind, tag: flags.tag}))
  if (!flags['output-dir']) return printData(results[0]!.files[0]!.content.trimEnd())
  for (const r of results) {
    const paths = writePackage(r.files, flags['output-dir'], cwd)
    success(`Wrote the ${r.stackName} stack: ${paths.join(', ')}`)
  }
}
