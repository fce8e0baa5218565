// `pier task run`: (1) the image, built or run from source; (2) the task group's stack (log group,
// roles, task definition); (3) where to run: an environment's cluster and subnets, or given ones;
// (4) RunTask; (5) with --follow, the logs until the tasks stop, and the container's exit code.
import {dirname, resolve} from 'node:path'

import {UserError} from '../errors.js'
import {ENV_OUTPUTS, taskLogGroupName} from '../render/names.js'
import {renderTaskStack} from '../render/task-stack.js'
import {event} from '../deploy/events.js'
import {deployStack} from '../deploy/stack-deploy.js'
import type {AppContext} from './context.js'
import {environmentOutputs} from './environment.js'
import {followTasks, type FollowResult} from './follow-tasks.js'
import {prepareImages} from './images.js'

export interface TaskRunInput {
  group: string
  image?: string
  dockerfile?: string
  buildContext?: string
  tag?: string
  command?: string[]
  envVars: Record<string, string>
  secrets: Record<string, string>
  count: number
  cpu: number
  memory: number
  follow: boolean
  app?: string
  env?: string
  cluster?: string
  subnets?: string[]
  securityGroups?: string[]
  onLog: (line: string) => void
}

export interface TaskRunResult {
  taskArns: string[]
  cluster: string
  logGroup: string
  follow?: FollowResult
}

export async function runTask(ctx: AppContext, input: TaskRunInput): Promise<TaskRunResult> {
  if (!input.image && !input.dockerfile) throw new UserError('task run needs an image: none was given.', {hint: 'Pass --image URI, or --dockerfile PATH to build one.'})
  if (input.image && input.dockerfile) throw new UserError('task run takes --image or --dockerfile, not both.')
  if (!/^[a-z0-9][a-z0-9-]{0,60}$/i.test(input.group)) throw new UserError(`--task-group-name ${input.group} is not a valid name: use letters, digits and dashes.`)

  if (!input.env && !input.subnets?.length) {
    throw new UserError('task run needs a network for its Fargate tasks: no --env and no --subnets.', {hint: 'Pass --env ENV to run in an environment (its cluster and subnets), or --subnets (and --security-groups, --cluster).'})
  }

  // 1. Image.
  let image = input.image ?? ''
  let dockerLabels: Record<string, string> | undefined
  if (input.dockerfile) {
    const file = resolve(ctx.cwd, input.dockerfile)
    const context = resolve(ctx.cwd, input.buildContext ?? dirname(file))
    const prepared = await prepareImages({registry: ctx.aws.registry, emit: ctx.emit, engine: ctx.engine}, {
      app: input.app ?? 'copilot',
      name: input.group,
      root: ctx.cwd,
      manifest: {name: input.group, type: 'Backend Service', image: {build: {context, dockerfile: file}}},
      tag: input.tag,
    })
    image = prepared.images[input.group] ?? image
    dockerLabels = prepared.dockerLabels[input.group]
  }

  // 2. Where to run.
  let cluster = input.cluster
  let subnets = input.subnets ?? []
  let securityGroups = input.securityGroups ?? []
  if (input.env) {
    if (!input.app) throw new UserError('--env needs the application: none was found.', {hint: 'Run inside a workspace or pass --app.'})
    const {outputs} = await environmentOutputs(ctx, input.app, input.env)
    cluster ??= outputs[ENV_OUTPUTS.cluster]
    if (!subnets.length) subnets = (outputs[ENV_OUTPUTS.publicSubnets] ?? '').split(',').filter(Boolean)
    if (!securityGroups.length) securityGroups = (outputs[ENV_OUTPUTS.environmentSecurityGroup] ?? '').split(',').filter(Boolean)
  }
  if (!cluster) {
    // Like Copilot: without an environment, the account's default cluster, created on first use.
    cluster = 'default'
    const {clusters = []} = await ctx.aws.ecs.describeClusters({clusters: [cluster]})
    if (!clusters.some((c) => c.status === 'ACTIVE')) {
      await ctx.aws.ecs.createCluster({clusterName: cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT']})
      ctx.emit(event('step', 'Created the default cluster.', {name: 'cluster default', status: 'done'}))
    }
  }

  // 3. The task group's stack.
  const rendered = renderTaskStack({group: input.group, image, cpu: input.cpu, memory: input.memory, command: input.command, environment: input.envVars, secrets: input.secrets, dockerLabels, region: ctx.aws.region, app: input.app, env: input.env})
  const deployed = await deployStack(ctx, {stackName: rendered.stackName, template: rendered.template, tags: rendered.tags, maxTaskFailures: 0})
  const taskDefinition = deployed.outputs.TaskDefinitionArn
  if (!taskDefinition) throw new UserError(`The stack ${rendered.stackName} has no TaskDefinitionArn output: it was not deployed by Pier.`, {hint: `Delete it (\`aws cloudformation delete-stack --stack-name ${rendered.stackName}\`) and run again.`})

  // 4. Run.
  const out = await ctx.aws.ecs.runTask({
    cluster,
    taskDefinition,
    count: input.count,
    launchType: 'FARGATE',
    startedBy: `pier-task-${input.group}`.slice(0, 36),
    ...(subnets.length ? {networkConfiguration: {awsvpcConfiguration: {subnets, securityGroups, assignPublicIp: 'ENABLED'}}} : {}),
  })
  const failure = out.failures?.[0]
  if (failure || !out.tasks?.length) {
    throw new UserError(`ECS could not start the task: ${failure?.reason ?? 'no task was started'}${failure?.detail ? ` (${failure.detail})` : ''}.`, {hint: 'Check the cluster, subnets and the size (--cpu, --memory).'})
  }
  const taskArns = out.tasks.map((t) => t.taskArn ?? '').filter(Boolean)
  for (const arn of taskArns) ctx.emit(event('step', `Started task ${arn.split('/').pop()} in cluster ${cluster}.`, {name: `task ${arn.split('/').pop()}`, status: 'start', detail: arn}))
  const result: TaskRunResult = {taskArns, cluster, logGroup: taskLogGroupName(input.group)}
  if (!input.follow) return result

  // 5. Follow.
  result.follow = await followTasks({aws: ctx.aws, emit: ctx.emit, timing: ctx.timing, interrupts: ctx.interrupts, onLog: input.onLog}, {cluster, taskArns, logGroup: taskLogGroupName(input.group), streamPrefix: 'copilot', container: input.group})
  return result
}
