import {Flags} from '@oclif/core'

import {deleteWorkload} from '../../app/workloads.js'
import {appFlag, AwsCommand, yesFlag} from '../../cli/aws-command.js'

export default class ServiceDelete extends AwsCommand {
  static override summary = 'Delete a service from one environment, or from all of them and the application.'
  static override examples = ['<%= config.bin %> <%= command.id %> -n web --yes', '<%= config.bin %> <%= command.id %> -n web -e test --yes']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the service.', required: true}),
    env: Flags.string({char: 'e', description: 'Only delete it from this environment.'}),
    app: appFlag,
    yes: yesFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServiceDelete)
    const ctx = await this.context(flags)
    const app = this.appName(ctx, flags.app)
    await this.confirmDelete(ctx, `${flags.name}${flags.env ? ` from environment ${flags.env}` : ' from every environment'} of ${app}`, flags.yes)
    const r = await deleteWorkload(ctx, app, flags.name, flags.env)
    this.status(`✔ Deleted ${flags.name}${r.environments.length ? ` from ${r.environments.join(', ')}` : ''}${r.unregistered ? ' and removed it from the application' : ''}.`)
  }
}
