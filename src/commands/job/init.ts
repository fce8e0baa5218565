import {Flags} from '@oclif/core'

import {runInitWorkload} from '../../cli/init-workload.js'
import {awsFlags} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {registerAfterInit} from '../../cli/register.js'

export default class JobInit extends PierCommand {
  static override summary = 'Write the manifest of a new scheduled job.'
  static override description = 'Writes copilot/NAME/manifest.yml for a Scheduled Job built from a Dockerfile (--dockerfile) or run from an existing image (--image). Schedules: a cron expression ("0 9 * * 1-5"), @hourly, @daily, @weekly, @monthly, @yearly, or @every with a duration ("@every 1h30m"). On a terminal Pier asks for what is missing; in CI or without a terminal every missing flag is an error that names it. When the manifest already exists (a teammate joining, or a workspace from Copilot), it is kept and the job is registered.'
  static override examples = [
    {description: 'A job that runs every hour.', command: '<%= config.bin %> <%= command.id %> --name report --dockerfile ./report/Dockerfile --schedule "@every 1h"'},
    {description: 'A weekday job with retries and a timeout.', command: '<%= config.bin %> <%= command.id %> -n digest --image repo/digest:1 --schedule "0 9 * * 1-5" --retries 2 --timeout 30m'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of the job.'}),
    'job-type': Flags.string({char: 't', description: 'Type of job (the only one is Scheduled Job).', options: ['Scheduled Job']}),
    dockerfile: Flags.string({char: 'd', description: 'Path of the Dockerfile to build the image from.', exclusive: ['image']}),
    image: Flags.string({char: 'i', description: 'URI of an existing image to run.', exclusive: ['dockerfile']}),
    schedule: Flags.string({char: 's', description: 'When the job runs.'}),
    retries: Flags.integer({description: 'Retries after a failure (0-10).', min: 0, max: 10}),
    timeout: Flags.string({description: 'Stop the job if it runs longer than this, e.g. 30m or 1h30m.'}),
    force: Flags.boolean({description: 'Overwrite an existing manifest.'}),
    ...awsFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(JobInit)
    const w = await runInitWorkload(flags, ['Scheduled Job'], '--job-type')
    await registerAfterInit(flags, {kind: 'workload', ...w})
  }
}
