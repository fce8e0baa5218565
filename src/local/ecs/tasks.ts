// RunTask, StopTask, DescribeTasks, ListTasks and ExecuteCommand.

import {createHash} from 'node:crypto'
import {placeTasks, validateStrategy, type StrategyItem} from '../capacity/strategy.js'
import {ServiceError} from '../frontend/types.js'
import type {ClusterRecord, TaskDefinitionRecord, TaskRecord} from '../cluster/state.js'
import {findCluster, findService, findTask, findTaskDefinition, type EcsContext, type Handler} from './context.js'
import {checkFargateSize, parseCpu, parseMemory} from './fargate-sizes.js'
import {invalidParameter, optObjects, optStrings, optBool, optInt, optObject, optString, paginate, readTags, reqString, type Input} from './input.js'
import {taskShape} from './shapes.js'
import {newTask} from './task-factory.js'
import {checkOverrideShape} from './container-definition.js'

/** Checks a task's network configuration as ECS does for awsvpc tasks. */
export function checkNetworkConfiguration(td: TaskDefinitionRecord, nc: Input | undefined): void {
  if (td.body.networkMode !== 'awsvpc') return
  if (!nc) throw invalidParameter(`Network Configuration must be provided when networkMode 'awsvpc' is specified.`)
  const vpc = nc.awsvpcConfiguration as Input | undefined
  if (!vpc || !Array.isArray(vpc.subnets) || vpc.subnets.length === 0) throw invalidParameter('subnets can not be empty.')
  if (vpc.subnets.length > 16) throw invalidParameter('subnets can have at most 16 items.')
  if (vpc.assignPublicIp !== undefined && vpc.assignPublicIp !== 'ENABLED' && vpc.assignPublicIp !== 'DISABLED') {
    throw invalidParameter('assignPublicIp must be ENABLED or DISABLED.')
  }
}

/** The launch type / capacity provider strategy pair of a RunTask or CreateService call. */
export function resolvePlacement(ctx: EcsContext, cluster: ClusterRecord, input: Input): {launchType?: 'FARGATE'; strategy?: StrategyItem[]} {
  const launchType = optString(input, 'launchType')
  const strategy = optObjects<StrategyItem>(input, 'capacityProviderStrategy')
  if (launchType && strategy && strategy.length > 0) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.')
  }
  if (launchType && launchType !== 'FARGATE') {
    throw invalidParameter(`The local control plane runs only Fargate tasks: launch type ${launchType} has no container instances here. Use FARGATE.`)
  }
  if (strategy && strategy.length > 0) {
    validateStrategy(strategy, cluster.capacityProviders)
    return {strategy}
  }
  if (launchType) return {launchType: 'FARGATE'}
  if (cluster.defaultCapacityProviderStrategy.length > 0) return {strategy: cluster.defaultCapacityProviderStrategy}
  return {launchType: 'FARGATE'}
}

function checkOverrides(td: TaskDefinitionRecord, overrides: Input | undefined): Record<string, any> {
  if (!overrides) return {}
  const names = new Set((td.body.containerDefinitions as any[]).map((c) => c.name))
  const list = overrides.containerOverrides
  if (list !== undefined && !Array.isArray(list)) throw invalidParameter('containerOverrides must be a list of structures.')
  for (const o of (list as any[] | undefined) ?? []) {
    checkOverrideShape(o, invalidParameter)
    if (!names.has(o.name)) throw invalidParameter(`Override for container named ${o.name} is not a container in the TaskDefinition.`)
  }
  const out: Record<string, any> = {...overrides}
  if (overrides.cpu !== undefined || overrides.memory !== undefined) {
    const cpu = overrides.cpu !== undefined ? parseCpu(overrides.cpu) : td.cpu
    const memory = overrides.memory !== undefined ? parseMemory(overrides.memory) : td.memory
    if (cpu === undefined || memory === undefined) throw invalidParameter('Task override cpu and memory must be valid sizes.')
    checkFargateSize(cpu, memory)
    if (overrides.cpu !== undefined) out.cpu = String(cpu)
    if (overrides.memory !== undefined) out.memory = String(memory)
  }
  return out
}

