// Reads the manifests of a workspace from disk and hands them to the pure core in src/manifest/.
import {existsSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {UserError} from '../errors.js'
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
  /** What Copilot ignored (unknown keys, values it dropped) is an error, not a warning. */
  strict?: boolean
}

export function environmentManifestPath(ws: Workspace, env: string): string {
  return join(ws.copilotDir, 'environments', env, 'manifest.yml')
}

// The one place that says a workload or an environment is missing: every command reads through here.
export function findWorkload(ws: Workspace, name: string): WorkloadEntry {
  const w = ws.workloads.find((x) => x.name === name)
  if (w) return w
  throw new UserError(`There is no workload ${name} in this workspace: copilot/${name}/manifest.yml does not exist.`, {
    hint: missingHint(name, ws.workloads.map((x) => x.name), `\`pier svc init --name ${name}\` (or \`pier job init\`)`),
  })
}

export function checkEnvironment(ws: Workspace, env: string): void {
  // Copilot before v1.21 kept environments outside the workspace: any name may be one.
  if (ws.environments.includes(env) || ws.legacy) return
  throw new UserError(`There is no environment ${env} in this workspace: copilot/environments/${env}/manifest.yml does not exist.`, {
    hint: missingHint(env, ws.environments, `\`pier env init --name ${env}\``),
  })
}

/** A close name when there is one; else the names there are, and how to create the missing one. */
function missingHint(name: string, names: string[], create: string): string {
  const guess = didYouMean(name, names)
  if (guess) return `Did you mean "${guess}"?`
  return names.length > 0 ? `Use one of: ${names.join(', ')}; or create it with ${create}.` : `Create it with ${create}.`
}

function read(ws: Workspace, path: string): {file: string; text: string} {
  return {file: relative(ws.root, path), text: readFileSync(path, 'utf8')}
}

export function resolveEnvironment(ws: Workspace, env: string, opts: ResolveOptions = {}): Resolved<EnvironmentManifest> {
  checkEnvironment(ws, env)
  const path = environmentManifestPath(ws, env)
  if (ws.legacy && !existsSync(path)) return legacyEnvironment(ws, env)
  return resolveEnvironmentText({...read(ws, path), app: ws.application, env, environments: ws.environments, vars: opts.vars ?? process.env, expectedName: env, strict: opts.strict})
}

/**
 * An environment of a workspace without environment manifests (Copilot before v1.21): offline, the
 * environment Copilot creates by default (a new VPC with two public and two private subnets, no
 * certificate), said in a warning. Deploying to an environment that exists reads its configuration
 * from the environment's stack and SSM record instead (`pier env show --manifest` prints it).
 */
export function legacyEnvironment(ws: Workspace, env: string): Resolved<EnvironmentManifest> {
  const file = relative(ws.root, environmentManifestPath(ws, env))
  return {
    manifest: {name: env, type: 'Environment'} as EnvironmentManifest,
    ok: true,
    diagnostics: [{file, line: 1, col: 1, severity: 'warning', code: 'no-environment-manifest', path: '',
      message: `environment "${env}" has no manifest (Copilot before v1.21 kept its configuration in SSM and the environment stack): offline, Pier uses Copilot's default environment, a new VPC with public and private subnets and no certificate`,
      hint: `Deploys to an existing environment read its configuration from its stack; \`pier env show -n ${env} --manifest\` prints it, to save as ${file}.`}],
  }
}

/** The workload's manifest merged for an environment (or its base manifest when `env` is undefined). */
export function resolveWorkload(ws: Workspace, name: string, env: string | undefined, opts: ResolveOptions = {}): Resolved<WorkloadManifest> {
  if (env !== undefined) checkEnvironment(ws, env)
  return mergeWorkload(ws, name, env, opts)
}

/** The workload merged for an environment, which need not have a manifest here (validate only). */
function mergeWorkload(ws: Workspace, name: string, env: string | undefined, opts: ResolveOptions): Resolved<WorkloadManifest> {
  const w = findWorkload(ws, name)
  return resolveWorkloadText({...read(ws, w.path), app: ws.application, ...(env === undefined ? {} : {env}), environments: ws.environments, vars: opts.vars ?? process.env, expectedName: name, strict: opts.strict})
}

/** Every problem of the workspace: .workspace, each environment, each workload merged for each environment. */
export function validateWorkspace(ws: Workspace, opts: {names?: string[]; envs?: string[]} & ResolveOptions = {}): Diagnostic[] {
  return checkWorkspace(ws, opts).diagnostics
}

