// Every workload manifest Copilot's own `init` writes (test/render/compat/, from aws/copilot-cli,
// Apache-2.0, see NOTICE.copilot-cli) packages for each environment it names, and each environment
// manifest renders an environment stack; all pass the specification checks.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {type WorkspaceManifests, packageEnvironment, packageWorkload} from '../../src/app/package.js'
import {resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'
import {checkTemplate} from './check-template.js'

const dir = fileURLToPath(new URL('./compat/', import.meta.url))
const files = readdirSync(dir).filter((f) => f.endsWith('.yml'))
// Copilot's template test fills CIDRs with "mock-cidr-N", which Copilot's own validation (like Pier's) refuses.
const text = (f: string) => readFileSync(join(dir, f), 'utf8').replace(/mock-cidr-(\d+)/g, '10.$1.0.0/16')
const workloads = files.filter((f) => !f.startsWith('environment-') && !f.startsWith('pipeline-'))
const environments = files.filter((f) => f.startsWith('environment-'))

function valid<T>(r: {manifest: T; ok: boolean; diagnostics: unknown[]}): T {
  expect(r.diagnostics).toEqual([])
  return r.manifest
}

const overrideEnvs = (f: string): string[] => Object.keys(parse(text(f)).environments ?? {})

/** One workload and one environment, resolved by the manifest engine as a workspace would. */
function source(workloadFile: string, envName: string, envFile = 'environment-default.yml'): WorkspaceManifests {
  const m = parse(text(workloadFile))
  const common = {app: 'phonetool-app', environments: [...new Set([envName, ...overrideEnvs(workloadFile)])], vars: {}}
  return {
    root: '/workspace',
    application: 'phonetool-app',
    environments: [envName],
    workloads: [{name: m.name, type: m.type}],
    environment: () => valid(resolveEnvironmentText({...common, file: envFile, text: text(envFile).replace(/^name: .*$/m, `name: ${envName}`), env: envName, expectedName: envName})),
    workload: (_n, env) => valid(resolveWorkloadText({...common, file: workloadFile, text: text(workloadFile), env})),
  }
}

const check = (files: {name: string; content: string}[]) => {
  const template = parse(files[0]!.content)
  const params = JSON.parse(files[1]!.content).Parameters
  return checkTemplate(template, params)
}

describe('Copilot compatibility corpus', () => {
  it('has the corpus', () => {
    expect(workloads.length).toBeGreaterThanOrEqual(10)
    expect(environments.length).toBeGreaterThanOrEqual(4)
  })

  const cases = workloads.flatMap((f) => ['test', ...Object.keys(parse(text(f)).environments ?? {})].map((env) => [f, env] as const))
  it.each(cases)('%s packages for %s', (f, env) => {
    const m = parse(text(f))
    const kind = m.type === 'Scheduled Job' ? 'job' : 'service'
    const result = packageWorkload(source(f, env), {name: m.name, env, kind})
    expect(result.files.map((x) => x.name)).toEqual([`${m.name}-${env}.stack.yml`, `${m.name}-${env}.params.json`, `${m.name}-${env}.taskdef.json`])
    expect(check(result.files)).toEqual([])
  })

  it('applies the phonetool override: private placement', () => {
    const result = packageWorkload(source('lb-svc-placement-private.yml', 'phonetool'), {name: 'frontend', env: 'phonetool', kind: 'service'})
    const t = parse(result.files[0]!.content)
    expect(t.Resources.Service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED')
  })

  it.each(environments)('%s renders an environment stack', (f) => {
    const src = source('lb-svc.yml', 'test', f)
    const result = packageEnvironment(src, 'test')
    expect(check(result.files)).toEqual([])
  })
})
