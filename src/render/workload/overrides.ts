// `taskdef_overrides`: Copilot's escape hatch, applied to the rendered task definition's properties.
// Paths use Copilot's syntax: `ContainerDefinitions[0].Ulimits[-].HardLimit` (`[N]` an index,
// `[-]` appends a new element), keys as CloudFormation spells them.

import type {TaskDefOverride} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import type {Json} from '../template.js'

type Segment = {key: string} | {index: number} | {append: true}

function parsePath(path: string): Segment[] {
  const segments: Segment[] = []
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[(?:\d+|-)\])*)$/.exec(part)
    if (!m || (m[1] === '' && !m[2])) throw new RenderError(`taskdef_overrides path "${path}" is not valid: write it like ContainerDefinitions[0].Ulimits[-].HardLimit`)
    if (m[1]) segments.push({key: m[1]})
    for (const idx of m[2]!.match(/\[(\d+|-)\]/g) ?? []) {
      const inner = idx.slice(1, -1)
      segments.push(inner === '-' ? {append: true} : {index: Number(inner)})
    }
  }
  return segments
}

const FORBIDDEN = new Set(['Family', 'ContainerDefinitions[0].Name'])

export function applyTaskDefOverrides(properties: Json, overrides: TaskDefOverride[] | undefined): Json {
  if (!overrides?.length) return properties
  const root: Json = structuredClone(properties)
  for (const {path, value} of overrides) {
    if (FORBIDDEN.has(path)) throw new RenderError(`taskdef_overrides cannot change ${path}: Pier relies on it to find the task`)
    const segs = parsePath(path)
    let node: any = root
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!
      const last = i === segs.length - 1
      const next = segs[i + 1]
      const fresh = () => (next && 'key' in next ? {} : [])
      if ('key' in seg) {
        if (Array.isArray(node) || typeof node !== 'object' || node === null) throw new RenderError(`taskdef_overrides path "${path}": ${seg.key} is not inside an object`)
        if (last) node[seg.key] = value
        else node = node[seg.key] ??= fresh()
      } else {
        if (!Array.isArray(node)) throw new RenderError(`taskdef_overrides path "${path}": an index is used on something that is not a list`)
        const at = 'append' in seg ? node.length : seg.index
        if (at > node.length) throw new RenderError(`taskdef_overrides path "${path}": index ${at} is past the end of a list of ${node.length}`)
        if (last) node[at] = value
        else node = node[at] ??= fresh()
      }
    }
  }
  return root
}
