// EventBridge scheduled rules in the local control plane: a rule with a schedule expression fires
// its targets (a Step Functions state machine, or an ECS task definition) on time, as EventBridge does.

import type {LocalApi} from '../contracts.js'
import {ServiceError, type JsonService} from '../frontend/types.js'
import {jsonServiceFromTable} from '../service-table.js'
import {nextFire, parseSchedule, ScheduleError} from './schedule-expression.js'
import type {LocalStepFunctions} from './states.js'

export interface RuleTarget {
  Id: string
  Arn: string
  RoleArn?: string
  Input?: string
  EcsParameters?: Record<string, unknown>
}

export interface RuleRecord {
  name: string
  arn: string
  scheduleExpression?: string
  eventPattern?: string
  state: 'ENABLED' | 'DISABLED'
  description?: string
  targets: RuleTarget[]
  createdAt: number
  nextAt?: number
  /** Each firing: when, and what it started or why it could not. */
  firings: {at: number; target: string; started?: string; error?: string}[]
}

export class LocalEvents {
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly o: {region: string; accountId: string; api: LocalApi; sfn: LocalStepFunctions; rules: RuleRecord[]; save(): void; now?: () => number},
  ) {}

  get rules(): RuleRecord[] {
    return this.o.rules
  }

  private now(): number {
    return (this.o.now ?? Date.now)()
  }

  rule(name: string): RuleRecord {
    const r = this.rules.find((x) => x.name === name || x.arn === name)
    if (!r) throw new ServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus default.`)
    return r
  }

  putRule(input: {Name: string; ScheduleExpression?: string; EventPattern?: string; State?: string; Description?: string}): RuleRecord {
    if (!input.ScheduleExpression && !input.EventPattern) {
      throw new ServiceError('ValidationException', 'Parameter(s) ScheduleExpression or EventPattern must be specified.')
    }
    if (input.ScheduleExpression) {
      try {
        parseSchedule(input.ScheduleExpression)
      } catch (err) {
        if (err instanceof ScheduleError) throw new ServiceError('ValidationException', err.message)
        throw err
      }
    }
    let r = this.rules.find((x) => x.name === input.Name)
    if (!r) {
      r = {name: input.Name, arn: `arn:aws:events:${this.o.region}:${this.o.accountId}:rule/${input.Name}`, state: 'ENABLED', targets: [], createdAt: this.now(), firings: []}
      this.rules.push(r)
    }
    r.scheduleExpression = input.ScheduleExpression
    r.eventPattern = input.EventPattern
    r.state = input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED'
    r.description = input.Description
    this.plan(r)
    this.o.save()
    return r
  }

  putTargets(name: string, targets: RuleTarget[]): void {
    const r = this.rule(name)
    for (const t of targets) {
      r.targets = r.targets.filter((x) => x.Id !== t.Id)
      r.targets.push(t)
    }
    this.o.save()
  }

  removeTargets(name: string, ids: string[]): void {
    const r = this.rule(name)
    r.targets = r.targets.filter((t) => !ids.includes(t.Id))
    this.o.save()
  }

  deleteRule(name: string): void {
    const r = this.rules.find((x) => x.name === name)
    if (!r) return
    if (r.targets.length) throw new ServiceError('ValidationException', 'Rule can\'t be deleted since it has targets.')
    this.o.rules.splice(this.o.rules.indexOf(r), 1)
    this.o.save()
  }

  setState(name: string, state: 'ENABLED' | 'DISABLED'): void {
    const r = this.rule(name)
    r.state = state
    this.plan(r)
    this.o.save()
  }

  private plan(r: RuleRecord): void {
    r.nextAt = r.state === 'ENABLED' && r.scheduleExpression ? nextFire(parseSchedule(r.scheduleExpression), this.now(), r.createdAt) : undefined
  }

  /** Fires every rule that is due. A firing missed while the control plane was down is not replayed. */
  async tick(): Promise<void> {
    const now = this.now()
    for (const r of this.rules) {
      if (r.nextAt === undefined || r.nextAt > now) continue
      for (const t of r.targets) r.firings.push({at: now, target: t.Id, ...(await this.fire(t))})
      r.firings = r.firings.slice(-50)
      this.plan(r)
      this.o.save()
    }
  }

  private async fire(t: RuleTarget): Promise<{started?: string; error?: string}> {
    try {
      if (t.Arn.includes(':states:') && t.Arn.includes(':stateMachine:')) {
        return {started: this.o.sfn.startExecution(t.Arn, undefined, t.Input ?? '{}').arn}
      }
      if (t.Arn.includes(':ecs:') && t.EcsParameters) {
        const p = t.EcsParameters as any
        const out = await this.o.api.json('AmazonEC2ContainerServiceV20141113', 'RunTask', {
          cluster: t.Arn,
          taskDefinition: p.TaskDefinitionArn,
          count: p.TaskCount ?? 1,
          launchType: p.LaunchType,
          group: p.Group,
        })
        return {started: out.tasks?.[0]?.taskArn, error: out.failures?.length ? JSON.stringify(out.failures) : undefined}
      }
      return {error: `Target ${t.Arn} is not supported by the local control plane`}
    } catch (err) {
      return {error: (err as Error).message}
    }
  }

  start(tickMs = 1000): void {
    for (const r of this.rules) this.plan(r)
    this.timer = setInterval(() => void this.tick(), tickMs)
    this.timer.unref()
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
  }
}

export function createEventsService(events: LocalEvents): JsonService {
  const describe = (r: RuleRecord) => ({
    Name: r.name,
    Arn: r.arn,
    ScheduleExpression: r.scheduleExpression,
    EventPattern: r.eventPattern,
    State: r.state,
    Description: r.description,
    EventBusName: 'default',
  })
  const ops: Record<string, (i: any) => unknown> = {
    PutRule: (i) => ({RuleArn: events.putRule(i).arn}),
    DescribeRule: (i) => describe(events.rule(i.Name)),
    ListRules: (i) => ({Rules: events.rules.filter((r) => !i.NamePrefix || r.name.startsWith(i.NamePrefix)).map(describe)}),
    EnableRule: (i) => (events.setState(i.Name, 'ENABLED'), {}),
    DisableRule: (i) => (events.setState(i.Name, 'DISABLED'), {}),
    DeleteRule: (i) => (events.deleteRule(i.Name), {}),
    PutTargets: (i) => (events.putTargets(i.Rule, i.Targets ?? []), {FailedEntryCount: 0, FailedEntries: []}),
    RemoveTargets: (i) => (events.removeTargets(i.Rule, i.Ids ?? []), {FailedEntryCount: 0, FailedEntries: []}),
    ListTargetsByRule: (i) => ({Targets: events.rule(i.Rule).targets}),
  }
  return jsonServiceFromTable('AWSEvents', 'events', ops)
}
