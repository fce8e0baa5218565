// End-to-end: the built `pier` binary, run as CI runs it (CI=true, no stdin), on temp workspaces.
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'run.js')
const demo = join(root, 'manifests', 'demo')
let tmp: string

function pier(args: string[], cwd: string, env: Record<string, string> = {}): {code: number; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, [bin, ...args], {cwd, env: {...process.env, CI: 'true', NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr}
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` before these tests (npm test does)')
  tmp = mkdtempSync(join(tmpdir(), 'pier-cli-'))
})
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function copyDemo(name: string): string {
  const dir = join(tmp, name)
  cpSync(demo, dir, {recursive: true})
  return dir
}

// Each test spawns the CLI several times; on a loaded machine a spawn can take seconds.
describe('pier (built binary)', {timeout: 120_000}, () => {
  it('prints its version without loading the CLI framework', () => {
    const r = pier(['--version'], tmp)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^pier\/\d+\.\d+\.\d+ \w+-\w+ node-v\d+/)
  })

  it('validates the demo workspace with exit 0', () => {
    const r = pier(['validate'], demo)
    expect(r).toMatchObject({code: 0, stdout: ''})
    expect(r.stderr).toContain('✔ 3 workloads valid in 2 environments.')
  })

  it('reports every mistake with file:line:col, exit 1 and no stack trace', () => {
    const dir = copyDemo('broken')
    cpSync(join(root, 'test', 'fixtures', 'mistakes', 'ten.yml'), join(dir, 'copilot', 'web', 'manifest.yml'))
    const r = pier(['validate'], dir)
    expect(r.code).toBe(1)
    const located = r.stdout.split('\n').filter((l) => /^copilot\/web\/manifest\.yml:\d+:\d+: error /.test(l))
    expect(located.length).toBeGreaterThanOrEqual(10)
    expect(r.stdout).toMatch(/\d+ errors, 2 warnings/)
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
    const below = pier(['validate', '-n', 'web', '-e', 'prod'], join(dir, 'web'))
    expect(below.stdout).toMatch(/^\.\.\/copilot\/web\/manifest\.yml:\d+:\d+: error /m)
  })

  it('gives the same diagnostics as JSON with --json', () => {
    const dir = join(tmp, 'broken')
    const r = pier(['validate', '--json', '-n', 'web', '-e', 'prod'], dir)
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ok: false, application: 'demo', workloads: ['web'], environments: ['prod']})
    expect(out.diagnostics[0]).toMatchObject({file: 'copilot/web/manifest.yml', severity: 'error'})
    expect(out.diagnostics.map((d: {code: string}) => d.code)).toContain('unknown-key')
  })

  it('says where it looked when run outside a workspace', () => {
    const r = pier(['validate'], tmp)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('✘ no workspace found: Pier looks for copilot/.workspace')
    expect(r.stderr).toContain('pier app init')
  })

  it('shows the manifest merged for an environment', () => {
    const prod = pier(['svc', 'show', '-n', 'web', '-e', 'prod', '--manifest'], demo)
    expect(prod.code).toBe(0)
    expect(prod.stdout).toContain('count: 2\n')
    expect(prod.stdout).toContain('LOG_LEVEL: info')
    const test = pier(['svc', 'show', '-n', 'api', '-e', 'test', '--manifest', '--json'], demo)
    expect(JSON.parse(test.stdout)).toMatchObject({count: 1, variables: {GREETING: 'hello from the test api'}})
  })

  it('refuses to show a job as a service, and suggests names', () => {
    expect(pier(['svc', 'show', '-n', 'report'], demo).stderr).toContain('"report" is a Scheduled Job, not a service')
    const typo = pier(['job', 'show', '-n', 'reprot', '-e', 'test', '--manifest'], demo)
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain('Did you mean "report"?')
  })

  it('lists services, jobs and environments', () => {
    expect(pier(['svc', 'ls'], demo).stdout).toMatch(/api\s+Backend Service\nweb\s+Load Balanced Web Service/)
    expect(JSON.parse(pier(['job', 'ls', '--json'], demo).stdout)).toEqual([{name: 'report', type: 'Scheduled Job'}])
    expect(pier(['env', 'ls'], demo).stdout).toBe('prod\ntest\n')
  })

  it('creates a workspace from flags alone, and names each missing flag', () => {
    const dir = join(tmp, 'fresh')
    cpSync(join(demo, 'web'), join(dir, 'web'), {recursive: true})
    expect(pier(['app', 'init'], join(tmp)).stderr).toContain('missing the NAME argument')
    expect(pier(['app', 'init', 'shop'], dir).code).toBe(0)
    expect(pier(['env', 'init'], dir).stderr).toContain('✘ missing --name: Pier does not prompt in CI')
    expect(pier(['env', 'init', '--name', 'test'], dir).code).toBe(0)
    expect(pier(['svc', 'init', '--name', 'web', '--dockerfile', 'web/Dockerfile'], dir).stderr).toContain('missing --svc-type')
    const ok = pier(['svc', 'init', '-n', 'web', '-t', 'Load Balanced Web Service', '-d', 'web/Dockerfile'], dir)
    expect(ok.code).toBe(0)
    const manifest = readFileSync(join(dir, 'copilot', 'web', 'manifest.yml'), 'utf8')
    expect(manifest).toMatch(/^# yaml-language-server: \$schema=\/.*schemas\/load-balanced-web-service\.json\n/)
    expect(manifest).toContain('port: 3000')
    expect(pier(['job', 'init', '-n', 'nightly', '--image', 'busybox:1', '--schedule', '@every 10s'], dir).stderr).toContain('shorter than a minute')
    expect(pier(['job', 'init', '-n', 'nightly', '--image', 'busybox:1', '--schedule', '0 3 * * *'], dir).code).toBe(0)
    expect(pier(['validate'], dir)).toMatchObject({code: 0, stdout: ''})
    expect(pier(['svc', 'init', '-n', 'web', '-t', 'Backend Service', '--image', 'x:1'], dir).stderr).toContain('already exists')
  })

  it('joins an existing workspace as Copilot does: init keeps the manifests, reads their types', () => {
    const dir = copyDemo('join')
    const env = pier(['env', 'init', '-n', 'test'], dir)
    expect(env.code).toBe(0)
    expect(env.stderr).toContain('Found the manifest of environment "test"')
    expect(pier(['env', 'init', '-n', 'test', '--container-insights'], dir).stderr).toContain('would not be written into it')
    const svc = pier(['svc', 'init', '-n', 'web'], dir)
    expect(svc.code).toBe(0)
    expect(svc.stderr).toContain('Found the manifest of service "web" (Load Balanced Web Service)')
    const job = pier(['job', 'init', '-n', 'report'], dir)
    expect(job.code).toBe(0)
    expect(job.stderr).toContain('(Scheduled Job)')
    expect(pier(['svc', 'init', '-n', 'report'], dir).stderr).toContain('is a Scheduled Job')
    expect(readFileSync(join(dir, 'copilot', 'web', 'manifest.yml'), 'utf8')).toBe(readFileSync(join(demo, 'copilot', 'web', 'manifest.yml'), 'utf8'))
  })

  it('warns about what Copilot ignored, and refuses it with --strict', () => {
    const dir = copyDemo('strict')
    const file = join(dir, 'copilot', 'web', 'manifest.yml')
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nvariabels:\n  A: b\n`)
    const loose = pier(['validate'], dir)
    expect(loose.code).toBe(0)
    expect(loose.stdout).toContain('warning [unknown-key] unknown field `variabels`')
    expect(loose.stdout).toContain('Did you mean `variables`?')
    const strict = pier(['validate', '--strict'], dir)
    expect(strict.code).toBe(1)
    expect(strict.stdout).toContain('error [unknown-key]')
    expect(pier(['svc', 'package', '-n', 'web', '-e', 'test', '--strict'], dir).code).not.toBe(0)
    expect(pier(['svc', 'package', '-n', 'web', '-e', 'test'], dir).code).toBe(0)
  })

  it('has help with full sentences and examples', () => {
    const r = pier(['validate', '--help'], demo)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatchSnapshot()
  })
})
