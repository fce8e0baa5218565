// CloudFormation providers for Scheduled Jobs: Step Functions state machines and EventBridge rules.

import type {LocalWorkflows} from '../../workflows/index.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {generatedName} from './elbv2.js'

function definitionOf(props: Record<string, any>): string {
  let text = typeof props.Definition === 'object' && props.Definition !== null ? JSON.stringify(props.Definition) : String(props.DefinitionString ?? '')
  for (const [k, v] of Object.entries((props.DefinitionSubstitutions ?? {}) as Record<string, unknown>)) {
    text = text.split('${' + k + '}').join(String(v))
  }
  return text
}

function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new ProviderError((err as Error).message)
  }
}

export function registerWorkflowProviders(registry: ProviderRegistry, scheduler: LocalWorkflows): void {
  const {sfn, events} = scheduler
  const stateMachine: ResourceProvider = {
    immutable: ['StateMachineName', 'StateMachineType'],
    async create(props, ctx) {
      const name = props.StateMachineName ?? generatedName(ctx, 80)
      const m = guard(() => sfn.createStateMachine({name, definition: definitionOf(props), roleArn: props.RoleArn, type: props.StateMachineType}))
      return {physicalId: m.arn, attributes: {Arn: m.arn, Name: m.name}}
    },
    async update(physicalId, props) {
      guard(() => sfn.updateStateMachine(physicalId, definitionOf(props)))
      return {physicalId, attributes: {Arn: physicalId, Name: sfn.machine(physicalId).name}}
    },
    async delete(physicalId) {
      sfn.deleteStateMachine(physicalId)
    },
  }

  const rule: ResourceProvider = {
    immutable: ['Name', 'EventBusName'],
    async create(props, ctx: ProviderContext) {
      const name = props.Name ?? generatedName(ctx, 64)
      const r = guard(() =>
        events.putRule({Name: name, ScheduleExpression: props.ScheduleExpression, EventPattern: props.EventPattern && JSON.stringify(props.EventPattern), State: props.State, Description: props.Description}),
      )
      events.putTargets(name, props.Targets ?? [])
      return {physicalId: r.name, attributes: {Arn: r.arn}}
    },
    async update(physicalId, props) {
      const r = guard(() =>
        events.putRule({Name: physicalId, ScheduleExpression: props.ScheduleExpression, EventPattern: props.EventPattern && JSON.stringify(props.EventPattern), State: props.State, Description: props.Description}),
      )
      events.removeTargets(physicalId, events.rule(physicalId).targets.map((t) => t.Id))
      events.putTargets(physicalId, props.Targets ?? [])
      return {physicalId, attributes: {Arn: r.arn}}
    },
    async delete(physicalId) {
      if (!events.rules.some((r) => r.name === physicalId)) return
      events.removeTargets(physicalId, events.rule(physicalId).targets.map((t) => t.Id))
      events.deleteRule(physicalId)
    },
  }

  registry.register('AWS::StepFunctions::StateMachine', stateMachine)
  registry.register('AWS::Events::Rule', rule)
}
