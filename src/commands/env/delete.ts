import {Flags} from '@oclif/core'

import {deleteEnvironment} from '../../app/environment.js'
import {appFlag, AwsCommand, yesFlag} from '../../cli/aws-command.js'

export default class EnvironmentDelete extends AwsCommand {
  static override summary = 'Delete an environment that runs no workloads.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name test --yes']
  static override flags = {name: Flags.string({char: 'n', description: 'Name of the environment.', required: true}), app: appFlag, yes: yesFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentDelete)
    const ctx = await this.context(flags)
    const app = this.appName(ctx, flags.app)
    await this.confirmDelete(ctx, `environment ${flags.name} of ${app}`, flags.yes)
    await deleteEnvironment(ctx, app, flags.name)
    this.status(`✔ Deleted environment ${flags.name}. Its manifest in copilot/environments/${flags.name}/ is left as it is.`)
  }
}
