// Everything decided before a stack operation touches a resource: the parsed template, parameter
// values, conditions, the dependency graph and the capabilities the template needs.

import {ServiceError} from '../frontend/types.js'
import {buildGraph, type DependencyGraph} from './graph.js'
import {evaluateConditions, pseudoParameters, TemplateError, type EvalContext} from './intrinsics.js'
import {checkParameterDeclarations, isNoEcho, resolveParameters, type GivenParameter, type ResolvedParameters, type SsmLookup} from './parameters.js'
import {formatError, parseTemplate, type Template} from './template.js'

export interface PrepareInput {
  templateBody: string
  parameters: GivenParameter[]
  previousParameters: Record<string, string>
  stackName: string
  stackId: string
  region: string
  accountId: string
  ssm: SsmLookup
}

export interface Prepared {
  templateBody: string
  template: Template
  params: ResolvedParameters
  noEcho: string[]
  conditions: Record<string, boolean>
  graph: DependencyGraph
  pseudo: Record<string, unknown>
}

/** A template error as AWS reports it from an API call. */
export function templateValidationError(err: unknown): unknown {
  if (err instanceof TemplateError) {
    const msg = err.message.startsWith('Unresolved resource') || err.message.startsWith('Circular')
      ? `Template format error: ${err.message}` : `Template error: ${err.message}`
    return new ServiceError('ValidationError', msg)
  }
  return err
}

/** Parses and checks a template on its own (ValidateTemplate, GetTemplateSummary). */
export function checkTemplate(templateBody: string): Template {
  const template = parseTemplate(templateBody)
  checkParameterDeclarations(template)
  return template
}

export async function prepare(input: PrepareInput): Promise<Prepared> {
  try {
    const template = checkTemplate(input.templateBody)
    const params = await resolveParameters(template, input.parameters, input.previousParameters, input.ssm)
    const pseudo = pseudoParameters(input)
    const ctx = baseContext(template, params.values, pseudo, input.region)
    const conditions = evaluateConditions(template.Conditions ?? {}, ctx)
    const known = new Set([...Object.keys(params.values), ...Object.keys(pseudo), 'AWS::NoValue'])
    const graph = buildGraph(template, conditions, known)
    const noEcho = Object.entries(template.Parameters ?? {}).filter(([, d]) => isNoEcho(d)).map(([k]) => k)
    return {templateBody: input.templateBody, template, params, noEcho, conditions, graph, pseudo}
  } catch (err) {
    throw templateValidationError(err)
  }
}

/** A context that knows parameters, pseudo parameters and mappings, but no resource yet. */
export function baseContext(template: Template, params: Record<string, unknown>, pseudo: Record<string, unknown>, region: string): EvalContext {
  return {
    region,
    params,
    pseudo,
    conditions: {},
    mappings: template.Mappings ?? {},
    resource: () => undefined,
    importValue: () => {
      throw new TemplateError('Fn::ImportValue is not allowed here')
    },
  }
}

const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::UserToGroupAddition': undefined,
}

export interface CapabilityNeed {
  capability: 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM'
  reason: string
}

/** The capability a template needs: IAM resources need CAPABILITY_IAM, custom IAM names CAPABILITY_NAMED_IAM. */
export function requiredCapability(template: Template): CapabilityNeed | undefined {
  const iam = Object.values(template.Resources).filter((r) => r.Type in IAM_TYPES)
  if (iam.length === 0) return undefined
  const named = iam.some((r) => {
    const prop = IAM_TYPES[r.Type]
    return prop !== undefined && r.Properties?.[prop] !== undefined
  })
  const types = [...new Set(iam.map((r) => r.Type))]
  return {
    capability: named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM',
    reason: `The following resource(s) require capabilities: [${types.join(', ')}]`,
  }
}

export function checkCapabilities(template: Template, given: string[]): void {
  const need = requiredCapability(template)
  if (!need) return
  const ok = need.capability === 'CAPABILITY_IAM'
    ? given.includes('CAPABILITY_IAM') || given.includes('CAPABILITY_NAMED_IAM')
    : given.includes('CAPABILITY_NAMED_IAM')
  if (!ok) throw new ServiceError('InsufficientCapabilitiesException', `Requires capabilities : [${need.capability}]`)
}

/** AWS's limit on an inline TemplateBody; larger templates go through TemplateURL (up to 1 MB). */
export const TEMPLATE_BODY_LIMIT = 51_200

export function checkTemplateSize(body: string, inline: boolean): void {
  if (inline && body.length > TEMPLATE_BODY_LIMIT) {
    throw new ServiceError('ValidationError', `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${TEMPLATE_BODY_LIMIT}`)
  }
  if (Buffer.byteLength(body) > 1_000_000) throw formatError('Template may not exceed 1000000 bytes in size.')
}
