import {Flags} from '@oclif/core'

import {deployWorkload} from '../../app/workload-deploy.js'
import {AwsCommand} from '../../cli/aws-command.js'
import {deployOptions, summarizeDeploy, workloadDeployFlags} from '../../cli/deploy-flags.js'

export default class ServiceDeploy extends AwsCommand {
  static override summary = 'Deploy a service to an environment.'
  static override description = 'Builds the image (or runs from source where no container engine exists), renders the service stack and deploys it through a change set, following the ECS rollout. The environment is deployed first when needed.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name web --env test', '<%= config.bin %> <%= command.id %> -n web -e prod --tag v1.2.0 --diff']
  static override flags = {
    ...workloadDeployFlags,
    name: Flags.string({char: 'n', description: 'Name of the service.', required: true}),
    env: Flags.string({char: 'e', description: 'Environment to deploy to.', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServiceDeploy)
    const ctx = await this.context(flags)
    const result = await deployWorkload(ctx, {...deployOptions(ctx, flags), name: flags.name, env: flags.env, tag: flags.tag, force: flags.force, maxTaskFailures: flags['max-task-failures']})
    if (flags.json) this.printResult(ctx, result)
    else this.status(summarizeDeploy(result))
  }
}
