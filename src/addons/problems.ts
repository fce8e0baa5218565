// Problems in addon templates, parameter files and patch files, as the manifest diagnostics are:
// file:line:col, a code, "what is wrong: why", a hint and a code frame. Collected, never printed here.

import {codeFrame, type Diagnostic} from '../manifest/diagnostics.js'
import type {ParsedYaml} from './cfn-yaml.js'

export type AddonDiagnostic = Diagnostic

export function problemAt(src: ParsedYaml, pointer: string, issue: {code: string; message: string; hint?: string; severity?: 'error' | 'warning'}): Diagnostic {
  const {line, col} = src.at(pointer)
  const frame = codeFrame(src.text, line, col)
  return {
    file: src.file,
    line,
    col,
    severity: issue.severity ?? 'error',
    code: issue.code,
    message: issue.message,
    ...(issue.hint ? {hint: issue.hint} : {}),
    path: pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.'),
    ...(frame ? {frame} : {}),
  }
}

/** The YAML syntax errors of a parsed file. */
export function syntaxProblems(src: ParsedYaml): Diagnostic[] {
  return src.errors.map((e) => {
    const frame = codeFrame(src.text, e.position.line, e.position.col)
    return {file: src.file, line: e.position.line, col: e.position.col, severity: 'error' as const, code: 'yaml-syntax', message: `${src.file} is not valid YAML: ${e.message}`, path: '', ...(frame ? {frame} : {})}
  })
}
