import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {UserError} from '../../src/errors.js'
import {findWorkspaceRoot, loadWorkspace, resolveWorkload, validateWorkspace} from '../../src/workspace/index.js'
import {initApp, writeEnvironmentManifest, writeWorkloadManifest} from '../../src/workspace/scaffold.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pier-ws-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), {recursive: true})
  writeFileSync(join(dir, path), text)
}

describe('workspace', () => {
  it('is found from up to 5 parent directories, and not from 6', () => {
    write('copilot/.workspace', 'application: shop\n')
    mkdirSync(join(dir, 'a/b/c/d/e/f'), {recursive: true})
    expect(findWorkspaceRoot(join(dir, 'a/b/c/d/e'))).toBe(dir)
    expect(findWorkspaceRoot(join(dir, 'a/b/c/d/e/f'))).toBeUndefined()
  })

  it('says how to create one when there is none', () => {
    expect(() => loadWorkspace(dir)).toThrow(UserError)
    expect(() => loadWorkspace(dir)).toThrow(/no workspace found/)
  })

  it('lists environments and workloads with their types', () => {
    write('copilot/.workspace', 'application: shop\n')
    write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\n')
    write('copilot/environments/notes.txt', '')
    write('copilot/web/manifest.yml', 'name: web\ntype: "Load Balanced Web Service" # the front\n')
    write('copilot/odd/manifest.yml', '{"name": "odd", "type": "Backend Service"}\n')
    write('copilot/pipelines/release/manifest.yml', 'name: release\n')
    write('copilot/empty/readme.md', '')
    const ws = loadWorkspace(join(dir, 'copilot'))
    expect(ws).toMatchObject({root: dir, application: 'shop', environments: ['test']})
    expect(ws.workloads.map((w) => [w.name, w.type])).toEqual([['odd', 'Backend Service'], ['web', 'Load Balanced Web Service']])
    expect(ws.workloads[1]!.path).toBe(join(dir, 'copilot', 'web', 'manifest.yml'))
  })

  it('says in one wording that a workload or an environment is missing, with a close name or the ones there are', () => {
    write('copilot/.workspace', 'application: shop\n')
    write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\n')
    write('copilot/frontend/manifest.yml', 'name: frontend\ntype: Backend Service\nimage:\n  location: nginx\n')
    const ws = loadWorkspace(dir)
    const failure = (f: () => unknown) => {
      try {
        f()
      } catch (error) {
        return {message: (error as UserError).message, hint: (error as UserError).hint}
      }
      throw new Error('did not fail')
    }
    expect(failure(() => resolveWorkload(ws, 'fronted', 'test'))).toEqual({message: 'There is no workload fronted in this workspace: copilot/fronted/manifest.yml does not exist.', hint: 'Did you mean "frontend"?'})
    expect(failure(() => resolveWorkload(ws, 'api', 'test'))).toEqual({message: 'There is no workload api in this workspace: copilot/api/manifest.yml does not exist.', hint: 'Use one of: frontend; or create it with `pier svc init --name api` (or `pier job init`).'})
    expect(failure(() => resolveWorkload(ws, 'frontend', 'prod'))).toEqual({message: 'There is no environment prod in this workspace: copilot/environments/prod/manifest.yml does not exist.', hint: 'Use one of: test; or create it with `pier env init --name prod`.'})
  })

  it('rejects a .workspace without an application', () => {
    write('copilot/.workspace', 'app: shop\n')
    expect(() => loadWorkspace(dir)).toThrow(/no application name/)
  })

  it('writes manifests that validate, and refuses to overwrite them', () => {
    initApp(dir, 'shop')
    let ws = loadWorkspace(dir)
    writeEnvironmentManifest(ws, 'test')
    writeEnvironmentManifest(ws, 'prod', {importVpc: {id: 'vpc-1', publicSubnets: ['s-1', 's-2'], privateSubnets: ['s-3', 's-4']}, containerInsights: true})
    write('web/Dockerfile', 'FROM node:20-alpine\nEXPOSE 8080\n')
    ws = loadWorkspace(dir)
    writeWorkloadManifest(ws, {name: 'web', type: 'Load Balanced Web Service', dockerfile: 'web/Dockerfile'})
    writeWorkloadManifest(ws, {name: 'api', type: 'Backend Service', image: 'nginx:1', port: 80})
    writeWorkloadManifest(ws, {name: 'queue', type: 'Worker Service', image: 'worker:1'})
    writeWorkloadManifest(ws, {name: 'nightly', type: 'Scheduled Job', image: 'job:1', schedule: '@every 2h', retries: 2, timeout: '30m'})
    ws = loadWorkspace(dir)
    expect(validateWorkspace(ws)).toEqual([])
    expect(resolveWorkload(ws, 'web', 'prod').manifest).toMatchObject({image: {build: 'web/Dockerfile', port: 8080}, http: {path: '/'}})
    expect(() => writeWorkloadManifest(ws, {name: 'api', type: 'Backend Service', image: 'nginx:2'})).toThrow(/already exists/)
    expect(writeWorkloadManifest(ws, {name: 'api', type: 'Backend Service', image: 'nginx:2', force: true}).created).toBe(true)
  })

  it('names the flag for each missing or wrong value', () => {
    initApp(dir, 'shop')
    const ws = loadWorkspace(dir)
    expect(() => writeWorkloadManifest(ws, {name: 'Web', type: 'Backend Service', image: 'x'})).toThrow(/invalid workload name "Web"/)
    expect(() => writeWorkloadManifest(ws, {name: 'web', type: 'Load Balanced Web Service', image: 'x'})).toThrow(/needs a port/)
    expect(() => writeWorkloadManifest(ws, {name: 'job', type: 'Scheduled Job', image: 'x'})).toThrow(/needs a schedule/)
    expect(() => writeWorkloadManifest(ws, {name: 'job', type: 'Scheduled Job', image: 'x', schedule: 'every day'})).toThrow(/invalid-schedule/)
    expect(() => writeWorkloadManifest(ws, {name: 'web', type: 'Backend Service', dockerfile: 'missing/Dockerfile'})).toThrow(/Dockerfile not found/)
    expect(() => initApp(dir, 'other')).toThrow(/already in the workspace of application "shop"/)
  })
})