const runTask: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const td = findTaskDefinition(ctx, reqString(input, 'taskDefinition'), {activeOnly: true})
  const count = optInt(input, 'count', 1, 10) ?? 1
  const placement = resolvePlacement(ctx, cluster, input)
  const compat = (td.body.requiresCompatibilities as string[] | undefined) ?? []
  if (!compat.includes('FARGATE') && td.body.networkMode !== 'awsvpc') {
    throw invalidParameter('Task definition does not support launch_type FARGATE.')
  }
  const nc = optObject(input, 'networkConfiguration')
  checkNetworkConfiguration(td, nc)
  const overrides = checkOverrides(td, optObject(input, 'overrides'))
  const startedBy = optString(input, 'startedBy')
  if (startedBy && startedBy.length > 128) throw invalidParameter('startedBy must be at most 128 characters.')
  const group = optString(input, 'group')
  const enableExecuteCommand = optBool(input, 'enableExecuteCommand') ?? false
  let tags = readTags(input)
  if (optString(input, 'propagateTags') === 'TASK_DEFINITION') tags = [...td.tags, ...tags]
  const clientToken = optString(input, 'clientToken')
  if (clientToken && clientToken.length > 64) throw invalidParameter('clientToken must be at most 64 characters.')

  const now = ctx.clock.now()
  const fingerprint = createHash('sha256').update(JSON.stringify({...input, clientToken: undefined})).digest('hex')
  if (clientToken) {
    const seen = ctx.tasks.clientToken(clientToken)
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new ServiceError('ClientException', 'The specified client token has already been used in a request with different parameters.')
      }
      const tasks = seen.taskArns.map((a) => ctx.store.state.tasks[a]).filter((t): t is TaskRecord => !!t)
      return {tasks: tasks.map((t) => taskShape(ctx, t)), failures: seen.failures}
    }
  }

  const never = ctx.capacity.neverFits({cpu: overrides.cpu ? Number(overrides.cpu) : td.cpu ?? 256, memory: overrides.memory ? Number(overrides.memory) : td.memory ?? 512})
  const failures: unknown[] = []
  let tasks: TaskRecord[] = []
  if (never) {
    for (let i = 0; i < count; i++) {
      failures.push({arn: td.taskDefinitionArn, reason: never, detail: `The task needs more ${never === 'RESOURCE:CPU' ? 'CPU units' : 'memory'} than the local capacity (${ctx.capacity.total.cpu} CPU units, ${ctx.capacity.total.memory} MiB) has in total.`})
    }
  } else {
    const providers = placement.strategy ? placeTasks(placement.strategy, count) : Array<undefined>(count).fill(undefined)
    tasks = providers.map((p) =>
      newTask({
        scope: ctx.scope,
        cluster,
        td,
        now,
        ...(p ? {capacityProviderName: p} : {}),
        overrides,
        ...(startedBy ? {startedBy} : {}),
        ...(group ? {group} : {}),
        tags,
        ...(nc ? {networkConfiguration: nc} : {}),
        enableExecuteCommand,
      }),
    )
  }
  ctx.tasks.run(tasks, clientToken ? {clientToken: {token: clientToken, record: {at: now, fingerprint, taskArns: tasks.map((t) => t.taskArn), failures}}} : {})
  return {tasks: tasks.map((t) => taskShape(ctx, t)), failures}
}

const stopTask: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const task = findTask(ctx, cluster, reqString(input, 'task'))
  if (!task) throw invalidParameter('The referenced task was not found.')
  const reason = optString(input, 'reason')
  if (reason && reason.length > 255) throw invalidParameter('reason must be at most 255 characters.')
  ctx.tasks.stop(task, 'UserInitiated', reason || 'Task stopped by user')
  ctx.store.commit(task)
  return {task: taskShape(ctx, task)}
}

