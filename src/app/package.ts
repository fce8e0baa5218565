// `svc package`, `job package`, `env package`: render a workload's or an environment's stack offline,
// as deploy would, without AWS. Values that exist only after deployment come through parameters and
// imports; images built from source are named `<app>/<workload>:<tag>` until deploy pushes them.

import {mkdirSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {UserError} from '../errors.js'
import type {EcsWorkloadManifest, EnvironmentManifest, WorkloadManifest, WorkloadType} from '../manifest/types.js'
import {environmentFacts, environmentNeeds, type ImportedAlb, RenderError, renderEnvironmentStack, renderWorkloadStack, type WorkloadDeployInputs} from '../render/index.js'
import {addonsTemplateBody, addonsWiring, applyOverrides, checkAddonsParent, loadAddons} from './addons.js'
import {environmentFiles, type PackagedFile, workloadFiles} from './package-files.js'
import {buildLabels, sourceBuilds} from './source-builds.js'

/** The manifests of a workspace, resolved (interpolated, defaults and overrides applied, validated).
 * Each method throws a UserError that shows the diagnostics when a manifest has errors. */
export interface WorkspaceManifests {
  root: string
  application: string
  environments: string[]
  workloads: {name: string; type: WorkloadType}[]
  environment(env: string): EnvironmentManifest
  workload(name: string, env: string): WorkloadManifest
}

export type WorkloadKind = 'service' | 'job'

/** The addons template as `--upload-assets` uploaded it. */
export interface UploadedTemplate {
  url: string
  body: string
}

export interface PackageResult {
  stackName: string
  files: PackagedFile[]
  /** What extends the stack: the addons nested stack and the overrides applied, for the user. */
  notes?: string[]
}


function checkKind(src: WorkspaceManifests, name: string, kind: WorkloadKind): void {
  const w = src.workloads.find((x) => x.name === name)
  if (!w) return // the source reports unknown names itself, with suggestions
  const isJob = w.type === 'Scheduled Job'
  if (kind === 'service' && isJob) throw new UserError(`${name} is a job, not a service`, {hint: `Run \`pier job package -n ${name}\`.`})
  if (kind === 'job' && !isJob) throw new UserError(`${name} is a service, not a job`, {hint: `Run \`pier svc package -n ${name}\`.`})
}

function isEcs(m: WorkloadManifest): m is EcsWorkloadManifest {
  return m.type === 'Load Balanced Web Service' || m.type === 'Backend Service' || m.type === 'Worker Service' || m.type === 'Scheduled Job'
}

function rendering<T>(what: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof RenderError) throw new UserError(`cannot render ${what}: ${error.message}`, {hint: 'Fix the manifest and run the command again.'})
    throw error
  }
}

/** The deploy-time inputs `package` can know offline. */
export function offlineInputs(src: Pick<WorkspaceManifests, 'root' | 'application'>, name: string, manifest: EcsWorkloadManifest, env: EnvironmentManifest, tag: string): WorkloadDeployInputs {
  const builds = sourceBuilds(src.root, name, manifest)
  return {
    images: Object.fromEntries(builds.map((b) => [b.container, `${src.application}/${b.container === name ? name : `${name}-${b.container}`}:${tag}`])),
    dockerLabels: buildLabels(builds),
    environment: environmentFacts(env),
  }
}

export function packageWorkload(src: WorkspaceManifests, opts: {name: string; env: string; kind: WorkloadKind; tag?: string; uploaded?: UploadedTemplate; importedAlb?: ImportedAlb}): PackageResult {
  checkKind(src, opts.name, opts.kind)
  const manifest = src.workload(opts.name, opts.env)
  if (!isEcs(manifest)) {
    throw new UserError(`${opts.name} is a ${manifest.type}: Pier packages ECS workloads only`, {
      hint: 'Load Balanced Web Service, Backend Service, Worker Service and Scheduled Job can be packaged and deployed.',
    })
  }
  const envManifest = src.environment(opts.env)
  const inputs = offlineInputs(src, opts.name, manifest, envManifest, opts.tag ?? 'latest')
  if (opts.importedAlb) inputs.importedAlb = opts.importedAlb
  const addons = loadAddons(src.root, {workload: opts.name})
  const addonsFile = `${opts.name}-${opts.env}.addons.stack.yml`
  if (addons) inputs.addons = addonsWiring(addons, opts.uploaded?.url ?? addonsFile)
  const stack = rendering(`${opts.name} for environment ${opts.env}`, () =>
    renderWorkloadStack({app: src.application, env: opts.env, name: opts.name, manifest, inputs}),
  )
  const overridden = applyOverrides(src.root, {workload: opts.name}, stack.template, {app: src.application, env: opts.env})
  checkAddonsParent(addons, {workload: opts.name}, overridden.template)
  const files = workloadFiles(opts.name, opts.env, {...stack, template: overridden.template})
  if (addons) files.push({name: addonsFile, content: opts.uploaded?.body ?? addonsTemplateBody(addons)})
  return {stackName: stack.stackName, files, notes: extensionNotes(addons ? `copilot/${opts.name}/addons` : undefined, addons, overridden.applied)}
}

/** Deploy-time values of an environment that the command looked up (package renders offline otherwise). */
export interface EnvironmentLookups {
  cloudFrontPrefixListId?: string
}

export function packageEnvironment(src: WorkspaceManifests, env: string, uploaded?: UploadedTemplate, lookups: EnvironmentLookups = {}): PackageResult {
  const manifest = src.environment(env)
  // As deploy does: a workload whose manifest has errors cannot be deployed, so it needs nothing.
  const workloads = src.workloads.flatMap((w) => {
    try {
      return [{name: w.name, manifest: src.workload(w.name, env)}]
    } catch (error) {
      if (error instanceof UserError) return []
      throw error
    }
  })
  const addons = loadAddons(src.root, 'environments')
  const addonsFile = `${env}.env.addons.stack.yml`
  const stack = rendering(`environment ${env}`, () =>
    renderEnvironmentStack({app: src.application, env, manifest, needs: environmentNeeds(workloads), ...lookups, ...(addons ? {addons: addonsWiring(addons, uploaded?.url ?? addonsFile)} : {})}),
  )
  const overridden = applyOverrides(src.root, 'environments', stack.template, {app: src.application, env})
  checkAddonsParent(addons, 'environments', overridden.template)
  const files = environmentFiles(env, {...stack, template: overridden.template})
  if (addons) files.push({name: addonsFile, content: uploaded?.body ?? addonsTemplateBody(addons)})
  return {stackName: stack.stackName, files, notes: extensionNotes(addons ? 'copilot/environments/addons' : undefined, addons, overridden.applied)}
}

function extensionNotes(dir: string | undefined, addons: ReturnType<typeof loadAddons>, overrides: string | undefined): string[] {
  const notes: string[] = []
  if (dir && addons) {
    const resources = Object.keys(addons.template.Resources ?? {}).length
    notes.push(`Addons: ${resources} resource${resources === 1 ? '' : 's'} from ${dir}, deployed as the nested stack AddonsStack.`)
  }
  if (overrides) notes.push(`Overrides: applied ${overrides}.`)
  return notes
}

/** Writes the files into a directory (created when missing); returns their paths. */
export function writePackage(files: PackagedFile[], outputDir: string, cwd: string): string[] {
  const dir = resolve(cwd, outputDir)
  mkdirSync(dir, {recursive: true})
  return files.map((f) => {
    const path = join(dir, f.name)
    writeFileSync(path, f.content)
    return path
  })
}
