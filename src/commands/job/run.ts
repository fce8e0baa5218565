import {Flags} from '@oclif/core'

import {runJob} from '../../app/job-run.js'
import {appFlag, AwsCommand} from '../../cli/aws-command.js'
import {ExitCode, UserError} from '../../errors.js'

export default class JobRun extends AwsCommand {
  static override summary = 'Run a deployed job now, outside its schedule.'
  static override description =
    'Starts an execution of the job\'s state machine, as its schedule does: the run gets the job\'s timeout and retries and shows in the state machine\'s history. ' +
    'With --follow, prints the logs of each attempt\'s task until the execution ends and exits with the container\'s exit code (1 with the reason when the job timed out or its task did not start). ' +
    'Ctrl-C once stops the execution and its task; twice stops following.'
  static override examples = ['<%= config.bin %> <%= command.id %> -n report -e test', '<%= config.bin %> <%= command.id %> -n report -e test --follow', '<%= config.bin %> <%= command.id %> -n report -e test --json']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the job.', required: true}),
    env: Flags.string({char: 'e', description: 'Environment of the job.', required: true}),
    app: appFlag,
    follow: Flags.boolean({description: 'Print the logs until the execution ends, and exit with the container\'s exit code.'}),
    json: Flags.boolean({description: 'Print the result as JSON on stdout ({executionArn, ...}; with --follow, the logs go to stderr).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(JobRun)
    const ctx = await this.context(flags, {quiet: true})
    const log = flags.json ? process.stderr : process.stdout
    const r = await runJob(ctx, {app: this.appName(ctx, flags.app), name: flags.name, env: flags.env, follow: flags.follow, onLog: (l) => log.write(`${l}\n`)})
    if (flags.json) this.printJson(r)
    else if (!flags.follow) {
      this.status(
        `✔ Started job ${flags.name}: execution ${r.executionArn.split(':').pop()}.\n` +
          `  Follow its logs: pier job logs --name ${flags.name} --env ${flags.env} --follow\n` +
          `  Its progress:    aws stepfunctions describe-execution --execution-arn ${r.executionArn}`,
      )
    }
    if (r.reason) throw new UserError(`Job ${flags.name} failed: ${r.reason}.`, {hint: `Its history: aws stepfunctions get-execution-history --execution-arn ${r.executionArn}`, exitCode: r.exitCode || 1})
    if (r.exitCode) throw new ExitCode(r.exitCode)
  }
}
