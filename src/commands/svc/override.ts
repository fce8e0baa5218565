import {Flags} from '@oclif/core'

import {PierCommand} from '../../cli/base-command.js'
import {overrideFlags, runOverride} from '../../cli/override-command.js'

export default class SvcOverride extends PierCommand {
  static override summary = 'Scaffold overrides of a service\'s CloudFormation template: YAML patches or a CDK application.'
  static override description = 'Writes copilot/NAME/overrides/: cfn.patches.yml with commented examples (--tool yamlpatch), or a CDK application that includes the rendered template and transforms the resources named by --resources (--tool cdk). package and deploy apply them after rendering. See docs/addons.md.'
  static override examples = [
    {description: 'YAML patches.', command: '<%= config.bin %> <%= command.id %> -n api --tool yamlpatch'},
    {description: 'A CDK application transforming the task role and the service.', command: '<%= config.bin %> <%= command.id %> -n api --tool cdk --resources TaskRole,Service'},
  ]
  static override flags = {
    ...overrideFlags,
    name: Flags.string({char: 'n', description: 'Name of the service or job.'}),
    env: Flags.string({char: 'e', description: 'Environment whose rendered template lists the resources (default: the first).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(SvcOverride)
    await runOverride('workload', flags)
  }
}
