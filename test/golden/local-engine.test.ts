// The packaged golden stacks, read back from their YAML, go through Pier's local CloudFormation
// engine: the environment stack first, then the workload stack importing its outputs. Every resource
// type gets a recording provider (attributes from the specification), so what is checked is the
// templates themselves: parameters, conditions, intrinsics, cross-stack imports and ordering.
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {packageEnvironment, packageWorkload, type PackageResult} from '../../src/app/package.js'
import {workspaceManifests} from '../../src/app/workspace-manifests.js'
import type {ResourceProvider} from '../../src/local/cloudformation/provider.js'
import {harness, type Harness} from '../local/cloudformation/helpers.js'
import {loadSpec} from '../render/spec.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const cases = readdirSync(here)
  .filter((d) => existsSync(join(here, d, 'case.json')))
  .map((d) => ({dir: join(here, d), case: d, ...(JSON.parse(readFileSync(join(here, d, 'case.json'), 'utf8')) as {package: string; name?: string; env: string})}))
  .filter((c) => c.package !== 'env')

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** Resolved properties of every created resource, by `<stack>/<logicalId>`. */
type Created = Map<string, Record<string, any>>

function recordEverything(target: Harness, types: string[]): Created {
  const spec = loadSpec()
  const created: Created = new Map()
  for (const type of types) {
    const attributes = (logicalId: string) => Object.fromEntries(spec.resources[type]!.attributes.map((a) => [a, `${logicalId}.${a}`]))
    const provider: ResourceProvider = {
      async create(props, ctx) {
        created.set(`${ctx.stackName}/${ctx.logicalId}`, props)
        return {physicalId: `${ctx.logicalId}-id`, attributes: attributes(ctx.logicalId)}
      },
      async update(physicalId, props, _old, ctx) {
        created.set(`${ctx.stackName}/${ctx.logicalId}`, props)
        return {physicalId, attributes: attributes(ctx.logicalId)}
      },
      async delete() {},
    }
    target.cfn.registry.register(type, provider)
  }
  return created
}

async function create(target: Harness, result: PackageResult): Promise<any> {
  const template = parse(result.files[0]!.content)
  const params = JSON.parse(result.files[1]!.content) as {Parameters: Record<string, string>; Tags: Record<string, string>}
  await target.call('CreateStack', {
    StackName: result.stackName,
    TemplateBody: JSON.stringify(template),
    Parameters: Object.entries(params.Parameters).map(([ParameterKey, ParameterValue]) => ({ParameterKey, ParameterValue})),
    Tags: Object.entries(params.Tags).map(([Key, Value]) => ({Key, Value})),
    // Environment stacks name their roles as Copilot's do (CAPABILITY_NAMED_IAM), as Pier's deploys allow.
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
  })
  const stack = await target.settle(result.stackName)
  if (stack.StackStatus !== 'CREATE_COMPLETE') {
    const failed = (await target.events(result.stackName)).filter((e) => /FAILED/.test(e.ResourceStatus)).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`)
    throw new Error(`${result.stackName} ended ${stack.StackStatus}:\n${failed.join('\n')}`)
  }
  return stack
}

const typesOf = (...results: PackageResult[]) => [...new Set(results.flatMap((r) => Object.values<any>(parse(r.files[0]!.content).Resources).map((x) => x.Type)))]

describe('golden stacks on the local CloudFormation engine', () => {
  it('covers the lazily created parts', () => {
    const needs = cases.map((c) => JSON.parse(packageEnvironment(workspaceManifests(c.dir), c.env).files[1]!.content).Parameters)
    expect(needs.some((n) => n.ALBWorkloads)).toBe(true)
    expect(needs.some((n) => n.InternalALBWorkloads)).toBe(true)
    expect(needs.some((n) => n.NATWorkloads)).toBe(true)
  })

  it.each(cases)('$case: environment, then workload', async (c) => {
    const src = workspaceManifests(c.dir)
    const envResult = packageEnvironment(src, c.env)
    const workload = packageWorkload(src, {name: c.name!, env: c.env, kind: c.package === 'job' ? 'job' : 'service'})
    h = await harness()
    const created = recordEverything(h, typesOf(envResult, workload))
    await create(h, envResult)
    await create(h, workload)

    const stack = workload.stackName
    const envStack = envResult.stackName
    const needs = JSON.parse(envResult.files[1]!.content).Parameters
    // Conditional parts exist exactly when the parameters say a workload needs them.
    expect(created.has(`${envStack}/PublicLoadBalancer`)).toBe(needs.ALBWorkloads !== '')
    expect(created.has(`${envStack}/InternalLoadBalancer`)).toBe(needs.InternalALBWorkloads !== '')
    expect(created.has(`${envStack}/NatGateway1`)).toBe(needs.NATWorkloads !== '' && created.has(`${envStack}/VPC`))

    const taskDef = created.get(`${stack}/TaskDefinition`)!
    expect(taskDef.ContainerDefinitions[0].Name).toBe(c.name)
    expect(JSON.stringify(taskDef)).not.toContain('Fn::')
    const service = created.get(`${stack}/Service`)
    if (service) {
      const subnets = service.NetworkConfiguration.AwsvpcConfiguration.Subnets
      expect(Array.isArray(subnets) && subnets.length).toBeGreaterThan(0)
      expect(service.Cluster).toBe('Cluster-id')
    }
    const machine = created.get(`${stack}/StateMachine`)
    if (machine) {
      // The Sub of a JSON definition with lists spliced in must still be JSON.
      const definition = JSON.parse(machine.DefinitionString)
      const net = definition.States['Run Fargate Task'].Parameters.NetworkConfiguration.AwsvpcConfiguration
      expect(net.Subnets.length).toBeGreaterThan(0)
      expect(net.SecurityGroups).toEqual(['EnvironmentSecurityGroup-id'])
      expect(definition.States['Run Fargate Task'].Resource).toBe('arn:aws:states:::ecs:runTask.sync')
    }
  })
})