const describeTasks: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const refs = optStrings(input, 'tasks')
  if (!refs || refs.length === 0) throw invalidParameter('Tasks cannot be empty.')
  if (refs.length > 100) throw invalidParameter('Tasks can have at most 100 items.')
  const withTags = (optStrings(input, 'include') ?? []).includes('TAGS')
  const tasks: unknown[] = []
  const failures: unknown[] = []
  for (const ref of refs) {
    const t = findTask(ctx, cluster, ref)
    if (t) tasks.push(taskShape(ctx, t, withTags))
    else failures.push({arn: ref.startsWith('arn:') ? ref : `arn:aws:ecs:${ctx.scope.region}:${ctx.scope.accountId}:task/${cluster.clusterName}/${ref}`, reason: 'MISSING'})
  }
  return {tasks, failures}
}

const listTasks: Handler = (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const family = optString(input, 'family')
  const startedBy = optString(input, 'startedBy')
  const serviceName = optString(input, 'serviceName')
  const desired = optString(input, 'desiredStatus') ?? 'RUNNING'
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired)) throw invalidParameter('desiredStatus must be one of RUNNING, PENDING, STOPPED.')
  if (family && (startedBy || serviceName)) {
    throw invalidParameter('The family parameter cannot be combined with the startedBy or serviceName parameters.')
  }
  let serviceArn: string | undefined
  if (serviceName) {
    const s = findService(ctx, cluster, serviceName)
    if (!s) throw new ServiceError('ServiceNotFoundException', 'Service not found.')
    serviceArn = s.serviceArn
  }
  const arns: string[] = []
  for (const t of Object.values(ctx.store.state.tasks)) {
    if (t.clusterArn !== cluster.clusterArn) continue
    if (family && t.family !== family) continue
    if (startedBy && t.startedBy !== startedBy) continue
    if (serviceArn && t.serviceArn !== serviceArn) continue
    const d = desired === 'PENDING' ? t.lastStatus === 'PENDING' && t.desiredStatus === 'RUNNING' : t.desiredStatus === desired
    if (!d) continue
    arns.push(t.taskArn)
  }
  const {page, nextToken} = paginate(arns, input, 100)
  return {taskArns: page, ...(nextToken ? {nextToken} : {})}
}

const executeCommand: Handler = async (ctx, input) => {
  const cluster = findCluster(ctx, optString(input, 'cluster'))
  const command = reqString(input, 'command')
  const interactive = optBool(input, 'interactive')
  if (interactive !== true) throw invalidParameter('Interactive is the only mode supported currently.')
  const task = findTask(ctx, cluster, reqString(input, 'task'))
  if (!task) throw invalidParameter('The referenced task was not found.')
  const containerName = optString(input, 'container')
  let container = task.containers[0]!
  if (containerName) {
    const c = task.containers.find((x) => x.name === containerName)
    if (!c) throw invalidParameter(`The container ${containerName} does not exist in the task.`)
    container = c
  } else if (task.containers.length > 1) {
    throw invalidParameter('The task has more than one container. Specify the container to run the command in.')
  }
  if (!task.enableExecuteCommand || task.lastStatus !== 'RUNNING' || container.lastStatus !== 'RUNNING') {
    throw invalidParameter(
      "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running. Wait and try again or run a new task with execute command enabled and try again.",
    )
  }
  if (!ctx.exec) throw new ServiceError('TargetNotConnectedException', 'The execute command failed due to an internal error. Try again later.')
  const session = await ctx.exec.createSession({taskArn: task.taskArn, taskId: task.taskId, container: container.name, command, interactive: true})
  return {
    clusterArn: cluster.clusterArn,
    containerArn: container.containerArn,
    containerName: container.name,
    interactive: true,
    session,
    taskArn: task.taskArn,
  }
}

export const taskHandlers: Record<string, Handler> = {
  RunTask: runTask,
  StopTask: stopTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
  ExecuteCommand: executeCommand,
}

