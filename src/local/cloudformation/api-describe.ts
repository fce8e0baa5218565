// The read operations of the CloudFormation API: stacks, events, resources, templates, template
// validation and summaries, exports and imports.

import {ServiceError} from '../frontend/types.js'
import type {CloudFormationApi, ApiOperation, Params} from './api.js'
import {exportTable, importersOf} from './outputs.js'
import {isNoEcho} from './parameters.js'
import {checkTemplate, requiredCapability, templateValidationError} from './prepare.js'
import {required, stringList} from './query.js'
import * as shape from './shapes.js'
import type {StackRecord} from './stack-store.js'

const PAGE = 100

function page<T>(items: T[], token: string | undefined): {items: T[]; next?: string} {
  const start = token ? Number(token) || 0 : 0
  const slice = items.slice(start, start + PAGE)
  return start + PAGE < items.length ? {items: slice, next: String(start + PAGE)} : {items: slice}
}

export const describeOps: Record<string, ApiOperation> = {
  async DescribeStacks(api: CloudFormationApi, p: Params) {
    if (p.StackName) return {Stacks: [shape.stackShape(api.stack(p.StackName))]}
    const live = api.deps.store.all().filter((s) => s.status !== 'DELETE_COMPLETE').reverse()
    const {items, next} = page(live, p.NextToken)
    return {Stacks: items.map(shape.stackShape), ...(next ? {NextToken: next} : {})}
  },

  async ListStacks(api: CloudFormationApi, p: Params) {
    const filter = stringList(p, 'StackStatusFilter')
    const stacks = api.deps.store.all().filter((s) => filter.length === 0 || filter.includes(s.status)).reverse()
    const {items, next} = page(stacks, p.NextToken)
    return {StackSummaries: items.map(shape.stackSummaryShape), ...(next ? {NextToken: next} : {})}
  },

  async DescribeStackEvents(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    const {items, next} = page([...api.deps.store.events(s.stackId)].reverse(), p.NextToken)
    return {StackEvents: items.map((e) => shape.eventShape(s, e)), ...(next ? {NextToken: next} : {})}
  },

  async DescribeStackResource(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    const id = required(p, 'LogicalResourceId')
    const r = s.resources[id]
    if (!r) throw new ServiceError('ValidationError', `Resource ${id} does not exist for stack ${s.stackName}`)
    return {StackResourceDetail: shape.resourceDetailShape(s, r)}
  },

  async DescribeStackResources(api: CloudFormationApi, p: Params) {
    let s: StackRecord | undefined
    if (p.StackName) s = api.stack(p.StackName)
    else if (p.PhysicalResourceId) {
      s = api.deps.store.all().find((x) => x.status !== 'DELETE_COMPLETE' &&
        Object.values(x.resources).some((r) => r.physicalId === p.PhysicalResourceId))
      if (!s) throw new ServiceError('ValidationError', `Stack for ${p.PhysicalResourceId} does not exist`)
    } else throw new ServiceError('ValidationError', 'Either StackName or PhysicalResourceId must be specified.')
    const stack = s
    const resources = Object.values(stack.resources).filter((r) => !p.LogicalResourceId || r.logicalId === p.LogicalResourceId)
    return {StackResources: resources.map((r) => shape.resourceShape(stack, r))}
  },

  async ListStackResources(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    const {items, next} = page(Object.values(s.resources), p.NextToken)
    return {StackResourceSummaries: items.map(shape.resourceSummaryShape), ...(next ? {NextToken: next} : {})}
  },

  async GetTemplate(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    let body = s.templateBody
    if (p.ChangeSetName) body = api.changeSet(p.ChangeSetName, s.stackName).cs.templateBody
    return {TemplateBody: body, StagesAvailable: ['Original', 'Processed']}
  },

  async ValidateTemplate(api: CloudFormationApi, p: Params) {
    const {template, parameters, capabilities} = summaryParameters(await api.templateBody(p))
    return {
      Parameters: parameters.map(({ParameterKey, DefaultValue, NoEcho, Description}) =>
        ({ParameterKey, ...(DefaultValue !== undefined ? {DefaultValue} : {}), NoEcho, ...(Description !== undefined ? {Description} : {})})),
      ...(template.Description !== undefined ? {Description: template.Description} : {}),
      ...capabilities,
      DeclaredTransforms: [],
    }
  },

  async GetTemplateSummary(api: CloudFormationApi, p: Params) {
    const body = p.StackName ? api.stack(p.StackName).templateBody : await api.templateBody(p)
    const {template, parameters, capabilities} = summaryParameters(body)
    return {
      Parameters: parameters,
      ...(template.Description !== undefined ? {Description: template.Description} : {}),
      ...capabilities,
      ResourceTypes: [...new Set(Object.values(template.Resources).map((r) => r.Type))],
      Version: '2010-09-09',
      ...(template.Metadata ? {Metadata: JSON.stringify(template.Metadata)} : {}),
      DeclaredTransforms: [],
      ResourceIdentifierSummaries: [],
    }
  },

  async ListExports(api: CloudFormationApi, p: Params) {
    const all = [...exportTable(api.deps.store.all()).values()]
    const {items, next} = page(all, p.NextToken)
    return {Exports: items.map((e) => ({ExportingStackId: e.stack.stackId, Name: e.name, Value: e.value})), ...(next ? {NextToken: next} : {})}
  },

  async ListImports(api: CloudFormationApi, p: Params) {
    const name = required(p, 'ExportName')
    const users = importersOf(api.deps.store.all(), name)
    if (users.length === 0) throw new ServiceError('ValidationError', `Export '${name}' is not imported by any stack.`)
    return {Imports: users}
  },
}

function summaryParameters(body: string) {
  let template
  try {
    template = checkTemplate(body)
  } catch (err) {
    throw templateValidationError(err)
  }
  const need = requiredCapability(template)
  return {
    template,
    parameters: Object.entries(template.Parameters ?? {}).map(([key, d]) => ({
      ParameterKey: key,
      ...(d.Default !== undefined ? {DefaultValue: String(d.Default)} : {}),
      NoEcho: isNoEcho(d),
      ...(d.Description !== undefined ? {Description: d.Description} : {}),
      ParameterType: d.Type,
      ParameterConstraints: d.AllowedValues ? {AllowedValues: d.AllowedValues.map(String)} : {},
    })),
    capabilities: need ? {Capabilities: [need.capability], CapabilitiesReason: need.reason} : {Capabilities: []},
  }
}
