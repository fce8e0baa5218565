import {PierCommand} from '../../cli/base-command.js'
import {UserError} from '../../errors.js'
import {stateDirFlag} from '../../cli/local-flags.js'

export default class LocalEnv extends PierCommand {
  static override summary = 'Print shell exports that point AWS tools at the local control plane.'
  static override description = 'Use with eval, so the AWS CLI, SDKs and Pier itself talk to the local control plane.'
  static override examples = ['eval "$(<%= config.bin %> local env)"']
  static override flags = {'state-dir': stateDirFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalEnv)
    const {defaultStateDir, readLocalStatus} = await import('../../local/launcher.js')
    const stateDir = flags['state-dir'] ?? defaultStateDir()
    const s = readLocalStatus(stateDir)
    if (!s) throw new UserError(`the local control plane is not running: no live process owns ${stateDir}`, {hint: 'Start it with `pier local start`.'})
    const vars: [string, string][] = [
      ['AWS_ENDPOINT_URL', s.endpoint],
      ['AWS_REGION', s.region],
      ['AWS_DEFAULT_REGION', s.region],
      ['AWS_ACCESS_KEY_ID', s.accessKeyId],
      ['AWS_SECRET_ACCESS_KEY', s.secretAccessKey],
    ]
    for (const [k, v] of vars) this.log(`export ${k}=${shellQuote(v)}`)
  }
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`
}