/** What validateWorkspace finds, with the environments it checked the workloads in. */
export function checkWorkspace(ws: Workspace, opts: {names?: string[]; envs?: string[]} & ResolveOptions = {}): {diagnostics: Diagnostic[]; environments: string[]} {
  const names = opts.names?.length ? opts.names : ws.workloads.map((w) => w.name)
  names.forEach((n) => findWorkload(ws, n))
  const envs = opts.envs?.length ? opts.envs : ws.environments
  envs.forEach((e) => checkEnvironment(ws, e))
  const diags: Diagnostic[] = [...workspaceFileDiagnostics(ws)]
  if (!opts.names?.length) for (const env of envs) diags.push(...resolveEnvironment(ws, env, opts).diagnostics)
  // Overrides for an environment with no manifest here (one made from another workspace) are
  // checked too: a deploy from there applies them. Their key gets the unknown-environment warning.
  // The first pass reads which environments each manifest names, so no manifest is parsed twice for it.
  const named = new Set<string>()
  const pass = (env: string | undefined): void => {
    const resolved = new Map<string, WorkloadManifest>()
    for (const name of names) {
      const r = mergeWorkload(ws, name, env, opts)
      diags.push(...r.diagnostics)
      r.overrides?.forEach((e) => named.add(e))
      resolved.set(name, r.manifest)
    }
    diags.push(...subscriptionDiagnostics(ws, resolved, env, opts))
  }
  for (const env of envs.length > 0 ? envs : [undefined]) pass(env)
  const elsewhere = opts.envs?.length ? [] : [...named].filter((e) => !envs.includes(e)).sort()
  for (const env of elsewhere) pass(env)
  const seen = new Set<string>()
  const diagnostics = diags.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  return {diagnostics, environments: [...envs, ...elsewhere]}
}

/**
 * Subscriptions name a topic and the service that publishes it. A publisher of this workspace must
 * publish that topic (an error); a publisher outside it may be deployed from another workspace of the
 * application (a warning). Services outside the validated set are read too.
 */
function subscriptionDiagnostics(ws: Workspace, resolved: Map<string, WorkloadManifest>, env: string | undefined, opts: ResolveOptions): Diagnostic[] {
  const out: Diagnostic[] = []
  const publishers = new Map<string, string[] | undefined>()
  const topicsOf = (service: string): string[] | undefined => {
    if (!publishers.has(service)) {
      const m = resolved.get(service) ?? (ws.workloads.some((w) => w.name === service) ? mergeWorkload(ws, service, env, opts).manifest : undefined)
      const topics = (m as {publish?: {topics?: {name?: unknown}[]}} | undefined)?.publish?.topics
      publishers.set(service, m ? (Array.isArray(topics) ? topics.map((t) => String(t?.name)) : []) : undefined)
    }
    return publishers.get(service)
  }
  for (const [name, m] of resolved) {
    const subs = (m as {subscribe?: {topics?: unknown}}).subscribe?.topics
    if (m.type !== 'Worker Service' || !Array.isArray(subs)) continue
    let locate: ReturnType<typeof locator> | undefined
    const at = (): ReturnType<typeof locator> => {
      if (!locate) {
        const w = findWorkload(ws, name)
        locate = locator(parseSource(relative(ws.root, w.path), readFileSync(w.path, 'utf8')).source, env)
      }
      return locate
    }
    subs.forEach((sub: {name?: unknown; service?: unknown} | null, i) => {
      if (typeof sub?.service !== 'string' || typeof sub.name !== 'string') return
      const topics = topicsOf(sub.service)
      if (topics === undefined) {
        const guess = didYouMean(sub.service, ws.workloads.map((w) => w.name))
        // An application may span several repositories: the publisher can live in another workspace,
        // so, as Copilot did, this is only known once deployed; offline it is a warning.
        out.push(at()({path: ['subscribe', 'topics', i, 'service'], code: 'unknown-reference', severity: 'warning',
          message: `the subscription to "${sub.name}" names service "${sub.service}", which is not in this workspace: it must be deployed from another workspace of the application, with that topic, before this worker`,
          hint: guess ? `Did you mean "${guess}"?` : `Workloads here: ${ws.workloads.map((w) => w.name).join(', ')}.`}))
      } else if (!topics.includes(sub.name)) {
        out.push(at()({path: ['subscribe', 'topics', i, 'name'], code: 'unknown-reference',
          message: `service "${sub.service}" publishes no topic "${sub.name}": ${topics.length ? `it publishes ${topics.map((t) => `"${t}"`).join(', ')}` : 'it has no publish.topics'}`,
          hint: `Add \`publish: {topics: [{name: ${sub.name}}]}\` to ${sub.service}'s manifest, or fix the topic name.`}))
      }
    })
  }
  return out
}

function workspaceFileDiagnostics(ws: Workspace): Diagnostic[] {
  const {file, text} = read(ws, join(ws.copilotDir, '.workspace'))
  const {source, diagnostics} = parseSource(file, text)
  if (diagnostics.length > 0) return diagnostics
  return schemaIssues('workspace', source.doc.toJS()).map(locator(source))
}
