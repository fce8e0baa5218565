// End to end: `pier migrate` from the real binary against the real local control plane. It plans the
// first deploy of every stack of an environment without deploying: a deployed environment and job that
// match their manifests have no changes (exit 0); a manifest change that would replace the VPC is
// reported with the field that causes it (exit 1), the stack is left as it was, and --json says the same.
import {cpSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {E2eWorkspace, repo} from './harness.js'

const e2e = new E2eWorkspace('pier-migrate-e2e-')

beforeAll(async () => {
  cpSync(join(repo, 'manifests', 'demo'), e2e.ws, {recursive: true})
  await e2e.ok('env', 'deploy', '-n', 'test')
  await e2e.ok('job', 'deploy', '-n', 'report', '-e', 'test')
}, 180_000)

afterAll(async () => {
  await e2e.cleanup()
})

describe('pier migrate', () => {
  it('reports no changes for stacks that match their manifests, and workloads not deployed', async () => {
    const r = await e2e.pier('migrate', '-e', 'test')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('• demo-test (deployed by Pier): no changes.')
    expect(r.stdout).toContain('• demo-test-report (deployed by Pier): no changes.')
    expect(r.stdout).toContain('• demo-test-web: not deployed; a deploy creates it.')
    expect(r.stderr).toContain('✔ Nothing that holds state would be replaced or removed in test')
  }, 120_000)

  it('names the manifest field of a replacement, exits 1, and changes nothing', async () => {
    e2e.write('copilot/environments/test/manifest.yml', 'name: test\ntype: Environment\nnetwork:\n  vpc:\n    cidr: 10.9.0.0/16\n')
    const r = await e2e.pier('migrate', '-e', 'test')
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/✘ replaced VPC \(AWS::EC2::VPC\): CidrBlock \(network\.vpc\.cidr in the environment manifest\)/)
    expect(r.stderr).toMatch(/✘ \d+ resource\(s\) that hold state would be replaced or removed/)

    const json = await e2e.pier('migrate', '-e', 'test', '--json')
    expect(json.code).toBe(1)
    const plan = JSON.parse(json.stdout) as {blocking: number; stacks: {stack: string; status: string; plan?: {blocking: {logicalId: string}[]}}[]}
    expect(plan.blocking).toBeGreaterThan(0)
    expect(plan.stacks.find((s) => s.stack === 'demo-test')?.plan?.blocking.map((b) => b.logicalId)).toContain('VPC')

    // Planning deployed nothing: the environment's stack still has the VPC it had.
    const show = await e2e.ok('env', 'show', '-n', 'test', '--json')
    expect(show.stdout).not.toContain('10.9.0.0/16')
  }, 120_000)
})
