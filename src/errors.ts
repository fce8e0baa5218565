// Typed failures, for every layer of the program. Every failure a user sees is one of these, printed
// (by src/cli/errors.ts) as a sentence with a hint, never as a stack trace (the stack only with
// --debug, and only for internal errors). This module imports nothing of Pier's.

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
