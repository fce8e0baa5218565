// A WorkspaceManifests over a golden case's copilot/ directory. Stand-in until the manifest engine is on
// main: YAML, type defaults, and environment overrides merged with Copilot's basic rules.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'

import type {WorkspaceManifests} from '../../src/app/package.js'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined || over === null) return base
  if (isObject(base) && isObject(over)) {
    const out: Record<string, unknown> = {...base}
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v)
    return out
  }
  return over
}

const DEFAULTS: Record<string, Record<string, unknown>> = {
  'Load Balanced Web Service': {cpu: 256, memory: 512, count: 1, exec: false, network: {vpc: {placement: 'public'}}},
  'Backend Service': {cpu: 256, memory: 512, count: 1, exec: false, network: {vpc: {placement: 'public'}}},
  'Worker Service': {cpu: 256, memory: 512, count: 1, exec: false, network: {vpc: {placement: 'public'}}},
  'Scheduled Job': {cpu: 256, memory: 512, network: {vpc: {placement: 'public'}}},
}

/** A workload manifest's text merged for an environment. */
export function resolveWorkloadYaml(text: string, env: string): Record<string, any> {
  const {environments: overrides, ...m} = parse(text) as Record<string, any>
  return merge(merge(DEFAULTS[m.type] ?? {}, m), overrides?.[env]) as Record<string, any>
}

export function goldenSource(root: string): WorkspaceManifests {
  const copilot = join(root, 'copilot')
  const application = String(parse(readFileSync(join(copilot, '.workspace'), 'utf8')).application)
  const envDir = join(copilot, 'environments')
  const environments = existsSync(envDir) ? readdirSync(envDir).sort() : []
  const workloadNames = readdirSync(copilot)
    .filter((d) => d !== 'environments' && d !== '.workspace' && existsSync(join(copilot, d, 'manifest.yml')))
    .sort()
  const read = (p: string) => parse(readFileSync(p, 'utf8')) as Record<string, any>
  return {
    root,
    application,
    environments,
    workloads: workloadNames.map((name) => ({name, type: read(join(copilot, name, 'manifest.yml')).type})),
    environment: (env) => read(join(envDir, env, 'manifest.yml')) as any,
    workload: (name, env) => resolveWorkloadYaml(readFileSync(join(copilot, name, 'manifest.yml'), 'utf8'), env) as any,
  }
}
