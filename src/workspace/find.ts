// Finding and listing a Copilot workspace: `copilot/.workspace` in the current directory or up to 5
// parents, environments under `copilot/environments/<env>/manifest.yml`, workloads under
// `copilot/<name>/manifest.yml`. Reads only what `ls` needs (the `type:` line), so it stays fast.
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {parse} from 'yaml'

import {UserError} from '../errors.js'
import type {WorkloadType} from '../manifest/types.js'

export interface WorkloadEntry {
  name: string
  type: WorkloadType
  /** Absolute path of the workload's manifest.yml. */
  path: string
}

export interface Workspace {
  /** The directory that holds `copilot/` (image build paths are relative to it). */
  root: string
  copilotDir: string
  application: string
  environments: string[]
  workloads: WorkloadEntry[]
  /**
   * No environment manifests at all: a workspace of Copilot before v1.21, which kept each
   * environment's configuration in SSM and the environment stack. Its environments are those the
   * workloads name under `environments:`, and any environment name is accepted.
   */
  legacy?: boolean
}

export const MAX_PARENTS = 5
const RESERVED_DIRS = new Set(['environments', 'pipelines', '.workspace'])

export function findWorkspaceRoot(cwd: string): string | undefined {
  let dir = cwd
  for (let i = 0; i <= MAX_PARENTS; i++) {
    if (existsSync(join(dir, 'copilot', '.workspace'))) return dir
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return undefined
}

export function noWorkspaceError(cwd: string): UserError {
  return new UserError(`no workspace found: Pier looks for copilot/.workspace in ${cwd} and up to ${MAX_PARENTS} parent directories`, {
    hint: 'Run `pier app init NAME` at the root of your project, or cd into a directory that has a copilot/ workspace.',
  })
}

export function loadWorkspace(cwd: string): Workspace {
  const root = findWorkspaceRoot(cwd)
  if (!root) throw noWorkspaceError(cwd)
  const copilotDir = join(root, 'copilot')
  const environments = listManifestDirs(join(copilotDir, 'environments')).sort()
  const workloads = listManifestDirs(copilotDir)
    .filter((name) => !RESERVED_DIRS.has(name))
    .sort()
    .map((name) => {
      const path = join(copilotDir, name, 'manifest.yml')
      return {name, type: readType(path), path}
    })
  const application = readApplication(join(copilotDir, '.workspace'))
  if (environments.length > 0) return {root, copilotDir, application, environments, workloads}
  return {root, copilotDir, application, environments: overrideEnvironments(workloads), workloads, legacy: true}
}

/** The environments workloads name under `environments:` (read only for workspaces without environment manifests). */
function overrideEnvironments(workloads: WorkloadEntry[]): string[] {
  const names = new Set<string>()
  for (const w of workloads) {
    try {
      const envs = (parse(readFileSync(w.path, 'utf8'), {logLevel: 'silent'}) as {environments?: unknown} | null)?.environments
      if (envs && typeof envs === 'object' && !Array.isArray(envs)) for (const k of Object.keys(envs)) names.add(k)
    } catch {
      // A manifest that does not parse names no environment; validate reports it.
    }
  }
  return [...names].sort()
}

function readApplication(file: string): string {
  let doc: unknown
  try {
    doc = parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UserError(`copilot/.workspace is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'It should hold one line: `application: NAME`.',
    })
  }
  const app = (doc as {application?: unknown} | null)?.application
  if (typeof app !== 'string' || app === '') {
    throw new UserError('copilot/.workspace has no application name: the `application` field is missing or empty', {
      hint: 'Write `application: NAME` in copilot/.workspace, or run `pier app init NAME`.',
    })
  }
  return app
}

function listManifestDirs(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {withFileTypes: true})
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(join(dir, e.name, 'manifest.yml')))
    .map((e) => e.name)
}

const TYPE_LINE = /^type:[ \t]*(["']?)([^"'#\r\n]+?)\1[ \t]*(#.*)?$/m

/** The `type:` of a manifest, from its line when it has a plain one; an unreadable type reads as the empty string. */
function readType(path: string): WorkloadType {
  const text = readFileSync(path, 'utf8')
  const m = TYPE_LINE.exec(text)
  if (m?.[2]) return m[2].trim() as WorkloadType
  try {
    const type = (parse(text) as {type?: unknown} | null)?.type
    return (typeof type === 'string' ? type : '') as WorkloadType
  } catch {
    return '' as WorkloadType
  }
}
