// Printing of failures: the shell's half of the typed errors in src/errors.ts.
import {DeployError, ExitCode, UserError} from '../errors.js'

interface OclifLike {
  oclif?: {exit?: number}
  message: string
}

function isOclifError(e: unknown): e is OclifLike {
  return typeof e === 'object' && e !== null && 'oclif' in e
}

/** Prints a failure to stderr and returns the exit code to use. */
export function reportFailure(error: unknown, debug: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (error instanceof ExitCode) return error.code
  if (error instanceof UserError) {
    write(`✘ ${error.message}\n`)
    if (error instanceof DeployError) {
      for (const f of error.failures) write(`  - ${f.logicalId}${f.type ? ` (${f.type})` : ''}: ${f.reason}\n`)
    }
    if (error.hint) write(`  ${error.hint}\n`)
    if (debug && error.stack) write(`${error.stack}\n`)
    return error.exitCode
  }
  if (isOclifError(error)) {
    const code = error.oclif?.exit ?? 1
    // this.exit(n) throws an ExitError whose message is just "EEXIT: n": nothing to print.
    if (error.message.startsWith('EEXIT:')) return code
    write(`✘ ${error.message.replace(/^Error: /, '')}\n  See \`pier --help\` or \`pier COMMAND --help\`.\n`)
    return code === 0 ? 1 : code
  }
  const message = error instanceof Error ? error.message : String(error)
  write(`✘ Pier hit an internal error: ${message}\n  This is a bug in Pier. Run the command again with --debug to see the stack trace, and report it.\n`)
  if (debug && error instanceof Error && error.stack) write(`${error.stack}\n`)
  return 1
}
