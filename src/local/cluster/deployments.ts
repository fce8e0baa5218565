// Pure rules of the service scheduler: the circuit breaker's threshold, the rolling update's
// arithmetic within minimum/maximum healthy percent, and ECS's service event wording.

import {randomUUID} from 'node:crypto'
import type {DeploymentRecord, ServiceRecord} from './state.js'

export interface CircuitBreakerConfig {
  /** Smallest failure threshold. ECS documents 3 (it was 10 before 2024); local tests lower it to 1. */
  minThreshold: number
  /** Largest failure threshold (ECS: 200). */
  maxThreshold: number
}

export const ECS_CIRCUIT_BREAKER: CircuitBreakerConfig = {minThreshold: 3, maxThreshold: 200}

/** Failed tasks after which the deployment fails: min(max(min, ceil(desired / 2)), max). */
export function failureThreshold(desired: number, cfg: CircuitBreakerConfig = ECS_CIRCUIT_BREAKER): number {
  return Math.min(Math.max(cfg.minThreshold, Math.ceil(desired * 0.5)), cfg.maxThreshold)
}

export interface RollingInput {
  desired: number
  minimumHealthyPercent: number
  maximumPercent: number
  /** Tasks of the primary deployment not being stopped, and how many of them are healthy. */
  primary: number
  primaryHealthy: number
  /** Tasks of older deployments not being stopped, and how many of them are healthy. */
  old: number
  oldHealthy: number
  /** Tasks asked to stop that have not stopped yet (they still count toward maximumPercent). */
  stopping?: number
  /** Whether the primary deployment may launch tasks (not halted by the circuit breaker, not throttled). */
  canLaunch: boolean
}

export interface RollingPlan {
  /** New tasks of the primary deployment to start. */
  start: number
  /** Unhealthy tasks of older deployments to stop (always allowed). */
  stopOldUnhealthy: number
  /** Healthy tasks of older deployments that may be stopped without going below the minimum. */
  stopOldHealthy: number
  /** Primary tasks beyond the desired count (scale in). */
  stopPrimaryExtra: number
}

/**
 * One step of a rolling update. Never more than maximumPercent of desired tasks exist; never fewer
 * than minimumHealthyPercent are healthy because of a stop the scheduler made.
 */
export function planRollingStep(i: RollingInput): RollingPlan {
  const maxTotal = Math.max(Math.floor((i.desired * i.maximumPercent) / 100), i.desired > 0 ? 1 : 0)
  const minHealthy = Math.ceil((i.desired * i.minimumHealthyPercent) / 100)
  const stopPrimaryExtra = Math.max(0, i.primary - i.desired)
  const stopOldUnhealthy = i.old - i.oldHealthy
  // Tasks being stopped still exist until they have stopped: they count toward the maximum.
  const existing = i.primary + i.old + (i.stopping ?? 0)
  const need = Math.max(0, i.desired - i.primary)
  const start = i.canLaunch ? Math.max(0, Math.min(need, maxTotal - existing)) : 0
  // Healthy old tasks go only while the healthy total stays at or above the minimum. When the primary
  // cannot launch (halted by the circuit breaker, or throttled), old tasks keep serving until enough
  // primary tasks are healthy.
  const healthy = Math.min(i.primaryHealthy, i.desired) + i.oldHealthy
  const stopOldHealthy = i.canLaunch
    ? Math.max(0, Math.min(i.oldHealthy, healthy - minHealthy))
    : i.primaryHealthy >= i.desired
      ? i.oldHealthy
      : 0
  return {start, stopOldUnhealthy, stopOldHealthy, stopPrimaryExtra}
}

export const events = {
  started: (svc: string, taskIds: string[]) => `(service ${svc}) has started ${taskIds.length} tasks: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  stopped: (svc: string, taskIds: string[]) => `(service ${svc}) has stopped ${taskIds.length} running tasks: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  steady: (svc: string) => `(service ${svc}) has reached a steady state.`,
  deploymentCompleted: (svc: string, id: string) => `(service ${svc}) (deployment ${id}) deployment completed.`,
  deploymentFailed: (svc: string, id: string) => `(service ${svc}) (deployment ${id}) deployment failed: tasks failed to start.`,
  rollingBack: (svc: string, id: string, to: string) => `(service ${svc}) (deployment ${id}) rolling back to deployment ${to}.`,
  registered: (svc: string, n: number, tg: string) => `(service ${svc}) registered ${n} targets in (target-group ${tg})`,
  draining: (svc: string, n: number) => `(service ${svc}) has begun draining connections on ${n} tasks.`,
  deregistered: (svc: string, n: number, tg: string) => `(service ${svc}) deregistered ${n} targets in (target-group ${tg})`,
  unhealthyElb: (svc: string, taskId: string, tg: string) => `(service ${svc}) (task ${taskId}) failed ELB health checks in (target-group ${tg}).`,
  throttled: (svc: string) =>
    `(service ${svc}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
  unableToPlace: (svc: string) => `(service ${svc}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.`,
}

export const reasons = {
  inProgress: (id: string) => `ECS deployment ${id} in progress.`,
  completed: (id: string) => `ECS deployment ${id} completed.`,
  circuitBreaker: 'ECS deployment circuit breaker: tasks failed to start.',
  rollingBack: (toDeploymentId: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${toDeploymentId}.`,
  scaling: (deploymentId: string) => `Scaling activity initiated by (deployment ${deploymentId})`,
  elbUnhealthy: (tg: string) => `Task failed ELB health checks in (target-group ${tg})`,
  containerUnhealthy: 'Task failed container health checks',
  spot: 'Your Spot Task was interrupted.',
}

/** Adds an event, newest first, keeping the last 100 like ECS. */
export function addEvent(service: ServiceRecord, message: string, now: number): void {
  service.events.unshift({id: randomUUID(), createdAt: now, message})
  if (service.events.length > 100) service.events.length = 100
}

export function primaryOf(service: ServiceRecord): DeploymentRecord | undefined {
  return service.deployments.find((d) => d.status === 'PRIMARY')
}
