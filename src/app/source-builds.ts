// Images built from source: where each container's Dockerfile and build context are, following
// Copilot's rules (paths relative to the workspace root; `build: path/Dockerfile` builds in its
// directory). Deploy builds them; `package` and the local control plane use the same answers.

import {dirname, isAbsolute, join, relative, resolve} from 'node:path'

import type {BuildArgs, EcsWorkloadManifest} from '../manifest/types.js'

export interface SourceBuild {
  /** Container name: the workload's name for the main container, else the sidecar's. */
  container: string
  /** Absolute build context directory. */
  context: string
  /** The Dockerfile, relative to the context (what the `pier.build.dockerfile` label carries). */
  dockerfile: string
  args?: Record<string, string>
  target?: string
  cacheFrom?: string[]
}

export const BUILD_CONTEXT_LABEL = 'pier.build.context'
export const BUILD_DOCKERFILE_LABEL = 'pier.build.dockerfile'
export const BUILD_TARGET_LABEL = 'pier.build.target'
/** Build arguments as a JSON object, and cache_from images separated by commas. */
export const BUILD_ARGS_LABEL = 'pier.build.args'
export const BUILD_CACHE_FROM_LABEL = 'pier.build.cache-from'

/** Where one container's build happens: Copilot's `build: path/to/Dockerfile` (its folder is the
 * context) or `{context, dockerfile, args, target, cache_from}`. */
export function locateBuild(root: string, container: string, build: string | BuildArgs): SourceBuild {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p))
  if (typeof build === 'string') return {container, context: dirname(abs(build)), dockerfile: relative(dirname(abs(build)), abs(build))}
  const context = build.context ? abs(build.context) : build.dockerfile ? dirname(abs(build.dockerfile)) : root
  const dockerfile = build.dockerfile ? abs(build.dockerfile) : join(context, 'Dockerfile')
  return {
    container,
    context,
    dockerfile: relative(context, dockerfile),
    ...(build.args ? {args: build.args} : {}),
    ...(build.target ? {target: build.target} : {}),
    ...(build.cache_from ? {cacheFrom: build.cache_from} : {}),
  }
}

export function sourceBuilds(root: string, name: string, manifest: EcsWorkloadManifest): SourceBuild[] {
  const builds: SourceBuild[] = []
  const main = manifest.image
  if (main?.build && !main.location) builds.push(locateBuild(root, name, main.build))
  for (const [sidecar, s] of Object.entries(manifest.sidecars ?? {})) {
    if (typeof s.image === 'object' && s.image.build && !s.image.location) builds.push(locateBuild(root, sidecar, s.image.build))
  }
  return builds
}

/** Docker labels telling where each source-built container comes from (the contract in
 * src/local/agent/types.ts: context absolute, Dockerfile relative to it). */
export function buildLabels(builds: SourceBuild[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    builds.map((b) => [
      b.container,
      {
        [BUILD_CONTEXT_LABEL]: b.context,
        [BUILD_DOCKERFILE_LABEL]: b.dockerfile,
        ...(b.target ? {[BUILD_TARGET_LABEL]: b.target} : {}),
        ...(b.args && Object.keys(b.args).length ? {[BUILD_ARGS_LABEL]: JSON.stringify(b.args)} : {}),
        ...(b.cacheFrom?.length ? {[BUILD_CACHE_FROM_LABEL]: b.cacheFrom.join(',')} : {}),
      },
    ]),
  )
}
