import {Flags} from '@oclif/core'

import {checkAppFlag} from '../../app/check-app.js'
import {listWorkloads} from '../../app/list.js'
import {PierCommand} from '../../cli/base-command.js'
import {printData, printJson, printStatus, table} from '../../cli/output.js'

export default class ServicesList extends PierCommand {
  static override summary = 'List the services of the workspace.'
  static override description = 'Lists the services found under copilot/ with their types. Use --json for a machine-readable list.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    json: Flags.boolean({description: 'Print the list as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServicesList)
    const result = listWorkloads(process.cwd(), 'service')
    checkAppFlag(flags.app, result.application)
    if (flags.json) return printJson(result.workloads)
    if (result.workloads.length === 0) return printStatus('No services in this workspace yet. Create one with `pier svc init`.')
    printData(table(['Name', 'Type'], result.workloads.map((w) => [w.name, w.type])))
  }
}
