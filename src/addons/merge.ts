// Merging a workload's (or the environments') addon templates into the one template the `AddonsStack`
// nested stack runs, as Copilot does: files in name order; Metadata, Parameters, Conditions, Resources
// and Outputs merged by key, Mappings two levels deep, Transform as a set. The same key in two files is
// an error unless both declare exactly the same thing (shared parameters such as App, Env and Name).

import {escapePointer, type Json, type ParsedYaml} from './cfn-yaml.js'
import {problemAt, syntaxProblems, type AddonDiagnostic} from './problems.js'

const SINGLE_LEVEL = ['Metadata', 'Parameters', 'Conditions', 'Resources', 'Outputs'] as const
const KNOWN = new Set(['AWSTemplateFormatVersion', 'Description', 'Transform', 'Mappings', 'Rules', ...SINGLE_LEVEL])

export interface MergedTemplate {
  template: Json
  /** Where each merged entry was declared first: `Resources/Bucket` -> file and pointer. */
  origin: Map<string, {src: ParsedYaml; pointer: string}>
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Deep equality of plain data (key order does not matter, as in CloudFormation). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
  }
  if (!isMap(a) || !isMap(b)) return false
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameValue(a[k], b[k]))
}

export function mergeTemplates(files: ParsedYaml[]): {merged: MergedTemplate; problems: AddonDiagnostic[]} {
  const problems: AddonDiagnostic[] = []
  const template: Json = {}
  const origin = new Map<string, {src: ParsedYaml; pointer: string}>()

  const put = (section: Json, key: string, value: unknown, id: string, src: ParsedYaml, pointer: string, what: string) => {
    const first = origin.get(id)
    if (!(key in section)) {
      section[key] = value
      origin.set(id, {src, pointer})
    } else if (!sameValue(section[key], value) && first) {
      const at = first.src.at(first.pointer)
      problems.push(problemAt(src, pointer, {
        code: 'addon-conflict',
        message: `${what} "${key}" is declared differently in ${first.src.file}:${at.line}:${at.col}: addon templates are merged into one stack, where each name must be unique`,
        hint: `Rename one of them, or make both declarations identical.`,
      }))
    }
  }

  for (const src of files) {
    if (src.errors.length > 0) {
      problems.push(...syntaxProblems(src))
      continue
    }
    const doc = src.value
    if (!isMap(doc)) {
      problems.push(problemAt(src, '', {code: 'addon-template', message: `${src.file} is not a CloudFormation template: the document must be a map with a Resources section`}))
      continue
    }
    if (!isMap(doc.Resources)) {
      problems.push(problemAt(src, '/Resources', {code: 'addon-template', message: 'Resources is missing or not a map: CloudFormation requires it in every template', hint: 'Declare at least one resource under Resources.'}))
    }
    for (const key of Object.keys(doc)) {
      if (!KNOWN.has(key)) problems.push(problemAt(src, `/${escapePointer(key)}`, {code: 'addon-template', message: `"${key}" is not a section of a CloudFormation template`, hint: 'Sections: AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, Conditions, Transform, Resources, Outputs.'}))
    }
    if (typeof doc.AWSTemplateFormatVersion === 'string') template.AWSTemplateFormatVersion ??= doc.AWSTemplateFormatVersion
    if (typeof doc.Description === 'string') template.Description ??= doc.Description
    for (const section of [...SINGLE_LEVEL, 'Rules'] as const) {
      const entries = doc[section]
      if (entries === undefined || entries === null) continue
      if (!isMap(entries)) {
        problems.push(problemAt(src, `/${section}`, {code: 'addon-template', message: `${section} must be a map of names to declarations`}))
        continue
      }
      const target = (template[section] ??= {}) as Json
      const what = section === 'Resources' ? 'resource' : section === 'Outputs' ? 'output' : section === 'Parameters' ? 'parameter' : section === 'Conditions' ? 'condition' : `${section} entry`
      for (const [k, v] of Object.entries(entries)) put(target, k, v, `${section}/${k}`, src, `/${section}/${escapePointer(k)}`, what)
    }
    if (isMap(doc.Mappings)) {
      const target = (template.Mappings ??= {}) as Json
      for (const [map, entries] of Object.entries(doc.Mappings)) {
        if (!isMap(entries)) {
          problems.push(problemAt(src, `/Mappings/${escapePointer(map)}`, {code: 'addon-template', message: `mapping "${map}" must be a map of keys to values`}))
          continue
        }
        const inner = (target[map] ??= {}) as Json
        for (const [k, v] of Object.entries(entries)) put(inner, k, v, `Mappings/${map}/${k}`, src, `/Mappings/${escapePointer(map)}/${escapePointer(k)}`, `key of mapping ${map},`)
      }
    }
    if (doc.Transform !== undefined) {
      const list = (template.Transform ??= []) as unknown[]
      for (const t of Array.isArray(doc.Transform) ? doc.Transform : [doc.Transform]) if (!list.some((x) => sameValue(x, t))) list.push(t)
    }
  }
  // CloudFormation takes a single transform as a string, as most templates write it.
  if (Array.isArray(template.Transform) && template.Transform.length === 1) template.Transform = template.Transform[0]
  const ordered: Json = {}
  for (const k of ['AWSTemplateFormatVersion', 'Description', 'Transform', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs']) {
    if (template[k] !== undefined) ordered[k] = template[k]
  }
  return {merged: {template: ordered, origin}, problems}
}
