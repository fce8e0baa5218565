// Reads what extends a workload's or the environments' stacks from disk: `addons/` templates and their
// addons.parameters.yml, and `overrides/` (cfn.patches.yml, or a CDK application). Parsing and merging
// are the pure core's (src/addons); this module only finds files and hands over their text.
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {extname, join, relative} from 'node:path'

import {type AddonFiles, parseCfnYaml, type ParsedYaml, PATCH_FILE} from '../addons/index.js'
import type {Workspace as FullWorkspace} from './find.js'

type Workspace = Pick<FullWorkspace, 'root' | 'copilotDir'>

const YAML = new Set(['.yml', '.yaml'])
const PARAMETER_FILES = new Set(['addons.parameters.yml', 'addons.parameters.yaml'])

/** The directory of a workload (`copilot/<name>`) or of the environments (`copilot/environments`). */
export function extensionDir(ws: Workspace, owner: {workload: string} | 'environments'): string {
  return owner === 'environments' ? join(ws.copilotDir, 'environments') : join(ws.copilotDir, owner.workload)
}

function parseFile(ws: Workspace, path: string): ParsedYaml {
  return parseCfnYaml(relative(ws.root, path), readFileSync(path, 'utf8'))
}

/** The addon files of a workload or of the environments; undefined when there is no addons/ or no template in it. */
export function readAddonFiles(ws: Workspace, owner: {workload: string} | 'environments'): (AddonFiles & {dir: string; parameterFiles: string[]}) | undefined {
  const dir = join(extensionDir(ws, owner), 'addons')
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined
  const names = readdirSync(dir).filter((f) => YAML.has(extname(f)) && statSync(join(dir, f)).isFile()).sort()
  const templates = names.filter((f) => !PARAMETER_FILES.has(f)).map((f) => parseFile(ws, join(dir, f)))
  const parameterFiles = names.filter((f) => PARAMETER_FILES.has(f))
  if (templates.length === 0) return undefined
  return {
    dir,
    templates,
    parameterFiles,
    ...(parameterFiles.length === 1 ? {parameters: parseFile(ws, join(dir, parameterFiles[0]!))} : {}),
  }
}

export type Overrides =
  | {kind: 'patch'; file: ParsedYaml; path: string}
  | {kind: 'cdk'; dir: string}

/** `overrides/cfn.patches.yml`, or `overrides/` holding a CDK application (a cdk.json), as Copilot looks for them. */
export function readOverrides(ws: Workspace, owner: {workload: string} | 'environments'): Overrides | undefined {
  const dir = join(extensionDir(ws, owner), 'overrides')
  if (!existsSync(dir)) return undefined
  const patch = join(dir, PATCH_FILE)
  if (existsSync(patch)) return {kind: 'patch', file: parseFile(ws, patch), path: patch}
  if (existsSync(join(dir, 'cdk.json'))) return {kind: 'cdk', dir}
  return undefined
}
