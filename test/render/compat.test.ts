// Every workload manifest Copilot's own `init` writes (test/render/compat/, from aws/copilot-cli,
// Apache-2.0, see NOTICE.copilot-cli) packages for each environment it names, and each environment
// manifest renders an environment stack; all pass the specification checks.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {type WorkspaceManifests, packageEnvironment, packageWorkload} from '../../src/app/package.js'
import {resolveWorkloadYaml} from '../golden/source.js'
import {checkTemplate} from './check-template.js'

const dir = fileURLToPath(new URL('./compat/', import.meta.url))
const files = readdirSync(dir).filter((f) => f.endsWith('.yml'))
const text = (f: string) => readFileSync(join(dir, f), 'utf8')
const workloads = files.filter((f) => !f.startsWith('environment-') && !f.startsWith('pipeline-'))
const environments = files.filter((f) => f.startsWith('environment-'))
const defaultEnv = parse(text('environment-default.yml'))

function source(workloadFile: string, envName: string, envManifest: unknown = {...defaultEnv, name: envName}): WorkspaceManifests {
  const m = parse(text(workloadFile))
  return {
    root: '/workspace',
    application: 'phonetool-app',
    environments: [envName],
    workloads: [{name: m.name, type: m.type}],
    environment: () => envManifest as never,
    workload: (_n, env) => resolveWorkloadYaml(text(workloadFile), env) as never,
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
    const env = parse(text(f))
    const src = source('lb-svc.yml', env.name, env)
    const result = packageEnvironment(src, env.name)
    expect(check(result.files)).toEqual([])
  })
})
