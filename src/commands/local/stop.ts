import {PierCommand} from '../../cli/base-command.js'
import {stateDirFlag} from '../../cli/local-flags.js'

export default class LocalStop extends PierCommand {
  static override summary = 'Stop the local control plane and every task it started.'
  static override flags = {'state-dir': stateDirFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalStop)
    const {defaultStateDir, stopLocal} = await import('../../local/launcher.js')
    const stateDir = flags['state-dir'] ?? defaultStateDir()
    const stopped = await stopLocal(stateDir)
    if (stopped) process.stderr.write(`✔ Stopped the local control plane (pid ${stopped.pid}) and its tasks. Its state stays in ${stateDir}.\n`)
    else process.stderr.write(`The local control plane was not running for ${stateDir}: nothing to stop.\n`)
  }
}
