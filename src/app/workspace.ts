// Shared steps of the use cases: the workspace, valid manifests, and the records of the application.
import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import {type EcsWorkloadManifest, formatDiagnostics, type Resolved} from '../manifest/index.js'
import {loadWorkspace, resolveWorkload, type Workspace} from '../workspace/index.js'
import type {AppContext} from './context.js'
import {COPILOT_SCHEMA_VERSION, type AppRecord, type EnvRecord} from './store.js'

/** The workspace, read once per command and passed down to the steps that need it. */
export function workspace(ctx: AppContext): Workspace {
  return loadWorkspace(ctx.cwd)
}

/** The manifest, or a UserError listing every problem with its location. */
export function valid<T>(ctx: AppContext, resolved: Resolved<T>, what: string): T {
  for (const d of resolved.diagnostics.filter((x) => x.severity === 'warning')) {
    ctx.emit(event('output', formatDiagnostics([d]), {text: formatDiagnostics([d]), stream: 'stderr'}, 'warn'))
  }
  if (resolved.ok) return resolved.manifest
  const errors = resolved.diagnostics.filter((d) => d.severity === 'error')
  throw new UserError(`The manifest of ${what} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${formatDiagnostics(errors)}`, {
    hint: 'Fix them, then run the command again (`pier verify` checks without deploying).',
  })
}

/** The workload's manifest for the environment, valid and of a type Pier deploys. */
export function workloadManifest(ctx: AppContext, ws: Workspace, name: string, env: string): EcsWorkloadManifest {
  const m = valid(ctx, resolveWorkload(ws, name, env, {strict: ctx.strict}), `${name} for environment ${env}`)
  if (m.type === 'Request-Driven Web Service' || m.type === 'Static Site') {
    throw new UserError(`${name} is a ${m.type}: Pier deploys ECS workloads (Load Balanced Web Service, Backend Service, Worker Service, Scheduled Job).`, {
      hint: 'Keep deploying it with the tool you use today, or change its type.',
    })
  }
  return m as EcsWorkloadManifest
}

/** The application's record, registered on first use (as `pier app init` would). */
export async function ensureApp(ctx: AppContext, app: string): Promise<AppRecord> {
  const existing = await ctx.store.getApp(app)
  if (existing) return existing
  const identity = await ctx.aws.identity.getCallerIdentity({})
  // Copilot's layout version of the records (its config store's schema), so Copilot reads them too.
  const record: AppRecord = {name: app, account: identity.Account, version: COPILOT_SCHEMA_VERSION, tags: {}}
  await ctx.store.putApp(record)
  ctx.emit(event('step', `Registered application ${app} in account ${identity.Account ?? '?'}.`, {name: `app ${app}`, status: 'done'}))
  return record
}

export async function ensureEnvRecord(ctx: AppContext, app: string, env: string, prod = false): Promise<EnvRecord> {
  const existing = await ctx.store.getEnv(app, env)
  if (existing) return existing
  const identity = await ctx.aws.identity.getCallerIdentity({})
  const record: EnvRecord = {app, name: env, region: ctx.aws.region, accountID: identity.Account, prod}
  await ctx.store.putEnv(record)
  ctx.emit(event('step', `Registered environment ${env} of ${app} in ${ctx.aws.region}.`, {name: `env ${env}`, status: 'done'}))
  return record
}
