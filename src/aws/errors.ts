// Turns SDK failures into sentences a user can act on. Service errors keep their AWS code so callers
// can still branch on "not found" and similar outcomes with isAwsError().
import {UserError} from '../errors.js'

/** A failed AWS call: the AWS error code is kept for callers; the message is for the user. */
export class AwsError extends UserError {
  readonly code: string
  readonly operation: string
  constructor(code: string, operation: string, message: string, opts: {hint?: string; cause?: unknown} = {}) {
    super(message, opts)
    this.name = 'AwsError'
    this.code = code
    this.operation = operation
  }
}

export function isAwsError(error: unknown, ...codes: string[]): error is AwsError {
  return error instanceof AwsError && (codes.length === 0 || codes.includes(error.code))
}

/** Whether the call was refused for lack of permission (each service names it its own way). */
export function isAccessDenied(error: unknown): error is AwsError {
  return error instanceof AwsError && DENIED.has(error.code)
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'])
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError'])
const INVALID_CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature'])
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown'])
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'])

interface SdkErrorLike {
  name?: string
  code?: string
  message?: string
  Code?: string
  $metadata?: {httpStatusCode?: number}
}

/** Maps any error thrown by an SDK call (`operation` like 'ecs:DescribeServices') to an AwsError or UserError. */
export function mapAwsError(error: unknown, operation: string, opts: {profile?: string; endpoint?: string} = {}): UserError {
  if (error instanceof UserError) return error
  const e = (typeof error === 'object' && error !== null ? error : {message: String(error)}) as SdkErrorLike
  const code = e.Code ?? e.name ?? e.code ?? 'Unknown'
  const message = (e.message ?? '').trim() || code
  const profileFlag = opts.profile ? ` --profile ${opts.profile}` : ''
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new AwsError(code, operation, `No AWS credentials were found: ${message}`, {
      hint: 'Set AWS_PROFILE or pass --profile, run `aws sso login` for an SSO profile, or use --local for the local control plane.',
      cause: error,
    })
  }
  if (EXPIRED.has(code) || /token (has )?expired|session has expired/i.test(message)) {
    return new AwsError(code, operation, `Your AWS credentials have expired: ${operation} was refused.`, {
      hint: `Refresh them (for an SSO profile: \`aws sso login${profileFlag}\`) and run the command again.`,
      cause: error,
    })
  }
  if (DENIED.has(code)) {
    return new AwsError(code, operation, `Access denied for ${operation}: ${message}`, {
      hint: `Check that the credentials in use${profileFlag ? ` (profile ${opts.profile})` : ''} are allowed ${operation}; \`aws sts get-caller-identity\` shows who you are.`,
      cause: error,
    })
  }
  if (INVALID_CREDENTIALS.has(code)) {
    return new AwsError(code, operation, `AWS rejected the credentials for ${operation}: ${message}`, {
      hint: 'Check the access key, secret key and session token in use (or the profile), and that the clock of this machine is right.',
      cause: error,
    })
  }
  if (THROTTLED.has(code)) {
    return new AwsError(code, operation, `AWS is throttling ${operation}: the call still failed after retries.`, {
      hint: 'Wait a minute and run the command again, or deploy fewer workloads at once.',
      cause: error,
    })
  }
  if (UNREACHABLE.has(e.code ?? '') || UNREACHABLE.has(code) || /ECONNREFUSED|getaddrinfo|socket hang up/.test(message)) {
    return new AwsError(code, operation, `Could not reach the AWS endpoint${opts.endpoint ? ` ${opts.endpoint}` : ''} for ${operation}: ${message}`, {
      hint: opts.endpoint ? 'Check that the endpoint is running and the URL is right (--endpoint-url or AWS_ENDPOINT_URL).' : 'Check your network connection and the region.',
      cause: error,
    })
  }
  return new AwsError(code, operation, `${operation} failed: ${message}`, {cause: error})
}
