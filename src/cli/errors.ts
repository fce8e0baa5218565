// Typed failures. Every failure a user sees is one of these, printed as a sentence with a hint,
// never as a stack trace (the stack only with --debug, and only for internal errors).

/** A mistake in the user's input or environment: exit 1, message and hint, no stack. */
export class UserError extends Error {
  readonly hint: string | undefined
  readonly exitCode: number
  constructor(message: string, opts: {hint?: string; exitCode?: number; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'UserError'
    this.hint = opts.hint
    this.exitCode = opts.exitCode ?? 1
  }
}

export interface FailedResource {
  logicalId: string
  type?: string
  reason: string
}

/** A deployment that failed: carries the failed resources and their reasons. */
export class DeployError extends UserError {
  readonly failures: FailedResource[]
  constructor(message: string, failures: FailedResource[], opts: {hint?: string; exitCode?: number} = {}) {
    super(message, opts)
    this.name = 'DeployError'
    this.failures = failures
  }
}

/** Ends the process with a code and no message (e.g. a container's exit code). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
    this.name = 'ExitCode'
  }
}

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
