// Decides how the process driver runs one container: the command line, the working directory and the
// image's own environment. For an image built from source (`pier.build.context` label) the Dockerfile
// supplies WORKDIR/ENV/ENTRYPOINT/CMD and the task definition overrides them as Docker does.

import {existsSync, readFileSync, statSync} from 'node:fs'
import {delimiter, isAbsolute, join, posix} from 'node:path'

import {joinImagePath, parseDockerfile} from './dockerfile.js'
import {imagePathMap} from './image-paths.js'
import type {ContainerSpec} from './types.js'

export const BUILD_CONTEXT_LABEL = 'pier.build.context'
export const BUILD_DOCKERFILE_LABEL = 'pier.build.dockerfile'
export const BUILD_TARGET_LABEL = 'pier.build.target'
export const BUILD_ARGS_LABEL = 'pier.build.args'
export const BUILD_CACHE_FROM_LABEL = 'pier.build.cache-from'
/** A digest of the build context's files, set by the CLI: a new one means a new image. */
export const SOURCE_DIGEST_LABEL = 'pier.source.digest'

export interface LaunchPlan {
  argv: string[]
  cwd: string
  /** The image's environment (Dockerfile ENV); the driver adds the task's on top. */
  imageEnv: Record<string, string>
}

/** A container that cannot start; `message` is the ECS-style reason ("CannotPullContainerError: ..."). */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LaunchError'
  }
}

export interface LaunchFs {
  readFile(path: string): string
  isDirectory(path: string): boolean
  exists(path: string): boolean
}

export const hostFs: LaunchFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  isDirectory: (p) => {
    try {
      return statSync(p).isDirectory()
    } catch {
      return false
    }
  },
  exists: (p) => existsSync(p),
}

export function planLaunch(c: ContainerSpec, opts: {scratchDir: string; hostPath: string; fs?: LaunchFs}): LaunchPlan {
  const fs = opts.fs ?? hostFs
  const context = c.dockerLabels?.[BUILD_CONTEXT_LABEL]
  if (context) return planFromSource(c, context, opts.hostPath, fs)
  if (!c.entryPoint?.length && !c.command?.length) {
    throw new LaunchError(
      `CannotPullContainerError: the process driver cannot run image ${c.image} for container ${c.name}: ` +
        'the task definition gives no command, and the image itself can only run in a container engine ' +
        '(set a command for the container, or start the local control plane where podman is available)',
    )
  }
  const argv = [...(c.entryPoint ?? []), ...(c.command ?? [])]
  const wd = c.workingDirectory && isAbsolute(c.workingDirectory) && fs.isDirectory(c.workingDirectory) ? c.workingDirectory : opts.scratchDir
  return {argv: locateProgram(argv, opts.hostPath, fs), cwd: wd, imageEnv: {}}
}

function planFromSource(c: ContainerSpec, context: string, hostPath: string, fs: LaunchFs): LaunchPlan {
  const dockerfileRel = c.dockerLabels?.[BUILD_DOCKERFILE_LABEL] || 'Dockerfile'
  const dockerfile = isAbsolute(dockerfileRel) ? dockerfileRel : join(context, dockerfileRel)
  let text: string
  try {
    text = fs.readFile(dockerfile)
  } catch {
    throw new LaunchError(`CannotPullContainerError: cannot read ${dockerfile} to run container ${c.name} from source`)
  }
  let image
  try {
    image = parseDockerfile(text, {target: c.dockerLabels?.[BUILD_TARGET_LABEL], baseEnv: {PATH: hostPath}}).final
  } catch (error) {
    throw new LaunchError(`CannotPullContainerError: ${dockerfile}: ${(error as Error).message}`)
  }
  // Docker: overriding the entrypoint drops the image's CMD.
  const entrypoint = c.entryPoint?.length ? c.entryPoint : image.entrypoint ?? []
  const cmd = c.command?.length ? c.command : c.entryPoint?.length ? [] : image.cmd ?? []
  const argv = [...entrypoint, ...cmd]
  if (argv.length === 0) {
    throw new LaunchError(
      `CannotPullContainerError: container ${c.name} has no command: ${dockerfile} sets no CMD or ENTRYPOINT ` +
        "(a base image's defaults are known only to a container engine); add CMD to the Dockerfile or a command to the manifest",
    )
  }
  const paths = imagePathMap(image.copies, context, fs.isDirectory)
  const workdir = c.workingDirectory ? joinImagePath(image.workdir, c.workingDirectory) : image.workdir
  const mapped = paths.toHost(workdir)
  const cwd = mapped && fs.isDirectory(mapped) ? mapped : context
  const imageEnv: Record<string, string> = {}
  for (const [k, v] of Object.entries(image.env)) imageEnv[k] = paths.rewrite(v)
  return {argv: locateProgram(argv.map(paths.rewrite), imageEnv.PATH ?? hostPath, fs), cwd, imageEnv}
}

/** An absolute program path from the image that the host lacks (/usr/local/bin/node) runs from PATH. */
function locateProgram(argv: string[], path: string, fs: LaunchFs): string[] {
  const program = argv[0]!
  if (!posix.isAbsolute(program) || fs.exists(program)) return argv
  const name = posix.basename(program)
  const found = path.split(delimiter).map((d) => join(d, name)).find((p) => fs.exists(p))
  return found ? [found, ...argv.slice(1)] : argv
}
