import {Flags} from '@oclif/core'

import {PierCommand} from '../../cli/base-command.js'
import {overrideFlags, runOverride} from '../../cli/override-command.js'

export default class EnvOverride extends PierCommand {
  static override summary = 'Scaffold overrides of the environments\' CloudFormation template: YAML patches or a CDK application.'
  static override description = 'Writes copilot/environments/overrides/: cfn.patches.yml with commented examples (--tool yamlpatch), or a CDK application that includes the rendered template and transforms the resources named by --resources (--tool cdk). env package and env deploy apply them after rendering. See docs/addons.md.'
  static override examples = [
    {description: 'YAML patches.', command: '<%= config.bin %> <%= command.id %> -n test --tool yamlpatch'},
    {description: 'A CDK application transforming the cluster.', command: '<%= config.bin %> <%= command.id %> -n test --tool cdk --resources Cluster'},
  ]
  static override flags = {
    ...overrideFlags,
    name: Flags.string({char: 'n', description: 'Environment whose rendered template lists the resources.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvOverride)
    await runOverride('environment', flags)
  }
}
