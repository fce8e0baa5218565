// Follows one stack operation to its end: stack events folded into resource statuses, the ECS rollout of
// its services, fail-fast on crashing tasks, and Ctrl-C (once: cancel, twice: detach).
import type {FailedResource} from '../errors.js'
import {isAwsError} from '../aws/errors.js'
import type {DeployContext} from './context.js'
import {event} from './events.js'
import {RolloutWatcher, serviceFromPhysicalId} from './rollout.js'
import {stackEventPoller, type StackEventPoller} from './stack-events.js'
import {isCollateralReason, isResourceFailure, isTerminal} from './stack-status.js'
import {backoff, wakeableSleep} from './timing.js'

export interface WatchOptions {
  stackName: string
  operation: 'create' | 'update' | 'delete'
  poller: StackEventPoller
  descriptions: Record<string, string | undefined>
  /** Stop the rollout after this many stopped tasks of the new deployment with none healthy (0: never). */
  maxTaskFailures: number
  /** Cluster the stack's services run in: finds a service CloudFormation has not named yet. */
  serviceCluster?: string
}

export interface WatchResult {
  outcome: 'finished' | 'detached' | 'failed-fast'
  stackStatus?: string
  outputs: Record<string, string>
  failures: FailedResource[]
  reason?: string
  /** Pier asked CloudFormation to stop (Ctrl-C or fail-fast). */
  cancelled?: boolean
  /** The newest stopped task of a new deployment, as a sentence: the real reason behind a circuit breaker. */
  taskFailure?: string
}

