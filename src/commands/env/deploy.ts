import {Flags} from '@oclif/core'

import {deployEnvironment} from '../../app/environment.js'
import {AwsCommand} from '../../cli/aws-command.js'
import {deployFlags, deployOptions} from '../../cli/deploy-flags.js'

export default class EnvironmentDeploy extends AwsCommand {
  static override summary = 'Deploy an environment: network, cluster, and the load balancers its workloads need.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name test', '<%= config.bin %> <%= command.id %> -n prod --diff']
  static override flags = {
    ...deployFlags,
    name: Flags.string({char: 'n', description: 'Name of the environment.', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentDeploy)
    const ctx = await this.context(flags)
    const result = await deployEnvironment(ctx, {...deployOptions(ctx, flags), env: flags.name})
    if (flags.json) return this.printResult(ctx, result)
    const done = result.status === 'no-changes' ? `Environment ${flags.name} is up to date: no changes.` : result.status === 'detached' ? `The deploy of environment ${flags.name} continues in the background.` : `Deployed environment ${flags.name}.`
    this.status(`✔ ${done}\n  Deploy a workload to it: pier deploy --name NAME --env ${flags.name}`)
  }
}
