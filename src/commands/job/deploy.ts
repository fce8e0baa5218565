import {Flags} from '@oclif/core'

import {deployWorkload} from '../../app/workload-deploy.js'
import {AwsCommand} from '../../cli/aws-command.js'
import {deployOptions, summarizeDeploy, workloadDeployFlags} from '../../cli/deploy-flags.js'

export default class JobDeploy extends AwsCommand {
  static override summary = 'Deploy a job to an environment.'
  static override description = 'Builds the image (or runs from source where no container engine exists), renders the job stack (task definition, schedule, state machine) and deploys it through a change set. The environment is deployed first when needed.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name report --env test', '<%= config.bin %> <%= command.id %> -n report -e prod --tag v1.2.0 --diff']
  static override flags = {
    ...workloadDeployFlags,
    name: Flags.string({char: 'n', description: 'Name of the job.', required: true}),
    env: Flags.string({char: 'e', description: 'Environment to deploy to.', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(JobDeploy)
    const ctx = await this.context(flags)
    const result = await deployWorkload(ctx, {...deployOptions(ctx, flags), name: flags.name, env: flags.env, tag: flags.tag, force: flags.force, maxTaskFailures: flags['max-task-failures']})
    if (flags.json) this.printResult(ctx, result)
    else this.status(summarizeDeploy(result))
  }
}
