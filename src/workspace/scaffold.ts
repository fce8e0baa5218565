// Writing a workspace: `.workspace`, environment manifests and workload manifests. The one place
// that writes files for `app init`, `env init`, `svc init` and `job init`; the deploy work extends
// these (registering with AWS) without writing manifests anywhere else.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

import {UserError} from '../errors.js'
import {formatDiagnostics} from '../manifest/diagnostics.js'
import {resolveEnvironmentText, resolveWorkloadText} from '../manifest/resolve.js'
import {type SchemaKind, schemaFileOf, schemaKindOf} from '../manifest/schema.js'
import {type Workspace, findWorkspaceRoot, loadWorkspace} from './find.js'
import {checkName} from './names.js'
import {packageRoot} from './package-root.js'
import {type EnvironmentTemplateInput, type WorkloadTemplateInput, environmentManifestText, workloadManifestText} from './templates.js'

export interface Written {
  /** Absolute path of the file. */
  path: string
  /** False when the file existed with the same content. */
  created: boolean
}

/** `$schema=` reference from a manifest to the installed schema, relative when possible. */
export function schemaRef(manifestPath: string, kind: SchemaKind): string {
  const root = packageRoot()
  const target = join(root, schemaFileOf(kind))
  // Inside the package (its example workspaces) the reference is relative, so it works in any clone.
  const inside = !relative(root, manifestPath).startsWith('..')
  return (inside ? relative(dirname(manifestPath), target) : target).split(sep).join('/')
}

function writeNew(path: string, text: string, force: boolean | undefined, what: string, flagHint: string): Written {
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') === text) return {path, created: false}
    if (!force) throw new UserError(`${what} already exists: ${path}`, {hint: `Edit it directly, or pass ${flagHint} to overwrite it.`})
  }
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, text)
  return {path, created: true}
}

/** Creates `copilot/.workspace` in `dir` (or confirms it names the same application). */
export function initApp(dir: string, name: string): Written & {root: string} {
  checkName('application', name, 'NAME')
  const existing = findWorkspaceRoot(dir)
  if (existing) {
    const ws = loadWorkspace(existing)
    if (ws.application !== name) {
      throw new UserError(`this directory is already in the workspace of application "${ws.application}" (${existing}): one workspace holds one application`, {
        hint: `Use \`-a ${ws.application}\`, or run \`pier app init ${name}\` in a directory outside ${existing}.`,
      })
    }
    return {path: join(ws.copilotDir, '.workspace'), created: false, root: existing}
  }
  const path = join(dir, 'copilot', '.workspace')
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, `application: ${name}\n`)
  return {path, created: true, root: dir}
}

export interface EnvironmentOptions extends Omit<EnvironmentTemplateInput, 'name'> {
  force?: boolean
}

export function writeEnvironmentManifest(ws: Workspace, env: string, opts: EnvironmentOptions = {}): Written {
  checkName('environment', env, '--name')
  const path = join(ws.copilotDir, 'environments', env, 'manifest.yml')
  const text = environmentManifestText({name: env, ...opts}, schemaRef(path, 'environment'))
  const check = resolveEnvironmentText({file: relative(ws.root, path), text, app: ws.application, env, environments: [...ws.environments, env], vars: {}})
  if (!check.ok) throw new UserError(`the environment manifest would not be valid:\n${formatDiagnostics(check.diagnostics)}`, {hint: 'Check the values passed in the flags.'})
  return writeNew(path, text, opts.force, `environment "${env}"`, '--force')
}

/** Writes an environment manifest whose body was made elsewhere (rebuilt from what is deployed);
 * `comments` go above it. Refused when the body is not a valid environment manifest. */
export function writeEnvironmentManifestBody(ws: Workspace, env: string, body: string, comments: string[]): Written {
  checkName('environment', env, '--name')
  const path = join(ws.copilotDir, 'environments', env, 'manifest.yml')
  const text = `# yaml-language-server: $schema=${schemaRef(path, 'environment')}\n${comments.map((c) => `# ${c}\n`).join('')}\n${body}`
  const check = resolveEnvironmentText({file: relative(ws.root, path), text, app: ws.application, env, environments: [...ws.environments, env], vars: {}})
  if (!check.ok) throw new UserError(`the environment manifest would not be valid:\n${formatDiagnostics(check.diagnostics)}`, {hint: 'Write it by hand from `pier env show --manifest`.'})
  return writeNew(path, text, false, `environment "${env}"`, '--force')
}

