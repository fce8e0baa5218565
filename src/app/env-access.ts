// How Pier reaches an environment, as Copilot does: the application's records live in the account and
// region of the application; an environment may live in another region, and in another account (prod
// in its own account is common). Another account is reached through the environment's manager role,
// recorded in its SSM record (`managerRoleARN`), with STS AssumeRole. Images stay in the application's
// account (its ECR repositories), in the environment's region.
import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import type {AppContext} from './context.js'
import type {EnvRecord} from './store.js'

const callers = new WeakMap<object, Promise<string | undefined>>()

/** The account of the credentials in use (asked once per set of clients). */
function callerAccount(ctx: AppContext): Promise<string | undefined> {
  let account = callers.get(ctx.aws)
  if (!account) {
    account = ctx.aws.identity.getCallerIdentity({}).then((r) => r.Account)
    callers.set(ctx.aws, account)
  }
  return account
}

/** The context whose clients reach the environment: the same one when it shares the application's
 * account and region, else clients in its region, through its manager role when its account differs.
 * The application's records (`ctx.store`) stay where they are. */
export async function environmentContext(ctx: AppContext, record: EnvRecord): Promise<AppContext> {
  const scoped = ctx.aws.scoped
  const region = record.region || ctx.aws.region
  const otherAccount = Boolean(record.accountID) && record.accountID !== (await callerAccount(ctx))
  if (!otherAccount && region === ctx.aws.region) return ctx
  if (otherAccount && !record.managerRoleARN) {
    throw new UserError(`Environment ${record.name} is in account ${record.accountID}, and its record names no manager role to reach it with.`, {
      hint: `Run Pier with credentials of account ${record.accountID}, or set "managerRoleARN" in /copilot/applications/${record.app}/environments/${record.name} to the environment's EnvManagerRole.`,
    })
  }
  if (!scoped) {
    throw new UserError(`Environment ${record.name} is in ${otherAccount ? `account ${record.accountID}, ` : ''}region ${region}, which these clients cannot reach.`, {
      hint: 'Run Pier with credentials and a region of that environment.',
    })
  }
  const aws = scoped.call(ctx.aws, {region, ...(otherAccount ? {roleArn: record.managerRoleARN, sessionName: `pier-${record.app}-${record.name}`.slice(0, 64)} : {})})
  if (otherAccount) {
    ctx.emit(event('step', `Reaching environment ${record.name} in account ${record.accountID} through its manager role.`, {name: `env ${record.name} access`, status: 'done', detail: record.managerRoleARN}))
  }
  // Images are pushed to the application's repositories, in the environment's region.
  const registry = otherAccount ? scoped.call(ctx.aws, {region}).registry : aws.registry
  return {...ctx, aws: {...aws, registry}}
}

/** The context that reaches a registered environment (the same one for an environment not yet registered). */
export async function reachEnvironment(ctx: AppContext, app: string, env: string): Promise<AppContext> {
  const record = await ctx.store.getEnv(app, env)
  return record ? environmentContext(ctx, record) : ctx
}
