// The typed events of a deploy. The core emits them and never prints; renderers in src/ui/ draw them
// (ink on a terminal, plain lines in CI, NDJSON for --json). docs/progress-events.md documents them.

import type {TakeoverPlan} from './takeover.js'

export type Level = 'debug' | 'info' | 'warn' | 'error'

export interface ResourceChange {
  logicalId: string
  type: string
  action: string
  replacement?: string
  description?: string
  /** What CloudFormation does with the resource it removes or replaces: Delete, Retain, ReplaceAndDelete ... */
  policyAction?: string
  /** The properties that change, and whether each forces a replacement (CloudFormation's RequiresRecreation). */
  details?: {property: string; recreation: string}[]
}

export interface EventData {
  /** A change set is ready: what will change. */
  'stack.changeset': {stack: string; changeSet: string; operation: 'create' | 'update'; changes: ResourceChange[]}
  /** The first deploy over a stack Copilot deployed: what the change set keeps, changes, replaces and removes. */
  'stack.takeover': {stack: string; plan: TakeoverPlan; allowed: boolean}
  /** The change set was empty: nothing to deploy. */
  'stack.no-changes': {stack: string}
  /** An operation on a stack started; `resources` are the template's, with their descriptions. */
  'stack.start': {stack: string; operation: 'create' | 'update' | 'delete'; resources: {logicalId: string; type: string; description?: string}[]}
  /** Waiting for an operation already running on the stack to finish before starting. */
  'stack.waiting': {stack: string; status: string}
  /** A resource changed status (one CloudFormation stack event). */
  'stack.resource': {stack: string; logicalId: string; type: string; status: string; reason?: string; physicalId?: string; description?: string}
  /** The stack reached a final status. */
  'stack.done': {stack: string; status: string; ok: boolean; outputs: Record<string, string>}
  /** Pier asked CloudFormation to stop (Ctrl-C or fail-fast): cancel an update, or delete a stack being created. */
  'stack.cancel': {stack: string; action: 'cancel-update' | 'delete'; reason: string}
  /** Pier stopped watching; the operation goes on. */
  'stack.detached': {stack: string; status?: string}
  /** Counts of the ECS service's newest deployment. */
  'rollout.progress': {stack: string; logicalId: string; service: string; cluster: string; running: number; desired: number; pending: number; failed: number; rolloutState?: string; rolloutStateReason?: string}
  /** A task of the newest deployment stopped: why, its exit code and its last log lines. */
  'rollout.task-stopped': {stack: string; logicalId: string; service: string; taskId: string; stoppedReason: string; stopCode?: string; stoppedAt?: string; container?: string; exitCode?: number; logLines: string[]; failures: number}
  /** A free-form step of a use case (building an image, registering an environment...). */
  'step': {name: string; status: 'start' | 'done' | 'skipped' | 'failed'; detail?: string}
  /** A line of output a use case wants the user to see (a task's log line, a diff). */
  'output': {text: string; stream?: 'stdout' | 'stderr'}
}

export type EventCode = keyof EventData

export type DeployEvent = {
  [C in EventCode]: {code: C; level: Level; time: string; message: string; data: EventData[C]}
}[EventCode]

export type Emit = (event: DeployEvent) => void

/** Builds an event stamped with the current time (the clock is injectable for tests). */
export function event<C extends EventCode>(code: C, message: string, data: EventData[C], level: Level = 'info', now: () => number = Date.now): DeployEvent {
  return {code, level, time: new Date(now()).toISOString(), message, data} as DeployEvent
}

/** Collects events; the tests' and the bench's emitter. */
export function recorder(): {emit: Emit; events: DeployEvent[]} {
  const events: DeployEvent[] = []
  return {emit: (e) => events.push(e), events}
}
