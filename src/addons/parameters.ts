// The parameters of an addons stack: the reserved ones Pier passes (App, Env and, for a workload, Name)
// and the ones `addons.parameters.yml` adds, whose values may refer to the parent stack (`!Ref`,
// `!GetAtt`, `!Sub`). The rules are Copilot's, checked together so every problem shows at once.

import {escapePointer, type Json, type ParsedYaml} from './cfn-yaml.js'
import {problemAt, syntaxProblems, type AddonDiagnostic} from './problems.js'

export const WORKLOAD_RESERVED = ['App', 'Env', 'Name'] as const
export const ENVIRONMENT_RESERVED = ['App', 'Env'] as const

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads `Parameters:` from an addons.parameters.yml. */
export function parameterValues(src: ParsedYaml): {values: Json; problems: AddonDiagnostic[]} {
  if (src.errors.length > 0) return {values: {}, problems: syntaxProblems(src)}
  const doc = src.value
  if (!isMap(doc) || !isMap(doc.Parameters)) {
    return {values: {}, problems: [problemAt(src, isMap(doc) ? '/Parameters' : '', {code: 'addon-parameters', message: `${src.file} must have a Parameters map: it names the values passed to the addons stack`, hint: 'Write `Parameters:` followed by `Name: value` lines.'})]}
  }
  return {values: doc.Parameters, problems: []}
}

export function checkParameters(input: {
  template: Json
  /** Where each template parameter was declared (for locating missing defaults). */
  locate: (pointer: string) => {src: ParsedYaml; pointer: string} | undefined
  values: Json
  valuesSrc?: ParsedYaml
  reserved: readonly string[]
  /** Where to report a reserved parameter missing from the template: the first addon file. */
  firstFile: ParsedYaml
}): AddonDiagnostic[] {
  const problems: AddonDiagnostic[] = []
  const declared = isMap(input.template.Parameters) ? input.template.Parameters : {}
  const reservedList = input.reserved.map((k) => `"${k}"`).join(', ')
  for (const k of input.reserved) {
    if (!(k in declared)) {
      problems.push(problemAt(input.firstFile, '/Parameters', {
        code: 'addon-parameters',
        message: `the addons template does not declare parameter "${k}": Pier passes ${reservedList} to every addons stack, and CloudFormation refuses parameters a template does not declare`,
        hint: `Add \`${k}: {Type: String}\` under Parameters.`,
      }))
    }
  }
  for (const k of Object.keys(input.values)) {
    const pointer = `/Parameters/${escapePointer(k)}`
    if (input.reserved.includes(k)) {
      problems.push(problemAt(input.valuesSrc!, pointer, {code: 'addon-parameters', message: `"${k}" cannot be set in the parameters file: ${reservedList} are reserved and passed by Pier`, hint: `Remove "${k}" from the file.`}))
    } else if (!(k in declared)) {
      problems.push(problemAt(input.valuesSrc!, pointer, {code: 'addon-parameters', message: `the addons template does not declare parameter "${k}": CloudFormation refuses a value for an undeclared parameter`, hint: `Declare "${k}" under Parameters in an addon template, or remove it here.`}))
    }
  }
  for (const [k, decl] of Object.entries(declared)) {
    if (input.reserved.includes(k) || k in input.values) continue
    if (isMap(decl) && decl.Default !== undefined) continue
    const where = input.locate(`Parameters/${k}`)
    if (!where) continue
    problems.push(problemAt(where.src, where.pointer, {
      code: 'addon-parameters',
      message: `parameter "${k}" has no Default and no value in addons.parameters.yml: the addons stack could not be created without it`,
      hint: `Give it a Default, or set it in addons.parameters.yml under Parameters.`,
    }))
  }
  return problems
}

/** Names a value refers to in its stack: `Ref`, `Fn::GetAtt` and `${Name}` in `Fn::Sub` (not AWS:: pseudo parameters). */
function referencedNames(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencedNames(v, out))
  else if (isMap(value)) {
    if (typeof value.Ref === 'string') out.add(value.Ref)
    const att = value['Fn::GetAtt']
    if (Array.isArray(att) && typeof att[0] === 'string') out.add(att[0])
    const sub = value['Fn::Sub']
    const [text, vars] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined]
    if (typeof text === 'string') {
      for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = m[1]!.trim().split('.')[0]!
        if (!(isMap(vars) && name in vars)) out.add(name)
      }
    }
    for (const v of Object.values(value)) referencedNames(v, out)
  }
  for (const n of [...out]) if (n.startsWith('AWS::')) out.delete(n)
  return out
}

/** Values of addons.parameters.yml that refer to a resource or parameter the parent stack does not have:
 * CloudFormation would refuse the parent template ("Unresolved resource dependencies"). */
export function checkParentReferences(values: Json, valuesSrc: ParsedYaml, parent: Json, parentLabel: string): AddonDiagnostic[] {
  const known = new Set([...Object.keys(isMap(parent.Resources) ? parent.Resources : {}), ...Object.keys(isMap(parent.Parameters) ? parent.Parameters : {})])
  const problems: AddonDiagnostic[] = []
  for (const [k, v] of Object.entries(values)) {
    for (const name of referencedNames(v, new Set())) {
      if (known.has(name)) continue
      problems.push(problemAt(valuesSrc, `/Parameters/${escapePointer(k)}`, {
        code: 'addon-parameters',
        message: `parameter "${k}" refers to ${name}, which the ${parentLabel} stack does not have: CloudFormation would refuse the stack`,
        hint: `Refer to one of its resources or parameters (\`pier ${parentLabel === 'environment' ? 'env' : 'svc'} package\` prints them), or pass a literal value.`,
      }))
    }
  }
  return problems
}
