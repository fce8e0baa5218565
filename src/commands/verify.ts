import {Flags} from '@oclif/core'

import {verify} from '../app/verify.js'
import {AwsCommand, jsonFlag} from '../cli/aws-command.js'
import {ExitCode} from '../errors.js'
import {formatDiagnostics} from '../manifest/diagnostics.js'

export default class Verify extends AwsCommand {
  static override summary = 'Check before deploying: manifests, imported network and certificates, secrets, images, Dockerfiles and the environment.'
  static override description = 'Finds what would make a deploy fail, each finding located in its manifest: invalid manifests (Fargate sizes included), an imported VPC or subnets that do not exist or are not in that VPC, certificates that do not exist, are not ISSUED or do not cover an alias, secrets and parameters that do not exist or that the execution role could not read (its policy evaluated against their tags and KMS key), images that are not in the registry, missing Dockerfiles, and an environment that is not deployed. Exits 1 when there is an error.'
  static override examples = ['<%= config.bin %> <%= command.id %> -e test', '<%= config.bin %> <%= command.id %> -e prod -n web --json']
  static override flags = {
    env: Flags.string({char: 'e', description: 'Environment to check against.', required: true}),
    name: Flags.string({char: 'n', description: 'Only this workload (repeatable).', multiple: true}),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Verify)
    const ctx = await this.context(flags, {quiet: true})
    const result = await verify(ctx, {env: flags.env, names: flags.name})
    if (flags.json) this.printJson(result)
    else if (result.findings.length) process.stderr.write(`${formatDiagnostics(result.findings, {color: process.stderr.isTTY})}\n`)
    if (!flags.json) {
      const errors = result.findings.filter((f) => f.severity === 'error').length
      const warnings = result.findings.length - errors
      this.status(result.ok ? `✔ ${result.workloads.join(', ') || 'Nothing'} ready to deploy to ${flags.env}${warnings ? ` (${warnings} warning(s))` : ''}.` : `✘ ${errors} error(s), ${warnings} warning(s): fix them before deploying to ${flags.env}.`)
    }
    if (!result.ok) throw new ExitCode(1)
  }
}
