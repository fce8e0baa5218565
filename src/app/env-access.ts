// How Pier reaches an environment, as Copilot does: the application's records live in the account and
// region of the application; an environment may live in another region, and in another account (prod
// in its own account is common). Another account is reached through the environment's manager role,
// recorded in its SSM record (`managerRoleARN`), with STS AssumeRole. Images stay in the application's
// account (its ECR repositories), in the environment's region.
import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import type {AwsClients} from '../aws/interfaces.js'
import type {Emit} from '../deploy/events.js'
import type {AppContext} from './context.js'
import {AppStore, type EnvRecord} from './store.js'

const callers = new WeakMap<object, Promise<string | undefined>>()

/** The account of the credentials in use (asked once per set of clients). */
function callerAccount(aws: AwsClients): Promise<string | undefined> {
  let account = callers.get(aws)
  if (!account) {
    account = aws.identity.getCallerIdentity({}).then((r) => r.Account)
    callers.set(aws, account)
  }
  return account
}

/** The clients that reach the environment: the same ones when it shares the application's account and
 * region, else clients in its region, through its manager role when its account differs. */
export async function environmentClients(aws: AwsClients, record: EnvRecord, emit?: Emit): Promise<AwsClients> {
  const scoped = aws.scoped
  const region = record.region || aws.region
  const otherAccount = Boolean(record.accountID) && record.accountID !== (await callerAccount(aws))
  if (!otherAccount && region === aws.region) return aws
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
  const reached = scoped.call(aws, {region, ...(otherAccount ? {roleArn: record.managerRoleARN, sessionName: `pier-${record.app}-${record.name}`.slice(0, 64)} : {})})
  if (!otherAccount) return reached
  emit?.(event('step', `Reaching environment ${record.name} in account ${record.accountID} through its manager role.`, {name: `env ${record.name} access`, status: 'done', detail: record.managerRoleARN}))
  // Images are pushed to the application's repositories, in the environment's region.
  return {...reached, registry: scoped.call(aws, {region}).registry}
}

/** The context whose clients reach the environment; the application's records (`ctx.store`) stay where they are. */
export async function environmentContext(ctx: AppContext, record: EnvRecord): Promise<AppContext> {
  const aws = await environmentClients(ctx.aws, record, ctx.emit)
  return aws === ctx.aws ? ctx : {...ctx, aws}
}

/** The context that reaches a registered environment (the same one for an environment not yet registered). */
export async function reachEnvironment(ctx: AppContext, app: string, env: string): Promise<AppContext> {
  const record = await ctx.store.getEnv(app, env)
  return record ? environmentContext(ctx, record) : ctx
}

/** The clients that reach a registered environment, for commands that work with bare clients (exec). */
export async function reachEnvironmentClients(aws: AwsClients, app: string, env: string): Promise<AwsClients> {
  const record = await new AppStore(aws.parameters).getEnv(app, env)
  return record ? environmentClients(aws, record) : aws
}
