// The CLI's entry: oclif with the shipped manifest, and Pier's own handling of failures.
import {execute} from '@oclif/core'

import {reportFailure} from './cli/errors.js'

export async function run(binUrl: string): Promise<void> {
  try {
    await execute({dir: binUrl})
  } catch (error) {
    process.exitCode = reportFailure(error, process.argv.includes('--debug'))
  }
}
