// The base of every Pier command: global flags and one place where failures are reported.
import {Command, Flags} from '@oclif/core'

import {reportFailure} from './errors.js'

export abstract class PierCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({description: 'Show internal details (stack traces) when something fails.', helpGroup: 'GLOBAL'}),
  }

  /** True when Pier must never prompt: no terminal on stdin, or running in CI. */
  protected get nonInteractive(): boolean {
    return !process.stdin.isTTY || Boolean(process.env.CI)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    process.exitCode = reportFailure(error, this.argv.includes('--debug'))
  }
}
