import {Flags} from '@oclif/core'

import {checkAppFlag} from '../../app/check-app.js'
import {listEnvironments} from '../../app/list.js'
import {PierCommand} from '../../cli/base-command.js'
import {printData, printJson, printStatus} from '../../cli/output.js'

export default class EnvironmentsList extends PierCommand {
  static override summary = 'List the environments of the workspace.'
  static override description = 'Lists the environments that have a manifest under copilot/environments/. Use --json for a machine-readable list.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    json: Flags.boolean({description: 'Print the list as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentsList)
    const result = listEnvironments(process.cwd())
    checkAppFlag(flags.app, result.application)
    if (flags.json) return printJson(result.environments)
    if (result.environments.length === 0) return printStatus('No environments in this workspace yet. Create one with `pier env init --name test`.')
    printData(result.environments.map((e) => e.name).join('\n'))
  }
}
