// A manifest file parsed with source positions: the YAML document, a line counter, and a way to turn
// a field path into file:line:col. Parsing never throws; YAML mistakes become diagnostics.
import {type Document, LineCounter, type Node, isMap, isPair, isScalar, isSeq, parseDocument} from 'yaml'

import {type Diagnostic, type PathSegment, codeFrame, formatPath} from './diagnostics.js'

/** The value of a field tagged `!unset`: removes the field for one environment (see docs/manifest-overrides.md). */
export const UNSET: unique symbol = Symbol.for('pier.manifest.unset')

const unsetTag = {
  tag: '!unset',
  identify: (v: unknown) => v === UNSET,
  resolve: () => UNSET,
  stringify: () => '',
}

export interface ManifestSource {
  /** Path relative to the workspace root (what diagnostics show). */
  file: string
  text: string
  doc: Document.Parsed
  lines: LineCounter
}

export interface Position {
  line: number
  col: number
  /** Length of the located token, for the caret. */
  width: number
}

export function parseSource(file: string, text: string): {source: ManifestSource; diagnostics: Diagnostic[]} {
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, customTags: [unsetTag], prettyErrors: false, uniqueKeys: true, strict: true})
  const source: ManifestSource = {file, text, doc, lines}
  const diagnostics: Diagnostic[] = []
  // After the first syntax error the parser's later errors are mostly echoes of it: report one.
  const errors = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY') ? doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY').slice(0, 1) : doc.errors
  for (const [severity, list] of [['error', errors], ['warning', doc.warnings]] as const) {
    for (const e of list) {
      const offset = e.pos[0]
      const {line, col} = lines.linePos(offset)
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      const star = severity === 'error' && e.code !== 'DUPLICATE_KEY' ? bareStar(text, line) : undefined
      // Once a bare `*` is reported, the parser's warnings about ambiguous aliases are echoes of it.
      if (severity === 'warning' && e.code === 'BAD_ALIAS' && diagnostics.some((d) => d.code === 'yaml-syntax' && d.message.includes('no alias name follows'))) continue
      if (star) {
        diagnostics.push({
          file, line: star.line, col: star.col, severity, path: '', code: 'yaml-syntax',
          message: `invalid YAML: \`${star.token}\` starts with \`*\`, which YAML reads as an alias (a reference to an \`&anchor\`), and no alias name follows`,
          hint: `Quote it: "${star.token}". Copilot's YAML reader refused it too.`,
          frame: codeFrame(text, star.line, star.col, star.token.length),
        })
        continue
      }
      diagnostics.push({
        file, line, col, severity, path: '',
        code: e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : e.code === 'TAG_RESOLVE_FAILED' ? 'unknown-tag' : 'yaml-syntax',
        message: e.code === 'DUPLICATE_KEY' ? 'duplicate key: a key may appear only once in a mapping' : `invalid YAML: ${lowerFirst(message)}`,
        hint: e.code === 'DUPLICATE_KEY' ? 'Remove one of the two entries.' : 'Fix the YAML syntax at this position (indentation, quotes, colons).',
        frame: codeFrame(text, line, col, Math.max(1, e.pos[1] - e.pos[0])),
      })
    }
  }
  return {source, diagnostics}
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}

function scalarKey(k: unknown): unknown {
  return isScalar(k) ? k.value : k
}

/** The node at `path` and how many segments matched; with `key`, the key node of the last segment. */
export function findNode(doc: Document.Parsed, path: readonly PathSegment[], opts: {key?: boolean} = {}): {node: Node | null; matched: number} {
  let node: unknown = doc.contents
  let located: Node | null = (doc.contents as Node | null) ?? null
  let matched = 0
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(scalarKey(p.key)) === String(seg))
      if (!pair) break
      node = pair.value
      located = last && opts.key && pair.key && (pair.key as Node).range ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node))
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg]
      if (item === undefined) break
      node = item
      located = item as Node
    } else break
    matched++
  }
  return {node: located, matched}
}

/** The position of a node, or of the document start. */
export function positionOf(source: ManifestSource, node: Node | null): Position {
  const range = node?.range
  if (!range) return {line: 1, col: 1, width: 1}
  const {line, col} = source.lines.linePos(range[0])
  const end = Math.min(range[1], source.text.indexOf('\n', range[0]) === -1 ? range[1] : source.text.indexOf('\n', range[0]))
  return {line, col, width: Math.max(1, end - range[0])}
}

/** Builds a diagnostic located at a node of this source. */
export function diagnosticAt(source: ManifestSource, pos: Position, d: Omit<Diagnostic, 'file' | 'line' | 'col' | 'frame'> & {path: string}): Diagnostic {
  return {file: source.file, line: pos.line, col: pos.col, ...d, frame: codeFrame(source.text, pos.line, pos.col, pos.width)}
}

export {formatPath}

/**
 * The first plain key or value at or before `upTo` that starts with `*` and is not an alias (`*name`,
 * name of [0-9A-Za-z_-]), e.g. a key redacted to `***REMOVED***`: the parser's own message for it
 * ("unexpected scalar token") does not say why.
 */
function bareStar(text: string, upTo: number): {line: number; col: number; token: string} | undefined {
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < Math.min(upTo, lines.length); i++) {
    const l = lines[i]!
    if (/^\s*#/.test(l)) continue
    const m = /^(\s*(?:-\s+)*|.*?:\s+)(\*\S*)/.exec(l)
    if (!m || /(^|\s)#/.test(m[1]!) || /['"]/.test(m[1]!)) continue
    if (/^\*[0-9A-Za-z_-]+(?=$|[\s?:,\]}%@`])/.test(m[2]!)) continue
    return {line: i + 1, col: m[1]!.length + 1, token: m[2]!.replace(/:$/, '')}
  }
  return undefined
}