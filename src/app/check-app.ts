// `-a/--app` selects the application; a workspace holds one, so the flag must name it.
import {UserError} from '../errors.js'

export function checkAppFlag(flag: string | undefined, application: string): void {
  if (flag === undefined || flag === application) return
  throw new UserError(`application "${flag}" does not match this workspace: copilot/.workspace belongs to "${application}"`, {
    hint: `Drop -a, pass -a ${application}, or run the command in the workspace of "${flag}".`,
  })
}