export interface WorkloadOptions extends WorkloadTemplateInput {
  /** A Dockerfile path, absolute or relative to `cwd`; stored relative to the workspace root. */
  dockerfile?: string
  force?: boolean
  /** Directory relative paths are resolved from (default: the workspace root). */
  cwd?: string
}

export function writeWorkloadManifest(ws: Workspace, opts: WorkloadOptions): Written {
  checkName('workload', opts.name, '--name')
  if (opts.name === 'environments' || opts.name === 'pipelines') {
    throw new UserError(`"${opts.name}" cannot name a workload: copilot/${opts.name}/ holds other manifests`, {hint: 'Pass another name with --name.'})
  }
  if ((opts.dockerfile === undefined) === (opts.image === undefined)) {
    throw new UserError('a workload needs exactly one image source: --dockerfile (build) or --image (an existing image)', {hint: 'Pass --dockerfile ./Dockerfile or --image repository/image:tag.'})
  }
  const kind = schemaKindOf(opts.type)
  if (!kind || kind === 'environment') throw new UserError(`unknown workload type "${opts.type}"`, {hint: 'Use Load Balanced Web Service, Backend Service, Worker Service or Scheduled Job.'})
  let dockerfile: string | undefined
  let port = opts.port
  if (opts.dockerfile !== undefined) {
    const abs = isAbsolute(opts.dockerfile) ? opts.dockerfile : resolve(opts.cwd ?? ws.root, opts.dockerfile)
    if (!existsSync(abs)) throw new UserError(`Dockerfile not found: ${abs}`, {hint: 'Pass the path of an existing Dockerfile with --dockerfile.'})
    dockerfile = relative(ws.root, abs).split(sep).join('/')
    if (dockerfile.startsWith('..')) throw new UserError(`the Dockerfile ${abs} is outside the workspace ${ws.root}: image builds read their context from the workspace`, {hint: 'Move the Dockerfile into the workspace.'})
    port ??= exposedPort(readFileSync(abs, 'utf8'))
  }
  if (opts.type === 'Load Balanced Web Service' && port === undefined) {
    throw new UserError('a Load Balanced Web Service needs a port: the load balancer sends requests to it', {hint: 'Pass --port, e.g. --port 8080 (or add EXPOSE to the Dockerfile).'})
  }
  if (opts.type === 'Scheduled Job' && opts.schedule === undefined) {
    throw new UserError('a Scheduled Job needs a schedule', {hint: 'Pass --schedule, e.g. --schedule "@daily", --schedule "@every 1h" or --schedule "0 9 * * 1-5".'})
  }
  const path = join(ws.copilotDir, opts.name, 'manifest.yml')
  const input: WorkloadTemplateInput = {
    name: opts.name, type: opts.type, ...(dockerfile !== undefined ? {dockerfile} : {image: opts.image!}), ...(port !== undefined && opts.type !== 'Scheduled Job' && opts.type !== 'Worker Service' ? {port} : {}),
    ...(opts.schedule !== undefined ? {schedule: opts.schedule} : {}), ...(opts.retries !== undefined ? {retries: opts.retries} : {}), ...(opts.timeout !== undefined ? {timeout: opts.timeout} : {}),
    ...(opts.path !== undefined ? {path: opts.path} : {}), ...(opts.healthcheck !== undefined ? {healthcheck: opts.healthcheck} : {}),
  }
  const text = workloadManifestText(input, schemaRef(path, kind))
  const check = resolveWorkloadText({file: relative(ws.root, path), text, app: ws.application, environments: ws.environments, vars: {}, expectedName: opts.name})
  const errors = check.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new UserError(`the manifest would not be valid:\n${formatDiagnostics(errors)}`, {hint: 'Check the values passed in the flags.'})
  return writeNew(path, text, opts.force, `workload "${opts.name}"`, '--force')
}

/** The first port a Dockerfile EXPOSEs, if any. */
export function exposedPort(dockerfile: string): number | undefined {
  const m = /^\s*EXPOSE\s+(\d+)/im.exec(dockerfile)
  return m ? Number(m[1]) : undefined
}
