// Task definitions: families and revisions, Fargate's size table and ECS's registration checks.

import {taskDefinitionArn} from './arns.js'
import {findTaskDefinition, type Handler} from './context.js'
import {checkFargateSize, parseCpu, parseMemory} from './fargate-sizes.js'
import {clientException, invalidParameter, optObjects, optStrings, optString, paginate, readTags, reqString, type Input} from './input.js'
import {taskDefinitionShape} from './shapes.js'
import {checkContainerShape} from './container-definition.js'
import type {TaskDefinitionRecord} from '../cluster/state.js'

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/
const BODY_KEYS = [
  'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes', 'placementConstraints',
  'requiresCompatibilities', 'cpu', 'memory', 'pidMode', 'ipcMode', 'proxyConfiguration', 'inferenceAccelerators',
  'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection',
]

/** ECS's checks on a registration; throws ClientException with ECS's wording. */
function validate(input: Input): {cpu?: number; memory?: number} {
  const family = reqString(input, 'family')
  if (!FAMILY.test(family)) {
    throw clientException('Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.')
  }
  const containers = optObjects<Record<string, any>>(input, 'containerDefinitions')
  if (!containers || containers.length === 0) throw clientException('Container list cannot be empty.')
  if (containers.length > 10) throw clientException('Too many containers. A task definition can have at most 10 containers.')
  const names = new Set<string>()
  for (const c of containers) {
    if (typeof c?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,255}$/.test(c.name)) {
      throw clientException('Container.name should not be null or empty, and can contain up to 255 letters, numbers, hyphens, and underscores.')
    }
    if (names.has(c.name)) throw clientException(`Duplicate container name found: ${c.name}. Container names must be unique.`)
    names.add(c.name)
    if (typeof c.image !== 'string' || c.image === '') throw clientException('Container.image should not be null or empty.')
    checkContainerShape(c)
  }
  for (const c of containers) {
    for (const d of c.dependsOn ?? []) {
      if (!names.has(d.containerName)) throw clientException(`Container ${c.name} has a dependency on a container ${d.containerName} that does not exist in the task definition.`)
    }
  }
  if (!containers.some((c) => c.essential !== false)) throw clientException('At least one essential container is required.')
  const cpuIn = input.cpu
  const memIn = input.memory
  const cpu = cpuIn === undefined ? undefined : parseCpu(cpuIn)
  const memory = memIn === undefined ? undefined : parseMemory(memIn)
  if (cpuIn !== undefined && cpu === undefined) throw clientException(`Invalid 'cpu' setting for task.`)
  if (memIn !== undefined && memory === undefined) throw clientException(`Invalid 'memory' setting for task.`)
  const compat = optStrings(input, 'requiresCompatibilities') ?? []
  if (compat.includes('FARGATE')) {
    if (input.networkMode !== 'awsvpc') throw clientException(`Fargate only supports network mode ‘awsvpc’.`)
    if (cpu === undefined) throw clientException(`Fargate requires that 'cpu' be defined at the task level.`)
    if (memory === undefined) throw clientException(`Fargate requires that 'memory' be defined at the task level.`)
    checkFargateSize(cpu, memory)
    const awslogs = containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')
    if (awslogs && !input.executionRoleArn) throw clientException('Fargate requires task definition to have execution role ARN to support log driver awslogs.')
  }
  if (memory !== undefined) {
    for (const c of containers) {
      const m = c.memory ?? c.memoryReservation
      if (typeof m === 'number' && m > memory) {
        throw clientException(`Invalid 'memory' setting for container '${c.name}'. The container memory must not exceed the task memory.`)
      }
    }
  }
  return {...(cpu !== undefined ? {cpu} : {}), ...(memory !== undefined ? {memory} : {})}
}

const register: Handler = (ctx, input) => {
  const sizes = validate(input)
  const family = input.family as string
  const revision = (ctx.store.state.families[family] ?? 0) + 1
  const body: Record<string, any> = {}
  for (const k of BODY_KEYS) if (input[k] !== undefined) body[k] = input[k]
  if (sizes.cpu !== undefined) body.cpu = String(sizes.cpu)
  if (sizes.memory !== undefined) body.memory = String(sizes.memory)
  body.containerDefinitions = (body.containerDefinitions as any[]).map((c) => ({
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    essential: true,
    cpu: 0,
    ...c,
    portMappings: (c.portMappings ?? []).map((p: any) => ({protocol: 'tcp', ...p, hostPort: p.hostPort ?? (body.networkMode === 'awsvpc' ? p.containerPort : 0)})),
  }))
  const td: TaskDefinitionRecord = {
    taskDefinitionArn: taskDefinitionArn(ctx.scope, family, revision),
    family,
    revision,
    status: 'ACTIVE',
    body,
    ...sizes,
    registeredAt: ctx.clock.now(),
    tags: readTags(input),
  }
  ctx.store.state.families[family] = revision
  ctx.store.state.taskDefinitions[td.taskDefinitionArn] = td
  ctx.store.commit(td)
  return {taskDefinition: taskDefinitionShape(td), tags: td.tags}
}

const describe: Handler = (ctx, input) => {
  const td = findTaskDefinition(ctx, reqString(input, 'taskDefinition'))
  const withTags = (optStrings(input, 'include') ?? []).includes('TAGS')
  return {taskDefinition: taskDefinitionShape(td), ...(withTags ? {tags: td.tags} : {})}
}

const deregister: Handler = (ctx, input) => {
  const ref = reqString(input, 'taskDefinition')
  if (!/:\d+$/.test(ref)) throw clientException('Invalid revision number. Number: ' + (ref.split(':').pop() ?? ref))
  const td = findTaskDefinition(ctx, ref)
  if (td.status === 'ACTIVE') {
    td.status = 'INACTIVE'
    td.deregisteredAt = ctx.clock.now()
    ctx.store.commit(td)
  }
  return {taskDefinition: taskDefinitionShape(td)}
}

const list: Handler = (ctx, input) => {
  const prefix = optString(input, 'familyPrefix')
  const status = optString(input, 'status') ?? 'ACTIVE'
  if (!['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'].includes(status)) throw invalidParameter('status must be one of ACTIVE, INACTIVE, DELETE_IN_PROGRESS.')
  const desc = optString(input, 'sort') === 'DESC'
  const tds = Object.values(ctx.store.state.taskDefinitions)
    .filter((t) => t.status === status && (prefix === undefined || t.family === prefix))
    .sort((a, b) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1))
  if (desc) tds.reverse()
  const {page, nextToken} = paginate(tds.map((t) => t.taskDefinitionArn), input, 100)
  return {taskDefinitionArns: page, ...(nextToken ? {nextToken} : {})}
}

const listFamilies: Handler = (ctx, input) => {
  const prefix = optString(input, 'familyPrefix') ?? ''
  const status = optString(input, 'status') ?? 'ACTIVE'
  const families = new Set<string>()
  for (const t of Object.values(ctx.store.state.taskDefinitions)) {
    if (!t.family.startsWith(prefix)) continue
    if (status === 'ALL' || t.status === status) families.add(t.family)
  }
  const {page, nextToken} = paginate([...families].sort(), input, 100)
  return {families: page, ...(nextToken ? {nextToken} : {})}
}

export const taskDefinitionHandlers: Record<string, Handler> = {
  RegisterTaskDefinition: register,
  DescribeTaskDefinition: describe,
  DeregisterTaskDefinition: deregister,
  ListTaskDefinitions: list,
  ListTaskDefinitionFamilies: listFamilies,
}
