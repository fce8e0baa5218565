// The semantic rules: what a JSON Schema cannot say. One file per concern; each returns issues
// located by field path on the merged manifest.
import type {Issue} from '../locate.js'
import type {EnvironmentManifest, WorkloadManifest} from '../types.js'
import {countRule} from './count.js'
import {environmentNetworkRule} from './environment.js'
import {exclusiveRule} from './exclusive.js'
import {fargateSizeRule} from './fargate-size.js'
import {healthCheckRule} from './healthcheck.js'
import {platformRule} from './platform.js'
import {portsRule} from './ports.js'
import {referencesRule} from './references.js'
import {scheduleRule} from './schedule.js'

const WORKLOAD_RULES = [fargateSizeRule, platformRule, exclusiveRule, referencesRule, portsRule, scheduleRule, countRule, healthCheckRule]

export function workloadRules(m: WorkloadManifest, _ctx: {env?: string} = {}): Issue[] {
  return WORKLOAD_RULES.flatMap((rule) => rule(m))
}

export function environmentRules(m: EnvironmentManifest): Issue[] {
  return environmentNetworkRule(m)
}
