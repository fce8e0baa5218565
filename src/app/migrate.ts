// `pier migrate`: what the first Pier deploy would do to each stack of an environment, without
// deploying. Each stack's change set is made from the template Pier would deploy, read into a takeover
// plan, and deleted. Workloads keep the images their stacks run, so a plan shows only what Pier changes.
import {describe} from '../deploy/stack-watch.js'
import {deployedByCopilot, type TakeoverPlan} from '../deploy/takeover.js'
import {isDeployableType} from '../manifest/index.js'
import {ENV_OUTPUTS, environmentStackName, workloadStackName} from '../render/names.js'
import {reachEnvironment} from './env-access.js'
import type {AppContext} from './context.js'
import {loadAddons} from './addons.js'
import {renderEnvironment} from './environment.js'
import type {PreparedImages} from './images.js'
import {deployStack} from '../deploy/stack-deploy.js'
import {templateUploader} from './templates.js'
import {renderForDeploy} from './workload-deploy.js'
import {workloadManifest, workspace} from './workspace.js'
import {UserError} from '../errors.js'

export interface StackMigration {
  stack: string
  /** The environment, or the workload's name. */
  name: string
  kind: 'environment' | 'workload'
  /** Last deployed by Copilot (its template's metadata and description say so). */
  copilot: boolean
  status: 'planned' | 'no-changes' | 'not-deployed'
  plan?: TakeoverPlan
}

export interface MigrationPlan {
  app: string
  env: string
  stacks: StackMigration[]
  /** Stateful resources a deploy would replace or remove: refused without --allow-replacement. */
  blocking: number
}

export async function planMigration(ctx: AppContext, input: {env: string}): Promise<MigrationPlan> {
  const ws = workspace(ctx)
  const app = ws.application
  const envStack = environmentStackName(app, input.env)
  const rendered = await renderEnvironment(ctx, ws, input.env)
  ctx = await reachEnvironment(ctx, app, input.env)
  const current = await describe(ctx, envStack)
  if (!current) {
    throw new UserError(`Environment ${input.env} of ${app} is not deployed: stack ${envStack} does not exist, so there is nothing to take over.`, {
      hint: `Check the application and environment names (pier env ls), or deploy it: pier env deploy --name ${input.env}`,
    })
  }
  const stacks: StackMigration[] = []
  const env = await deployStack(ctx, {stackName: envStack, template: rendered.template, parameters: rendered.parameters, tags: rendered.tags, current, planOnly: true, uploadTemplate: templateUploader(ctx.aws)})
  stacks.push({stack: envStack, name: input.env, kind: 'environment', copilot: deployedByCopilot(current), status: env.status === 'no-changes' ? 'no-changes' : 'planned', plan: env.plan})
  const outputs = Object.fromEntries((current.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))

  // One workload at a time: each plan is a change set on the endpoint, and their order is the report's.
  for (const w of ws.workloads) {
    if (!isDeployableType(w.type)) continue
    const stackName = workloadStackName(app, input.env, w.name)
    const deployed = await describe(ctx, stackName)
    if (!deployed) {
      stacks.push({stack: stackName, name: w.name, kind: 'workload', copilot: false, status: 'not-deployed'})
      continue
    }
    const manifest = workloadManifest(ctx, ws, w.name, input.env)
    const images = await deployedImages(ctx, stackName)
    const r = await renderForDeploy(ctx, {app, env: input.env, name: w.name, manifest, stackName, current: deployed, envOutputs: outputs, images, root: ws.root, addons: loadAddons(ws.root, {workload: w.name})})
    const result = await deployStack(ctx, {stackName, template: r.template, parameters: r.parameters, tags: r.tags, current: deployed, planOnly: true, serviceCluster: outputs[ENV_OUTPUTS.cluster], uploadTemplate: templateUploader(ctx.aws)})
    stacks.push({stack: stackName, name: w.name, kind: 'workload', copilot: deployedByCopilot(deployed), status: result.status === 'no-changes' ? 'no-changes' : 'planned', plan: result.plan})
  }
  return {app, env: input.env, stacks, blocking: stacks.reduce((n, s) => n + (s.plan?.blocking.length ?? 0), 0)}
}

/** The images the stack's task definition runs, and the labels a build gave them, by container name. */
async function deployedImages(ctx: AppContext, stackName: string): Promise<PreparedImages> {
  const resources = (await ctx.aws.stacks.describeStackResources({StackName: stackName})).StackResources ?? []
  const taskDef = resources.find((r) => r.ResourceType === 'AWS::ECS::TaskDefinition')?.PhysicalResourceId
  const out = taskDef ? await ctx.aws.ecs.describeTaskDefinition({taskDefinition: taskDef}).catch(() => undefined) : undefined
  const containers = (out?.taskDefinition?.containerDefinitions ?? []).filter((c) => c.name && c.image)
  return {
    images: Object.fromEntries(containers.map((c) => [c.name!, c.image!])),
    dockerLabels: Object.fromEntries(containers.filter((c) => c.dockerLabels && Object.keys(c.dockerLabels).length).map((c) => [c.name!, c.dockerLabels!])),
  }
}
