// The takeover of Copilot's stacks replaces and removes nothing that holds state or identity: for each
// of Copilot's golden cases (test/fixtures/copilot-golden, see its NOTICE.md), every stateful resource
// that Copilot's template creates for the case's parameters is in Pier's template for the same manifest
// under the same logical ID and type, created too, with the same create-only properties.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'
import type {EcsWorkloadManifest, EnvironmentManifest} from '../../src/manifest/types.js'
import {renderEnvironmentStack, renderWorkloadStack} from '../../src/render/index.js'
import {compareStateful, type Finding, IMPORTED_ALB, loadCopilotTemplate, missingExports, Resolved, workloadCases} from './copilot-stateful.js'

const dir = join(import.meta.dirname, '..', 'fixtures', 'copilot-golden')
const files = readdirSync(dir)
const read = (f: string) => readFileSync(join(dir, f), 'utf8')
const paramsOf = (f: string) => JSON.parse(read(f)).Parameters as Record<string, unknown>

/**
 * Where Pier deliberately differs from Copilot, by case ('*': every case), logical ID and, for a
 * create-only property, `ID.Property`; each with the reason (docs/migrating-from-copilot.md says it too).
 */
const DELIBERATE: Record<string, Record<string, string>> = {
  '*': {
    // CloudFormation compares the resolved value: both name the environment's one managed file system.
    'AccessPoint.FileSystemId': 'Copilot read the managed file system ID from its environment controller custom resource; Pier imports the environment stack’s FilesystemID export, the same ID, so the access point is not replaced',
    BacklogPerTaskCalculatorLogGroup: 'the log group of Copilot’s backlog-per-task Lambda, which Pier replaces with metric math on the queue metrics: it holds only that function’s own logs',
  },
}

/** Copilot's environment exports that Pier names differently, each with the reason. */
const EXPORTS_RENAMED_WHY: Record<string, string> = {
  PublicLoadBalancerDNS: 'Pier exports the DNS name as PublicLoadBalancerDNSName, which its workload stacks import; Copilot’s own workload templates never imported it',
  InternalLoadBalancerDNS: 'Pier exports it as InternalLoadBalancerDNSName, which its workload stacks import; Copilot’s own workload templates never imported it',
}
const EXPORTS_RENAMED = Object.keys(EXPORTS_RENAMED_WHY)


function unexplained(name: string, findings: Finding[]): string[] {
  const table = {...DELIBERATE['*'], ...DELIBERATE[name]}
  return findings.filter((f) => !table[f.logicalId] && !table[`${f.logicalId}.${f.problem.split(':')[0]}`]).map((f) => `${f.logicalId} (${f.type}): ${f.problem}`)
}

function renderWorkload(manifestFile: string, params: Record<string, unknown>, envName: string) {
  const env = String(params.EnvName ?? envName)
  const app = String(params.AppName ?? 'my-app')
  const r = resolveWorkloadText({file: manifestFile, text: read(manifestFile), app, env, environments: ['test', 'prod', 'staging', 'dev', env], vars: {TAG: 'latest'}})
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length) throw new Error(errors.map((d) => `${d.path}: ${d.message}`).join('; '))
  const m = r.manifest as EcsWorkloadManifest
  const images: Record<string, string> = {[m.name]: 'image:latest'}
  for (const [n, s] of Object.entries(m.sidecars ?? {})) if (s.image && typeof s.image === 'object' && 'build' in s.image) images[n] = 'image:latest'
  const importedAlb = 'http' in m && m.http && m.http.alb ? IMPORTED_ALB : undefined
  return renderWorkloadStack({app, env, name: m.name, manifest: m, inputs: {images, environment: {httpsListener: true, certificates: ['arn:cert']}, ...(importedAlb ? {importedAlb} : {})}})
}

/** Copilot's environment cases: `env-<case>-manifest.yml`, `-template.yml` and `-params.json`. */
const envCases = files.filter((f) => /^env-.*-template\.yml$/.test(f)).map((f) => f.replace(/^env-|-template\.yml$/g, ''))

function renderEnvironment(c: string, params: Record<string, unknown>) {
  const file = `env-${c}-manifest.yml`
  const app = String(params.AppName)
  const env = String(params.EnvironmentName)
  const r = resolveEnvironmentText({file, text: read(file), app, env, environments: [env], vars: {}})
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length) throw new Error(errors.map((d) => `${d.path}: ${d.message}`).join('; '))
  const list = (k: string) => String(params[k] ?? '').split(',').filter(Boolean)
  const needs = {publicAlb: list('ALBWorkloads'), internalAlb: list('InternalALBWorkloads'), nat: list('NATWorkloads'), efs: list('EFSWorkloads')}
  return renderEnvironmentStack({app, env, manifest: r.manifest as EnvironmentManifest, needs})
}

describe("Copilot's stateful resources survive the takeover", () => {
  const totals = {checked: 0, kept: 0}
  const check = (name: string, copilot: Resolved, pier: Resolved) => {
    const {checked, findings} = compareStateful(copilot, pier)
    totals.checked += checked
    totals.kept += checked - new Set(findings.map((f) => f.logicalId)).size
    if (process.env.PIER_GOLDEN_REPORT) console.log(`${name}: ${checked} stateful${findings.map((f) => `\n    ${f.logicalId} (${f.type}): ${f.problem}`).join('')}`)
    expect(checked).toBeGreaterThan(0)
    expect(unexplained(name, findings)).toEqual([])
  }

  for (const c of envCases) {
    it(`environment ${c}`, () => {
      const params = paramsOf(`env-${c}-params.json`)
      const stack = renderEnvironment(c, params)
      const pseudo = {'AWS::StackName': stack.stackName}
      const copilot = new Resolved(loadCopilotTemplate(join(dir, `env-${c}-template.yml`)), {...params, ...pseudo})
      const pier = new Resolved(stack.template, {...stack.parameters, ...pseudo})
      check(`env ${c}`, copilot, pier)
      // Workload stacks and users' addons import the environment's exports: each must stay.
      expect(missingExports(copilot, pier).filter((e) => !EXPORTS_RENAMED.some((r) => e.startsWith(`${stack.stackName}-${r} `)))).toEqual([])
    })
  }

  for (const c of workloadCases(files)) {
    it(`workload ${c.name}`, () => {
      const params = paramsOf(c.params)
      const stack = renderWorkload(c.manifest, params, c.env)
      const pseudo = {'AWS::StackName': stack.stackName}
      const copilot = new Resolved(loadCopilotTemplate(join(dir, c.template)), {...params, ...pseudo})
      const pier = new Resolved(stack.template, {...stack.parameters, ...pseudo})
      check(c.name, copilot, pier)
      expect(missingExports(copilot, pier)).toEqual([])
    })
  }

  it('reports how many stateful resources are kept', () => {
    if (process.env.PIER_GOLDEN_REPORT) console.log(`stateful resources of Copilot's golden templates kept by Pier: ${totals.kept}/${totals.checked}`)
    // Every case above checked at least one; the deliberate differences are the only ones not kept.
    expect(totals.checked - totals.kept).toBeLessThanOrEqual(Object.keys(DELIBERATE['*'] ?? {}).length * 2)
  })

  it('every deliberate difference names its reason', () => {
    for (const table of [...Object.values(DELIBERATE), EXPORTS_RENAMED_WHY]) for (const reason of Object.values(table)) expect(reason.length).toBeGreaterThan(20)
    expect(envCases.sort()).toEqual(['basic', 'defaultvpc-flowlogs', 'importedvpc-flowlogs'])
  })
})
