// `${VAR}` interpolation with Copilot's rules: values come from the process environment, plus the
// reserved COPILOT_APPLICATION_NAME and COPILOT_ENVIRONMENT_NAME; `\${X}` stays literal as `${X}`;
// an undefined variable is an error at its use; a result that is a JSON array of strings becomes a list.
// Only values are interpolated, never keys. Unquoted values that become numbers or booleans are typed.
import {Scalar, YAMLSeq, isPair, isScalar, isSeq, visit} from 'yaml'

import {type Diagnostic, type PathSegment, codeFrame, formatPath} from './diagnostics.js'
import type {ManifestSource} from './source.js'

const PATTERN = /(\\)?\$\{(\w+)\}/g

export interface InterpolationContext {
  vars: Readonly<Record<string, string | undefined>>
  app: string
  /** Undefined when resolving without an environment (then the variable is left as written). */
  env?: string
}

export function interpolateSource(source: ManifestSource, ctx: InterpolationContext): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return
      if (node.tag && node.tag !== 'tag:yaml.org,2002:str') return
      const raw = node.value
      let replaced = false
      const out = raw.replace(PATTERN, (match, escaped: string | undefined, name: string, index: number) => {
        if (escaped) return match.slice(1)
        const value = lookup(name, ctx)
        if (value === undefined) {
          if (name === 'COPILOT_ENVIRONMENT_NAME' && ctx.env === undefined) return match
          diagnostics.push(undefinedVariable(source, node, name, index, fieldPath(ancestors, node)))
          return match
        }
        replaced = true
        return value
      })
      if (out === raw) return
      if (replaced && /^\s*\[.*\]\s*$/s.test(out)) {
        const list = asStringList(out)
        if (list) {
          const seq = new YAMLSeq()
          seq.items = list.map((s) => new Scalar(s))
          seq.range = node.range
          return seq
        }
      }
      node.value = node.type === 'PLAIN' ? retype(out) : out
      return undefined
    },
  })
  return diagnostics
}

/**
 * Copilot interpolated the file's text before parsing it, so `[${CERT_ARN}]` (not YAML until
 * interpolated) worked. Pier interpolates parsed values (to keep positions); when the text does
 * not parse, this text-level pass is the fallback. Undefined variables are left for the value pass to report.
 */
export function interpolateText(text: string, ctx: InterpolationContext): string {
  return text.replace(PATTERN, (match, escaped: string | undefined, name: string) => (escaped ? match : (lookup(name, ctx) ?? match)))
}

function lookup(name: string, ctx: InterpolationContext): string | undefined {
  if (name === 'COPILOT_APPLICATION_NAME') return ctx.app
  if (name === 'COPILOT_ENVIRONMENT_NAME') return ctx.env
  return ctx.vars[name]
}

function asStringList(s: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(s)
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined
  } catch {
    return undefined
  }
}

function retype(s: string): string | number | boolean {
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(s)) return Number(s)
  if (s === 'true') return true
  if (s === 'false') return false
  return s
}

/** The field path of a node from its ancestors (documents, maps, pairs, sequences). */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  const path: PathSegment[] = []
  const chain = [...ancestors, node]
  for (let i = 0; i < chain.length - 1; i++) {
    const a = chain[i]
    if (isPair(a)) path.push(String(isScalar(a.key) ? a.key.value : a.key))
    else if (isSeq(a)) path.push(a.items.indexOf(chain[i + 1] as never))
  }
  return formatPath(path)
}

function undefinedVariable(source: ManifestSource, node: Scalar, name: string, index: number, path: string): Diagnostic {
  const start = node.range?.[0] ?? 0
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0
  const {line, col} = source.lines.linePos(start + quoted + index)
  return {
    file: source.file, line, col, severity: 'error', code: 'undefined-variable', path,
    message: `environment variable ${name} is not defined: \${${name}} is replaced by its value when the manifest is read`,
    hint: `Export ${name} before running Pier, or write \\\${${name}} to keep the text literally.`,
    frame: codeFrame(source.text, line, col, name.length + 3),
  }
}

