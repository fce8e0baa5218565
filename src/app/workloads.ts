// Operating deployed workloads: list, show (per environment), status (deployments, tasks, targets),
// and delete (`job run` is in job-run.ts).
import type {Service} from '@aws-sdk/client-ecs'

import {UserError} from '../errors.js'
import {isAwsError} from '../aws/errors.js'
import {event} from '../deploy/events.js'
import {serviceFromPhysicalId} from '../deploy/rollout.js'
import {deleteStack} from '../deploy/stack-delete.js'
import {describe} from '../deploy/stack-watch.js'
import {reachEnvironment} from './env-access.js'
import type {AppContext} from './context.js'
import {ENV_OUTPUTS, environmentStackName, workloadStackName} from '../render/names.js'
import type {WorkloadRecord} from './store.js'
import {removeStackTemplates} from './templates.js'

export type WorkloadKind = 'svc' | 'job'
export const isJob = (type: string) => type === 'Scheduled Job'

export async function listWorkloads(ctx: AppContext, app: string, kind: WorkloadKind): Promise<WorkloadRecord[]> {
  return (await ctx.store.listWorkloads(app)).filter((w) => (kind === 'job') === isJob(w.type))
}

export async function requireWorkload(ctx: AppContext, app: string, name: string): Promise<WorkloadRecord> {
  const w = await ctx.store.getWorkload(app, name)
  if (!w) throw new UserError(`Workload ${name} is not part of application ${app}.`, {hint: `Deploy it first (\`pier deploy --name ${name} --env ENV\`), or list them with \`pier svc ls\`.`})
  return w
}

async function serviceIn(ctx: AppContext, stackName: string): Promise<{service?: Service; cluster?: string; taskDefinitionArn?: string}> {
  const {StackResources = []} = await ctx.aws.stacks.describeStackResources({StackName: stackName})
  const svcRes = StackResources.find((r) => r.ResourceType === 'AWS::ECS::Service')
  const tdRes = StackResources.find((r) => r.ResourceType === 'AWS::ECS::TaskDefinition')
  if (!svcRes?.PhysicalResourceId) return {taskDefinitionArn: tdRes?.PhysicalResourceId}
  const ref = serviceFromPhysicalId(svcRes.LogicalResourceId ?? 'Service', svcRes.PhysicalResourceId)
  if (!ref) return {taskDefinitionArn: tdRes?.PhysicalResourceId}
  const out = await ctx.aws.ecs.describeServices({cluster: ref.cluster, services: [ref.serviceArn]})
  return {service: out.services?.[0], cluster: ref.cluster, taskDefinitionArn: out.services?.[0]?.taskDefinition ?? tdRes?.PhysicalResourceId}
}

export interface WorkloadInEnv {
  environment: string
  stack: string
  status: string
  url?: string
  desiredCount?: number
  runningCount?: number
  cpu?: string
  memory?: string
  image?: string
  variables: Record<string, string>
  /** Names only: values never leave the account. */
  secrets: string[]
}

export async function showWorkload(ctx: AppContext, app: string, name: string) {
  const record = await requireWorkload(ctx, app, name)
  const envs = await ctx.store.listEnvs(app)
  const deployments: WorkloadInEnv[] = []
  for (const env of envs) {
    const stackName = workloadStackName(app, env.name, name)
    const stack = await describe(ctx, stackName)
    if (!stack) continue
    const {service, taskDefinitionArn} = await serviceIn(ctx, stackName)
    const td = taskDefinitionArn ? (await ctx.aws.ecs.describeTaskDefinition({taskDefinition: taskDefinitionArn})).taskDefinition : undefined
    const main = td?.containerDefinitions?.find((c) => c.name === name) ?? td?.containerDefinitions?.[0]
    const envStack = await describe(ctx, environmentStackName(app, env.name))
    const outputs = Object.fromEntries((envStack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))
    // COPILOT_LB_DNS names the load balancer the service is behind: the environment's, or one it imports (`http.alb`).
    const lbVariable = main?.environment?.find((v) => v.name === 'COPILOT_LB_DNS')?.value
    const lb = lbVariable ?? (record.type === 'Backend Service' ? outputs[ENV_OUTPUTS.internalLbDns] : record.type === 'Load Balanced Web Service' ? outputs[ENV_OUTPUTS.publicLbDns] : undefined)
    const hasTargets = (service?.loadBalancers ?? []).length > 0
    deployments.push({
      environment: env.name,
      stack: stackName,
      status: stack.StackStatus ?? '',
      url: lb && hasTargets ? `http://${lb}` : undefined,
      desiredCount: service?.desiredCount,
      runningCount: service?.runningCount,
      cpu: td?.cpu,
      memory: td?.memory,
      image: main?.image,
      variables: Object.fromEntries((main?.environment ?? []).map((v) => [v.name ?? '', v.value ?? ''])),
      secrets: (main?.secrets ?? []).map((s) => s.name ?? '').sort(),
    })
  }
  return {app, name, type: record.type, deployments}
}

