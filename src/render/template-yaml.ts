// A small YAML writer for CloudFormation templates (plain JSON data: maps, lists, strings, numbers,
// booleans, null). Packaging 50 services spent most of its own time in the general-purpose `yaml`
// stringifier; templates need only block maps and lists, and strings either plain (when unambiguous)
// or double-quoted (JSON string syntax is valid YAML), multi-line ones as literal blocks.

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i

/** Safe to write unquoted: starts with a letter or `/`, no `: ` or ` #`, no trailing space or colon. */
function isPlain(s: string): boolean {
  return (
    /^[A-Za-z/][A-Za-z0-9 _/.\-:$@{}()*,=+]*$/.test(s) &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !/[ :]$/.test(s) &&
    !RESERVED.test(s)
  )
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} in a template`)
    return String(v)
  }
  const s = String(v)
  return isPlain(s) ? s : JSON.stringify(s)
}

/** A multi-line string as a literal block, when it reads back the same. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || /^[ \n]/.test(s) || /[\r\t]/.test(s) || /\n\n$/.test(s) || /[^\n -~\u00a0-\uffff]/.test(s)) return undefined
  const body = s.endsWith('\n') ? s.slice(0, -1) : s
  if (body.split('\n').some((line) => /\s$/.test(line))) return undefined
  const lines = body.split('\n').map((line) => (line === '' ? '' : indent + line))
  return `${s.endsWith('\n') ? '|' : '|-'}\n${lines.join('\n')}`
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isMap(v) && Object.keys(v).length === 0)

/** `key: value` or `key:` followed by the nested block, each line at `indent`. */
function value(v: unknown, indent: string, out: string[], prefix: string): void {
  if (Array.isArray(v) && v.length > 0) {
    out.push(prefix)
    seq(v, indent, out)
  } else if (isMap(v) && Object.keys(v).length > 0) {
    out.push(prefix)
    map(v, indent + '  ', out)
  } else if (isEmpty(v)) {
    out.push(`${prefix} ${Array.isArray(v) ? '[]' : '{}'}`)
  } else if (typeof v === 'string' && literalBlock(v, indent + '  ')) {
    out.push(`${prefix} ${literalBlock(v, indent + '  ')}`)
  } else {
    out.push(`${prefix} ${scalar(v)}`)
  }
}

function map(m: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue
    value(v, indent, out, `${indent}${scalar(k)}:`)
  }
}

function seq(items: unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    if (isMap(item) && Object.keys(item).length > 0) {
      // The first key shares the line with the dash: "- Key: value".
      const nested: string[] = []
      map(item, indent + '  ', nested)
      nested[0] = `${indent}- ${nested[0]!.slice(indent.length + 2)}`
      out.push(...nested)
    } else if (Array.isArray(item) && item.length > 0) {
      out.push(`${indent}-`)
      seq(item, indent + '  ', out)
    } else {
      value(item, indent + '  ', out, `${indent}-`)
    }
  }
}

export function toYaml(doc: Record<string, unknown>): string {
  if (Object.keys(doc).length === 0) return '{}\n'
  const out: string[] = []
  map(doc, '', out)
  return out.join('\n') + '\n'
}
