// Stack parameters: declared types, defaults, constraints and NoEcho, with values given on the call
// (or the previous value on update) and `AWS::SSM::Parameter::Value<…>` types resolved through SSM.

import {ServiceError} from '../frontend/types.js'
import {formatError, type ParameterDeclaration, type Template} from './template.js'
import {boundedRegex, PatternError} from '../bounded-regex.js'
import {dict} from '../store/dict.js'

export interface GivenParameter {
  key: string
  value?: string
  usePreviousValue?: boolean
}

export interface ResolvedParameters {
  /** What a template's `Ref` sees: strings, or string lists for list types. */
  values: Record<string, unknown>
  /** The value as given (the SSM parameter name for SSM types), as DescribeStacks shows it. */
  given: Record<string, string>
  /** SSM types: the value read from SSM (DescribeStacks' ResolvedValue). */
  resolved: Record<string, string>
}

/** Reads SSM parameters by name; throws when one does not exist. */
export type SsmLookup = (names: string[]) => Promise<Record<string, string>>

const SSM_VALUE = /^AWS::SSM::Parameter::Value<(.+)>$/
const EC2_TYPE = /^AWS::EC2::[A-Za-z]+::(Id|Name|KeyName|GroupName)$|^AWS::Route53::HostedZone::Id$/

function isKnownType(type: string): boolean {
  if (['String', 'Number', 'CommaDelimitedList', 'List<Number>', 'AWS::SSM::Parameter::Name'].includes(type)) return true
  const ssm = SSM_VALUE.exec(type)
  if (ssm) return ssm[1] === 'List<String>' || isKnownType(ssm[1]!)
  const list = /^List<(.+)>$/.exec(type)
  if (list) return EC2_TYPE.test(list[1]!)
  return EC2_TYPE.test(type)
}

export function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<')
}

export function isNoEcho(decl: ParameterDeclaration | undefined): boolean {
  return decl?.NoEcho === true || String(decl?.NoEcho).toLowerCase() === 'true'
}

export function checkParameterDeclarations(template: Template): void {
  for (const [key, decl] of Object.entries(template.Parameters ?? {})) {
    if (!isKnownType(decl.Type)) throw formatError(`Unrecognized parameter type: ${decl.Type}`)
    if (!/^[A-Za-z0-9]+$/.test(key)) throw formatError(`Parameter name ${key} is non alphanumeric.`)
  }
}

export async function resolveParameters(template: Template, given: GivenParameter[], previous: Record<string, string>,
  ssm: SsmLookup): Promise<ResolvedParameters> {
  const decls = template.Parameters ?? {}
  const unknown = given.filter((p) => !Object.hasOwn(decls, p.key)).map((p) => p.key)
  if (unknown.length > 0) throw new ServiceError('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`)
  const byKey = new Map(given.map((p) => [p.key, p]))
  const raw = dict<string>()
  const missing: string[] = []
  for (const [key, decl] of Object.entries(decls)) {
    const p = byKey.get(key)
    if (p?.usePreviousValue) {
      if (!Object.hasOwn(previous, key)) throw new ServiceError('ValidationError', `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`)
      raw[key] = previous[key]!
    } else if (p?.value !== undefined) raw[key] = p.value
    else if (decl.Default !== undefined) raw[key] = Array.isArray(decl.Default) ? decl.Default.join(',') : String(decl.Default)
    else missing.push(key)
  }
  if (missing.length > 0) throw new ServiceError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`)

  // Constraints on the values as given are checked before anything is read from SSM.
  for (const [key, decl] of Object.entries(decls)) {
    if (!SSM_VALUE.test(decl.Type)) await checkConstraints(key, decl, decl.Type, raw[key]!)
  }
  const ssmNames = Object.entries(decls).filter(([, d]) => SSM_VALUE.test(d.Type)).map(([k]) => raw[k]!)
  const fromSsm = ssmNames.length > 0 ? await ssm(ssmNames) : {}

  const values = dict<unknown>()
  const resolved = dict<string>()
  for (const [key, decl] of Object.entries(decls)) {
    const ssmType = SSM_VALUE.exec(decl.Type)
    let text = raw[key]!
    let type = decl.Type
    if (ssmType) {
      text = fromSsm[text]!
      resolved[key] = text
      type = ssmType[1]!
      await checkConstraints(key, decl, type, text)
    }
    values[key] = isListType(type) ? (text === '' ? [] : text.split(',').map((s) => (type === 'CommaDelimitedList' ? s : s.trim()))) : text
  }
  return {values, given: raw, resolved}
}

/** The template's pattern, run off the event loop within a time limit (../bounded-regex.ts). */
async function matchesAllowedPattern(key: string, pattern: string, value: string): Promise<boolean> {
  try {
    return await boundedRegex.test(`^(?:${pattern})$`, value)
  } catch (err) {
    if (err instanceof PatternError) throw new ServiceError('ValidationError', `Parameter '${key}' has an AllowedPattern that cannot be used: ${err.message}`)
    throw err
  }
}

function constraintError(key: string, decl: ParameterDeclaration, message: string): ServiceError {
  const text = decl.ConstraintDescription ? `Parameter '${key}' failed to satisfy constraint: ${decl.ConstraintDescription}` : message
  return new ServiceError('ValidationError', text)
}

async function checkConstraints(key: string, decl: ParameterDeclaration, type: string, text: string): Promise<void> {
  const items = isListType(type) ? text.split(',') : [text]
  for (const item of items) {
    if (decl.AllowedValues && !decl.AllowedValues.map(String).includes(item)) {
      throw constraintError(key, decl, `Parameter '${key}' must be one of AllowedValues`)
    }
    if (decl.AllowedPattern && !(await matchesAllowedPattern(key, String(decl.AllowedPattern), item))) {
      throw constraintError(key, decl, `Parameter '${key}' must match pattern ${decl.AllowedPattern}`)
    }
    if (decl.MinLength !== undefined && item.length < Number(decl.MinLength)) {
      throw constraintError(key, decl, `Parameter '${key}' must contain at least ${decl.MinLength} characters`)
    }
    if (decl.MaxLength !== undefined && item.length > Number(decl.MaxLength)) {
      throw constraintError(key, decl, `Parameter '${key}' must contain at most ${decl.MaxLength} characters`)
    }
    if (type === 'Number' || type === 'List<Number>') {
      const n = Number(item)
      if (item.trim() === '' || Number.isNaN(n)) throw new ServiceError('ValidationError', `Parameter '${key}' must be a number`)
      if (decl.MinValue !== undefined && n < Number(decl.MinValue)) {
        throw constraintError(key, decl, `Parameter '${key}' must be a number not less than ${decl.MinValue}`)
      }
      if (decl.MaxValue !== undefined && n > Number(decl.MaxValue)) {
        throw constraintError(key, decl, `Parameter '${key}' must be a number not greater than ${decl.MaxValue}`)
      }
    }
  }
}
