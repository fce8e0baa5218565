// Temporary credentials of AssumeRole, as STS issues them: an access key `ASIA...`, a secret and a
// session token that must come with every request signed by that key. They are not stored: the token
// carries the role, the session name and the expiry, sealed with an HMAC under the control plane's own
// secret, and the secret key is derived from the token the same way. So they stay valid across a
// restart of the control plane, as AWS's do, and a forged or altered token is refused.
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'

import type {Credentials} from '../frontend/sigv4.js'

export interface Session {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  assumedRoleArn: string
  /** `AROA...:SESSION`, as GetCallerIdentity's UserId. */
  assumedRoleId: string
}

interface Claims {
  /** Access key. */
  k: string
  /** Role ARN. */
  r: string
  /** Role ID (AROA...). */
  i: string
  /** Session name. */
  s: string
  /** Expiry, epoch milliseconds. */
  e: number
}

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export class SessionKeys {
  constructor(
    private readonly rootSecret: string,
    private readonly now: () => number = Date.now,
  ) {}

  issue(input: {roleArn: string; roleId: string; sessionName: string; durationSeconds: number; accountId: string}): Session {
    const bytes = randomBytes(16)
    const accessKeyId = `ASIA${Array.from(bytes, (b) => KEY_CHARS[b % 32]).join('')}`
    const claims: Claims = {k: accessKeyId, r: input.roleArn, i: input.roleId, s: input.sessionName, e: this.now() + input.durationSeconds * 1000}
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
    const sessionToken = `${payload}.${this.mac('token', payload)}`
    return {accessKeyId, secretAccessKey: this.mac('secret', payload), sessionToken, expiration: new Date(claims.e), ...identityOf(claims, input.accountId)}
  }

  /** The key a temporary access key signs with, when its token is genuine, its own and not expired. */
  lookup(accessKeyId: string, sessionToken: string | undefined): Credentials | undefined {
    const claims = this.claims(accessKeyId, sessionToken)
    return claims ? {accessKeyId, secretAccessKey: this.mac('secret', sessionToken!.split('.')[0]!)} : undefined
  }

  /** Who a temporary key is (for GetCallerIdentity), or undefined for any other key. */
  identity(accessKeyId: string, sessionToken: string | undefined, accountId: string): {arn: string; userId: string} | undefined {
    const claims = this.claims(accessKeyId, sessionToken)
    if (!claims) return undefined
    const id = identityOf(claims, accountId)
    return {arn: id.assumedRoleArn, userId: id.assumedRoleId}
  }

  private claims(accessKeyId: string, sessionToken: string | undefined): Claims | undefined {
    if (!sessionToken || !accessKeyId.startsWith('ASIA')) return undefined
    const [payload, mac, ...rest] = sessionToken.split('.')
    if (!payload || !mac || rest.length > 0) return undefined
    const expected = Buffer.from(this.mac('token', payload))
    const given = Buffer.from(mac)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    let claims: Claims
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims
    } catch {
      return undefined
    }
    if (claims.k !== accessKeyId || !(claims.e > this.now())) return undefined
    return claims
  }

  private mac(purpose: string, payload: string): string {
    return createHmac('sha256', this.rootSecret).update(`${purpose}\0${payload}`).digest('base64url')
  }
}

function identityOf(claims: Claims, accountId: string): {assumedRoleArn: string; assumedRoleId: string} {
  const roleName = claims.r.slice(claims.r.lastIndexOf('/') + 1)
  return {assumedRoleArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${claims.s}`, assumedRoleId: `${claims.i}:${claims.s}`}
}
