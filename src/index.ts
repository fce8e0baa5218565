// The CLI's entry: a fast path for the hottest commands, then oclif (loaded only when needed) with
// the shipped manifest, and Pier's own handling of failures.
import {reportFailure} from './cli/errors.js'

export async function run(binUrl: string): Promise<void> {
  try {
    const {runFast} = await import('./cli/fast-path.js')
    if (await runFast(process.argv.slice(2))) return
    // In the bundle a lazily imported CommonJS package arrives as {default}.
    const oclif = (await import('@oclif/core')) as typeof import('@oclif/core') & {default?: typeof import('@oclif/core')}
    await (oclif.default ?? oclif).execute({dir: binUrl})
  } catch (error) {
    process.exitCode = reportFailure(error, process.argv.includes('--debug'))
  }
}
