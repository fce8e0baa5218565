import {AwsCommand} from '../../cli/aws-command.js'
import {logsFlags, printLogs} from '../../cli/logs-command.js'

export default class JobLogs extends AwsCommand {
  static override summary = 'Print the logs of a job (all its runs).'
  static override examples = ['<%= config.bin %> <%= command.id %> -n report -e test --since 10m', '<%= config.bin %> <%= command.id %> -n report -e test --follow', '<%= config.bin %> <%= command.id %> -n report -e test --tasks 1a2b3c --json']
  static override flags = logsFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(JobLogs)
    const ctx = await this.context(flags, {quiet: true})
    await printLogs(ctx, this.appName(ctx, flags.app), flags)
  }
}