export async function watchStack(ctx: DeployContext, opts: WatchOptions): Promise<WatchResult> {
  const {aws, emit, timing} = ctx
  const {stackName} = opts
  const delays = backoff(aws.poll, timing.random)
  const waker = wakeableSleep(timing)
  const watchers = new Map<string, RolloutWatcher>()
  const failures: FailedResource[] = []
  const unnamedServices = new Set<string>()
  let presses = 0
  let cancelRequested = false
  const watch = (logicalId: string, physicalId: string | undefined, cluster?: string): boolean => {
    const svc = physicalId ? serviceFromPhysicalId(logicalId, physicalId, cluster) : undefined
    if (svc) watchers.set(logicalId, new RolloutWatcher({ecs: aws.ecs, logs: aws.logs, emit, now: timing.now}, stackName, svc))
    return Boolean(svc)
  }
  const off = ctx.interrupts?.onInterrupt(() => {
    presses++
    waker.wake()
  })

  async function requestCancel(reason: string): Promise<void> {
    cancelRequested = true
    const action = opts.operation === 'create' ? 'delete' : 'cancel-update'
    emit(event('stack.cancel', action === 'delete' ? `Deleting ${stackName}, which was being created: ${reason}` : `Cancelling the update of ${stackName}: ${reason}`, {stack: stackName, action, reason}, 'warn', timing.now))
    try {
      if (action === 'delete') await aws.stacks.deleteStack({StackName: stackName})
      else await aws.stacks.cancelUpdateStack({StackName: stackName})
    } catch (error) {
      emit(event('step', `Could not stop the operation on ${stackName}: ${(error as Error).message}`, {name: 'cancel', status: 'failed', detail: (error as Error).message}, 'warn', timing.now))
    }
  }

  try {
    for (let tick = 0; ; tick++) {
      // The first press cancels even when a second one came before this loop saw the first.
      if (presses >= 1 && !cancelRequested && opts.operation !== 'delete') await requestCancel('interrupted (Ctrl-C); press Ctrl-C again to stop watching')
      if (presses >= 2) {
        emit(event('stack.detached', `Stopped watching ${stackName}; CloudFormation goes on without Pier.`, {stack: stackName}, 'warn', timing.now))
        return {outcome: 'detached', outputs: {}, failures}
      }

      let stackStatus: string | undefined
      let events
      try {
        events = await opts.poller.poll()
      } catch (error) {
        // A deleted stack disappears: by name, its events go with it.
        if (!(opts.operation === 'delete' || cancelRequested) || !isStackGone(error)) throw error
        emit(event('stack.done', `${stackName}: DELETE_COMPLETE`, {stack: stackName, status: 'DELETE_COMPLETE', ok: true, outputs: {}}, 'info', timing.now))
        return {outcome: 'finished', stackStatus: 'DELETE_COMPLETE', outputs: {}, failures, cancelled: cancelRequested}
      }
      for (const e of events) {
        const logicalId = e.LogicalResourceId ?? ''
        const status = e.ResourceStatus ?? ''
        const reason = e.ResourceStatusReason
        emit(event('stack.resource', `${logicalId} ${status}${reason ? `: ${reason}` : ''}`, {stack: stackName, logicalId, type: e.ResourceType ?? '', status, reason, physicalId: e.PhysicalResourceId, description: opts.descriptions[logicalId]}, isResourceFailure(status) ? 'error' : 'info', timing.now))
        if (e.ResourceType === 'AWS::CloudFormation::Stack' && logicalId === stackName) {
          if (isTerminal(status)) stackStatus = status
          continue
        }
        if (isResourceFailure(status) && reason && !isCollateralReason(reason)) failures.push({logicalId, type: e.ResourceType, reason})
        if (opts.operation !== 'delete' && e.ResourceType === 'AWS::ECS::Service' && !watchers.has(logicalId) && status.endsWith('_IN_PROGRESS')) {
          if (!watch(logicalId, e.PhysicalResourceId)) unnamedServices.add(logicalId)
        }
      }
      // Some endpoints name a service only in its final event: ask for the stack's resources instead.
      if (unnamedServices.size > 0 && !cancelRequested) {
        const {StackResources = []} = await aws.stacks.describeStackResources({StackName: stackName})
        for (const r of StackResources) if (r.LogicalResourceId && unnamedServices.has(r.LogicalResourceId) && watch(r.LogicalResourceId, r.PhysicalResourceId)) unnamedServices.delete(r.LogicalResourceId)
        if (unnamedServices.size > 0 && opts.serviceCluster) {
          // CloudFormation names what it creates <stack>-<logical id>-<suffix>.
          const {serviceArns = []} = await aws.ecs.listServices({cluster: opts.serviceCluster, maxResults: 100})
          for (const logicalId of [...unnamedServices]) {
            const arn = serviceArns.find((a) => (a.split('/').pop() ?? '').startsWith(`${stackName}-${logicalId}-`))
            if (arn && watch(logicalId, arn, opts.serviceCluster)) unnamedServices.delete(logicalId)
          }
        }
      }

      // Stack-level events say when it ends; a describe now and then covers an endpoint that omits them.
      if (stackStatus || tick % 3 === 2) {
        const described = await describe(ctx, stackName)
        const status = described?.StackStatus ?? (opts.operation === 'delete' || cancelRequested ? 'DELETE_COMPLETE' : undefined)
        if (status && isTerminal(status)) {
          const outputs = Object.fromEntries((described?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))
          emit(event('stack.done', `${stackName}: ${status}`, {stack: stackName, status, ok: /_COMPLETE$/.test(status) && !/ROLLBACK/.test(status), outputs}, /ROLLBACK|FAILED/.test(status) ? 'error' : 'info', timing.now))
          const taskFailure = [...watchers.values()].map((w) => w.status().lastFailure).find(Boolean)
          return {outcome: 'finished', stackStatus: status, outputs, failures, cancelled: cancelRequested, taskFailure}
        }
      }

      if (!cancelRequested) {
        for (const w of watchers.values()) {
          const st = await w.poll()
          if (opts.maxTaskFailures > 0 && st.failures >= opts.maxTaskFailures && !st.healthy) {
            const reason = `${st.failures} tasks of the new deployment stopped and none became healthy; the last one: ${st.lastFailure}`
            await requestCancel(reason)
            return {outcome: 'failed-fast', outputs: {}, failures, reason}
          }
        }
      }

      if (events.length > 0) delays.reset()
      await waker.sleep(delays.next())
    }
  } finally {
    off?.()
  }
}

function isStackGone(error: unknown): boolean {
  return isAwsError(error, 'ValidationError') && /does not exist/i.test(error.message)
}

export async function describe(ctx: Pick<DeployContext, 'aws'>, stackName: string) {
  try {
    const out = await ctx.aws.stacks.describeStacks({StackName: stackName})
    return out.Stacks?.[0]
  } catch (error) {
    if (isAwsError(error, 'ValidationError') && /does not exist/i.test(error.message)) return undefined
    throw error
  }
}
