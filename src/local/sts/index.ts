// STS (query protocol, version 2011-06-15). GetCallerIdentity answers with the local identity: the
// account's root user for the long-term key, the assumed role for a temporary key. AssumeRole issues
// temporary keys for a role that stacks created, when the role's trust policy lets the caller in, as
// AWS decides it for principals of the account (Copilot's environment manager role, for one); any other
// role is refused with AWS's AccessDenied.

import {ServiceError, type QueryService, type RequestContext} from '../frontend/types.js'
import type {SessionKeys} from './sessions.js'

/** A role as IAM knows it: what AssumeRole checks. */
export interface RoleRecord {
  arn: string
  roleId: string
  /** The trust policy (AssumeRolePolicyDocument), as a document or its JSON. */
  trustPolicy: unknown
  /** Seconds; IAM's default is 3600. */
  maxSessionDuration?: number
}

export type RoleLookup = (arn: string) => RoleRecord | undefined

export class StsService implements QueryService {
  readonly signingName = 'sts'
  readonly version = '2011-06-15'
  readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/'
  private roles: RoleLookup = () => undefined

  constructor(private readonly sessions?: SessionKeys) {}

  /** Where roles are looked up (the records of the stacks that created them). */
  useRoles(lookup: RoleLookup): void {
    this.roles = lookup
  }

  async handle(action: string, params: Record<string, string>, ctx: RequestContext): Promise<unknown> {
    switch (action) {
      case 'GetCallerIdentity': {
        const assumed = this.sessions?.identity(ctx.accessKeyId, ctx.sessionToken, ctx.accountId)
        if (assumed) return {Arn: assumed.arn, UserId: assumed.userId, Account: ctx.accountId}
        return {Arn: `arn:aws:iam::${ctx.accountId}:root`, UserId: ctx.accountId, Account: ctx.accountId}
      }
      case 'GetAccessKeyInfo':
        return {Account: ctx.accountId}
      case 'AssumeRole':
        return this.assumeRole(params, ctx)
      default:
        throw new ServiceError('InvalidAction', `Could not find operation ${action} for version ${this.version}.`)
    }
  }

  private assumeRole(params: Record<string, string>, ctx: RequestContext): unknown {
    const roleArn = params.RoleArn
    const sessionName = params.RoleSessionName
    const missing = [!roleArn && 'roleArn', !sessionName && 'roleSessionName'].filter(Boolean)
    if (missing.length) {
      throw new ServiceError('ValidationError', `${missing.length} validation error${missing.length > 1 ? 's' : ''} detected: ${missing.map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`).join('; ')}`)
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName!)) {
      throw new ServiceError('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`)
    }
    const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds)
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new ServiceError('ValidationError', `1 validation error detected: Value '${params.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`)
    }
    const caller = this.sessions?.identity(ctx.accessKeyId, ctx.sessionToken, ctx.accountId)?.arn ?? `arn:aws:iam::${ctx.accountId}:root`
    const role = this.roles(roleArn!)
    if (!this.sessions || !role || !trusts(role.trustPolicy, caller, ctx.accountId)) {
      throw new ServiceError('AccessDenied', `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403)
    }
    if (duration > (role.maxSessionDuration ?? 3600)) {
      throw new ServiceError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    }
    const s = this.sessions.issue({roleArn: role.arn, roleId: role.roleId, sessionName: sessionName!, durationSeconds: duration, accountId: ctx.accountId})
    return {
      Credentials: {AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: s.expiration.toISOString()},
      AssumedRoleUser: {Arn: s.assumedRoleArn, AssumedRoleId: s.assumedRoleId},
    }
  }
}

/** Whether a trust policy allows sts:AssumeRole to the caller: an Allow statement whose AWS principal is
 * `*`, the caller's account (its ID or root) or the caller itself, and no Deny that matches. */
export function trusts(policy: unknown, callerArn: string, accountId: string): boolean {
  return allowsAssume(policy, (principal) => {
    if (principal === '*') return true
    const aws = asList((principal as {AWS?: unknown} | undefined)?.AWS).map(String)
    return aws.some((p) => p === '*' || p === accountId || p === `arn:aws:iam::${accountId}:root` || p === callerArn)
  })
}

/** Whether a trust policy lets an AWS service (e.g. cloudformation.amazonaws.com) assume the role. */
export function trustsService(policy: unknown, service: string): boolean {
  return allowsAssume(policy, (principal) => asList((principal as {Service?: unknown} | undefined)?.Service).map(String).includes(service))
}

function allowsAssume(policy: unknown, principalMatches: (principal: unknown) => boolean): boolean {
  const doc = typeof policy === 'string' ? safeJson(policy) : policy
  const statements = asList((doc as {Statement?: unknown} | undefined)?.Statement)
  const matches = (st: Record<string, unknown>) => {
    const actions = asList(st.Action).map(String)
    if (!actions.some((a) => a === '*' || a === 'sts:*' || a.toLowerCase() === 'sts:assumerole')) return false
    return principalMatches(st.Principal)
  }
  const list = statements.filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
  if (list.some((s) => s.Effect === 'Deny' && matches(s))) return false
  return list.some((s) => s.Effect === 'Allow' && matches(s))
}

function asList(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return undefined
  }
}
