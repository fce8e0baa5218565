import {Flags} from '@oclif/core'

import {checkAppFlag} from '../app/check-app.js'
import {validateManifests} from '../app/validate.js'
import {PierCommand} from '../cli/base-command.js'
import {ExitCode} from '../cli/errors.js'
import {printData, printJson, success, useColor} from '../cli/output.js'
import {formatDiagnostics} from '../manifest/diagnostics.js'

export default class Validate extends PierCommand {
  static override summary = 'Check the manifests of the workspace and report every problem at once.'
  static override description = `Validates copilot/.workspace, every environment manifest, and every workload manifest merged for every environment (or only the ones named). Each problem is shown with its file:line:column, a code frame, and a hint. Exits with 1 when there is an error; warnings alone exit 0.`
  static override examples = [
    {description: 'Validate the whole workspace.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Validate the "web" service for the "prod" environment only.', command: '<%= config.bin %> <%= command.id %> -n web -e prod'},
    {description: 'Get the problems as JSON (for CI annotations).', command: '<%= config.bin %> <%= command.id %> --json'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of a workload to validate (repeatable). Default: all workloads.', multiple: true}),
    env: Flags.string({char: 'e', description: 'Name of an environment to validate against (repeatable). Default: all environments.', multiple: true}),
    json: Flags.boolean({description: 'Print the result as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Validate)
    const result = validateManifests({cwd: process.cwd(), ...(flags.name ? {names: flags.name} : {}), ...(flags.env ? {envs: flags.env} : {})})
    checkAppFlag(flags.app, result.application)
    if (flags.json) printJson(result)
    else if (result.diagnostics.length > 0) printData(formatDiagnostics(result.diagnostics, {color: useColor(process.stdout)}))
    if (!flags.json && result.ok) {
      const envs = result.environments.length
      success(`${result.workloads.length} workload${result.workloads.length === 1 ? '' : 's'} valid in ${envs} environment${envs === 1 ? '' : 's'}${result.warnings ? ` (${result.warnings} warning${result.warnings === 1 ? '' : 's'})` : ''}.`)
    }
    if (!result.ok) throw new ExitCode(1)
  }
}
