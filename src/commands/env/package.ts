import {Flags} from '@oclif/core'

import {PierCommand} from '../../cli/base-command.js'
import {checkAppFlag} from '../../app/check-app.js'
import {packageEnvironment, writePackage} from '../../app/package.js'
import {workspaceManifests} from '../../app/workspace-manifests.js'
import {printData, printStatus, success, useColor} from '../../cli/output.js'
import {requireValue} from '../../cli/prompt.js'

export default class EnvironmentPackage extends PierCommand {
  static override summary = 'Print or write the CloudFormation template of an environment, without deploying.'
  static override description = 'Renders the environment stack as `pier env deploy` would, with no AWS access. The load balancers and NAT gateways are switched on by parameters listing the workloads that need them, computed from the workspace. See docs/rendering.md.'
  static override examples = [
    {description: 'The template on stdout.', command: '<%= config.bin %> <%= command.id %> -n test'},
    {description: 'Template and parameters into a directory (<env>.env.yml, <env>.env.params.json).', command: '<%= config.bin %> <%= command.id %> -n test --output-dir infrastructure'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of the environment.'}),
    strict: Flags.boolean({description: 'Refuse manifests with keys or values Copilot ignored (reported as warnings otherwise).'}),
    'output-dir': Flags.string({description: 'Write <env>.env.yml and <env>.env.params.json into this directory instead of printing the template.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentPackage)
    const cwd = process.cwd()
    const src = workspaceManifests(cwd, {color: useColor(process.stderr), strict: flags.strict, warn: printStatus})
    checkAppFlag(flags.app, src.application)
    const env = await requireValue(flags.name, {flag: '--name', question: 'Which environment?', choices: src.environments, example: src.environments[0] ?? 'test'})
    const result = packageEnvironment(src, env)
    if (!flags['output-dir']) return printData(result.files[0]!.content.trimEnd())
    const paths = writePackage(result.files, flags['output-dir'], cwd)
    success(`Wrote the ${result.stackName} stack: ${paths.join(', ')}`)
  }
}
