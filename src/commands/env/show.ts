import {Flags} from '@oclif/core'

import {showEnvironment} from '../../app/environment.js'
import {appFlag, AwsCommand, jsonFlag} from '../../cli/aws-command.js'

export default class EnvironmentShow extends AwsCommand {
  static override summary = 'Show a deployed environment: region, stack, cluster, load balancers, workloads.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name test', '<%= config.bin %> <%= command.id %> -n test --json', '<%= config.bin %> <%= command.id %> -n test --manifest']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the environment.', required: true}),
    app: appFlag,
    json: jsonFlag,
    manifest: Flags.boolean({description: 'Print the environment\'s manifest: the workspace\'s, or, for a workspace without environment manifests (Copilot before v1.21), the one reconstructed from the deployed environment stack.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentShow)
    const ctx = await this.context(flags, {quiet: true})
    if (flags.manifest) {
      const {environmentManifestOf} = await import('../../app/environment-manifest.js')
      const shown = await environmentManifestOf(ctx, this.appName(ctx, flags.app), flags.name)
      if (flags.json) return this.printJson(shown)
      const {stringify} = await import('yaml')
      const from = {manifest: 'the workspace', stack: 'the deployed environment stack', default: "Copilot's default environment (nothing is deployed)"}[shown.source]
      process.stdout.write(`# Environment ${flags.name}, from ${from}.\n${stringify(shown.manifest, {lineWidth: 0})}`)
      return
    }
    const env = await showEnvironment(ctx, this.appName(ctx, flags.app), flags.name)
    if (flags.json) return this.printJson(env)
    const rows: [string, string | undefined][] = [
      ['Environment', env.name], ['Application', env.app], ['Region', env.region], ['Account', env.accountID], ['Production', env.prod ? 'yes' : 'no'],
      ['Stack', env.stack ? `${env.stack.name} (${env.stack.status})` : 'not deployed'], ['Cluster', env.cluster], ['Public load balancer', env.publicLoadBalancer], ['Internal load balancer', env.internalLoadBalancer],
      ['Workloads', env.workloads.join(', ') || '(none)'],
    ]
    process.stdout.write(`${rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${`${k}:`.padEnd(24)}${v}`).join('\n')}\n`)
  }
}
