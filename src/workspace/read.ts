// Reads the manifests of a workspace from disk and hands them to the pure core in src/manifest/.
import {readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {UserError} from '../cli/errors.js'
import type {Diagnostic} from '../manifest/diagnostics.js'
import {type Resolved, resolveEnvironmentText, resolveWorkloadText} from '../manifest/resolve.js'
import {schemaIssues} from '../manifest/schema.js'
import {locator} from '../manifest/locate.js'
import {parseSource} from '../manifest/source.js'
import {didYouMean} from '../manifest/suggest.js'
import type {EnvironmentManifest, WorkloadManifest} from '../manifest/types.js'
import type {Workspace, WorkloadEntry} from './find.js'

export interface ResolveOptions {
  /** Values for `${VAR}`; process.env by default. */
  vars?: Readonly<Record<string, string | undefined>>
}

export function environmentManifestPath(ws: Workspace, env: string): string {
  return join(ws.copilotDir, 'environments', env, 'manifest.yml')
}

export function findWorkload(ws: Workspace, name: string): WorkloadEntry {
  const w = ws.workloads.find((x) => x.name === name)
  if (w) return w
  const guess = didYouMean(name, ws.workloads.map((x) => x.name))
  throw new UserError(`workload "${name}" not found: there is no copilot/${name}/manifest.yml in ${ws.root}`, {
    hint: guess ? `Did you mean "${guess}"?` : ws.workloads.length > 0 ? `Workloads: ${ws.workloads.map((x) => x.name).join(', ')}.` : 'Create one with `pier svc init` or `pier job init`.',
  })
}

export function checkEnvironment(ws: Workspace, env: string): void {
  if (ws.environments.includes(env)) return
  const guess = didYouMean(env, ws.environments)
  throw new UserError(`environment "${env}" not found: there is no copilot/environments/${env}/manifest.yml in ${ws.root}`, {
    hint: guess ? `Did you mean "${guess}"?` : ws.environments.length > 0 ? `Environments: ${ws.environments.join(', ')}.` : `Create it with \`pier env init --name ${env}\`.`,
  })
}

function read(ws: Workspace, path: string): {file: string; text: string} {
  return {file: relative(ws.root, path), text: readFileSync(path, 'utf8')}
}

export function resolveEnvironment(ws: Workspace, env: string, opts: ResolveOptions = {}): Resolved<EnvironmentManifest> {
  checkEnvironment(ws, env)
  return resolveEnvironmentText({...read(ws, environmentManifestPath(ws, env)), app: ws.application, env, environments: ws.environments, vars: opts.vars ?? process.env, expectedName: env})
}

/** The workload's manifest merged for an environment (or its base manifest when `env` is undefined). */
export function resolveWorkload(ws: Workspace, name: string, env: string | undefined, opts: ResolveOptions = {}): Resolved<WorkloadManifest> {
  const w = findWorkload(ws, name)
  if (env !== undefined) checkEnvironment(ws, env)
  return resolveWorkloadText({...read(ws, w.path), app: ws.application, ...(env === undefined ? {} : {env}), environments: ws.environments, vars: opts.vars ?? process.env, expectedName: name})
}

/** Every problem of the workspace: .workspace, each environment, each workload merged for each environment. */
export function validateWorkspace(ws: Workspace, opts: {names?: string[]; envs?: string[]} & ResolveOptions = {}): Diagnostic[] {
  const names = opts.names?.length ? opts.names : ws.workloads.map((w) => w.name)
  names.forEach((n) => findWorkload(ws, n))
  const envs = opts.envs?.length ? opts.envs : ws.environments
  envs.forEach((e) => checkEnvironment(ws, e))
  const diags: Diagnostic[] = [...workspaceFileDiagnostics(ws)]
  if (!opts.names?.length) for (const env of envs) diags.push(...resolveEnvironment(ws, env, opts).diagnostics)
  for (const name of names) {
    for (const env of envs.length > 0 ? envs : [undefined]) diags.push(...resolveWorkload(ws, name, env, opts).diagnostics)
  }
  const seen = new Set<string>()
  return diags.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function workspaceFileDiagnostics(ws: Workspace): Diagnostic[] {
  const {file, text} = read(ws, join(ws.copilotDir, '.workspace'))
  const {source, diagnostics} = parseSource(file, text)
  if (diagnostics.length > 0) return diagnostics
  return schemaIssues('workspace', source.doc.toJS()).map(locator(source))
}
