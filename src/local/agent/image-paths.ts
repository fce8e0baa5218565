// Maps paths inside an image built from a Dockerfile back to the build context on the host, from the
// Dockerfile's COPY/ADD instructions. `COPY . /app` makes /app the context root; `COPY src ./src`
// under `WORKDIR /app` also implies /app is the context root, because /app/src is the context's src.

import {join, posix} from 'node:path'

import type {CopyMapping} from './dockerfile.js'

export interface ImagePathMap {
  /** Host path of an image path, or undefined when no COPY/ADD put anything from the context there. */
  toHost(imagePath: string): string | undefined
  /** Rewrites every mapped image path (not '/') found in a command word or variable value. */
  rewrite(text: string): string
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')
  return new RegExp(`^${body}$`)
}

const under = (p: string, dir: string): string | undefined =>
  p === dir ? '' : dir === '/' ? p.slice(1) : p.startsWith(dir + '/') ? p.slice(dir.length + 1) : undefined

export function imagePathMap(copies: CopyMapping[], contextDir: string, isDirectory: (hostPath: string) => boolean): ImagePathMap {
  // Each copy as (image directory or file, host path, is directory).
  const entries: {image: string; host: string; dir: boolean; glob?: RegExp}[] = []
  const roots: string[] = []
  for (const c of copies) {
    const host = c.source === '.' ? contextDir : join(contextDir, c.source)
    const base = posix.basename(c.source)
    if (/[*?[]/.test(base)) {
      entries.push({image: c.imagePath, host: join(host, '..'), dir: true, glob: globToRegExp(base)})
      continue
    }
    const dir = c.source === '.' || isDirectory(host)
    const image = dir || !c.intoDirectory ? c.imagePath : posix.join(c.imagePath, base)
    entries.push({image, host, dir})
    // The image directory that mirrors the context root, when the copy keeps the source's relative path.
    const rel = c.source === '.' ? '' : c.source
    if (rel === '') roots.push(image)
    else if (image.endsWith('/' + rel)) roots.push(image.slice(0, -rel.length - 1) || '/')
  }

  function toHost(p: string): string | undefined {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!
      if (e.glob) {
        if (posix.dirname(p) === e.image && e.glob.test(posix.basename(p))) return join(e.host, posix.basename(p))
        continue
      }
      const rest = e.dir ? under(p, e.image) : p === e.image ? '' : undefined
      if (rest !== undefined) return rest === '' ? e.host : join(e.host, rest)
    }
    for (const root of roots) {
      const rest = under(p, root)
      if (rest !== undefined) return rest === '' ? contextDir : join(contextDir, rest)
    }
    return undefined
  }

  const prefixes = [...new Set([...entries.filter((e) => !e.glob).map((e) => e.image), ...roots])]
    .filter((p) => p !== '/')
    .sort((a, b) => b.length - a.length)
  const escaped = prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  const pattern = escaped.length ? new RegExp(`(^|[\\s=:'"])((?:${escaped.join('|')})(?:/[^\\s:'";]*)?)(?=$|[\\s:'";])`, 'g') : undefined

  function rewrite(text: string): string {
    if (!pattern) return text
    return text.replace(pattern, (all, lead: string, path: string) => {
      const host = toHost(path.replace(/\/+$/, '') || '/')
      return host === undefined ? all : lead + host + (path.endsWith('/') && path.length > 1 ? '/' : '')
    })
  }

  return {toHost, rewrite}
}
