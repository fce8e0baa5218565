import {Flags} from '@oclif/core'

import {awsFlags} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {restrictsToCloudFront} from '../../render/index.js'
import {environmentStackName} from '../../render/names.js'
import {checkAppFlag} from '../../app/check-app.js'
import {packageEnvironment, writePackage} from '../../app/package.js'
import {workspaceManifests} from '../../app/workspace-manifests.js'
import {printData, printStatus, success, useColor} from '../../cli/output.js'
import {requireValue} from '../../cli/prompt.js'

export default class EnvironmentPackage extends PierCommand {
  static override summary = 'Print or write the CloudFormation template of an environment, without deploying.'
  static override description = 'Renders the environment stack as `pier env deploy` would, with no AWS access (except, when the public load balancer admits CloudFront only, to look up the CloudFront prefix list of the region, as deploy does). The load balancers and NAT gateways are switched on by parameters listing the workloads that need them, computed from the workspace. See docs/rendering.md.'
  static override examples = [
    {description: 'The template on stdout.', command: '<%= config.bin %> <%= command.id %> -n test'},
    {description: 'Template and parameters into a directory (<env>.env.yml, <env>.env.params.json).', command: '<%= config.bin %> <%= command.id %> -n test --output-dir infrastructure'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of the environment.'}),
    'upload-assets': Flags.boolean({description: 'Upload the addons template and the local code it names to S3, so the template can be deployed as printed (needs AWS or --local).', exclusive: ['diff']}),
    diff: Flags.boolean({description: 'Print the difference between the deployed template and this one, instead of the template (needs AWS or --local).', exclusive: ['upload-assets']}),
    ...awsFlags,
    strict: Flags.boolean({description: 'Refuse manifests with keys or values Copilot ignored (reported as warnings otherwise).'}),
    'output-dir': Flags.string({description: 'Write <env>.env.yml, <env>.env.params.json (and <env>.env.addons.stack.yml with addons) into this directory instead of printing the template.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentPackage)
    const cwd = process.cwd()
    const src = workspaceManifests(cwd, {color: useColor(process.stderr), strict: flags.strict, warn: printStatus})
    checkAppFlag(flags.app, src.application)
    const env = await requireValue(flags.name, {flag: '--name', question: 'Which environment?', choices: src.environments, example: src.environments[0] ?? 'test'})
    const online = () => import('../../cli/package-online.js')
    const uploaded = flags['upload-assets'] ? await (await online()).uploadAssets(flags, src.root, 'environments', environmentStackName(src.application, env)) : undefined
    const manifest = src.environment(env)
    const cloudFrontPrefixListId = restrictsToCloudFront(manifest) ? await (await online()).cloudFrontPrefixList(flags, env, manifest) : undefined
    const result = packageEnvironment(src, env, uploaded, {cloudFrontPrefixListId})
    if (flags.diff) {
      const diff = await (await online()).diffWithDeployed(flags, result)
      return diff ? printData(diff) : printStatus(`${result.stackName}: the deployed template is the same.`)
    }
    for (const n of result.notes ?? []) printStatus(n)
    if (!flags['output-dir']) return printData(result.files[0]!.content.trimEnd())
    const paths = writePackage(result.files, flags['output-dir'], cwd)
    success(`Wrote the ${result.stackName} stack: ${paths.join(', ')}`)
  }
}
