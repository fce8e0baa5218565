import {listApplications} from '../../app/application.js'
import {AwsCommand, jsonFlag, table} from '../../cli/aws-command.js'

export default class ApplicationList extends AwsCommand {
  static override summary = 'List the applications in this account and region (Copilot\'s too).'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {json: jsonFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(ApplicationList)
    const ctx = await this.context(flags, {quiet: true})
    const apps = await listApplications(ctx)
    if (flags.json) return this.printJson(apps)
    if (apps.length === 0) return this.status('No applications yet. Create one with `pier app init NAME` or `pier init`.')
    process.stdout.write(`${table(['Name', 'Account', 'Domain'], apps.map((a) => [a.name, a.account, a.domain]))}\n`)
  }
}
