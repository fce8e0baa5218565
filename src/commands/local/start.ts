import {Flags} from '@oclif/core'

import {PierCommand} from '../../cli/base-command.js'
import {driverFlag, execModeFlag, launchFailure, portFlag, stateDirFlag} from '../../cli/local-flags.js'

export default class LocalStart extends PierCommand {
  static override summary = 'Start the local control plane: an AWS-compatible endpoint on 127.0.0.1.'
  static override description =
    'Runs ECS, CloudFormation, SSM, Secrets Manager, CloudWatch Logs and STS APIs on one loopback port, in the background ' +
    'unless --foreground. Starting it again is harmless: it prints the running one.'
  static override examples = ['<%= config.bin %> local start', '<%= config.bin %> local start --port 0 --state-dir /tmp/pier', '<%= config.bin %> local start --exec-mode extended', 'eval "$(<%= config.bin %> local env)"']
  static override flags = {
    foreground: Flags.boolean({description: 'Run attached to this terminal; Ctrl-C stops it and every task.'}),
    port: portFlag,
    'state-dir': stateDirFlag,
    'exec-mode': execModeFlag,
    driver: driverFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(LocalStart)
    const launcher = await import('../../local/launcher.js')
    // The control plane's process reads it from its environment (src/local/exec/index.ts).
    process.env.PIER_EXEC_MODE = flags['exec-mode']
    if (flags.foreground) {
      process.exitCode = await launcher.runForeground({stateDir: flags['state-dir'], port: flags.port, driver: flags.driver}).catch(launchFailure)
      return
    }
    // Asking the container engines can take seconds on a loaded machine.
    const s = await launcher.ensureLocal({stateDir: flags['state-dir'], port: flags.port, driver: flags.driver, timeoutMs: 45_000}).catch(launchFailure)
    const what = s.started ? 'Started the local control plane' : 'The local control plane is already running'
    process.stderr.write(`✔ ${what} at ${s.endpoint} (pid ${s.pid}).\n`)
    if (!s.started && flags.port !== undefined && flags.port !== 0 && flags.port !== s.port) {
      process.stderr.write(`  It listens on port ${s.port}, not ${flags.port}: run \`pier local stop\` first to move it.\n`)
    }
    this.log(`Endpoint:          ${s.endpoint}`)
    this.log(`Region:            ${s.region}`)
    this.log(`Access key id:     ${s.accessKeyId}`)
    this.log(`Secret access key: ${s.secretAccessKey}`)
    this.log(`State directory:   ${s.stateDir}`)
    this.log(`Driver:            ${s.driver ?? 'process'}`)
    if (!s.started && flags.driver && flags.driver !== 'auto' && !(s.driver ?? 'process').startsWith(flags.driver)) {
      process.stderr.write(`  It runs tasks with the ${s.driver ?? 'process'} driver, not ${flags.driver}: run \`pier local stop\` first to change it.\n`)
    }
    process.stderr.write(`Point any AWS tool at it with \`eval "$(pier local env)"\`; stop it with \`pier local stop\`.\n`)
  }
}
