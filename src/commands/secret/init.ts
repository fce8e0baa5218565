import {readFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {initSecrets, manifestReference, parseInputYaml, parseValues, type SecretValues} from '../../app/secret-init.js'
import {appFlag, AwsCommand, jsonFlag} from '../../cli/aws-command.js'
import {requireValue} from '../../cli/prompt.js'
import {UserError} from '../../errors.js'
import {loadWorkspace} from '../../workspace/index.js'

export default class SecretInit extends AwsCommand {
  static override summary = 'Create or update secrets: SecureString parameters for the environments of the application.'
  static override description = 'Stores each value as the SSM SecureString /copilot/<app>/<env>/secrets/<name>, tagged copilot-application and copilot-environment, so the workloads of that environment may read it through `secrets:` in their manifest. An existing secret is kept unless --overwrite is given.'
  static override examples = [
    {description: 'A secret with a value per environment.', command: '<%= config.bin %> <%= command.id %> --name db_password --values test=abc,prod=xyz'},
    {description: 'Several secrets from a file (`name: {env: value}`).', command: '<%= config.bin %> <%= command.id %> --cli-input-yaml secrets.yml --overwrite'},
  ]
  static override flags = {
    app: appFlag,
    name: Flags.string({char: 'n', description: 'Name of the secret.', exclusive: ['cli-input-yaml']}),
    values: Flags.string({description: 'Values per environment: ENV=VALUE,ENV=VALUE.', exclusive: ['cli-input-yaml']}),
    overwrite: Flags.boolean({description: 'Replace the value of a secret that exists already.'}),
    'cli-input-yaml': Flags.string({description: 'A YAML file of secrets: each name maps environment names to values.'}),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(SecretInit)
    const ctx = await this.context(flags, {quiet: true})
    const app = this.appName(ctx, flags.app)
    let workspaceEnvs: string[] = []
    try {
      workspaceEnvs = loadWorkspace(ctx.cwd).environments
    } catch {
      // outside a workspace: the application's registered environments are the only ones
    }
    let secrets: SecretValues
    const file = flags['cli-input-yaml']
    if (file) {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (error) {
        throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {hint: 'Pass the path of a YAML file of secrets.'})
      }
      secrets = parseInputYaml(file, text)
    } else {
      const name = await requireValue(flags.name, {flag: '--name', question: 'What is the secret called?', example: 'db_password'})
      const values = await requireValue(flags.values, {flag: '--values', question: 'Values per environment (ENV=VALUE,ENV=VALUE)?', example: `${workspaceEnvs[0] ?? 'test'}=VALUE`})
      secrets = {[name]: parseValues(values)}
    }
    const results = await initSecrets(ctx, {app, secrets, overwrite: flags.overwrite, workspaceEnvs})
    if (flags.json) return this.printJson(results)
    for (const r of results) {
      if (r.outcome === 'kept') this.status(`Secret ${r.secret} already exists in environment ${r.env} as ${r.parameter}: not overwritten.`)
      else this.status(`✔ ${r.outcome === 'created' ? 'Put' : 'Overwrote'} secret ${r.secret} in environment ${r.env} as ${r.parameter}.`)
    }
    if (results.some((r) => r.outcome === 'kept')) this.status('Pass --overwrite to replace existing values.')
    this.status(`Refer to the secrets in a manifest:\n${manifestReference(Object.keys(secrets)).split('\n').map((l) => `  ${l}`).join('\n')}`)
  }
}
