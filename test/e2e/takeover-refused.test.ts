// End to end: the first Pier deploy over a stack Copilot deployed refuses a manifest change that would
// replace a resource holding state. The application is built on the local control plane from Copilot's
// own templates and handlers (copilot-app.ts); the real `pier` binary prints the takeover plan naming
// the resource and the manifest field, exits 1 and leaves the stack as it was, then goes through with
// --allow-replacement.
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {GetTemplateCommand} from '@aws-sdk/client-cloudformation'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {APP, clients, deployCopilotApp, ENV, fixture, physicalIds, type Clients, type LocalEndpoint} from './copilot-app.js'
import {E2eWorkspace} from './harness.js'

const e2e = new E2eWorkspace('pier-takeover-refused-e2e-')
let c: Clients

beforeAll(async () => {
  cpSync(join(fixture, 'workspace'), e2e.ws, {recursive: true})
  await e2e.ok('local', 'start')
  const status = JSON.parse((await e2e.ok('local', 'status', '--json')).stdout) as LocalEndpoint
  c = clients(status)
  await deployCopilotApp(c, status, join(e2e.ws, 'app', 'server.js'))
}, 120_000)

afterAll(async () => {
  await e2e.cleanup()
}, 60_000)

describe('a takeover that would replace what holds state', {timeout: 240_000}, () => {
  it('refuses a manifest change that replaces a stateful resource, with the plan, and goes through with --allow-replacement', async () => {
    const ws = e2e
    const vc = c
    const stack = `${APP}-${ENV}-simple-backend`
    const manifest = join(ws.ws, 'copilot', 'simple-backend', 'manifest.yml')
    // Fargate Spot: the service leaves its launch type for a capacity provider strategy, which
    // CloudFormation can only do by replacing it.
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('count: 1\n', 'count:\n  spot: 1\n'))
    const idsBefore = await physicalIds(vc.cfn, stack)
    const templateBefore = (await vc.cfn.send(new GetTemplateCommand({StackName: stack}))).TemplateBody

    const refused = await ws.pier('svc', 'deploy', '-n', 'simple-backend', '-e', ENV)
    expect(refused.code, refused.stderr).toBe(1)
    expect(refused.stderr).toMatch(/Takeover of my-app-test-simple-backend: /)
    expect(refused.stderr).toMatch(/✘ replaced Service \(AWS::ECS::Service\): LaunchType \(platform or capacity providers\)/)
    expect(refused.stderr).toMatch(/--allow-replacement/)
    expect(await physicalIds(vc.cfn, stack)).toEqual(idsBefore)
    expect((await vc.cfn.send(new GetTemplateCommand({StackName: stack}))).TemplateBody).toBe(templateBefore)

    const allowed = await ws.pier('svc', 'deploy', '-n', 'simple-backend', '-e', ENV, '--allow-replacement')
    expect(allowed.code, `${allowed.stderr}\n${allowed.stdout}`).toBe(0)
    const idsAfter = await physicalIds(vc.cfn, stack)
    expect(idsAfter.Service?.id).not.toBe(idsBefore.Service?.id)
    expect(idsAfter.LogGroup?.id).toBe(idsBefore.LogGroup?.id)
  })
})
