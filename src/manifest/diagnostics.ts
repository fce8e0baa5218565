// Diagnostics: every problem found in a manifest, located at file:line:col with a code frame.
// The core only builds them; the commands print them (formatDiagnostics) or emit them as JSON.

export interface Diagnostic {
  /** The manifest's path relative to the workspace root, e.g. `copilot/web/manifest.yml`. */
  file: string
  line: number
  col: number
  severity: 'error' | 'warning'
  /** A stable code, e.g. `unknown-key`, `fargate-size`. Documented in docs/manifest-diagnostics.md. */
  code: string
  /** "what is wrong: why". */
  message: string
  /** What to do about it. */
  hint?: string
  /** The field path in the manifest, e.g. `http.healthcheck.path` or `sidecars.nginx.port`. */
  path: string
  /** Source lines around the position, with a caret under the column (plain text). */
  frame?: string
  /** The environment whose merged manifest produced this diagnostic, when it depends on one. */
  env?: string
}

export type PathSegment = string | number

/** `['http', 'additional_rules', 0, 'path']` -> `http.additional_rules[0].path`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? seg : `.${seg}`
  }
  return out
}

/** Lines around `line` (1-based) with a caret under `col` (1-based), like esbuild and wrangler print. */
export function codeFrame(source: string, line: number, col: number, width = 1): string {
  const lines = source.split(/\r?\n/)
  if (line < 1 || line > lines.length) return ''
  const first = Math.max(1, line - 2)
  const last = Math.min(lines.length, line + 1)
  const gutter = String(last).length
  const out: string[] = []
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, ' ')
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(gutter)} | ${text}`.trimEnd())
    if (n === line) {
      const caretCol = Math.max(1, Math.min(col, text.length + 1))
      out.push(`  ${' '.repeat(gutter)} | ${' '.repeat(caretCol - 1)}${'^'.repeat(Math.max(1, width))}`)
    }
  }
  return out.join('\n')
}

/** Orders diagnostics by file, line, column, and drops exact repeats (a base error seen in every environment). */
export function sortAndDedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  const out: Diagnostic[] = []
  for (const d of diags) {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(d)
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code))
}

const ansi = {
  red: (s: string) => `\u001B[31m${s}\u001B[39m`,
  yellow: (s: string) => `\u001B[33m${s}\u001B[39m`,
  dim: (s: string) => `\u001B[2m${s}\u001B[22m`,
  bold: (s: string) => `\u001B[1m${s}\u001B[22m`,
  cyan: (s: string) => `\u001B[36m${s}\u001B[39m`,
}
const plain = {red: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s, cyan: (s: string) => s}

/** Human text for a list of diagnostics: location, severity, code, message, code frame, hint, and a summary line. */
export function formatDiagnostics(diags: Diagnostic[], opts: {color?: boolean} = {}): string {
  const c = opts.color ? ansi : plain
  const blocks = diags.map((d) => {
    const sev = d.severity === 'error' ? c.red('error') : c.yellow('warning')
    const env = d.env ? c.dim(` (environment ${d.env})`) : ''
    const lines = [`${c.bold(`${d.file}:${d.line}:${d.col}`)}: ${sev} ${c.dim(`[${d.code}]`)} ${d.message}${env}`]
    if (d.frame) lines.push(d.frame.split('\n').map((l) => `  ${l.startsWith('>') || /\|\s*\^+$/.test(l) ? l : c.dim(l)}`).join('\n'))
    if (d.hint) lines.push(`  ${c.cyan('hint:')} ${d.hint}`)
    return lines.join('\n')
  })
  const errors = diags.filter((d) => d.severity === 'error').length
  const warnings = diags.length - errors
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
  return blocks.length === 0 ? summary : `${blocks.join('\n\n')}\n\n${summary}`
}
