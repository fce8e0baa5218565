import {Flags} from '@oclif/core'

import {PierCommand} from '../../cli/base-command.js'
import {UserError} from '../../errors.js'
import {stateDirFlag} from '../../cli/local-flags.js'

export default class LocalReset extends PierCommand {
  static override summary = 'Stop the local control plane and wipe its state: clusters, tasks, stacks, parameters, secrets, logs.'
  static override examples = ['<%= config.bin %> local reset --yes']
  static override flags = {
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation (required when not on a terminal).'}),
    'state-dir': stateDirFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalReset)
    const {defaultStateDir, isStateDir, stopLocal, wipeStateDir} = await import('../../local/launcher.js')
    const stateDir = flags['state-dir'] ?? defaultStateDir()
    if (!isStateDir(stateDir)) {
      throw new UserError(`refusing to wipe ${stateDir}: it is not a local control plane's state directory`, {
        hint: 'Check --state-dir and PIER_STATE_DIR; Pier only wipes directories its control plane created.',
      })
    }
    if (!flags.yes) {
      if (this.nonInteractive) {
        throw new UserError(`refusing to wipe ${stateDir} without confirmation: there is no terminal to ask on`, {hint: 'Pass --yes to confirm.'})
      }
      if (!(await confirm(`Stop the local control plane and delete its state in ${stateDir}? [y/N] `))) {
        process.stderr.write('Nothing was changed.\n')
        return
      }
    }
    const stopped = await stopLocal(stateDir)
    // Only what the control plane created goes; anything else found there stays, and is named.
    const left = wipeStateDir(stateDir)
    process.stderr.write(`✔ ${stopped ? `Stopped the local control plane (pid ${stopped.pid}) and wiped` : 'Wiped'} ${stateDir}. Start afresh with \`pier local start\`.\n`)
    if (left.length > 0) {
      process.stderr.write(`  Left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} Pier did not create: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''}.\n`)
    }
  }
}

async function confirm(question: string): Promise<boolean> {
  const {createInterface} = await import('node:readline/promises')
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}
