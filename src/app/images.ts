// Images of a workload's containers. With a container engine (docker or podman) an `image.build` is
// built, pushed to a per-workload ECR repository and pinned by digest. Without one, the build context
// travels as Docker labels (`pier.build.context`, `pier.build.dockerfile`) for drivers that run from
// source; a digest of the source rides along so a change of source is a change of task definition.
import {execFile, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {delimiter, join, relative} from 'node:path'

import {UserError} from '../errors.js'
import type {RegistryApi} from '../aws/interfaces.js'
import {isAwsError} from '../aws/errors.js'
import type {EcsWorkloadManifest} from '../manifest/types.js'
import {TAG} from '../render/names.js'
import {event, type Emit} from '../deploy/events.js'
import {buildLabels, sourceBuilds, type SourceBuild} from './source-builds.js'

export interface ContainerEngine {
  /** Executable: docker, podman, or a path. */
  command: string
}

/** The engine to build with: PIER_CONTAINER_ENGINE (a command, or "none"), else docker or podman on PATH. */
export function detectEngine(env: NodeJS.ProcessEnv = process.env): ContainerEngine | undefined {
  const chosen = env.PIER_CONTAINER_ENGINE
  if (chosen === 'none') return undefined
  if (chosen) return {command: chosen}
  for (const name of ['docker', 'podman']) {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir && existsSync(join(dir, name))) return {command: join(dir, name)}
    }
  }
  return undefined
}

/** The workspace's commit, as `git rev-parse --short HEAD` prints it; undefined outside a repository. */
export function gitShortSha(root: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--short', 'HEAD'], {cwd: root}, (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined))
  })
}

const SKIP = new Set(['.git', 'node_modules', 'copilot', '.pier'])

/** A digest of a build context's files (names, sizes, modification times): changes when the source does. */
export function sourceDigest(dir: string): string {
  const hash = createHash('sha256')
  let budget = 20_000
  const walk = (d: string) => {
    let names: string[]
    try {
      names = readdirSync(d).sort()
    } catch {
      return
    }
    for (const n of names) {
      if (SKIP.has(n) || budget-- <= 0) continue
      const p = join(d, n)
      const st = statSync(p, {throwIfNoEntry: false})
      if (!st) continue
      if (st.isDirectory()) walk(p)
      else hash.update(`${relative(dir, p)}\0${st.size}\0${Math.floor(st.mtimeMs)}\n`)
    }
  }
  walk(dir)
  return hash.digest('hex').slice(0, 16)
}

export interface PreparedImages {
  images: Record<string, string>
  dockerLabels: Record<string, Record<string, string>>
}

export interface ImageContext {
  registry: RegistryApi
  emit: Emit
  engine?: ContainerEngine
}

