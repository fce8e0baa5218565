// The deploy use cases over fakes of the narrow interfaces and of the workspace reader and renderer:
// the order of operations, the records, and what is (not) redeployed.
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it, vi} from 'vitest'

import {appContext} from '../../src/app/context.js'
import {deployMany} from '../../src/app/deploy-many.js'
import {deployWorkload} from '../../src/app/workload-deploy.js'
import {deleteWorkload, listWorkloads} from '../../src/app/workloads.js'
import {loadWorkspace} from '../../src/workspace/index.js'
import {recorder} from '../../src/deploy/events.js'
import {UserError} from '../../src/errors.js'
import {AwsError} from '../../src/aws/errors.js'
import {fakeAws, instantTiming} from '../deploy/fake-aws.js'
import {fakeSsm} from './fake-ssm.js'

// Hoisted: the module fakes below are set up before the test's imports.
const {root, manifests} = await vi.hoisted(async () => {
  const {mkdtempSync} = await import('node:fs')
  const {tmpdir} = await import('node:os')
  const {join} = await import('node:path')
  return {
    root: mkdtempSync(join(tmpdir(), 'pier-usecases-')),
    manifests: {
      web: {name: 'web', type: 'Load Balanced Web Service', image: {location: 'nginx:1', port: 80}, http: {path: '/'}},
      api: {name: 'api', type: 'Backend Service', image: {location: 'api:1', port: 8080}},
      broken: {name: 'broken', type: 'Backend Service'},
      built: {name: 'built', type: 'Backend Service', image: {build: 'built/Dockerfile', port: 8080}},
    } as Record<string, any>,
  }
})
afterAll(() => rmSync(root, {recursive: true, force: true}))
mkdirSync(join(root, 'built'))
writeFileSync(join(root, 'built', 'Dockerfile'), 'FROM scratch\n')

vi.mock('../../src/workspace/index.js', () => ({
  loadWorkspace: vi.fn(() => ({root, copilotDir: join(root, 'copilot'), application: 'demo', environments: ['test'], workloads: Object.keys(manifests).map((name) => ({name, type: manifests[name].type, path: join(root, 'copilot', name)}))})),
  resolveEnvironment: () => ({manifest: {name: 'test', type: 'Environment'}, diagnostics: [], ok: true}),
  resolveWorkload: (_ws: unknown, name: string) =>
    name === 'broken'
      ? {manifest: manifests[name], ok: false, diagnostics: [{file: 'copilot/broken/manifest.yml', line: 3, col: 1, severity: 'error', code: 'required', message: 'image is required', path: 'image'}]}
      : {manifest: manifests[name], diagnostics: [], ok: true},
}))

vi.mock('../../src/manifest/index.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  formatDiagnostics: (d: {file: string; line: number; col: number; message: string}[]) => d.map((x) => `${x.file}:${x.line}:${x.col}: ${x.message}`).join('\n'),
}))

