// Workflows for the local control plane: EventBridge rules that fire Step Functions executions
// which run ECS tasks (Copilot's scheduled jobs), persisted in the state directory
// (`scheduler.json`, the name earlier versions wrote).

import {join} from 'node:path'
import type {LocalApi} from '../contracts.js'
import type {JsonService} from '../frontend/types.js'
import {JsonDocument} from '../store/json-file.js'
import {createEventsService, LocalEvents, type RuleRecord} from './events.js'
import {createStatesService, LocalStepFunctions, type StatesStore} from './states.js'

export interface WorkflowsOptions {
  stateDir: string
  region: string
  accountId: string
  api: LocalApi
  tickMs?: number
  pollMs?: number
  retryScale?: number
}

export interface LocalWorkflows {
  sfn: LocalStepFunctions
  events: LocalEvents
  services: JsonService[]
  close(): void
}

export function createWorkflows(o: WorkflowsOptions): LocalWorkflows {
  const doc = new JsonDocument<StatesStore & {rules: RuleRecord[]}>(join(o.stateDir, 'scheduler.json'), {machines: [], executions: [], rules: []})
  const save = () => doc.saveSoon()
  const sfn = new LocalStepFunctions({region: o.region, accountId: o.accountId, api: o.api, store: doc.value, save, pollMs: o.pollMs, retryScale: o.retryScale})
  sfn.recover()
  const events = new LocalEvents({region: o.region, accountId: o.accountId, api: o.api, sfn, rules: doc.value.rules, save})
  events.start(o.tickMs)
  return {
    sfn,
    events,
    services: [createStatesService(sfn), createEventsService(events)],
    close() {
      events.close()
      sfn.close()
      doc.flush()
    },
  }
}
