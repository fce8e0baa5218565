// `pier svc override` / `pier env override`: scaffold `overrides/` for a workload or the environments.
// The resources a CDK application transforms are checked against the template Pier renders.
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'

import {type OverrideTool, overrideFiles} from '../addons/override-scaffold.js'
import {UserError} from '../errors.js'
import {didYouMean} from '../manifest/suggest.js'
import {packageEnvironment, packageWorkload, type WorkspaceManifests} from './package.js'
import {parse} from 'yaml'

export interface OverrideInitInput {
  src: WorkspaceManifests
  /** A workload's name, or undefined for the environments. */
  workload?: string
  env: string
  tool: OverrideTool
  resources: string[]
  cwd: string
}

/** The resources of the template Pier renders, for --resources. */
export function renderedResources(src: WorkspaceManifests, workload: string | undefined, env: string): {logicalId: string; type: string}[] {
  const kind = src.workloads.find((w) => w.name === workload)?.type === 'Scheduled Job' ? 'job' : 'service'
  const pkg = workload ? packageWorkload(src, {name: workload, env, kind}) : packageEnvironment(src, env)
  const template = parse(pkg.files[0]!.content) as {Resources: Record<string, {Type: string}>}
  return Object.entries(template.Resources).map(([logicalId, r]) => ({logicalId, type: r.Type}))
}

export function initOverrides(input: OverrideInitInput): string[] {
  const dir = join(input.src.root, 'copilot', input.workload ?? 'environments', 'overrides')
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserError(`${relative(input.cwd, dir) || dir} is not empty: overrides are scaffolded into an empty directory`, {hint: 'Edit the files there, or remove the directory to scaffold again.'})
  }
  let chosen: {logicalId: string; type: string}[] = []
  if (input.tool === 'cdk' && input.resources.length) {
    const all = renderedResources(input.src, input.workload, input.env)
    chosen = input.resources.map((id) => {
      const r = all.find((x) => x.logicalId === id)
      if (r) return r
      const guess = didYouMean(id, all.map((x) => x.logicalId))
      throw new UserError(`the template of ${input.workload ?? 'the environment'} has no resource ${id}`, {hint: guess ? `Did you mean ${guess}?` : `Resources: ${all.map((x) => x.logicalId).join(', ')}.`})
    })
  }
  const written: string[] = []
  for (const f of overrideFiles(input.tool, input.workload ? 'workload' : 'environment', chosen)) {
    const path = join(dir, f.path)
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, f.content)
    written.push(relative(input.cwd, path) || path)
  }
  return written
}
