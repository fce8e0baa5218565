// Flags shared by the `pier local` commands, and the conversion of launcher failures into user errors.
import {Flags} from '@oclif/core'

import {UserError} from '../errors.js'

export const stateDirFlag = Flags.string({
  description: 'Directory of the local control plane\'s state. Default: $XDG_STATE_HOME/pier/local or ~/.local/state/pier/local.',
  env: 'PIER_STATE_DIR',
  helpValue: 'DIR',
})

export const portFlag = Flags.integer({
  description: 'Loopback port for every service (0 picks a free one).',
  env: 'PIER_LOCAL_PORT',
  min: 0,
  max: 65535,
})

export const execModeFlag = Flags.string({
  description:
    'How exec sessions behave. aws: as ECS, every session is a terminal and no exit code is reported (Pier still gets it through its wrapper). extended: a client may ask for pipes, with stderr apart and the exit code reported.',
  env: 'PIER_EXEC_MODE',
  options: ['aws', 'extended'],
  default: 'aws',
})

export const driverFlag = Flags.string({
  description: 'What runs tasks: a container engine (docker, else podman), host processes, or auto: the container driver when an engine answers, else processes.',
  env: 'PIER_LOCAL_DRIVER',
  options: ['auto', 'container', 'process'],
  helpValue: 'auto|container|process',
})

/** Launcher errors carry what happened and why; the hint points at the daemon's log. */
export function launchFailure(err: unknown): never {
  if (err instanceof Error && err.name === 'LocalLaunchError') {
    const logFile = (err as Error & {logFile?: string}).logFile
    throw new UserError(`cannot start the local control plane: ${err.message}`, {
      hint: logFile ? `See its log in ${logFile}.` : 'Run `npm run build` in the Pier checkout, or reinstall Pier.',
    })
  }
  throw err
}
