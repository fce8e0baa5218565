// Applications: register, list, show, delete everything they own.
import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import {deleteStack} from '../deploy/stack-delete.js'
import {environmentStackName, TAG} from '../render/names.js'
import {loadWorkspace} from '../workspace/index.js'
import {initApp} from '../workspace/scaffold.js'
import type {AppContext} from './context.js'
import {deleteEnvironment} from './environment.js'
import {removeTemplates} from './templates.js'
import {deleteWorkload} from './workloads.js'
import {ensureApp} from './workspace.js'

export async function initApplication(ctx: AppContext, input: {name: string}) {
  let ws
  try {
    ws = loadWorkspace(ctx.cwd)
  } catch {
    ws = undefined
  }
  if (ws && ws.application !== input.name) {
    throw new UserError(`This workspace belongs to application ${ws.application}, not ${input.name}.`, {hint: 'Run the command in another directory, or use the application of this workspace.'})
  }
  if (!ws) initApp(ctx.cwd, input.name)
  return ensureApp(ctx, input.name)
}

export async function listApplications(ctx: AppContext) {
  return ctx.store.listApps()
}

export async function showApplication(ctx: AppContext, name: string) {
  const app = await ctx.store.getApp(name)
  if (!app) throw new UserError(`Application ${name} does not exist in this account and region.`, {hint: 'List them with `pier app ls`.'})
  const [envs, workloads] = await Promise.all([ctx.store.listEnvs(name), ctx.store.listWorkloads(name)])
  return {...app, environments: envs.map((e) => ({name: e.name, region: e.region, account: e.accountID, prod: e.prod ?? false})), workloads: workloads.map((w) => ({name: w.name, type: w.type}))}
}

async function taggedStacks(ctx: AppContext, app: string): Promise<string[]> {
  const names: string[] = []
  let token: string | undefined
  do {
    const page = await ctx.aws.stacks.describeStacks({NextToken: token})
    for (const s of page.Stacks ?? []) {
      if (s.StackStatus === 'DELETE_COMPLETE' || !s.StackName) continue
      if ((s.Tags ?? []).some((t) => t.Key === TAG.application && t.Value === app)) names.push(s.StackName)
    }
    token = page.NextToken
  } while (token)
  return names
}

/**
 * Deletes every workload in every environment, then the environments, then the uploaded templates of
 * their stacks (and the template bucket once empty), then the records.
 */
export async function deleteApplication(ctx: AppContext, name: string) {
  const app = await ctx.store.getApp(name)
  if (!app) throw new UserError(`Application ${name} does not exist in this account and region.`, {hint: 'List them with `pier app ls`.'})
  const workloads = await ctx.store.listWorkloads(name)
  const envs = await ctx.store.listEnvs(name)
  const owned = new Set(await taggedStacks(ctx, name))
  await Promise.all(workloads.map((w) => deleteWorkload(ctx, name, w.name)))
  const envStacks = new Set(envs.map((e) => environmentStackName(name, e.name)))
  // What else carries the application's tag (one-off task groups task-<group>, workloads no longer in
  // the records) goes before the environments whose exports it may import.
  for (const stackName of await taggedStacks(ctx, name)) if (!envStacks.has(stackName)) await deleteStack(ctx, {stackName})
  for (const env of envs) await deleteEnvironment(ctx, name, env.name)
  for (const stackName of await taggedStacks(ctx, name)) await deleteStack(ctx, {stackName})
  // Stack names of the application: <app>-<env> and <app>-<env>-<workload>, and whatever carried its tag.
  const ownsStack = (stack: string) => owned.has(stack) || envStacks.has(stack) || [...envStacks].some((e) => stack.startsWith(`${e}-`))
  // The stacks are gone already; leftover template objects are worth a warning, not a failed delete.
  const templates = await removeTemplates(ctx.aws, ownsStack).catch((error: Error) => {
    ctx.emit(event('step', `The uploaded templates of ${name} were not removed: ${error.message}`, {name: 'remove-templates', status: 'failed', detail: error.message}, 'warn', ctx.timing.now))
    return {objects: 0, bucketDeleted: false}
  })
  await ctx.store.deleteApp(name)
  return {name, environments: envs.map((e) => e.name), workloads: workloads.map((w) => w.name), templates}
}
