// Shared by `pier svc show` and `pier job show`: print a workload's merged manifest or its summary.
import {Flags} from '@oclif/core'
import {join, relative} from 'node:path'

import {checkAppFlag} from '../app/check-app.js'
import {type WorkloadKind, manifestYaml, showManifest, summarizeWorkload} from '../app/show-manifest.js'
import {formatDiagnostics} from '../manifest/diagnostics.js'
import {loadWorkspace} from '../workspace/find.js'
import {awsFlags} from './aws-flags.js'
import {ExitCode} from '../errors.js'
import {deployedDetails} from './register.js'
import type {WorkloadInEnv} from '../app/workloads.js'
import {printData, printJson, printStatus, table, useColor} from './output.js'
import {requireValue} from './prompt.js'

export const showFlags = {
  app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
  name: Flags.string({char: 'n', description: 'Name of the workload.'}),
  env: Flags.string({char: 'e', description: 'Name of the environment (required with --manifest).'}),
  manifest: Flags.boolean({description: 'Print the manifest as Pier applies it to the environment: interpolated, with type defaults and the environment\'s overrides.'}),
  json: Flags.boolean({description: 'Print JSON on stdout.'}),
  ...awsFlags,
}

export interface ShowFlags {
  app?: string
  name?: string
  env?: string
  manifest: boolean
  json: boolean
  profile?: string
  region?: string
  'endpoint-url'?: string
  local?: boolean
}

export async function runShow(kind: WorkloadKind, flags: ShowFlags): Promise<void> {
  const cwd = process.cwd()
  const ws = loadWorkspace(cwd)
  checkAppFlag(flags.app, ws.application)
  const names = ws.workloads.filter((w) => (w.type === 'Scheduled Job') === (kind === 'job')).map((w) => w.name)
  const name = await requireValue(flags.name, {flag: '--name', question: `Which ${kind}?`, choices: names, example: names[0] ?? 'web'})
  if (flags.manifest) {
    const env = await requireValue(flags.env, {flag: '--env', question: 'Which environment?', choices: ws.environments, example: ws.environments[0] ?? 'test'})
    const shown = showManifest({cwd, name, env, kind})
    const errors = shown.diagnostics.filter((d) => d.severity === 'error')
    const here = shown.diagnostics.map((d) => ({...d, file: relative(cwd, join(ws.root, d.file)) || d.file}))
    if (here.length > 0) printStatus(formatDiagnostics(here, {color: useColor(process.stderr)}))
    if (errors.length > 0) throw new ExitCode(1)
    if (flags.json) printJson(shown.manifest)
    else printData(manifestYaml(shown.manifest))
    return
  }
  const summary = summarizeWorkload({cwd, name, kind, ...(flags.env ? {env: flags.env} : {})})
  const deployed = (await deployedDetails(flags, ws.application, name))?.filter((d) => !flags.env || d.environment === flags.env)
  if (flags.json) return printJson(deployed ? {...summary, deployed} : summary)
  const rows = summary.environments.map((e) => [e.environment, String(e.cpu ?? ''), String(e.memory ?? ''), kind === 'job' ? String(e.schedule ?? '') : typeof e.count === 'object' ? JSON.stringify(e.count) : String(e.count ?? ''), String(e.port ?? ''), e.image ?? '', e.ok ? '' : 'invalid: run pier validate'])
  printData(`About\n\n  Application  ${summary.application}\n  Name         ${summary.name}\n  Type         ${summary.type}\n\nConfigurations\n\n${table(['Environment', 'CPU', 'Memory', kind === 'job' ? 'Schedule' : 'Tasks', 'Port', 'Image', ''], rows).replace(/^/gm, '  ')}`)
  if (deployed) printData(deployedText(deployed))
}

function deployedText(deployed: WorkloadInEnv[]): string {
  if (deployed.length === 0) return '\nDeployed\n\n  (not deployed in any environment yet)'
  const rows = deployed.map((d) => [d.environment, d.status, d.runningCount === undefined ? '' : `${d.runningCount}/${d.desiredCount}`, d.url ?? ''])
  const vars = deployed.flatMap((d) => Object.entries(d.variables).map(([k, v]) => [d.environment, k, v]))
  const secrets = deployed.flatMap((d) => d.secrets.map((s) => [d.environment, s]))
  return [
    '\nDeployed\n', table(['Environment', 'Stack', 'Tasks', 'URL'], rows).replace(/^/gm, '  '),
    ...(vars.length ? ['\nVariables\n', table(['Environment', 'Name', 'Value'], vars).replace(/^/gm, '  ')] : []),
    ...(secrets.length ? ['\nSecrets (names only)\n', table(['Environment', 'Name'], secrets).replace(/^/gm, '  ')] : []),
  ].join('\n')
}
