// Points a field of a merged manifest back at the line that produced it: the environment's override
// when it set that field (or replaced one of its parents), else the base manifest.
import type {Diagnostic, PathSegment} from './diagnostics.js'
import {formatPath} from './diagnostics.js'
import {type ManifestSource, diagnosticAt, findNode, positionOf} from './source.js'

export interface Issue {
  path: PathSegment[]
  severity?: 'error' | 'warning'
  code: string
  message: string
  hint?: string
  /** Point at the key of the last path segment rather than its value (unknown keys). */
  atKey?: boolean
}

export type Locator = (issue: Issue) => Diagnostic

export function locator(source: ManifestSource, env?: string): Locator {
  return (issue) => {
    const base = findNode(source.doc, issue.path, {key: issue.atKey})
    let best = base
    let inOverride = false
    if (env !== undefined) {
      const prefix = ['environments', env]
      const over = findNode(source.doc, [...prefix, ...issue.path], {key: issue.atKey})
      const overMatched = over.matched - prefix.length
      if (overMatched > 0 && overMatched >= base.matched) {
        best = over
        inOverride = true
      }
    }
    return diagnosticAt(source, positionOf(source, best.node), {
      severity: issue.severity ?? 'error',
      code: issue.code,
      message: issue.message,
      ...(issue.hint ? {hint: issue.hint} : {}),
      path: formatPath(issue.path),
      ...(inOverride && env ? {env} : {}),
    })
  }
}
