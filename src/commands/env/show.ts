import {Flags} from '@oclif/core'

import {showEnvironment} from '../../app/environment.js'
import {appFlag, AwsCommand, jsonFlag} from '../../cli/aws-command.js'
import type {ShownEnvironmentManifest} from '../../app/environment-manifest.js'

/** Comment lines above a printed manifest: where it, or each reconstructed part, was read. */
function manifestHeader(env: string, shown: ShownEnvironmentManifest): string {
  if (shown.source === 'manifest') return `# Environment ${env}, from the workspace.\n`
  if (shown.source === 'default' || shown.parts.length === 0) {
    const why = shown.source === 'default' ? 'nothing is deployed or recorded' : 'its record and stack hold no configuration of their own'
    return `# Environment ${env}: Copilot's default environment (${why}).\n`
  }
  const lines = shown.parts.map((p) => `#   ${p.field}: ${p.from}`)
  return `# Environment ${env}, reconstructed (no manifest in the workspace) from what is deployed:\n${lines.join('\n')}\n# Fields not listed are Copilot's defaults.\n`
}

export default class EnvironmentShow extends AwsCommand {
  static override summary = 'Show a deployed environment: region, stack, cluster, load balancers, workloads.'
  static override examples = ['<%= config.bin %> <%= command.id %> --name test', '<%= config.bin %> <%= command.id %> -n test --json', '<%= config.bin %> <%= command.id %> -n test --manifest']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the environment.', required: true}),
    app: appFlag,
    json: jsonFlag,
    manifest: Flags.boolean({description: 'Print the environment\'s manifest: the workspace\'s, or, for a workspace without environment manifests (Copilot before v1.21), the one reconstructed from the environment\'s SSM record and deployed stack, with where each part was read.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvironmentShow)
    const ctx = await this.context(flags, {quiet: true})
    if (flags.manifest) {
      const {environmentManifestOf, manifestText} = await import('../../app/environment-manifest.js')
      const shown = await environmentManifestOf(ctx, this.appName(ctx, flags.app), flags.name)
      if (flags.json) return this.printJson(shown)
      process.stdout.write(`${manifestHeader(flags.name, shown)}${manifestText(shown.manifest)}`)
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
