// Shared steps of the use cases: the workspace, valid manifests, and the records of the application.
import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import type {EcsWorkloadManifest, EnvironmentManifest} from '../manifest/types.js'
import type {AppContext} from './context.js'
import type {Resolved, WorkspaceInfo} from './ports.js'
import type {AppRecord, EnvRecord} from './store.js'

export function workspace(ctx: AppContext): WorkspaceInfo {
  return ctx.manifest.loadWorkspace(ctx.cwd)
}

/** The manifest, or a UserError listing every problem with its location. */
export function valid<T>(ctx: AppContext, resolved: Resolved<T>, what: string): T {
  for (const d of resolved.diagnostics.filter((x) => x.severity === 'warning')) {
    ctx.emit(event('output', ctx.manifest.formatDiagnostics([d]), {text: ctx.manifest.formatDiagnostics([d]), stream: 'stderr'}, 'warn'))
  }
  if (resolved.ok) return resolved.manifest
  const errors = resolved.diagnostics.filter((d) => d.severity === 'error')
  throw new UserError(`The manifest of ${what} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${ctx.manifest.formatDiagnostics(errors)}`, {
    hint: 'Fix them, then run the command again (`pier verify` checks without deploying).',
  })
}

export function environmentManifest(ctx: AppContext, ws: WorkspaceInfo, env: string): EnvironmentManifest {
  if (!ws.environments.includes(env) && !ws.legacy) {
    throw new UserError(`There is no environment ${env} in this workspace: copilot/environments/${env}/manifest.yml does not exist.`, {
      hint: ws.environments.length ? `Use one of: ${ws.environments.join(', ')}; or create it with \`pier env init --name ${env}\`.` : `Create it with \`pier env init --name ${env}\`.`,
    })
  }
  return valid(ctx, ctx.manifest.resolveEnvironment(ws, env), `environment ${env}`)
}

export function workloadManifest(ctx: AppContext, ws: WorkspaceInfo, name: string, env: string): EcsWorkloadManifest {
  const entry = ws.workloads.find((w) => w.name === name)
  if (!entry) {
    throw new UserError(`There is no workload ${name} in this workspace.`, {
      hint: ws.workloads.length ? `Use one of: ${ws.workloads.map((w) => w.name).join(', ')}; or create it with \`pier svc init --name ${name}\`.` : `Create it with \`pier svc init --name ${name}\`.`,
    })
  }
  const m = valid(ctx, ctx.manifest.resolveWorkload(ws, name, env), `${name} for environment ${env}`)
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
  const record: AppRecord = {name: app, account: identity.Account, version: 'pier-1', tags: {}}
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
