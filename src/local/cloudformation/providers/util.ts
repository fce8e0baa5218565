// Helpers shared by the core providers: AWS-style generated names and ids, and calls into the
// control plane's own services with their errors turned into CloudFormation's resource reasons.

import {randomBytes} from 'node:crypto'
import {ServiceError} from '../../frontend/types.js'
import {ProviderError, type ProviderContext} from '../provider.js'

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

export function randomSuffix(length = 13, alphabet = UPPER): string {
  const bytes = randomBytes(length)
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}

/** A generated physical name as CloudFormation makes them: `stack-Logical-RANDOM`, within `max` characters. */
export function physicalName(ctx: ProviderContext, max = 255, sep = '-'): string {
  const suffix = randomSuffix()
  const room = max - suffix.length - 2 * sep.length
  let stack = ctx.stackName
  let logical = ctx.logicalId
  if (stack.length + logical.length > room) {
    const half = Math.floor(room / 2)
    stack = stack.slice(0, Math.max(half, room - logical.length))
    logical = logical.slice(0, room - stack.length)
  }
  return `${stack}${sep}${logical}${sep}${suffix}`
}

/** An EC2-style id: `vpc-0123456789abcdef0`. */
export function ec2Id(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`
}

/** Calls a JSON service in process; its errors become the resource's failure reason. */
export async function callJson(ctx: ProviderContext, target: string, service: string, op: string, input: Record<string, unknown>): Promise<any> {
  try {
    return await ctx.api.json(target, op, input)
  } catch (err) {
    if (err instanceof ServiceError || (err instanceof Error && 'code' in err)) {
      const e = err as ServiceError
      throw Object.assign(new ProviderError(
        `Resource handler returned message: "${e.message}" (Service: ${service}, Status Code: ${e.status ?? 400}, Request ID: ${ctx.api.context().requestId})`,
      ), {code: e.code})
    }
    throw err
  }
}

/** Whether a provider error came from a service error with one of these codes (e.g. already deleted). */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = (err as {code?: string})?.code
  return typeof code === 'string' && codes.includes(code)
}

/** CloudFormation `Tags` lists plus the stack's tags (without the reserved aws: ones a service would refuse). */
export function mergedTags(ctx: ProviderContext, tags: unknown): {Key: string; Value: string}[] {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(ctx.tags)) if (!k.startsWith('aws:')) out.set(k, v)
  if (Array.isArray(tags)) for (const t of tags) out.set(String(t.Key), String(t.Value))
  return [...out].map(([Key, Value]) => ({Key, Value}))
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ProviderError('Resource operation cancelled'))
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(new ProviderError('Resource operation cancelled'))
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
}
