// Folds the event stream into what a progress view draws: stacks, their resources with descriptions,
// statuses and timers, and each ECS service's rollout nested under it.
import type {DeployEvent} from '../deploy/events.js'

export interface StoppedTask {
  taskId: string
  reason: string
  exitCode?: number
  logLines: string[]
}

export interface RolloutView {
  running: number
  desired: number
  pending: number
  failed: number
  rolloutState?: string
  stopped: StoppedTask[]
}

export interface ResourceView {
  logicalId: string
  type: string
  description?: string
  status?: string
  reason?: string
  startedAt?: number
  endedAt?: number
  rollout?: RolloutView
}

export interface StackView {
  name: string
  operation?: 'create' | 'update' | 'delete'
  status: string
  startedAt: number
  endedAt?: number
  resources: ResourceView[]
}

export interface ProgressState {
  stacks: StackView[]
  steps: {name: string; status: string; detail?: string; message: string}[]
  notes: string[]
}

export function emptyState(): ProgressState {
  return {stacks: [], steps: [], notes: []}
}

function stackOf(state: ProgressState, name: string, at: number): StackView {
  let s = state.stacks.find((x) => x.name === name)
  if (!s) {
    s = {name, status: 'PREPARING', startedAt: at, resources: []}
    state.stacks.push(s)
  }
  return s
}

function resourceOf(stack: StackView, logicalId: string, type = ''): ResourceView {
  let r = stack.resources.find((x) => x.logicalId === logicalId)
  if (!r) {
    r = {logicalId, type}
    stack.resources.push(r)
  }
  return r
}

/** Applies one event (mutates and returns the state). */
export function applyEvent(state: ProgressState, e: DeployEvent): ProgressState {
  const at = Date.parse(e.time)
  switch (e.code) {
    case 'stack.changeset': {
      const s = stackOf(state, e.data.stack, at)
      s.operation = e.data.operation
      for (const c of e.data.changes) Object.assign(resourceOf(s, c.logicalId, c.type), {description: c.description})
      break
    }
    case 'stack.start': {
      const s = stackOf(state, e.data.stack, at)
      s.operation = e.data.operation
      s.status = `${e.data.operation.toUpperCase()}_IN_PROGRESS`
      s.startedAt = at
      for (const r of e.data.resources) Object.assign(resourceOf(s, r.logicalId, r.type), {description: r.description})
      break
    }
    case 'stack.waiting':
      stackOf(state, e.data.stack, at).status = e.data.status
      break
    case 'stack.resource': {
      const s = stackOf(state, e.data.stack, at)
      if (e.data.logicalId === e.data.stack && e.data.type === 'AWS::CloudFormation::Stack') {
        s.status = e.data.status
        break
      }
      const r = resourceOf(s, e.data.logicalId, e.data.type)
      r.status = e.data.status
      if (e.data.description) r.description = e.data.description
      if (e.data.reason) r.reason = e.data.reason
      if (e.data.status.endsWith('_IN_PROGRESS')) {
        r.startedAt ??= at
        r.endedAt = undefined
      } else r.endedAt = at
      break
    }
    case 'stack.done': {
      const s = stackOf(state, e.data.stack, at)
      s.status = e.data.status
      s.endedAt = at
      break
    }
    case 'stack.no-changes': {
      const s = stackOf(state, e.data.stack, at)
      s.status = 'NO_CHANGES'
      s.endedAt = at
      break
    }
    case 'stack.cancel':
    case 'stack.detached':
      state.notes.push(e.message)
      break
    case 'rollout.progress': {
      const r = resourceOf(stackOf(state, e.data.stack, at), e.data.logicalId, 'AWS::ECS::Service')
      r.rollout = {...(r.rollout ?? {stopped: []}), running: e.data.running, desired: e.data.desired, pending: e.data.pending, failed: e.data.failed, rolloutState: e.data.rolloutState}
      break
    }
    case 'rollout.task-stopped': {
      const r = resourceOf(stackOf(state, e.data.stack, at), e.data.logicalId, 'AWS::ECS::Service')
      r.rollout ??= {running: 0, desired: 0, pending: 0, failed: 0, stopped: []}
      r.rollout.stopped.push({taskId: e.data.taskId, reason: e.data.stoppedReason, exitCode: e.data.exitCode, logLines: e.data.logLines})
      r.rollout.failed = Math.max(r.rollout.failed, e.data.failures)
      break
    }
    case 'step': {
      const existing = state.steps.find((s) => s.name === e.data.name)
      if (existing) Object.assign(existing, {status: e.data.status, detail: e.data.detail, message: e.message})
      else state.steps.push({name: e.data.name, status: e.data.status, detail: e.data.detail, message: e.message})
      break
    }
    case 'output':
    case 'stack.takeover':
      state.notes.push(e.code === 'output' ? e.data.text : e.message)
      break
  }
  return state
}
