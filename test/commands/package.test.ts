// The package commands, run as the built CLI (`npm run build` first, as `npm test` does) on a real
// workspace, with CI=true and no stdin: no AWS access, no prompts.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
let ws: string

function pier(args: string[]) {
  const env: NodeJS.ProcessEnv = {...process.env, CI: 'true', COLUMNS: '100', AWS_ACCESS_KEY_ID: '', AWS_PROFILE: 'pier-no-such-profile'}
  delete env.NODE_EXTRA_CA_CERTS
  const r = spawnSync(process.execPath, [bin, ...args], {cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'pier-package-'))
  cpSync(join(root, 'test', 'golden', 'lb-web-service', 'copilot'), join(ws, 'copilot'), {recursive: true})
  cpSync(join(root, 'test', 'golden', 'scheduled-job', 'copilot', 'nightly-report'), join(ws, 'copilot', 'nightly-report'), {recursive: true})
})
afterAll(() => rmSync(ws, {recursive: true, force: true}))

describe('pier * package', () => {
  it('prints the template on stdout', () => {
    const r = pier(['svc', 'package', '-n', 'frontend', '-e', 'prod'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(parse(r.stdout).Resources.Service.Type).toBe('AWS::ECS::Service')
  })

  it('writes the three files with --output-dir', () => {
    const r = pier(['svc', 'package', '-n', 'frontend', '-e', 'prod', '--output-dir', 'infra'])
    expect(r.status).toBe(0)
    expect(readdirSync(join(ws, 'infra')).sort()).toEqual(['frontend-prod.params.json', 'frontend-prod.stack.yml', 'frontend-prod.taskdef.json'])
    expect(JSON.parse(readFileSync(join(ws, 'infra', 'frontend-prod.params.json'), 'utf8')).Parameters.TaskCount).toBe('2')
    expect(r.stderr).toContain('Wrote the shop-prod-frontend stack')
  })

  it('packages jobs and environments, and every service with --all', () => {
    expect(pier(['job', 'package', '-n', 'nightly-report', '-e', 'test', '--output-dir', 'jobs']).status).toBe(0)
    expect(readdirSync(join(ws, 'jobs'))).toContain('nightly-report-test.stack.yml')
    expect(pier(['env', 'package', '-n', 'prod', '--output-dir', 'envs']).status).toBe(0)
    expect(readdirSync(join(ws, 'envs')).sort()).toEqual(['prod.env.params.json', 'prod.env.yml'])
    expect(pier(['svc', 'package', '--all', '-e', 'test', '--output-dir', 'all']).status).toBe(0)
    expect(readdirSync(join(ws, 'all'))).toEqual(['frontend-test.params.json', 'frontend-test.stack.yml', 'frontend-test.taskdef.json'])
  })

  it('fails with the flag to pass instead of prompting', () => {
    const r = pier(['svc', 'package', '-e', 'test'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('missing --name')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it.each([['svc'], ['job'], ['env']])('%s package has help with full sentences and examples', (topic) => {
    const r = pier([topic, 'package', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatchSnapshot()
  })

  it('tells a job from a service', () => {
    const r = pier(['svc', 'package', '-n', 'nightly-report', '-e', 'test'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('nightly-report is a job, not a service')
  })
})
