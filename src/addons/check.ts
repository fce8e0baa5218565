// What `pier validate` checks in addon templates beyond their merge and parameters: resource types,
// property names and required properties against the CloudFormation resource specification, attributes
// named by Fn::GetAtt, and outputs whose variable names the manifest already uses.

import {didYouMean} from '../manifest/suggest.js'
import {escapePointer, type Json} from './cfn-yaml.js'
import {CFN_RESOURCES} from './cfn-spec.generated.js'
import type {AddonOutput} from './outputs.js'
import {problemAt, type AddonDiagnostic} from './problems.js'
import type {AddonsStack} from './stack.js'

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const words = (s: string): string[] => (s ? s.split(' ') : [])
const ALL_TYPES = Object.keys(CFN_RESOURCES)

/** Types the specification does not describe: custom resources, SAM types (the Serverless transform
 * expands them), third-party registry types and modules. */
const unchecked = (type: string): boolean => type.startsWith('Custom::') || type.startsWith('AWS::Serverless::') || !/^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(type) || type.endsWith('::MODULE')

function getAtts(node: unknown, out: {target: string; attr: string; pointer: string}[], pointer: string): void {
  if (Array.isArray(node)) return node.forEach((n, i) => getAtts(n, out, `${pointer}/${i}`))
  if (!isMap(node)) return
  const ga = node['Fn::GetAtt']
  if (Array.isArray(ga) && typeof ga[0] === 'string' && typeof ga[1] === 'string') out.push({target: ga[0], attr: ga[1], pointer})
  for (const [k, v] of Object.entries(node)) getAtts(v, out, `${pointer}/${escapePointer(k)}`)
}

export function checkAgainstSpec(stack: Pick<AddonsStack, 'template' | 'origin'>): AddonDiagnostic[] {
  const problems: AddonDiagnostic[] = []
  const resources = isMap(stack.template.Resources) ? stack.template.Resources : {}
  const types = new Map<string, string>()
  for (const [id, res] of Object.entries(resources)) {
    const where = stack.origin.get(`Resources/${id}`)
    if (!where) continue
    const at = (rest: string) => `${where.pointer}${rest}`
    if (!isMap(res) || typeof res.Type !== 'string') {
      problems.push(problemAt(where.src, where.pointer, {code: 'addon-resource', message: `resource "${id}" has no Type: every resource names its type, e.g. AWS::S3::Bucket`}))
      continue
    }
    types.set(id, res.Type)
    if (unchecked(res.Type)) continue
    const spec = CFN_RESOURCES[res.Type]
    if (!spec) {
      const guess = didYouMean(res.Type, ALL_TYPES)
      problems.push(problemAt(where.src, at('/Type'), {code: 'addon-resource', message: `resource "${id}" has type ${res.Type}, which CloudFormation does not have`, hint: guess ? `Did you mean ${guess}?` : 'See the AWS resource and property types reference.'}))
      continue
    }
    const [propNames, required] = [words(spec[0]), words(spec[1])]
    const props = res.Properties
    if (props !== undefined && !isMap(props)) continue // an intrinsic (Fn::If ...) decides the properties
    for (const k of Object.keys(props ?? {})) {
      if (propNames.includes(k)) continue
      const guess = didYouMean(k, propNames)
      problems.push(problemAt(where.src, at(`/Properties/${escapePointer(k)}`), {code: 'addon-property', message: `${res.Type} has no property ${k}: CloudFormation refuses the template`, hint: guess ? `Did you mean ${guess}?` : `Its properties: ${propNames.slice(0, 12).join(', ')}${propNames.length > 12 ? ', ...' : ''}.`}))
    }
    for (const k of required) {
      if (props && k in props) continue
      problems.push(problemAt(where.src, props ? at('/Properties') : where.pointer, {code: 'addon-property', message: `${res.Type} "${id}" is missing the required property ${k}`, hint: `Add ${k} under Properties.`}))
    }
  }
  // Fn::GetAtt of a resource of this template must name one of its type's attributes.
  for (const [id, res] of Object.entries(resources)) {
    const where = stack.origin.get(`Resources/${id}`)
    if (!where || !isMap(res)) continue
    const found: {target: string; attr: string; pointer: string}[] = []
    getAtts(res, found, where.pointer)
    for (const g of found) {
      const type = types.get(g.target)
      if (!type || unchecked(type) || !CFN_RESOURCES[type] || g.attr.startsWith('Outputs.')) continue
      const attrs = words(CFN_RESOURCES[type][2])
      if (attrs.includes(g.attr)) continue
      const guess = didYouMean(g.attr, attrs)
      problems.push(problemAt(where.src, g.pointer, {code: 'addon-attribute', message: `Fn::GetAtt ${g.target}.${g.attr}: ${type} has no attribute ${g.attr}`, hint: guess ? `Did you mean ${guess}?` : attrs.length ? `Its attributes: ${attrs.join(', ')}.` : `${type} has no attributes; use Ref.`}))
    }
  }
  return problems
}

/** Addon outputs that would set a variable or secret the manifest sets too: the task would get two. */
export function outputCollisions(stack: Pick<AddonsStack, 'origin'>, outputs: AddonOutput[], manifest: {variables?: Record<string, unknown>; secrets?: Record<string, unknown>}, manifestFile: string): AddonDiagnostic[] {
  const problems: AddonDiagnostic[] = []
  const taken = new Map<string, string>()
  for (const k of Object.keys(manifest.variables ?? {})) taken.set(k, 'variables')
  for (const k of Object.keys(manifest.secrets ?? {})) taken.set(k, 'secrets')
  for (const o of outputs) {
    if (o.kind !== 'variable' && o.kind !== 'secret') continue
    const section = taken.get(o.envName)
    const where = stack.origin.get(`Outputs/${o.name}`)
    if (!section || !where) continue
    problems.push(problemAt(where.src, where.pointer, {
      code: 'addon-output',
      message: `output ${o.name} becomes the ${o.kind === 'secret' ? 'secret' : 'variable'} ${o.envName}, which ${manifestFile} also sets under ${section}: the container would get the name twice`,
      hint: `Rename the output, or remove ${o.envName} from ${section} in the manifest.`,
    }))
  }
  return problems
}
