// Finds where a field is written in a manifest, so findings point at a line (and the environment's
// override when there is one).
import {readFileSync} from 'node:fs'
import {relative} from 'node:path'

import {isMap, LineCounter, parseDocument, type Node} from 'yaml'

export interface Location {
  file: string
  line: number
  col: number
  path: string
}

export function locate(root: string, file: string, paths: (string | number)[][]): Location {
  const rel = relative(root, file)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return {file: rel, line: 1, col: 1, path: (paths[0] ?? []).join('.')}
  }
  const lc = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lc})
  for (const path of paths) {
    const node = doc.getIn(path, true) as Node | undefined
    if (node && node.range) {
      // Point at the key of the entry when there is one, like the manifest engine's diagnostics.
      const parent = path.length > 1 ? (doc.getIn(path.slice(0, -1), true) as Node | undefined) : doc.contents
      let offset = node.range[0]
      if (parent && isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as {value?: unknown} | null)?.value === path[path.length - 1])
        const keyRange = (pair?.key as Node | undefined)?.range
        if (keyRange) offset = keyRange[0]
      }
      const pos = lc.linePos(offset)
      return {file: rel, line: pos.line, col: pos.col, path: path.join('.')}
    }
  }
  return {file: rel, line: 1, col: 1, path: (paths[0] ?? []).join('.')}
}
