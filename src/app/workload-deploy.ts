// Deploys one workload to one environment: (1) the manifest, valid; (2) the environment, deployed and
// with what this workload needs (ALB, NAT); (3) images; (4) deploy-time inputs; (5) render and deploy
// the stack through a change set; (6) --force rolls the service even without changes; (7) register.
import type {Stack} from '@aws-sdk/client-cloudformation'

import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import {RolloutWatcher, serviceFromPhysicalId} from '../deploy/rollout.js'
import {deployStack, type StackDeployResult} from '../deploy/stack-deploy.js'
import {describe} from '../deploy/stack-watch.js'
import {backoff} from '../deploy/timing.js'
import type {EcsWorkloadManifest} from '../manifest/types.js'
import {environmentNeeds, httpRules, type ImportedAlb, renderWorkloadStack, restrictsToCloudFront, type WorkloadDeployInputs} from '../render/index.js'
import {ENV_OUTPUTS, workloadStackName} from '../render/names.js'
import {resolveEnvironment, type Workspace} from '../workspace/index.js'
import type {AddonsStack} from '../addons/index.js'
import {addonsWiring, applyOverrides, checkAddonsParent, loadAddons} from './addons.js'
import {uploadAddons} from './addons-upload.js'
import type {AppContext} from './context.js'
import {hasAutoscaling, listenerArnsFor, rulePriorities} from './deploy-inputs.js'
import {importedAlbFor} from './imported-alb.js'
import type {DeployOptions} from './deploy-options.js'
import {deployEnvironment, environmentOutputs, environmentReadyFor} from './environment.js'
import {prepareImages, type PreparedImages} from './images.js'
import {templateUploader} from './templates.js'
import {ensureApp, ensureEnvRecord, workloadManifest, workspace} from './workspace.js'
import {environmentContext} from './env-access.js'

export interface WorkloadDeployInput extends DeployOptions {
  name: string
  env: string
  tag?: string
  force?: boolean
  maxTaskFailures?: number
  /** Skip bringing the environment up to date (the caller already did). */
  environmentReady?: boolean
  /** Images the caller already started preparing (built while the environment deployed). */
  images?: Promise<PreparedImages>
}

export interface WorkloadDeployResult extends StackDeployResult {
  name: string
  env: string
  type: string
  url?: string
  forced?: boolean
}

/** Deploys one workload; `ws` is the workspace the caller already read, if any. */
export async function deployWorkload(ctx: AppContext, input: WorkloadDeployInput, ws: Workspace = workspace(ctx)): Promise<WorkloadDeployResult> {
  const app = ws.application
  const manifest = workloadManifest(ctx, ws, input.name, input.env)
  // Read before anything is deployed: a mistake in an addon template stops the deploy at once.
  const addons = loadAddons(ws.root, {workload: input.name})
  const [, record] = await Promise.all([ensureApp(ctx, app), ensureEnvRecord(ctx, app, input.env)])
  ctx = await environmentContext(ctx, record)

  // Images do not depend on the environment: they build while it deploys.
  const images = input.images ?? startImages(ctx, {app, name: input.name, root: ws.root, manifest, tag: input.tag})
  if (!input.environmentReady) await ensureEnvironmentFor(ctx, ws, input.env, input.name, manifest)
  // Independent reads, made together: each is a round trip to the endpoint.
  const stackName = workloadStackName(app, input.env, input.name)
  const [env, prepared, current] = await Promise.all([environmentOutputs(ctx, app, input.env), images, describe(ctx, stackName)])
  const rendered = await renderForDeploy(ctx, {app, env: input.env, name: input.name, manifest, stackName, current, envOutputs: env.outputs, images: prepared, root: ws.root, addons})
  const result = await deployStack(ctx, {
    stackName,
    template: rendered.template,
    parameters: rendered.parameters,
    tags: rendered.tags,
    noRollback: input.noRollback,
    allowReplacement: input.allowReplacement,
    detach: input.detach,
    maxTaskFailures: input.maxTaskFailures,
    serviceCluster: env.outputs[ENV_OUTPUTS.cluster],
    current,
    confirm: input.confirmChanges,
    uploadTemplate: templateUploader(ctx.aws),
  })
  let forced = false
  if (input.force && result.status === 'no-changes' && manifest.type !== 'Scheduled Job') {
    await forceNewDeployment(ctx, stackName, input.detach ?? false, input.maxTaskFailures ?? 3)
    forced = true
  }
  if (!(await ctx.store.getWorkload(app, input.name))) await ctx.store.putWorkload({app, name: input.name, type: manifest.type})
  // Behind a load balancer that admits CloudFront only, clients reach the service through CloudFront.
  const envManifest = resolveEnvironment(ws, input.env)
  const via = {importedAlb: rendered.importedAlb, cloudFrontOnly: envManifest.ok && restrictsToCloudFront(envManifest.manifest)}
  return {...result, name: input.name, env: input.env, type: manifest.type, url: workloadUrl(manifest, env.outputs, via), forced}
}

