// The semantic rules: what a JSON Schema cannot say. One file per concern; each returns issues
// located by field path on the merged manifest.
import type {Issue} from '../locate.js'
import type {EnvironmentManifest, WorkloadManifest} from '../types.js'
import {commandRule} from './command.js'
import {countRule} from './count.js'
import {environmentNetworkRule, environmentCdnRule} from './environment.js'
import {exclusiveRule} from './exclusive.js'
import {fargateSizeRule} from './fargate-size.js'
import {healthCheckRule} from './healthcheck.js'
import {platformRule} from './platform.js'
import {portsRule} from './ports.js'
import {referencesRule} from './references.js'
import {scheduleRule} from './schedule.js'

const WORKLOAD_RULES = [fargateSizeRule, platformRule, exclusiveRule, referencesRule, portsRule, scheduleRule, countRule, healthCheckRule, commandRule]

/**
 * Runs rules on a manifest whose shape may be wrong. Rules skip values of unexpected types; if one
 * still fails, that is a bug in Pier, reported as a warning rather than a crash of the whole run
 * (the property test in test/manifest/property.test.ts asserts it never happens).
 */
function runRules<T>(rules: ((m: T) => Issue[])[], m: T): Issue[] {
  return rules.flatMap((rule) => {
    try {
      return rule(m)
    } catch (error) {
      return [{path: [], severity: 'warning' as const, code: 'rule-failed',
        message: `Pier could not finish the ${rule.name} check: internal error (${(error as Error).message})`,
        hint: 'This is a bug in Pier; please report it with this manifest.'}]
    }
  })
}

export function workloadRules(m: WorkloadManifest, _ctx: {env?: string} = {}): Issue[] {
  return runRules(WORKLOAD_RULES, m)
}

export function environmentRules(m: EnvironmentManifest): Issue[] {
  return runRules([environmentNetworkRule, environmentCdnRule], m)
}
