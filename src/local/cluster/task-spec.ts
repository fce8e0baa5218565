// Turns a task record and its task definition into the agent's TaskSpec: overrides applied, secrets
// resolved into the environment, awslogs destinations named. Secret failures carry ECS's reason.

import type {ContainerSpec, TaskSpec} from '../agent/types.js'
import type {SecretResolver} from '../contracts.js'
import type {TaskDefinitionRecord, TaskRecord} from './state.js'

export class TaskStartError extends Error {}

export interface LogDestination {
  group: string
  streamPrefix?: string
  create: boolean
}

/** The awslogs destination of each container that has one. */
export function logDestinations(td: TaskDefinitionRecord): Record<string, LogDestination> {
  const out: Record<string, LogDestination> = {}
  for (const c of td.body.containerDefinitions as any[]) {
    const lc = c.logConfiguration
    if (lc?.logDriver !== 'awslogs' || !lc.options?.['awslogs-group']) continue
    out[c.name] = {
      group: lc.options['awslogs-group'],
      streamPrefix: lc.options['awslogs-stream-prefix'],
      create: lc.options['awslogs-create-group'] === 'true',
    }
  }
  return out
}

/** The stream a container's output goes to, as the awslogs driver names it. */
export function logStreamName(dest: LogDestination, container: string, taskId: string): string {
  return dest.streamPrefix ? `${dest.streamPrefix}/${container}/${taskId}` : taskId
}

export async function buildTaskSpec(task: TaskRecord, td: TaskDefinitionRecord, secrets: SecretResolver): Promise<TaskSpec> {
  const overrides = new Map<string, any>((task.overrides.containerOverrides ?? []).map((o: any) => [o.name, o]))
  const containers: ContainerSpec[] = []
  for (const def of td.body.containerDefinitions as any[]) {
    const o = overrides.get(def.name) ?? {}
    const environment: Record<string, string> = {}
    for (const kv of def.environment ?? []) environment[kv.name] = String(kv.value ?? '')
    for (const kv of o.environment ?? []) environment[kv.name] = String(kv.value ?? '')
    for (const s of def.secrets ?? []) environment[s.name] = await resolveSecret(secrets, s.valueFrom)
    const hc = def.healthCheck
    containers.push({
      name: def.name,
      image: def.image,
      essential: def.essential !== false,
      ...(o.command ?? def.command ? {command: o.command ?? def.command} : {}),
      ...(def.entryPoint ? {entryPoint: def.entryPoint} : {}),
      ...(def.workingDirectory ? {workingDirectory: def.workingDirectory} : {}),
      environment,
      portMappings: (def.portMappings ?? []).map((p: any) => ({
        containerPort: p.containerPort,
        protocol: p.protocol ?? 'tcp',
        ...(p.name ? {name: p.name} : {}),
      })),
      ...(hc
        ? {
            healthCheck: {
              command: hc.command,
              interval: hc.interval ?? 30,
              timeout: hc.timeout ?? 5,
              retries: hc.retries ?? 3,
              startPeriod: hc.startPeriod ?? 0,
            },
          }
        : {}),
      ...(def.stopTimeout !== undefined ? {stopTimeout: def.stopTimeout} : {}),
      ...(def.dockerLabels ? {dockerLabels: def.dockerLabels} : {}),
      ...(def.dependsOn ? {dependsOn: def.dependsOn} : {}),
      ...(def.user ? {user: def.user} : {}),
      ...(def.readonlyRootFilesystem ? {readonlyRootFilesystem: true} : {}),
      ...(def.ulimits?.length ? {ulimits: def.ulimits.map((u: any) => ({name: u.name, softLimit: u.softLimit, hardLimit: u.hardLimit}))} : {}),
      ...(def.cpu ? {cpu: def.cpu} : {}),
      ...(def.memory ? {memory: def.memory} : {}),
    })
  }
  const logs: NonNullable<TaskSpec['logs']> = {}
  for (const [name, d] of Object.entries(logDestinations(td))) logs[name] = {group: d.group, streamPrefix: d.streamPrefix ?? ''}
  return {
    taskArn: task.taskArn,
    taskId: task.taskId,
    clusterArn: task.clusterArn,
    taskDefinition: `${td.family}:${td.revision}`,
    cpu: task.cpu,
    memory: task.memory,
    containers,
    ...(Object.keys(logs).length > 0 ? {logs} : {}),
  }
}

async function resolveSecret(secrets: SecretResolver, valueFrom: string): Promise<string> {
  try {
    return await secrets.resolve(valueFrom)
  } catch (err) {
    const fromAsm = valueFrom.includes(':secretsmanager:')
    const detail = err instanceof Error ? `${(err as any).code ?? err.name}: ${err.message}` : String(err)
    const what = fromAsm
      ? `unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${valueFrom} from secrets manager: ${detail}`
      : `unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: ${valueFrom}`
    throw new TaskStartError(`ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ${what}`)
  }
}