export async function workloadStatus(ctx: AppContext, app: string, name: string, env: string) {
  ctx = await reachEnvironment(ctx, app, env)
  const stackName = workloadStackName(app, env, name)
  const stack = await describe(ctx, stackName)
  if (!stack) throw new UserError(`${name} is not deployed in environment ${env}.`, {hint: `Deploy it with \`pier deploy --name ${name} --env ${env}\`.`})
  const {service, cluster} = await serviceIn(ctx, stackName)
  const tasks = []
  if (service && cluster) {
    const listed = await ctx.aws.ecs.listTasks({cluster, serviceName: service.serviceName, desiredStatus: 'RUNNING'})
    if (listed.taskArns?.length) {
      const described = await ctx.aws.ecs.describeTasks({cluster, tasks: listed.taskArns})
      const now = ctx.timing.now()
      for (const t of described.tasks ?? []) {
        tasks.push({
          taskId: (t.taskArn ?? '').split('/').pop() ?? '',
          lastStatus: t.lastStatus,
          health: t.healthStatus,
          revision: (t.taskDefinitionArn ?? '').split(':').pop(),
          startedAt: t.startedAt ? new Date(t.startedAt).toISOString() : undefined,
          ageSeconds: t.startedAt ? Math.round((now - new Date(t.startedAt).getTime()) / 1000) : undefined,
          capacityProvider: t.capacityProviderName,
        })
      }
    }
  }
  const targets = []
  for (const lb of service?.loadBalancers ?? []) {
    if (!lb.targetGroupArn) continue
    const health = await ctx.aws.loadBalancers.describeTargetHealth({TargetGroupArn: lb.targetGroupArn})
    for (const d of health.TargetHealthDescriptions ?? []) {
      targets.push({targetGroup: lb.targetGroupArn.split('/').slice(-2, -1)[0], id: d.Target?.Id, port: d.Target?.Port, state: d.TargetHealth?.State, reason: d.TargetHealth?.Description ?? d.TargetHealth?.Reason})
    }
  }
  return {
    app,
    name,
    env,
    stack: {name: stackName, status: stack.StackStatus},
    service: service
      ? {name: service.serviceName, status: service.status, desiredCount: service.desiredCount, runningCount: service.runningCount, pendingCount: service.pendingCount}
      : undefined,
    deployments: (service?.deployments ?? []).map((d) => ({id: d.id, status: d.status, rolloutState: d.rolloutState, taskDefinition: (d.taskDefinition ?? '').split('/').pop(), desired: d.desiredCount, running: d.runningCount, pending: d.pendingCount, failed: d.failedTasks, updatedAt: d.updatedAt ? new Date(d.updatedAt).toISOString() : undefined})),
    tasks,
    targets,
    alarms: (service?.deploymentConfiguration?.alarms?.alarmNames ?? []).map((n) => ({name: n})),
    events: (service?.events ?? []).slice(0, 5).map((e) => ({at: e.createdAt ? new Date(e.createdAt).toISOString() : undefined, message: e.message})),
  }
}

export async function deleteWorkload(ctx: AppContext, app: string, name: string, env?: string) {
  const record = await ctx.store.getWorkload(app, name)
  const envs = env ? [env] : (await ctx.store.listEnvs(app)).map((e) => e.name)
  const deleted: string[] = []
  for (const e of envs) {
    const r = await deleteStack(await reachEnvironment(ctx, app, e), {stackName: workloadStackName(app, e, name)})
    if (r.status === 'deleted') deleted.push(e)
  }
  await removeStackTemplates(ctx.aws, deleted.map((e) => workloadStackName(app, e, name))).catch((error: Error) => {
    ctx.emit(event('step', `Could not remove the uploaded templates of ${name}: ${error.message}`, {name: `templates ${name}`, status: 'failed'}, 'warn'))
  })
  if (!env) {
    await deleteRepository(ctx, `${app}/${name}`)
    if (record) await ctx.store.deleteWorkload(app, name)
  }
  return {name, environments: deleted, unregistered: !env && Boolean(record)}
}

async function deleteRepository(ctx: AppContext, repositoryName: string) {
  try {
    await ctx.aws.registry.deleteRepository({repositoryName, force: true})
    ctx.emit(event('step', `Deleted the image repository ${repositoryName}.`, {name: `repository ${repositoryName}`, status: 'done'}))
  } catch (error) {
    if (isAwsError(error, 'RepositoryNotFoundException')) return
    ctx.emit(event('step', `Could not delete the image repository ${repositoryName}: ${(error as Error).message}`, {name: `repository ${repositoryName}`, status: 'failed'}, 'warn'))
  }
}