vi.mock('../../src/render/index.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  environmentNeeds: (ws: {name: string; manifest: {type: string}}[]) => ({publicAlb: ws.filter((w) => w.manifest.type === 'Load Balanced Web Service').map((w) => w.name).sort(), internalAlb: [], nat: []}),
  renderEnvironmentStack: ({app, env, needs}: {app: string; env: string; needs: {publicAlb: string[]}}) => ({
    stackName: `${app}-${env}`,
    template: {Resources: {Cluster: {Type: 'AWS::ECS::Cluster'}, ...(needs.publicAlb.length ? {PublicLoadBalancer: {Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer'}} : {})}, Outputs: {ClusterId: {Value: 'demo-test-Cluster'}, ...(needs.publicAlb.length ? {PublicLoadBalancerDNSName: {Value: 'lb.local'}} : {})}},
    parameters: {ALBWorkloads: needs.publicAlb.join(','), InternalALBWorkloads: '', NATWorkloads: ''},
    tags: {'copilot-application': app, 'copilot-environment': env},
  }),
  renderWorkloadStack: ({app, env, name, manifest: m}: {app: string; env: string; name: string; manifest: {image?: {location?: string}}}) => ({
    stackName: `${app}-${env}-${name}`,
    template: {Resources: {TaskDefinition: {Type: 'AWS::ECS::TaskDefinition', Properties: {Image: m.image?.location}}, Service: {Type: 'AWS::ECS::Service'}}},
    parameters: {},
    tags: {},
    taskDefinition: {},
  }),
  httpRules: () => [],
}))

function setup() {
  const fake = fakeAws()
  const ssm = fakeSsm()
  const aws = {...(fake.aws as object), region: 'us-east-1', parameters: ssm, identity: {getCallerIdentity: async () => ({Account: '000000000000'})}, loadBalancers: {describeRules: async () => ({Rules: []})}, registry: {deleteRepository: async () => ({}), describeRepositories: async () => Promise.reject(new AwsError('UnknownOperationException', 'ecr:DescribeRepositories', 'Unknown target'))}, callCount: () => 0} as never
  const {emit, events} = recorder()
  const ctx = appContext({aws, emit, timing: instantTiming, cwd: root})
  return {ctx, fake, ssm, events}
}

describe('deploying workloads', () => {
  it('deploys the environment first, then the service, and registers both with the application', async () => {
    const {ctx, fake, ssm, events} = setup()
    const result = await deployWorkload(ctx, {name: 'web', env: 'test'})
    expect(result).toMatchObject({status: 'deployed', stackName: 'demo-test-web', url: 'http://lb.local'})
    const stacks = events.filter((e) => e.code === 'stack.start').map((e) => (e.data as {stack: string}).stack)
    expect(stacks).toEqual(['demo-test', 'demo-test-web'])
    expect(fake.stacks.get('demo-test')?.parameters?.ALBWorkloads).toBe('web')
    expect([...ssm.values.keys()].sort()).toEqual(['/copilot/applications/demo', '/copilot/applications/demo/components/web', '/copilot/applications/demo/environments/test'])
  })

  it('reads the workspace once per command, the environment deploy included', async () => {
    const {ctx} = setup()
    vi.mocked(loadWorkspace).mockClear()
    await deployWorkload(ctx, {name: 'web', env: 'test'})
    expect(loadWorkspace).toHaveBeenCalledTimes(1)
    vi.mocked(loadWorkspace).mockClear()
    await deployMany(ctx, {names: ['web', 'api'], env: 'test'})
    expect(loadWorkspace).toHaveBeenCalledTimes(1)
  })

  it('redeploys nothing when nothing changed', async () => {
    const {ctx, fake} = setup()
    await deployWorkload(ctx, {name: 'web', env: 'test'})
    const before = fake.calls.filter((c) => c === 'createChangeSet').length
    const again = await deployWorkload(ctx, {name: 'web', env: 'test'})
    expect(again.status).toBe('no-changes')
    // Template, parameters and tags are those deployed: no change set at all, for either stack.
    expect(fake.calls.filter((c) => c === 'createChangeSet').length - before).toBe(0)
  })

  it('prepares images while the environment deploys, not after', async () => {
    const {ctx, events} = setup()
    // Where the progress stood when the registry was first asked about the image.
    let askedAt = -1
    const registry = (ctx.aws as {registry: {describeRepositories: (i: unknown) => Promise<unknown>}}).registry
    const ask = registry.describeRepositories
    registry.describeRepositories = (i) => ((askedAt = askedAt < 0 ? events.length : askedAt), ask(i))
    const result = await deployMany(ctx, {names: ['built'], env: 'test'})
    expect(result.map((r) => r.status)).toEqual(['deployed'])
    const envDone = events.findIndex((e) => e.code === 'stack.done' && (e.data as {stack: string}).stack === 'demo-test')
    expect(askedAt).toBeGreaterThanOrEqual(0)
    expect(askedAt).toBeLessThan(envDone)
  })

  it('validates every workload before deploying any, and reports all problems', async () => {
    const {ctx, fake} = setup()
    const error = (await deployMany(ctx, {names: ['web', 'broken'], env: 'test'}).catch((e) => e)) as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toContain('copilot/broken/manifest.yml:3:1: image is required')
    expect(fake.calls).not.toContain('createChangeSet')
  })

  it('deploys several workloads after one environment deploy, and deletes them', async () => {
    const {ctx, events} = setup()
    const results = await deployMany(ctx, {names: ['web', 'api'], env: 'test', concurrency: 2})
    expect(results.map((r) => `${r.name}:${r.status}`)).toEqual(['web:deployed', 'api:deployed'])
    expect(events.filter((e) => e.code === 'stack.start' && (e.data as {stack: string}).stack === 'demo-test')).toHaveLength(1)
    expect((await listWorkloads(ctx, 'demo', 'svc')).map((w) => w.name)).toEqual(['api', 'web'])
    const deleted = await deleteWorkload(ctx, 'demo', 'api')
    expect(deleted).toEqual({name: 'api', environments: ['test'], unregistered: true})
    expect((await listWorkloads(ctx, 'demo', 'svc')).map((w) => w.name)).toEqual(['web'])
  })
})