describe('cross-workload checks', () => {
  it('checks that a publisher of the workspace publishes the topic; a publisher elsewhere is a warning', () => {
    write('copilot/.workspace', 'application: shop\n')
    write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\n')
    write('copilot/orders/manifest.yml', 'name: orders\ntype: Backend Service\nimage: {location: x}\npublish:\n  topics:\n    - name: placed\n')
    write('copilot/mailer/manifest.yml', [
      'name: mailer', 'type: Worker Service', 'image: {location: y}', 'subscribe:', '  topics:',
      '    - name: placed', '      service: orders',
      '    - name: shipped', '      service: orders',
      '    - name: placed', '      service: order',
    ].join('\n'))
    const diags = validateWorkspace(loadWorkspace(dir), {names: ['mailer']})
    expect(diags.map((d) => [d.severity, d.code, d.path, d.line, d.hint])).toEqual([
      ['error', 'unknown-reference', 'subscribe.topics[1].name', 8, 'Add `publish: {topics: [{name: shipped}]}` to orders\'s manifest, or fix the topic name.'],
      ['warning', 'unknown-reference', 'subscribe.topics[2].service', 11, 'Did you mean "orders"?'],
    ])
  })
})

describe('workspaces without environment manifests (Copilot before v1.21)', () => {
  it('take their environments from the overrides, validate them, and package against the default environment', async () => {
    write('copilot/.workspace', 'application: shop\npath: ""\n')
    write('copilot/web/manifest.yml', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nenvironments:\n  prod:\n    cpu: 300\n  staging:\n    count: 2\n')
    const ws = loadWorkspace(dir)
    expect(ws.legacy).toBe(true)
    expect(ws.environments).toEqual(['prod', 'staging'])
    const diags = validateWorkspace(ws, {vars: {}})
    // The override of prod is checked (cpu 300 is no Fargate size), and each environment says it uses the default.
    expect(diags.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path} ${d.env ?? ''}`)).toEqual(['fargate-size cpu prod'])
    expect(diags.filter((d) => d.code === 'no-environment-manifest').map((d) => d.file)).toEqual(['copilot/environments/prod/manifest.yml', 'copilot/environments/staging/manifest.yml'])
    const {packageEnvironment, packageWorkload} = await import('../../src/app/package.js')
    const {workspaceManifests} = await import('../../src/app/workspace-manifests.js')
    const warnings: string[] = []
    const src = workspaceManifests(dir, {warn: (t) => warnings.push(t)})
    expect(packageWorkload(src, {name: 'web', env: 'staging', kind: 'service'}).stackName).toBe('shop-staging-web')
    expect(packageEnvironment(src, 'staging').stackName).toBe('shop-staging')
    expect(warnings.join('\n')).toContain("Copilot's default environment")
  })
})

describe('overrides for an environment with no manifest in a workspace that has others', () => {
  it('are checked all the same (a deploy from a workspace that has the environment applies them), with a warning on the key', () => {
    write('copilot/.workspace', 'application: shop\n')
    write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\n')
    write('copilot/web/manifest.yml', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nenvironments:\n  test:\n    count: 2\n  staging:\n    cpu: 300\n')
    const ws = loadWorkspace(dir)
    expect(ws.legacy).toBeUndefined()
    const diags = validateWorkspace(ws, {vars: {}})
    expect(diags.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path} ${d.env ?? ''} ${d.line}`)).toEqual(['fargate-size cpu staging 8'])
    expect(diags.filter((d) => d.code === 'unknown-environment').map((d) => d.message)).toEqual(['environment "staging" does not exist in this workspace: its overrides are checked, but never applied from here'])
    // Naming the environments to check keeps to them.
    expect(validateWorkspace(ws, {vars: {}, envs: ['test']}).filter((d) => d.severity === 'error')).toEqual([])
  })

  it('are counted among the environments validate reports', async () => {
    write('copilot/.workspace', 'application: shop\n')
    write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\n')
    write('copilot/web/manifest.yml', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nenvironments:\n  staging:\n    count: 2\n')
    const {validateManifests} = await import('../../src/app/validate.js')
    expect((await validateManifests({cwd: dir, vars: {}})).environments).toEqual(['test', 'staging'])
  })

  it('are those of the workloads checked, once each and sorted, and none when environments are named', async () => {
    write('copilot/.workspace', 'application: shop\n')
    write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\n')
    write('copilot/web/manifest.yml', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nenvironments:\n  staging: {count: 2}\n  qa: {count: 1}\n')
    write('copilot/api/manifest.yml', 'name: api\ntype: Backend Service\nimage: {location: nginx, port: 80}\nenvironments:\n  qa: {count: 3}\n  demo: {cpu: 300}\n')
    const {validateManifests} = await import('../../src/app/validate.js')
    const all = await validateManifests({cwd: dir, vars: {}})
    expect(all.environments).toEqual(['test', 'demo', 'qa', 'staging'])
    expect(all.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file} ${d.code} ${d.env}`)).toEqual(['copilot/api/manifest.yml fargate-size demo'])
    const web = await validateManifests({cwd: dir, vars: {}, names: ['web']})
    expect(web.environments).toEqual(['test', 'qa', 'staging'])
    expect(web.ok).toBe(true)
    expect((await validateManifests({cwd: dir, vars: {}, envs: ['test']})).environments).toEqual(['test'])
  })
})
