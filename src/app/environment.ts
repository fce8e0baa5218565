// Environments: register, deploy (the network, cluster and load balancers the workloads need), list,
// show, delete.
import type {Stack} from '@aws-sdk/client-cloudformation'

import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import {deleteStack} from '../deploy/stack-delete.js'
import {deployStack, type StackDeployResult} from '../deploy/stack-deploy.js'
import {describe} from '../deploy/stack-watch.js'
import {type EnvironmentNeeds, environmentNeeds, renderEnvironmentStack} from '../render/index.js'
import type {EnvironmentRolesInput} from '../render/env/roles.js'
import {environmentStackName, ENV_OUTPUTS, workloadStackName} from '../render/names.js'
import {resolveWorkload, type Workspace} from '../workspace/index.js'
import {writeEnvironmentManifest} from '../workspace/scaffold.js'
import {addonsWiring, applyOverrides, checkAddonsParent, loadAddons} from './addons.js'
import {uploadAddons} from './addons-upload.js'
import {cloudFrontPrefixListFor} from './cloudfront-prefix-list.js'
import type {AppContext} from './context.js'
import type {EnvRecord} from './store.js'
import {templateUploader} from './templates.js'
import {deployableEnvironmentManifest} from './environment-manifest.js'
import {ensureApp, ensureEnvRecord, workspace} from './workspace.js'
import {environmentContext, reachEnvironment} from './env-access.js'
import type {DeployOptions} from './deploy-options.js'

export async function initEnvironment(ctx: AppContext, input: {env: string; prod?: boolean}) {
  const ws = workspace(ctx)
  if (!ws.environments.includes(input.env)) writeEnvironmentManifest(ws, input.env, {})
  await ensureApp(ctx, ws.application)
  return ensureEnvRecord(ctx, ws.application, input.env, input.prod)
}

/** Which workloads of the workspace need the public ALB, the internal ALB or NAT in this environment. */
export function workspaceNeeds(ws: Workspace, env: string): EnvironmentNeeds {
  const workloads = ws.workloads.flatMap((w) => {
    const r = resolveWorkload(ws, w.name, env)
    return r.ok ? [{name: w.name, manifest: r.manifest}] : []
  })
  return environmentNeeds(workloads)
}

/** The environment's stack as a deploy renders it: with its addons (uploaded, for their nested stack's
 * TemplateURL) and its overrides applied. */
export async function renderEnvironment(ctx: AppContext, ws: Workspace, env: string) {
  const manifest = await deployableEnvironmentManifest(ctx, ws, env)
  const addons = loadAddons(ws.root, 'environments')
  const stackName = environmentStackName(ws.application, env)
  const wiring = addons ? addonsWiring(addons, (await uploadAddons(ctx.aws, {root: ws.root, stackName, stack: addons, emit: ctx.emit})).url) : undefined
  const [cloudFrontPrefixListId, roles] = await Promise.all([cloudFrontPrefixListFor(ctx.aws.networks, ctx.aws.region, manifest), environmentRoles(ctx, ws.application, env)])
  const rendered = renderEnvironmentStack({app: ws.application, env, manifest, needs: workspaceNeeds(ws, env), cloudFrontPrefixListId, roles, ...(wiring ? {addons: wiring} : {})})
  const {template, applied} = applyOverrides(ws.root, 'environments', rendered.template, {app: ws.application, env})
  checkAddonsParent(addons, 'environments', template)
  if (applied) ctx.emit(event('step', `Applied ${applied} to ${stackName}.`, {name: `overrides ${stackName}`, status: 'done'}))
  return {...rendered, template}
}

/** Who may assume the environment's manager role (the application's account, as in Copilot), and
 * whether the roles outlive the stack (when it is deployed through its own execution role). */
async function environmentRoles(ctx: AppContext, app: string, env: string): Promise<EnvironmentRolesInput> {
  const [appRecord, envRecord] = await Promise.all([ctx.store.getApp(app), ctx.store.getEnv(app, env)])
  const partition = ctx.aws.region.startsWith('cn-') ? 'aws-cn' : ctx.aws.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'
  // Only another account needs naming: the template trusts its own account otherwise, so the first
  // deploy (before the records exist) and the next render the same parameters.
  const crossAccount = appRecord?.account && envRecord?.accountID && appRecord.account !== envRecord.accountID
  return {
    ...(crossAccount ? {toolsAccountPrincipal: `arn:${partition}:iam::${appRecord.account}:root`} : {}),
    retain: Boolean(envRecord?.executionRoleARN),
  }
}

