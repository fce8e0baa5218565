import {Flags} from '@oclif/core'

import {deleteApplication} from '../../app/application.js'
import {AwsCommand, yesFlag} from '../../cli/aws-command.js'

export default class ApplicationDelete extends AwsCommand {
  static override summary = 'Delete an application: every workload, every environment, and its records.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name demo --yes']
  static override flags = {name: Flags.string({char: 'n', description: 'Name of the application (default: the workspace\'s).'}), yes: yesFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(ApplicationDelete)
    const ctx = await this.context(flags)
    const name = this.appName(ctx, flags.name)
    await this.confirmDelete(ctx, `application ${name} with all its environments and workloads`, flags.yes)
    const r = await deleteApplication(ctx, name)
    this.status(`✔ Deleted application ${name} (${r.workloads.length} workload(s), ${r.environments.length} environment(s)). The copilot/ directory is left as it is.`)
  }
}