/** Renders the workload's stack with what a deploy knows: images, listener rule priorities already
 * taken, the autoscaled desired count, the environment's listeners. */
export async function renderForDeploy(
  ctx: AppContext,
  p: {app: string; env: string; name: string; manifest: EcsWorkloadManifest; stackName: string; current?: Stack; envOutputs: Record<string, string>; images: PreparedImages; root: string; addons?: AddonsStack},
) {
  const currentParams = Object.fromEntries((p.current?.Parameters ?? []).map((x) => [x.ParameterKey ?? '', x.ParameterValue ?? '']))
  const rules = httpRules(p.manifest)
  // An imported load balancer's listeners take the rules (and their priorities) instead of the environment's.
  const importedAlb = await importedAlbFor(ctx.aws.loadBalancers, ctx.aws.region, p.manifest)
  const listenerArns = importedAlb ? importedAlb.listeners.map((l) => l.arn) : listenerArnsFor(p.manifest, p.envOutputs)
  const inputs: WorkloadDeployInputs = {
    images: p.images.images,
    dockerLabels: p.images.dockerLabels,
    rulePriorities: await rulePriorities(ctx.aws, {paths: rules.map((r) => r.path ?? '/'), current: currentParams, listenerArns, ...(ctx.rulePriorities ? {reserved: ctx.rulePriorities} : {})}),
    ...(importedAlb ? {importedAlb} : {}),
    desiredCount: p.current && hasAutoscaling(p.manifest) ? await currentDesiredCount(ctx, p.stackName) : undefined,
    environment: {httpsListener: Boolean(p.envOutputs[ENV_OUTPUTS.httpsListener]), internalHttpsListener: Boolean(p.envOutputs.InternalHTTPSListenerArn), internalWorkloadsZone: Boolean(p.envOutputs.InternalWorkloadsHostedZone)},
  }
  if (p.addons) inputs.addons = addonsWiring(p.addons, (await uploadAddons(ctx.aws, {root: p.root, stackName: p.stackName, stack: p.addons, emit: ctx.emit})).url)
  const rendered = renderWorkloadStack({app: p.app, env: p.env, name: p.name, manifest: p.manifest, inputs})
  const {template, applied} = applyOverrides(p.root, {workload: p.name}, rendered.template, {app: p.app, env: p.env})
  checkAddonsParent(p.addons, {workload: p.name}, template)
  if (applied) ctx.emit(event('step', `Applied ${applied} to ${p.stackName}.`, {name: `overrides ${p.stackName}`, status: 'done'}))
  return {...rendered, template, importedAlb}
}

/** Starts preparing a workload's images; a failure surfaces where the result is awaited, never as an
 * unhandled rejection while something else (the environment) is still deploying. */
export function startImages(ctx: AppContext, input: {app: string; name: string; root: string; manifest: EcsWorkloadManifest; tag?: string}): Promise<PreparedImages> {
  const images = prepareImages({registry: ctx.aws.registry, emit: ctx.emit, engine: ctx.engine}, input)
  images.catch(() => undefined)
  return images
}