/** Deploys the environment's stack; `ws` is the workspace the caller already read, if any. */
export async function deployEnvironment(ctx: AppContext, input: {env: string} & DeployOptions, ws: Workspace = workspace(ctx)): Promise<StackDeployResult> {
  const appCtx = ctx
  // Rendering reads the deployed environment (its stack, the prefix lists of its region) where it is,
  // and resolves and validates the manifest: a mistake stops the deploy before any record is written.
  const rendered = await renderEnvironment(await reachEnvironment(appCtx, ws.application, input.env), ws, input.env)
  const [, record] = await Promise.all([ensureApp(appCtx, ws.application), ensureEnvRecord(appCtx, ws.application, input.env)])
  ctx = await environmentContext(appCtx, record)
  return deployStack(ctx, {
    // Copilot deploys an environment's stack through the environment's own CloudFormation execution role.
    ...(record.executionRoleARN ? {roleArn: record.executionRoleARN} : {}),
    stackName: rendered.stackName,
    template: rendered.template,
    parameters: rendered.parameters,
    tags: rendered.tags,
    noRollback: input.noRollback,
    allowReplacement: input.allowReplacement,
    detach: input.detach,
    confirm: input.confirmChanges,
    uploadTemplate: templateUploader(ctx.aws),
  })
}

/** Whether the environment's stack is deployed and already serves these needs (its ALB, internal ALB,
 * NAT and EFS parameters name every workload that needs them); the stack as described, if any. */
export async function environmentReadyFor(ctx: AppContext, app: string, env: string, needs: EnvironmentNeeds): Promise<{stack?: Stack; ready: boolean}> {
  const stack = await describe(ctx, environmentStackName(app, env))
  const params = Object.fromEntries((stack?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']))
  const covers = (key: string, list: string[]) => list.every((n) => (params[key] ?? '').split(',').includes(n))
  const ready = Boolean(stack) && /^(CREATE|UPDATE)_COMPLETE$/.test(stack?.StackStatus ?? '') &&
    covers('ALBWorkloads', needs.publicAlb) && covers('InternalALBWorkloads', needs.internalAlb) && covers('NATWorkloads', needs.nat) &&
    covers('EFSWorkloads', needs.efs ?? [])
  return {stack, ready}
}

/** The outputs of a deployed environment stack, or a UserError telling how to deploy it. */
export async function environmentOutputs(ctx: AppContext, app: string, env: string): Promise<{outputs: Record<string, string>; parameters: Record<string, string>}> {
  const stack = await describe(ctx, environmentStackName(app, env))
  if (!stack || !/_COMPLETE$/.test(stack.StackStatus ?? '') || /^(DELETE|ROLLBACK)_COMPLETE$/.test(stack.StackStatus ?? '')) {
    throw new UserError(`Environment ${env} is not deployed${stack ? ` (its stack is ${stack.StackStatus})` : ''}.`, {hint: `Deploy it with \`pier env deploy --name ${env}\`.`})
  }
  return {
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
    parameters: Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
  }
}

export async function listEnvironments(ctx: AppContext, app: string) {
  return ctx.store.listEnvs(app)
}

export async function showEnvironment(ctx: AppContext, app: string, env: string) {
  const record = await ctx.store.getEnv(app, env)
  if (!record) throw new UserError(`Environment ${env} of ${app} does not exist.`, {hint: `List them with \`pier env ls --app ${app}\`.`})
  const stack = await describe(ctx, environmentStackName(app, env))
  const workloads = await ctx.store.listWorkloads(app)
  const deployed: string[] = []
  for (const w of workloads) if (await describe(ctx, workloadStackName(app, env, w.name))) deployed.push(w.name)
  const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))
  return {
    ...record,
    stack: stack ? {name: stack.StackName, status: stack.StackStatus} : undefined,
    cluster: outputs[ENV_OUTPUTS.cluster],
    publicLoadBalancer: outputs[ENV_OUTPUTS.publicLbDns],
    internalLoadBalancer: outputs[ENV_OUTPUTS.internalLbDns],
    workloads: deployed,
  }
}

export async function deleteEnvironment(ctx: AppContext, app: string, env: string) {
  const workloads = await ctx.store.listWorkloads(app)
  const deployed: string[] = []
  for (const w of workloads) if (await describe(ctx, workloadStackName(app, env, w.name))) deployed.push(w.name)
  if (deployed.length) {
    throw new UserError(`Environment ${env} still runs ${deployed.join(', ')}: delete them first.`, {hint: deployed.map((n) => `pier svc delete --name ${n} --env ${env} --yes`).join('; ')})
  }
  const result = await deleteStack(ctx, {stackName: environmentStackName(app, env)})
  if (result.status !== 'detached') await ctx.store.deleteEnv(app, env)
  return result
}
