import {AwsCommand} from '../../cli/aws-command.js'
import {logsFlags, printLogs} from '../../cli/logs-command.js'

export default class ServiceLogs extends AwsCommand {
  static override summary = 'Print the logs of a service.'
  static override examples = ['<%= config.bin %> <%= command.id %> -n web -e test --since 10m', '<%= config.bin %> <%= command.id %> -n web -e test --follow', '<%= config.bin %> <%= command.id %> -n web -e test --tasks 1a2b3c --json']
  static override flags = logsFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(ServiceLogs)
    const ctx = await this.context(flags, {quiet: true})
    await printLogs(ctx, this.appName(ctx, flags.app), flags)
  }
}
