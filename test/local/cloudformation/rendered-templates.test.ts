// Pier's own rendered templates go through the engine's checks: every template parses, its parameters
// resolve, its conditions and dependency graph build, every property evaluates, and every resource
// type has a provider once the control plane's parts have registered theirs.
import {describe, expect, it} from 'vitest'
import {evaluate, KNOWN_AFTER_APPLY, type EvalContext} from '../../../src/local/cloudformation/intrinsics.js'
import {baseContext, checkCapabilities, prepare} from '../../../src/local/cloudformation/prepare.js'
import {registerAutoScalingProviders} from '../../../src/local/cloudformation/providers/autoscaling.js'
import {registerElbv2Providers} from '../../../src/local/cloudformation/providers/elbv2.js'
import {registerCoreProviders} from '../../../src/local/cloudformation/providers/index.js'
import {registerMessagingProviders} from '../../../src/local/cloudformation/providers/messaging.js'
import {registerRecordedProviders} from '../../../src/local/cloudformation/providers/recorded.js'
import {registerRecordedOnlyProviders} from '../../../src/local/cloudformation/providers/recorded-only.js'
import {registerWorkflowProviders} from '../../../src/local/cloudformation/providers/workflows.js'
import {registerDiscoveryProviders} from '../../../src/local/cloudformation/providers/servicediscovery.js'
import {createProviderRegistry} from '../../../src/local/cloudformation/registry.js'
import {environmentNeeds, renderEnvironmentStack, renderWorkloadStack, type RenderedStack} from '../../../src/render/index.js'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {api, APP, defaultEnv, ENV, httpsEnv, importedEnv, job, web, webInputs, worker} from '../../render/fixtures.js'

const workloads = [web, api, worker, job]

function rendered(): [string, RenderedStack][] {
  const needs = environmentNeeds(workloads.map((m) => ({name: m.name, manifest: m})))
  const out: [string, RenderedStack][] = []
  for (const env of [defaultEnv, httpsEnv, importedEnv]) {
    out.push([`environment ${env.name}`, renderEnvironmentStack({app: APP, env: env.name, manifest: env, needs})])
  }
  for (const w of workloads) {
    out.push([`${w.type} ${w.name}`, renderWorkloadStack({app: APP, env: ENV, name: w.name, manifest: w, inputs: w === web ? webInputs : {}})])
  }
  return out
}

function fullRegistry() {
  const dir = mkdtempSync(join(tmpdir(), 'pier-cfn-types-'))
  const registry = createProviderRegistry()
  registerCoreProviders(registry, {stateDir: dir})
  // Registration only records the parts' services; nothing is provisioned here.
  const part = {} as never
  registerElbv2Providers(registry, part)
  registerDiscoveryProviders(registry, part)
  registerMessagingProviders(registry, part)
  registerWorkflowProviders(registry, part)
  registerAutoScalingProviders(registry, part)
  registerRecordedProviders(registry, {stateDir: dir})
  registerRecordedOnlyProviders(registry)
  rmSync(dir, {recursive: true, force: true})
  return registry
}

describe("Pier's rendered templates", () => {
  const registry = fullRegistry()
  it.each(rendered())('%s is accepted by the engine', async (_name, stack) => {
    const body = JSON.stringify(stack.template)
    const prep = await prepare({
      templateBody: body, parameters: Object.entries(stack.parameters).map(([key, value]) => ({key, value})), previousParameters: {},
      stackName: stack.stackName, stackId: `arn:aws:cloudformation:us-east-1:000000000000:stack/${stack.stackName}/x`,
      region: 'us-east-1', accountId: '000000000000', ssm: async (names) => Object.fromEntries(names.map((n) => [n, 'from-ssm'])),
    })
    checkCapabilities(prep.template, ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'])
    const missing = [...prep.graph.keys()].map((id) => prep.template.Resources[id]!.Type).filter((t) => !registry.get(t))
    expect(missing).toEqual([])
    // Every property evaluates once its dependencies exist (any attribute of a resource reads as known).
    const ctx: EvalContext = {
      ...baseContext(prep.template, prep.params.values, prep.pseudo, 'us-east-1'),
      conditions: prep.conditions,
      // A service's Ref is its ARN, as on AWS (rollback alarms read the service's name from it).
      resource: (id) => (prep.graph.has(id) ? {physicalId: prep.template.Resources[id]!.Type === 'AWS::ECS::Service' ? `arn:aws:ecs:us-east-1:000000000000:service/cluster/${id}` : `${id}-id`, attributes: new Proxy({}, {get: (_t, k) => `${String(k)}-value`})} : undefined),
      importValue: (name) => `imported:${name}`,
    }
    for (const id of prep.graph.keys()) {
      const props = evaluate(prep.template.Resources[id]!.Properties ?? {}, ctx)
      expect(JSON.stringify(props)).not.toContain(KNOWN_AFTER_APPLY)
    }
  })
})
