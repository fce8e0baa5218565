// Use case: validate the manifests of a workspace (all, or the named workloads and environments).
import type {Diagnostic} from '../manifest/diagnostics.js'
import {sortAndDedupe} from '../manifest/diagnostics.js'
import {loadWorkspace} from '../workspace/find.js'
import {checkWorkspace} from '../workspace/read.js'
import {addonDiagnostics} from './validate-addons.js'

export interface ValidateResult {
  application: string
  /** The directory holding copilot/; diagnostics' files are relative to it. */
  root: string
  workloads: string[]
  environments: string[]
  diagnostics: Diagnostic[]
  errors: number
  warnings: number
  ok: boolean
}

export async function validateManifests(opts: {cwd: string; names?: string[]; envs?: string[]; vars?: Record<string, string | undefined>; strict?: boolean}): Promise<ValidateResult> {
  const ws = loadWorkspace(opts.cwd)
  const selection = {...(opts.names ? {names: opts.names} : {}), ...(opts.envs ? {envs: opts.envs} : {})}
  const checked = checkWorkspace(ws, {...selection, ...(opts.vars ? {vars: opts.vars} : {}), strict: opts.strict})
  const diagnostics = sortAndDedupe([...checked.diagnostics, ...(await addonDiagnostics(ws, {...selection, ...(opts.vars ? {vars: opts.vars} : {})}))])
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  return {
    application: ws.application,
    root: ws.root,
    workloads: opts.names?.length ? opts.names : ws.workloads.map((w) => w.name),
    // With the environments named only in overrides (their overrides are checked too).
    environments: checked.environments,
    diagnostics,
    errors,
    warnings: diagnostics.length - errors,
    ok: errors === 0,
  }
}
