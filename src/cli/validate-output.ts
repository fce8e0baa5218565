// `pier validate`'s printing, shared by the oclif command and the fast path in bin/run.js.
import {join, relative} from 'node:path'

import {checkAppFlag} from '../app/check-app.js'
import {validateManifests} from '../app/validate.js'
import {formatDiagnostics} from '../manifest/diagnostics.js'
import {ExitCode} from '../errors.js'
import {printData, printJson, printStatus, success, useColor} from './output.js'

export interface ValidateFlags {
  app?: string
  name?: string[]
  env?: string[]
  json?: boolean
  strict?: boolean
}

export async function runValidate(flags: ValidateFlags, cwd = process.cwd()): Promise<void> {
  const result = await validateManifests({cwd, ...(flags.name ? {names: flags.name} : {}), ...(flags.env ? {envs: flags.env} : {}), strict: flags.strict})
  checkAppFlag(flags.app, result.application)
  if (flags.json) printJson(result)
  else if (result.diagnostics.length > 0) {
    // Paths relative to where the command runs, so terminals and editors can open them.
    const here = result.diagnostics.map((d) => ({...d, file: relative(cwd, join(result.root, d.file)) || d.file}))
    printData(formatDiagnostics(here, {color: useColor(process.stdout)}))
  }
  if (!flags.json && result.ok) {
    const envs = result.environments.length
    success(`${result.workloads.length} workload${result.workloads.length === 1 ? '' : 's'} valid in ${envs} environment${envs === 1 ? '' : 's'}${result.warnings ? ` (${result.warnings} warning${result.warnings === 1 ? '' : 's'})` : ''}.`)
    // No environment manifest and none named in overrides (Copilot before v1.21): say what was checked.
    if (envs === 0) printStatus('No environment has a manifest or overrides here: each manifest was checked on its own. Check one for an environment that is deployed with `-e NAME`.')
  }
  if (!result.ok) throw new ExitCode(1)
}
