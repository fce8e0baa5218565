// Watches the ECS services of a stack while CloudFormation deploys it. Reports the newest deployment's
// counts, and the moment one of its tasks stops: the stopped reason, the container's exit code and the
// last lines of its log, instead of waiting for the circuit breaker. Counts the stops so the stack
// deploy can fail fast.
import type {Deployment, Task} from '@aws-sdk/client-ecs'

import type {EcsApi, LogsApi} from '../aws/interfaces.js'
import {event, type Emit} from './events.js'

export interface WatchedService {
  logicalId: string
  /** Service ARN (arn:aws:ecs:region:account:service/cluster/name) or name. */
  serviceArn: string
  cluster: string
}

export interface RolloutStatus {
  failures: number
  healthy: boolean
  /** The newest task failure, as a sentence. */
  lastFailure?: string
}

export function serviceFromPhysicalId(logicalId: string, physicalId: string, fallbackCluster?: string): WatchedService | undefined {
  const m = /:service\/([^/]+)\/([^/]+)$/.exec(physicalId)
  if (m) return {logicalId, serviceArn: physicalId, cluster: m[1]!}
  if (fallbackCluster && physicalId) return {logicalId, serviceArn: physicalId, cluster: fallbackCluster}
  return undefined
}

const LOG_LINES = 10

export class RolloutWatcher {
  private readonly seenStopped = new Set<string>()
  private readonly logConfigs = new Map<string, Record<string, {group: string; prefix: string}>>()
  private lastProgress = ''
  private failures = 0
  private healthy = false
  private lastFailure: string | undefined

  constructor(
    private readonly deps: {ecs: Pick<EcsApi, 'describeServices' | 'listTasks' | 'describeTasks' | 'describeTaskDefinition'>; logs: Pick<LogsApi, 'getLogEvents'>; emit: Emit; now?: () => number},
    private readonly stack: string,
    private readonly svc: WatchedService,
  ) {}

  status(): RolloutStatus {
    return {failures: this.failures, healthy: this.healthy, lastFailure: this.lastFailure}
  }

  /** One poll: counts, then the newest deployment's stopped tasks. */
  async poll(): Promise<RolloutStatus> {
    const {services} = await this.deps.ecs.describeServices({cluster: this.svc.cluster, services: [this.svc.serviceArn]})
    const service = services?.[0]
    const primary = service?.deployments?.find((d) => d.status === 'PRIMARY')
    if (!service || !primary) return this.status()
    this.reportProgress(service.serviceName ?? this.svc.serviceArn, primary)
    const onlyPrimary = (service.deployments ?? []).length === 1
    if (primary.rolloutState === 'COMPLETED' || (onlyPrimary && (primary.desiredCount ?? 0) > 0 && (primary.runningCount ?? 0) >= (primary.desiredCount ?? 0))) this.healthy = true
    await this.reportStoppedTasks(service.serviceName ?? this.svc.serviceArn, primary)
    return this.status()
  }

  private reportProgress(name: string, d: Deployment) {
    const data = {
      stack: this.stack,
      logicalId: this.svc.logicalId,
      service: name,
      cluster: this.svc.cluster,
      running: d.runningCount ?? 0,
      desired: d.desiredCount ?? 0,
      pending: d.pendingCount ?? 0,
      failed: Math.max(d.failedTasks ?? 0, this.failures),
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    }
    const key = JSON.stringify(data)
    if (key === this.lastProgress) return
    this.lastProgress = key
    const message = `${name}: ${data.running}/${data.desired} running, ${data.pending} pending, ${data.failed} failed`
    this.deps.emit(event('rollout.progress', message, data, 'info', this.deps.now))
  }

  private async reportStoppedTasks(name: string, primary: Deployment) {
    const listed = await this.deps.ecs.listTasks({cluster: this.svc.cluster, serviceName: name, desiredStatus: 'STOPPED'})
    const arns = (listed.taskArns ?? []).filter((arn) => !this.seenStopped.has(arn))
    if (arns.length === 0) return
    const {tasks} = await this.deps.ecs.describeTasks({cluster: this.svc.cluster, tasks: arns})
    const since = primary.createdAt ? new Date(primary.createdAt).getTime() : 0
    const ofPrimary = (tasks ?? [])
      .filter((t) => t.lastStatus === 'STOPPED')
      .filter((t) => t.taskDefinitionArn === primary.taskDefinition && (t.startedBy === primary.id || (t.createdAt ? new Date(t.createdAt).getTime() : 0) >= since))
      .sort((a, b) => time(a.stoppedAt) - time(b.stoppedAt))
    for (const t of tasks ?? []) if (t.lastStatus === 'STOPPED' && t.taskArn) this.seenStopped.add(t.taskArn)
    for (const task of ofPrimary) await this.reportStopped(name, task)
  }

  private async reportStopped(name: string, task: Task) {
    const taskId = (task.taskArn ?? '').split('/').pop() ?? ''
    const failed = task.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ?? task.containers?.find((c) => c.exitCode !== undefined) ?? task.containers?.[0]
    const logLines = failed?.name ? await this.lastLogLines(task, failed.name, taskId) : []
    this.failures++
    const reason = task.stoppedReason ?? failed?.reason ?? 'stopped'
    const exit = failed?.exitCode === undefined ? '' : `, exit code ${failed.exitCode}`
    this.lastFailure = `task ${taskId} stopped: ${reason}${exit}${logLines.length ? ` (last log line: ${logLines[logLines.length - 1]})` : ''}`
    this.deps.emit(
      event(
        'rollout.task-stopped',
        `${name}: task ${taskId} stopped: ${reason}${exit}`,
        {stack: this.stack, logicalId: this.svc.logicalId, service: name, taskId, stoppedReason: reason, stopCode: task.stopCode, stoppedAt: task.stoppedAt ? new Date(task.stoppedAt).toISOString() : undefined, container: failed?.name, exitCode: failed?.exitCode, logLines, failures: this.failures},
        'error',
        this.deps.now,
      ),
    )
  }

  private async lastLogLines(task: Task, container: string, taskId: string): Promise<string[]> {
    const arn = task.taskDefinitionArn
    if (!arn) return []
    let configs = this.logConfigs.get(arn)
    if (!configs) {
      configs = {}
      const {taskDefinition} = await this.deps.ecs.describeTaskDefinition({taskDefinition: arn})
      for (const c of taskDefinition?.containerDefinitions ?? []) {
        const o = c.logConfiguration?.logDriver === 'awslogs' ? c.logConfiguration.options : undefined
        if (c.name && o?.['awslogs-group']) configs[c.name] = {group: o['awslogs-group'], prefix: o['awslogs-stream-prefix'] ?? ''}
      }
      this.logConfigs.set(arn, configs)
    }
    const cfg = configs[container]
    if (!cfg) return []
    try {
      const out = await this.deps.logs.getLogEvents({logGroupName: cfg.group, logStreamName: `${cfg.prefix}/${container}/${taskId}`, limit: LOG_LINES, startFromHead: false})
      return (out.events ?? []).map((e) => (e.message ?? '').replace(/\n$/, ''))
    } catch {
      // A task that died before writing a line has no stream yet: the reason and exit code still tell.
      return []
    }
  }
}

function time(d: Date | undefined): number {
  return d ? new Date(d).getTime() : 0
}
