// Use case: a workload's manifest as Pier applies it to one environment (interpolated, defaults and
// overrides applied), or a per-environment summary of its configuration.
import {stringify} from 'yaml'

import {UserError} from '../errors.js'
import type {Diagnostic} from '../manifest/diagnostics.js'
import type {WorkloadManifest} from '../manifest/types.js'
import {type Workspace, loadWorkspace} from '../workspace/find.js'
import {findWorkload, resolveWorkload} from '../workspace/read.js'

export type WorkloadKind = 'service' | 'job'

export function kindOf(type: string): WorkloadKind {
  return type === 'Scheduled Job' ? 'job' : 'service'
}

function checkKind(ws: Workspace, name: string, kind: WorkloadKind): void {
  const w = findWorkload(ws, name)
  if (kindOf(w.type) !== kind) {
    const other = kind === 'service' ? 'job' : 'svc'
    throw new UserError(`"${name}" is a ${w.type || 'workload of unknown type'}, not a ${kind}`, {hint: `Use \`pier ${other} show -n ${name}\`.`})
  }
}

export interface ShownManifest {
  name: string
  env: string | undefined
  manifest: WorkloadManifest
  diagnostics: Diagnostic[]
}

export function showManifest(opts: {cwd: string; name: string; env?: string; kind: WorkloadKind}): ShownManifest {
  const ws = loadWorkspace(opts.cwd)
  checkKind(ws, opts.name, opts.kind)
  const r = resolveWorkload(ws, opts.name, opts.env)
  return {name: opts.name, env: opts.env, manifest: r.manifest, diagnostics: r.diagnostics}
}

export function manifestYaml(m: WorkloadManifest): string {
  return stringify(m, {lineWidth: 0})
}

export interface EnvironmentSummary {
  environment: string
  cpu?: number
  memory?: number
  count?: unknown
  port?: number
  image?: string
  schedule?: string
  ok: boolean
}

export function summarizeWorkload(opts: {cwd: string; name: string; env?: string; kind: WorkloadKind}): {name: string; type: string; application: string; environments: EnvironmentSummary[]} {
  const ws = loadWorkspace(opts.cwd)
  checkKind(ws, opts.name, opts.kind)
  const envs = opts.env ? [opts.env] : ws.environments
  const environments = envs.map((env): EnvironmentSummary => {
    const r = resolveWorkload(ws, opts.name, env)
    const m = r.manifest as Record<string, any>
    const image = m.image?.location ?? (typeof m.image?.build === 'string' ? `build ${m.image.build}` : m.image?.build?.dockerfile ? `build ${m.image.build.dockerfile}` : undefined)
    return {environment: env, cpu: m.cpu, memory: m.memory, count: m.count, port: m.image?.port, image, schedule: m.on?.schedule, ok: r.ok}
  })
  return {name: opts.name, type: findWorkload(ws, opts.name).type, application: ws.application, environments}
}
