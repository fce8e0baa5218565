import {Flags} from '@oclif/core'

import {showApplication} from '../../app/application.js'
import {AwsCommand, jsonFlag, table} from '../../cli/aws-command.js'

export default class ApplicationShow extends AwsCommand {
  static override summary = 'Show an application: its environments and workloads.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name demo', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {name: Flags.string({char: 'n', description: 'Name of the application (default: the workspace\'s).'}), json: jsonFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(ApplicationShow)
    const ctx = await this.context(flags, {quiet: true})
    const app = await showApplication(ctx, this.appName(ctx, flags.name))
    if (flags.json) return this.printJson(app)
    const out = [`Application ${app.name} (account ${app.account ?? '?'})`, '', 'Environments', app.environments.length ? table(['Name', 'Region', 'Account', 'Prod'], app.environments.map((e) => [e.name, e.region, e.account, e.prod ? 'yes' : 'no'])) : '  (none)', '', 'Workloads', app.workloads.length ? table(['Name', 'Type'], app.workloads.map((w) => [w.name, w.type])) : '  (none)']
    process.stdout.write(`${out.join('\n')}\n`)
  }
}