export async function prepareImages(ctx: ImageContext, input: {app: string; name: string; root: string; manifest: EcsWorkloadManifest; tag?: string; platform?: string}): Promise<PreparedImages> {
  const out: PreparedImages = {images: {}, dockerLabels: {}}
  const specs = sourceBuilds(input.root, input.name, input.manifest)
  if (specs.length === 0) return out
  // The commit is asked for while the registry is: both are waits, not work.
  const tagged = input.tag ? Promise.resolve(input.tag) : gitShortSha(input.root).then((sha) => sha ?? 'latest')
  for (const spec of specs) {
    if (!existsSync(join(spec.context, spec.dockerfile))) {
      throw new UserError(`The Dockerfile of ${spec.container} is missing: ${join(spec.context, spec.dockerfile)} does not exist.`, {hint: 'Fix `image.build` in the manifest.'})
    }
  }
  // One repository per workload, `<app>/<name>`, as Copilot's application stack set creates them; a
  // sidecar's image goes there too, tagged `<container>-<tag>` as Copilot tags it.
  const repository = `${input.app}/${input.name}`
  const tagOf = (spec: SourceBuild, tag: string) => (spec.container === input.name ? tag : `${spec.container}-${tag}`)
  // An endpoint without a registry runs images from source; one with a registry needs an engine to fill it.
  const [registry, tag] = await Promise.all([registryAnswers(ctx.registry, repository), tagged])
  const engine = registry && ctx.engine && (await engineAnswers(ctx.engine)) ? ctx.engine : undefined
  if (registry && !engine) {
    throw new UserError(`${specs.map((s) => s.container).join(', ')} must be built, and no container engine answers${ctx.engine ? ` (\`${ctx.engine.command} info\` failed)` : ''}.`, {
      hint: 'Start docker or podman (or set PIER_CONTAINER_ENGINE), or point image.location at an image that is already pushed.',
    })
  }
  for (const spec of specs) {
    if (!engine) {
      out.images[spec.container] = `${repository}:${tagOf(spec, tag)}`
      out.dockerLabels[spec.container] = {...buildLabels([spec])[spec.container], 'pier.source.digest': sourceDigest(spec.context)}
      ctx.emit(event('step', `No image registry at this endpoint: ${spec.container} runs from its source in ${spec.context}.`, {name: `image ${spec.container}`, status: 'skipped', detail: spec.context}))
      continue
    }
    out.images[spec.container] = await buildAndPush(ctx, engine, spec, repository, tagOf(spec, tag), input.platform)
  }
  return out
}

/** Whether the endpoint has an image registry (ECR) at all. */
async function registryAnswers(registry: RegistryApi, repositoryName: string): Promise<boolean> {
  try {
    await registry.describeRepositories({repositoryNames: [repositoryName]})
    return true
  } catch (error) {
    if (isAwsError(error, 'UnknownOperationException', 'UnrecognizedClientException', 'InvalidAction', 'NotImplemented')) return false
    if (isAwsError(error, 'RepositoryNotFoundException')) return true
    throw error
  }
}

const answering = new Map<string, Promise<boolean>>()

/** Whether the engine's daemon answers (a docker client without a daemon does not). */
function engineAnswers(engine: ContainerEngine): Promise<boolean> {
  let p = answering.get(engine.command)
  if (!p) {
    p = run(engine.command, ['info', '--format', '{{json .}}']).then(
      () => true,
      () => false,
    )
    answering.set(engine.command, p)
  }
  return p
}

async function buildAndPush(ctx: ImageContext, engine: ContainerEngine, spec: SourceBuild, repositoryName: string, tag: string, platform: string | undefined): Promise<string> {
  const step = `image ${spec.container}`
  ctx.emit(event('step', `Building the image of ${spec.container} with ${engine.command}.`, {name: step, status: 'start'}))
  const uri = await ensureRepository(ctx.registry, repositoryName)
  const auth = (await ctx.registry.getAuthorizationToken({})).authorizationData?.[0]
  if (auth?.authorizationToken && auth.proxyEndpoint) {
    const [user, password] = Buffer.from(auth.authorizationToken, 'base64').toString().split(':')
    await run(engine.command, ['login', '--username', user ?? 'AWS', '--password-stdin', auth.proxyEndpoint], password)
  }
  const image = `${uri}:${tag}`
  const args = ['build', '-t', image, '-f', join(spec.context, spec.dockerfile)]
  if (platform) args.push('--platform', platform)
  for (const [k, v] of Object.entries(spec.args ?? {})) args.push('--build-arg', `${k}=${v}`)
  if (spec.target) args.push('--target', spec.target)
  args.push(spec.context)
  await run(engine.command, args)
  await run(engine.command, ['push', image])
  const digests = (await run(engine.command, ['inspect', '--format', '{{json .RepoDigests}}', image])).trim()
  const pinned = (JSON.parse(digests || '[]') as string[]).find((d) => d.startsWith(`${uri}@`))
  ctx.emit(event('step', `Pushed ${pinned ?? image}.`, {name: step, status: 'done', detail: pinned ?? image}))
  return pinned ?? image
}

async function ensureRepository(registry: RegistryApi, name: string): Promise<string> {
  try {
    const out = await registry.describeRepositories({repositoryNames: [name]})
    const uri = out.repositories?.[0]?.repositoryUri
    if (uri) return uri
  } catch (error) {
    if (!isAwsError(error, 'RepositoryNotFoundException')) throw error
  }
  const created = await registry.createRepository({repositoryName: name, imageScanningConfiguration: {scanOnPush: true}, tags: [{Key: TAG.application, Value: name.split('/')[0] ?? name}]})
  return created.repository?.repositoryUri ?? name
}

function run(command: string, args: string[], stdin?: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout?.on('data', (d) => (out += d))
    child.stderr?.on('data', (d) => (err += d))
    child.on('error', (e) => reject(new UserError(`Could not run ${command}: ${e.message}`, {hint: 'Install docker or podman, or set PIER_CONTAINER_ENGINE=none to run from source.'})))
    child.on('close', (code) => {
      if (code === 0) resolvePromise(out)
      else reject(new UserError(`\`${command} ${args[0]}\` failed with exit code ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`, {hint: `Run \`${command} ${args.join(' ')}\` yourself to see the whole output.`}))
    })
    if (child.stdin) {
      child.stdin.on('error', () => undefined) // an engine that does not read stdin still reports through its exit code
      child.stdin.end(stdin)
    }
  })
}

