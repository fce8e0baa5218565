// The rules of Pier's layout (see README.md "Layout" and docs/local-architecture.md), checked over the
// imports of every file under src/: which folder may depend on which, and how long a file may grow.
import {readdirSync, readFileSync} from 'node:fs'
import {join, posix, relative} from 'node:path'

import {importsOf} from './imports.js'

export const MAX_LINES = 400

/** Folders that sit below the shell: none of them may import src/cli. */
const BELOW_THE_SHELL = ['app', 'deploy', 'aws', 'workspace', 'manifest', 'render', 'addons', 'exec', 'ui']
/** The pure core: no I/O, no AWS SDK, and it does not read the workspace (src/workspace reads it). */
const PURE_CORE = ['manifest', 'render', 'addons']
const IO_MODULE = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2)$/
const AWS_SDK = /^@aws-sdk\//

export interface SourceFile {
  /** Path from the repository root, with forward slashes: `src/app/init.ts`. */
  path: string
  text: string
}

export interface Violation {
  file: string
  rule: 'cli-import' | 'impure-core' | 'local-outside' | 'too-long'
  detail: string
}

/** The `src/...` path a relative specifier points at (extension as written), or undefined for a package. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  return posix.normalize(posix.join(posix.dirname(file), specifier))
}

const within = (path: string, folder: string): boolean => path.startsWith(`src/${folder}/`)
const folderOf = (path: string): string | undefined => /^src\/([^/]+)\//.exec(path)?.[1]

export function checkFiles(files: SourceFile[]): Violation[] {
  const out: Violation[] = []
  for (const {path, text} of files) {
    const folder = folderOf(path)
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
    if (lines > MAX_LINES) out.push({file: path, rule: 'too-long', detail: `${lines} lines (at most ${MAX_LINES}): split it by responsibility`})
    for (const specifier of importsOf(text)) {
      const to = target(path, specifier)
      if (folder && BELOW_THE_SHELL.includes(folder) && to && within(to, 'cli')) {
        out.push({file: path, rule: 'cli-import', detail: `imports ${specifier}: src/${folder} sits below the shell (src/cli)`})
      }
      if (folder && PURE_CORE.includes(folder)) {
        if (IO_MODULE.test(specifier) || AWS_SDK.test(specifier)) out.push({file: path, rule: 'impure-core', detail: `imports ${specifier}: the pure core does no I/O`})
        else if (to && within(to, 'workspace')) out.push({file: path, rule: 'impure-core', detail: `imports ${specifier}: reading the workspace is src/workspace's job, above the core`})
      }
      if (folder === 'local' && to && !within(to, 'local') && !within(to, 'exec')) {
        out.push({file: path, rule: 'local-outside', detail: `imports ${specifier}: the local control plane imports only src/local and src/exec`})
      }
    }
  }
  return out
}

/** Every .ts and .tsx file under src/ of the repository at `root`. */
export function sourceFiles(root: string): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []))
  return walk(join(root, 'src')).map((file) => ({path: relative(root, file).split(/[\\/]/).join('/'), text: readFileSync(file, 'utf8')}))
}