/** Deploys the environment first when it is missing or lacks what this workload needs. */
async function ensureEnvironmentFor(ctx: AppContext, ws: Workspace, env: string, name: string, manifest: EcsWorkloadManifest): Promise<void> {
  const {stack, ready} = await environmentReadyFor(ctx, ws.application, env, environmentNeeds([{name, manifest}]))
  if (ready) return
  ctx.emit(event('step', stack ? `Environment ${env} needs an update for ${name}: deploying it first.` : `Environment ${env} is not deployed yet: deploying it first.`, {name: `env ${env}`, status: 'start'}))
  await deployEnvironment(ctx, {env}, ws)
}

/** Where clients reach the service: the environment's load balancer, the one it imports (`http.alb`),
 * or CloudFront when the environment's public load balancer admits CloudFront only (HTTPS always). */
export function workloadUrl(m: EcsWorkloadManifest, envOutputs: Record<string, string>, via: {importedAlb?: ImportedAlb; cloudFrontOnly?: boolean} = {}): string | undefined {
  if (m.type !== 'Load Balanced Web Service' && m.type !== 'Backend Service') return undefined
  const http = m.http
  if (!http) return undefined
  const {importedAlb} = via
  const cloudFront = !importedAlb && m.type === 'Load Balanced Web Service' && !http.private && via.cloudFrontOnly ? envOutputs.CloudFrontDomainName : undefined
  const dns = cloudFront ?? (importedAlb ? importedAlb.dnsName : m.type === 'Backend Service' ? envOutputs[ENV_OUTPUTS.internalLbDns] : envOutputs[ENV_OUTPUTS.publicLbDns])
  if (!dns) return undefined
  const https = cloudFront ? true : importedAlb ? importedAlb.listeners.some((l) => l.protocol === 'HTTPS') : m.type === 'Load Balanced Web Service' && Boolean(envOutputs[ENV_OUTPUTS.httpsListener])
  const path = (http.path ?? '/').replace(/^\/?/, '/')
  return `${https ? 'https' : 'http'}://${dns}${path === '/' ? '' : path}`
}

async function serviceOf(ctx: AppContext, stackName: string) {
  const out = await ctx.aws.stacks.describeStackResources({StackName: stackName})
  const res = (out.StackResources ?? []).find((r) => r.ResourceType === 'AWS::ECS::Service')
  return res?.PhysicalResourceId ? serviceFromPhysicalId(res.LogicalResourceId ?? 'Service', res.PhysicalResourceId) : undefined
}

async function currentDesiredCount(ctx: AppContext, stackName: string): Promise<number | undefined> {
  const svc = await serviceOf(ctx, stackName)
  if (!svc) return undefined
  const out = await ctx.aws.ecs.describeServices({cluster: svc.cluster, services: [svc.serviceArn]})
  return out.services?.[0]?.desiredCount
}

/** --force with no changes: a new deployment of the same task definition, followed like a deploy. */
async function forceNewDeployment(ctx: AppContext, stackName: string, detach: boolean, maxTaskFailures: number): Promise<void> {
  const svc = await serviceOf(ctx, stackName)
  if (!svc) throw new UserError(`${stackName} has no ECS service to redeploy.`)
  ctx.emit(event('step', `Forcing a new deployment of ${svc.serviceArn.split('/').pop()}.`, {name: 'force', status: 'start'}))
  await ctx.aws.ecs.updateService({cluster: svc.cluster, service: svc.serviceArn, forceNewDeployment: true})
  if (detach) return
  const watcher = new RolloutWatcher({ecs: ctx.aws.ecs, logs: ctx.aws.logs, emit: ctx.emit, now: ctx.timing.now}, stackName, svc)
  const delays = backoff(ctx.aws.poll, ctx.timing.random)
  for (;;) {
    const st = await watcher.poll()
    if (st.healthy) break
    if (maxTaskFailures > 0 && st.failures >= maxTaskFailures) {
      throw new UserError(`The new deployment of ${stackName} failed: ${st.lastFailure}`, {hint: 'ECS keeps trying; fix the cause and deploy again.'})
    }
    await ctx.timing.sleep(delays.next())
  }
  ctx.emit(event('step', `The new deployment of ${svc.serviceArn.split('/').pop()} is complete.`, {name: 'force', status: 'done'}))
}
