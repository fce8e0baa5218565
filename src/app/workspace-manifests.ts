// WorkspaceManifests over the files of a real workspace, through the manifest engine. A manifest with
// errors stops the command with every diagnostic, located, as `pier validate` shows them.

import {UserError} from '../errors.js'
import {type EnvironmentManifest, formatDiagnostics, type Resolved} from '../manifest/index.js'
import {loadWorkspace, resolveEnvironment, resolveWorkload} from '../workspace/index.js'
import type {WorkspaceManifests} from './package.js'

function valid<T>(what: string, r: Resolved<T>, color: boolean, warn?: (text: string) => void): T {
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning')
  if (warn && warnings.length > 0) warn(formatDiagnostics(warnings, {color}))
  if (r.ok) return r.manifest
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  throw new UserError(`${what} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}:\n${formatDiagnostics(errors, {color})}`, {
    hint: 'Fix the manifest and run the command again; `pier validate` lists every problem.',
  })
}

export function workspaceManifests(cwd: string, opts: {color?: boolean; strict?: boolean; warn?: (text: string) => void} = {}): WorkspaceManifests {
  const ws = loadWorkspace(cwd)
  const color = opts.color ?? false
  // Each manifest's warnings are shown once, however often it is resolved.
  const shown = new Set<string>()
  const warn = opts.warn && ((text: string) => {
    if (shown.has(text)) return
    shown.add(text)
    opts.warn!(text)
  })
  // Packaging every workload reads the same environment manifest once, not once per workload.
  const environments = new Map<string, EnvironmentManifest>()
  return {
    root: ws.root,
    application: ws.application,
    environments: ws.environments,
    workloads: ws.workloads.map((w) => ({name: w.name, type: w.type})),
    environment(env) {
      let m = environments.get(env)
      if (!m) environments.set(env, (m = valid(`the manifest of environment ${env}`, resolveEnvironment(ws, env, {strict: opts.strict}), color, warn)))
      return m
    },
    workload: (name, env) => valid(`the manifest of ${name} for environment ${env}`, resolveWorkload(ws, name, env, {strict: opts.strict}), color, warn),
  }
}
