// An in-memory CloudFormation + ECS + Logs behind the narrow interfaces, advancing one step per poll.
// Used where the local control plane cannot produce the situation on demand (a scripted crash loop).
import {AwsError} from '../../src/aws/errors.js'
import type {DeployAws} from '../../src/deploy/context.js'

export interface FakeStack {
  status: string
  parameters?: Record<string, string>
  tags?: Record<string, string>
  template: Record<string, any>
  outputs: Record<string, string>
  events: any[]
}

export interface FakeOptions {
  /** Logical ids whose creation fails with this reason. */
  failing?: Record<string, string>
  /** Stopped tasks the ECS service reports, one more per describeServices call. */
  crashes?: {exitCode: number; reason: string; logs: string[]}[]
  /** Physical id given to AWS::ECS::Service resources. */
  serviceArn?: string
  /**
   * Stack event polls after which the fake fails the call: a crash loop never ends by itself, so a watcher
   * that misses its way out (fail-fast, Ctrl-C) fails the test instead of polling until memory runs out.
   */
  maxPolls?: number
}

export function fakeAws(opts: FakeOptions = {}) {
  const stacks = new Map<string, FakeStack>()
  const changeSets = new Map<string, {stack: string; type: string; body: string; url?: string; createdAt: Date; empty: boolean; parameters: Record<string, string>; tags: Record<string, string>}>()
  const pending = new Map<string, any[]>() // stack -> events to release, one per poll
  const calls: string[] = []
  let clock = Date.parse('2026-11-30T06:00:00Z')
  let eventSeq = 0
  let serviceCalls = 0
  let eventPolls = 0
  const maxPolls = opts.maxPolls ?? 1000
  const serviceArn = opts.serviceArn ?? 'arn:aws:ecs:us-east-1:000000000000:service/demo-test-Cluster/demo-test-web'

  const tick = () => new Date((clock += 1000))
  const ev = (stack: string, logicalId: string, type: string, status: string, reason?: string, physicalId?: string) => ({
    EventId: `e${++eventSeq}`, StackName: stack, LogicalResourceId: logicalId, ResourceType: type, ResourceStatus: status, ResourceStatusReason: reason, PhysicalResourceId: physicalId, Timestamp: tick(),
  })
  const missing = (name: string) => new AwsError('ValidationError', 'cloudformation:DescribeStacks', `Stack with id ${name} does not exist`)

  function plan(stack: string, resources: Record<string, any>, verb: 'CREATE' | 'UPDATE' | 'DELETE') {
    const out: any[] = [ev(stack, stack, 'AWS::CloudFormation::Stack', `${verb}_IN_PROGRESS`)]
    let failed = false
    for (const [id, r] of Object.entries(resources)) {
      const physical = r.Type === 'AWS::ECS::Service' ? serviceArn : `${stack}-${id}`
      out.push(ev(stack, id, r.Type, `${verb}_IN_PROGRESS`, undefined, physical))
      // A crash-looping service keeps CloudFormation waiting for stability, as on AWS.
      if (r.Type === 'AWS::ECS::Service' && opts.crashes?.length && verb !== 'DELETE') return out
      const reason = opts.failing?.[id]
      if (reason && verb !== 'DELETE') {
        out.push(ev(stack, id, r.Type, `${verb}_FAILED`, reason, physical))
        failed = true
        break
      }
      out.push(ev(stack, id, r.Type, `${verb}_COMPLETE`, undefined, physical))
    }
    if (failed) out.push(ev(stack, stack, 'AWS::CloudFormation::Stack', verb === 'CREATE' ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE'))
    else out.push(ev(stack, stack, 'AWS::CloudFormation::Stack', `${verb}_COMPLETE`))
    return out
  }

  const aws = {
    poll: {minDelayMs: 1, maxDelayMs: 2},
    stacks: {
      async describeStacks({StackName}: any) {
        calls.push('describeStacks')
        const s = stacks.get(StackName)
        if (!s || s.status === 'DELETE_COMPLETE') throw missing(StackName)
        return {Stacks: [{StackName, StackStatus: s.status, Parameters: Object.entries(s.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ParameterKey, ParameterValue})), Tags: Object.entries(s.tags ?? {}).map(([Key, Value]) => ({Key, Value})), Outputs: Object.entries(s.outputs).map(([OutputKey, OutputValue]) => ({OutputKey, OutputValue}))}]}
      },
      async describeStackEvents({StackName}: any) {
        calls.push('describeStackEvents')
        if (++eventPolls > maxPolls) throw new Error(`fake AWS: stack events polled ${maxPolls} times and the watch has not ended`)
        const s = stacks.get(StackName)
        if (!s) throw missing(StackName)
        const next = pending.get(StackName)?.shift()
        if (next) {
          s.events.unshift(next)
          if (next.LogicalResourceId === StackName) s.status = next.ResourceStatus
        }
        return {StackEvents: [...s.events]}
      },
      async createChangeSet(input: any) {
        calls.push('createChangeSet')
        const s = stacks.get(input.StackName)
        const body = input.TemplateBody ?? '{}'
        const parameters = Object.fromEntries((input.Parameters ?? []).map((p: any) => [p.ParameterKey, p.ParameterValue]))
        const tags = Object.fromEntries((input.Tags ?? []).map((t: any) => [t.Key, t.Value]))
        // A deleted stack's name is free: the change set creates it anew. Tags do not count (an empty
        // change set for a new tag is what stack-deploy.test.ts checks).
        const live = !!s && s.status !== 'DELETE_COMPLETE'
        const empty = live && JSON.stringify(s!.template) === body && JSON.stringify(s!.parameters ?? {}) === JSON.stringify(parameters)
        if (!live) stacks.set(input.StackName, {status: 'REVIEW_IN_PROGRESS', template: {}, outputs: {}, events: []})
        changeSets.set(`${input.StackName}/${input.ChangeSetName}`, {stack: input.StackName, type: input.ChangeSetType, body, url: input.TemplateURL, createdAt: tick(), empty, parameters, tags})
        return {}
      },
      async describeChangeSet({StackName, ChangeSetName}: any) {
        calls.push('describeChangeSet')
        const cs = changeSets.get(`${StackName}/${ChangeSetName}`)!
        if (cs.empty) return {Status: 'FAILED', StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set."}
        const resources = JSON.parse(cs.body).Resources ?? {}
        return {
          Status: 'CREATE_COMPLETE', CreationTime: cs.createdAt,
          Changes: Object.entries(resources).map(([id, r]: [string, any]) => ({ResourceChange: {LogicalResourceId: id, ResourceType: r.Type, Action: cs.type === 'CREATE' ? 'Add' : 'Modify'}})),
        }
      },
      async executeChangeSet({StackName, ChangeSetName}: any) {
        calls.push('executeChangeSet')
        const cs = changeSets.get(`${StackName}/${ChangeSetName}`)!
        const s = stacks.get(cs.stack)!
        const template = JSON.parse(cs.body)
        s.template = template
        s.parameters = cs.parameters
        s.tags = cs.tags
        s.status = `${cs.type}_IN_PROGRESS`
        s.outputs = Object.fromEntries(Object.entries(template.Outputs ?? {}).map(([k, v]: [string, any]) => [k, String(v.Value)]))
        pending.set(cs.stack, plan(cs.stack, template.Resources ?? {}, cs.type as 'CREATE' | 'UPDATE'))
        return {}
      },
      async deleteChangeSet() {
        calls.push('deleteChangeSet')
        return {}
      },
      async cancelUpdateStack({StackName}: any) {
        calls.push('cancelUpdateStack')
        pending.set(StackName, [ev(StackName, StackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_IN_PROGRESS', 'User Initiated'), ev(StackName, StackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE')])
        return {}
      },
      async deleteStack({StackName}: any) {
        calls.push('deleteStack')
        const s = stacks.get(StackName)
        if (!s) return {}
        s.status = 'DELETE_IN_PROGRESS'
        pending.set(StackName, [...plan(StackName, s.template.Resources ?? {}, 'DELETE')])
        return {}
      },
      async describeStackResources({StackName}: any) {
        const s = stacks.get(StackName)
        return {StackResources: Object.entries(s?.template.Resources ?? {}).map(([id, r]: [string, any]) => ({LogicalResourceId: id, ResourceType: r.Type, PhysicalResourceId: r.Type === 'AWS::ECS::Service' ? serviceArn : `${StackName}-${id}`}))}
      },
      async getTemplate({StackName}: any) {
        calls.push('getTemplate')
        return {TemplateBody: JSON.stringify(stacks.get(StackName)?.template ?? {})}
      },
    },
    ecs: {
      async describeServices() {
        calls.push('describeServices')
        serviceCalls++
        const crashes = Math.min(serviceCalls, opts.crashes?.length ?? 0)
        return {services: [{serviceName: 'demo-test-web', deployments: [{id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: 'td:2', desiredCount: 1, runningCount: 0, pendingCount: 1, failedTasks: crashes, rolloutState: 'IN_PROGRESS', createdAt: new Date(0)}]}]}
      },
      async listTasks() {
        calls.push('listTasks')
        const n = Math.min(serviceCalls, opts.crashes?.length ?? 0)
        return {taskArns: Array.from({length: n}, (_, i) => `arn:aws:ecs:us-east-1:000000000000:task/c/t${i + 1}`)}
      },
      async describeTasks({tasks}: any) {
        calls.push('describeTasks')
        return {
          tasks: tasks.map((arn: string) => {
            const i = Number(arn.split('/t').pop()) - 1
            const c = opts.crashes![i]!
            return {taskArn: arn, lastStatus: 'STOPPED', taskDefinitionArn: 'td:2', startedBy: 'ecs-svc/1', stopCode: 'EssentialContainerExited', stoppedReason: c.reason, stoppedAt: new Date(i), containers: [{name: 'web', exitCode: c.exitCode}]}
          }),
        }
      },
      async describeTaskDefinition() {
        calls.push('describeTaskDefinition')
        return {taskDefinition: {containerDefinitions: [{name: 'web', logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/copilot/demo-test-web', 'awslogs-stream-prefix': 'copilot'}}}]}}
      },
    },
    logs: {
      async getLogEvents({logStreamName}: any) {
        calls.push(`getLogEvents ${logStreamName}`)
        const i = Number(logStreamName.split('/t').pop()) - 1
        return {events: (opts.crashes?.[i]?.logs ?? []).map((message) => ({message}))}
      },
    },
  }
  return {aws: aws as unknown as DeployAws, stacks, calls, changeSets}
}

export const instantTiming = {now: () => Date.parse('2026-11-30T06:00:00Z'), sleep: async () => {}, random: () => 0.5}
