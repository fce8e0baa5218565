import {Flags} from '@oclif/core'

import {runJob} from '../../app/workloads.js'
import {appFlag, AwsCommand} from '../../cli/aws-command.js'
import {ExitCode} from '../../cli/errors.js'

export default class JobRun extends AwsCommand {
  static override summary = 'Run a deployed job now, outside its schedule.'
  static override description = 'Starts one task of the job in its environment. With --follow, prints its logs until it stops and exits with the container\'s exit code.'
  static override examples = ['<%= config.bin %> <%= command.id %> -n report -e test --follow']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the job.', required: true}),
    env: Flags.string({char: 'e', description: 'Environment of the job.', required: true}),
    app: appFlag,
    follow: Flags.boolean({description: 'Print the logs until the job stops, and exit with its exit code.'}),
    json: Flags.boolean({description: 'Print the result as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(JobRun)
    const ctx = await this.context(flags, {quiet: true})
    const r = await runJob(ctx, {app: this.appName(ctx, flags.app), name: flags.name, env: flags.env, follow: flags.follow, onLog: (l) => process.stdout.write(`${l}\n`)})
    if (flags.json) this.printJson(r)
    else if (!flags.follow) this.status(`✔ Started ${r.taskArns.map((a) => a.split('/').pop()).join(', ')}.\n  Follow it: pier job logs --name ${flags.name} --env ${flags.env} --follow`)
    if (r.follow && r.follow.exitCode !== 0) throw new ExitCode(r.follow.exitCode)
  }
}
