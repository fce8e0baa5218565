// Images for the container driver. A container built from source (Pier's `pier.build.*` labels) is
// built by the engine with all of its Dockerfile (RUN, stages, target, args, cache_from) under a name
// derived from what it is built from, so a change of source is a new image and an unchanged one is
// reused; an image by location is used when present and pulled otherwise. Images Pier built are
// removed once no task of the agent uses them; the engine's build cache stays, so the next build of
// the same source is quick.

import {createHash} from 'node:crypto'
import {isAbsolute, join} from 'node:path'

import type {Engine} from './engine.js'
import {removeImageArgs} from './engine.js'
import {
  BUILD_ARGS_LABEL,
  BUILD_CACHE_FROM_LABEL,
  BUILD_CONTEXT_LABEL,
  BUILD_DOCKERFILE_LABEL,
  BUILD_TARGET_LABEL,
  SOURCE_DIGEST_LABEL,
} from './launch.js'
import type {ContainerSpec} from './types.js'

/** Label on every image Pier builds: `pier.agent=<marker>`. */
export const BUILT_BY_LABEL = 'pier.agent'

const lastLines = (text: string, n = 3): string => text.trim().split('\n').filter(Boolean).slice(-n).join(' | ')

export class ImageStore {
  private readonly building = new Map<string, Promise<{name: string} | {error: string}>>()
  /** Images Pier built → ids of the tasks using them. */
  private readonly users = new Map<string, Set<string>>()
  /** Images known to be in the engine's store: asking again costs a few hundred ms per task. */
  private readonly present = new Set<string>()

  constructor(
    private readonly engine: Engine,
    private readonly marker: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The image to run a container from, or the ECS reason it cannot be had. */
  async resolve(taskId: string, c: ContainerSpec): Promise<{name: string} | {error: string}> {
    const context = c.dockerLabels?.[BUILD_CONTEXT_LABEL]
    if (!context) return this.pullable(c.image)
    const name = builtName(c)
    let pending = this.building.get(name)
    if (!pending) {
      pending = this.build(name, c, context).finally(() => this.building.delete(name))
      this.building.set(name, pending)
    }
    const users = this.users.get(name) ?? new Set<string>()
    users.add(taskId)
    this.users.set(name, users)
    return pending
  }

  /** The task no longer uses its images: those Pier built and nobody else uses are removed. */
  async release(taskId: string): Promise<void> {
    for (const [name, users] of this.users) {
      if (!users.delete(taskId) || users.size > 0 || this.building.has(name)) continue
      this.users.delete(name)
      this.present.delete(name)
      // Refused while a container still uses it (another agent's): it goes with the last one.
      await this.engine.run(removeImageArgs(this.engine, name))
    }
  }

  private async exists(image: string): Promise<boolean> {
    if (this.present.has(image)) return true
    const found = (await this.engine.run(['image', 'inspect', '--format', '{{.Id}}', image])).code === 0
    if (found) this.present.add(image)
    return found
  }

  private async pullable(image: string): Promise<{name: string} | {error: string}> {
    if (await this.exists(image)) return {name: image}
    this.log(`pulling ${image} with ${this.engine.kind}`)
    const pulled = await this.engine.run(['pull', image], 600_000)
    if (pulled.code === 0) {
      this.present.add(image)
      return {name: image}
    }
    return {error: `CannotPullContainerError: pull image manifest has been retried 1 time(s): ${this.engine.kind} could not pull ${image}: ${lastLines(pulled.stderr, 1)}`}
  }

  private async build(name: string, c: ContainerSpec, context: string): Promise<{name: string} | {error: string}> {
    const labels = c.dockerLabels ?? {}
    // Without the CLI's digest of the source, only the engine's cache knows whether it changed.
    if (labels[SOURCE_DIGEST_LABEL] && (await this.exists(name))) return {name}
    const dockerfileRel = labels[BUILD_DOCKERFILE_LABEL] || 'Dockerfile'
    const dockerfile = isAbsolute(dockerfileRel) ? dockerfileRel : join(context, dockerfileRel)
    const args = ['build', '-t', name, '-f', dockerfile, '--label', `${BUILT_BY_LABEL}=${this.marker}`]
    // RUN steps use the host's network: podman would otherwise create its bridge (and firewall
    // rules) on the machine just to build; Docker's builder has its own.
    if (this.engine.kind === 'podman') args.push('--network', 'host')
    if (labels[BUILD_TARGET_LABEL]) args.push('--target', labels[BUILD_TARGET_LABEL])
    for (const [k, v] of Object.entries(parseArgs(labels[BUILD_ARGS_LABEL]))) args.push('--build-arg', `${k}=${v}`)
    for (const from of (labels[BUILD_CACHE_FROM_LABEL] ?? '').split(',').filter(Boolean)) {
      // Podman takes a repository to look for cached layers in; a name it cannot reach is skipped.
      if (this.engine.kind === 'docker' || (await this.exists(from))) args.push('--cache-from', from)
    }
    this.log(`building ${name} for ${c.name} from ${context} with ${this.engine.kind}`)
    const built = await this.engine.run([...args, context], 1_800_000)
    if (built.code === 0) {
      this.present.add(name)
      return {name}
    }
    return {error: `CannotPullContainerError: building the image of ${c.name} from ${context} failed: ${lastLines(built.stderr)}`}
  }
}

function parseArgs(json: string | undefined): Record<string, string> {
  if (!json) return {}
  try {
    const v = JSON.parse(json) as unknown
    return v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {}
  } catch {
    return {}
  }
}

/** `localhost/pier/<image repository>:<digest of what it is built from>`. */
export function builtName(c: ContainerSpec): string {
  const labels = c.dockerLabels ?? {}
  const what = [BUILD_CONTEXT_LABEL, BUILD_DOCKERFILE_LABEL, BUILD_TARGET_LABEL, BUILD_ARGS_LABEL, BUILD_CACHE_FROM_LABEL, SOURCE_DIGEST_LABEL].map((k) => labels[k] ?? '')
  const digest = createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16)
  const repo = c.image.replace(/[:@].*$/, '').toLowerCase().replace(/[^a-z0-9._/-]/g, '-').replace(/^[^a-z0-9]+/, '') || c.name.toLowerCase()
  return `localhost/pier/${repo}:${digest}`
}
