import {Flags} from '@oclif/core'

import {PierCommand} from '../cli/base-command.js'
import {runValidate} from '../cli/validate-output.js'

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
    strict: Flags.boolean({description: 'Report keys and values Copilot ignored (unknown keys, values its unmarshallers dropped) as errors, not warnings.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Validate)
    await runValidate(flags)
  }
}
