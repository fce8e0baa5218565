// `overrides/cfn.patches.yml`: a list of YAML patches (`add`, `remove`, `replace`) applied in order to
// the rendered template, as Copilot applies them. Paths are JSON pointers (RFC 6901: `~1` is `/`, `~0`
// is `~`; `/-` appends to a list). A patch that cannot apply is reported where it is written, with the
// part of its path that was found, so the fix is obvious. Pure: template and parsed file in.

import {escapePointer, type Json, type ParsedYaml} from './cfn-yaml.js'
import {problemAt, syntaxProblems, type AddonDiagnostic} from './problems.js'

export const PATCH_FILE = 'cfn.patches.yml'

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const OPS = new Set(['add', 'remove', 'replace'])

/** `/Resources/a~1b/0` -> ['Resources', 'a/b', '0']. */
export function parsePointer(path: string): string[] {
  if (path === '') return []
  return path.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

type Step = {ok: true; parent: unknown} | {ok: false; reason: string}

/** Walks to the container holding the last segment. */
function walk(doc: unknown, segments: string[]): Step {
  let node = doc
  const seen: string[] = []
  for (const seg of segments.slice(0, -1)) {
    const here = seen.length ? `/${seen.map(escapePointer).join('/')}` : 'the template root'
    if (Array.isArray(node)) {
      const i = index(seg, node.length - 1)
      if (i === undefined) return {ok: false, reason: `"${seg}" is not an index of the list at ${here} (${node.length} item${node.length === 1 ? '' : 's'})`}
      node = node[i]
    } else if (isMap(node)) {
      if (!(seg in node)) return {ok: false, reason: `${here} has no key "${seg}"${keysHint(node)}`}
      node = node[seg]
    } else {
      return {ok: false, reason: `${here} is a ${node === null ? 'null' : typeof node}, not a map or a list`}
    }
    seen.push(seg)
  }
  return {ok: true, parent: node}
}

function keysHint(node: Json): string {
  const keys = Object.keys(node)
  if (keys.length === 0) return ''
  return ` (it has ${keys.slice(0, 8).map((k) => `"${k}"`).join(', ')}${keys.length > 8 ? ', ...' : ''})`
}

function index(seg: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) return undefined
  const i = Number(seg)
  return i <= max ? i : undefined
}

function applyOne(doc: Json, op: string, segments: string[], value: unknown): string | undefined {
  const last = segments[segments.length - 1]!
  const step = walk(doc, segments)
  if (!step.ok) return step.reason
  const parent = step.parent
  const where = segments.length > 1 ? `/${segments.slice(0, -1).map(escapePointer).join('/')}` : 'the template root'
  if (Array.isArray(parent)) {
    if (op === 'add') {
      if (last === '-') parent.push(value)
      else {
        const i = index(last, parent.length)
        if (i === undefined) return `"${last}" is not a position in the list at ${where} (0 to ${parent.length}, or - to append)`
        parent.splice(i, 0, value)
      }
      return undefined
    }
    const i = index(last, parent.length - 1)
    if (i === undefined) return `"${last}" is not an index of the list at ${where} (${parent.length} item${parent.length === 1 ? '' : 's'})`
    if (op === 'remove') parent.splice(i, 1)
    else parent[i] = value
    return undefined
  }
  if (!isMap(parent)) return `${where} is a ${parent === null ? 'null' : typeof parent}, not a map or a list`
  if (op !== 'add' && !(last in parent)) return `${where} has no key "${last}"${keysHint(parent)}`
  if (op === 'remove') delete parent[last]
  else parent[last] = value
  return undefined
}

interface Patch {
  op: 'add' | 'remove' | 'replace'
  path: string
  value?: unknown
}
const isPatch = (p: unknown): p is Patch => isMap(p) && typeof p.op === 'string' && OPS.has(p.op) && typeof p.path === 'string'

/** What is wrong with the form of one patch (before it is applied), if anything. */
function shapeProblem(src: ParsedYaml, p: unknown, i: number): AddonDiagnostic | undefined {
  const at = `/${i}`
  if (!isMap(p)) return problemAt(src, at, {code: 'patch', message: `patch ${i} is not a map: write op, path and value`})
  if (typeof p.op !== 'string' || !OPS.has(p.op)) {
    return problemAt(src, 'op' in p ? `${at}/op` : at, {code: 'patch', message: `patch ${i} has op ${JSON.stringify(p.op ?? null)}: the supported operations are add, remove and replace`})
  }
  if (typeof p.path !== 'string' || (p.path !== '' && !p.path.startsWith('/'))) {
    return problemAt(src, 'path' in p ? `${at}/path` : at, {code: 'patch', message: `patch ${i} has path ${JSON.stringify(p.path ?? null)}: a path is a JSON pointer starting with /, e.g. /Resources/TaskRole/Properties`})
  }
  if (p.op !== 'remove' && (p.value === undefined || p.value === null)) {
    return problemAt(src, at, {code: 'patch', message: `patch ${i} (${p.op} ${p.path}) has no value: ${p.op} needs one`})
  }
  if (parsePointer(p.path).length === 0) return problemAt(src, `${at}/path`, {code: 'patch', message: `patch ${i} targets the whole template: patch a part of it instead`})
  return undefined
}

/** The problems of a patch file's form, without a template to apply it to (for `pier validate`). */
export function checkPatchFile(src: ParsedYaml): AddonDiagnostic[] {
  if (src.errors.length > 0) return syntaxProblems(src)
  if (src.value === null || src.value === undefined) return []
  if (!Array.isArray(src.value)) return [problemAt(src, '', {code: 'patch', message: `${src.file} must be a list of patches: each item has op, path and (for add and replace) value`})]
  return src.value.flatMap((p, i) => shapeProblem(src, p, i) ?? [])
}

export function applyPatches(template: Json, src: ParsedYaml): {template: Json; problems: AddonDiagnostic[]; applied: number} {
  if (src.errors.length > 0) return {template, problems: syntaxProblems(src), applied: 0}
  const patches = src.value
  if (patches === null || patches === undefined) return {template, problems: [], applied: 0}
  if (!Array.isArray(patches)) {
    return {template, problems: [problemAt(src, '', {code: 'patch', message: `${src.file} must be a list of patches: each item has op, path and (for add and replace) value`})], applied: 0}
  }
  const doc = structuredClone(template)
  const problems: AddonDiagnostic[] = []
  let applied = 0
  patches.forEach((p: unknown, i) => {
    const shape = shapeProblem(src, p, i)
    if (shape) return problems.push(shape)
    if (!isPatch(p)) return
    const at = `/${i}`
    const segments = parsePointer(p.path)
    const failure = applyOne(doc, p.op, segments, structuredClone(p.value))
    if (failure) {
      return problems.push(problemAt(src, `${at}/path`, {code: 'patch', message: `cannot ${p.op} ${p.path}: ${failure}`, hint: 'Run `pier svc package` (or `pier env package`) without the patch to see the rendered template.'}))
    }
    applied++
  })
  if (applied > 0 && typeof doc.Description === 'string') doc.Description = `${doc.Description.replace(/\.$/, '')} with YAML patches.`
  return {template: doc, problems, applied}
}
