import {Flags} from '@oclif/core'

import {PierCommand} from '../../cli/base-command.js'
import {UserError} from '../../errors.js'
import {stateDirFlag} from '../../cli/local-flags.js'

export default class LocalStatus extends PierCommand {
  static override summary = 'Show whether the local control plane runs, and its endpoint and credentials.'
  static override examples = ['<%= config.bin %> local status', '<%= config.bin %> local status --json']
  static override flags = {
    json: Flags.boolean({description: 'Print JSON: endpoint, region, accessKeyId, secretAccessKey, stateDir, pid.'}),
    'state-dir': stateDirFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalStatus)
    const {defaultStateDir, readLocalStatus} = await import('../../local/launcher.js')
    const stateDir = flags['state-dir'] ?? defaultStateDir()
    const s = readLocalStatus(stateDir)
    if (!s) {
      throw new UserError(`the local control plane is not running: no live process owns ${stateDir}`, {hint: 'Start it with `pier local start`.'})
    }
    if (flags.json) {
      const {endpoint, region, accessKeyId, secretAccessKey, pid, port, startedAt, driver = 'process'} = s
      this.log(JSON.stringify({endpoint, region, accessKeyId, secretAccessKey, stateDir: s.stateDir, pid, port, startedAt, driver}, null, 2))
      return
    }
    this.log(`Running at ${s.endpoint} (pid ${s.pid}) since ${s.startedAt}.`)
    this.log(`Region:            ${s.region}`)
    this.log(`Access key id:     ${s.accessKeyId}`)
    this.log(`Secret access key: ${s.secretAccessKey}`)
    this.log(`State directory:   ${s.stateDir}`)
    this.log(`Driver:            ${s.driver ?? 'process'}`)
  }
}
