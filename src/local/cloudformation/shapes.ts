// Result shapes of the CloudFormation API, built from the store's records (AWS's member names; lists
// become `<member>` lists in the XML the frontend writes).

import type {ChangeSetRecord, ResourceState, StackEvent, StackRecord} from './stack-store.js'

const MASK = '****'

export function parameterList(values: Record<string, string>, noEcho: string[], resolved: Record<string, string> = {}) {
  return Object.entries(values).map(([key, value]) => ({
    ParameterKey: key,
    ParameterValue: noEcho.includes(key) ? MASK : value,
    ...(key in resolved ? {ResolvedValue: noEcho.includes(key) ? MASK : resolved[key]} : {}),
  }))
}

export function stackShape(s: StackRecord) {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    ...(s.changeSetId ? {ChangeSetId: s.changeSetId} : {}),
    ...(s.parentId ? {ParentId: s.parentId, RootId: s.rootId} : {}),
    ...(s.description !== undefined ? {Description: s.description} : {}),
    Parameters: parameterList(s.parameters, s.noEcho, s.resolvedParameters),
    CreationTime: s.createdAt,
    ...(s.deletedAt ? {DeletionTime: s.deletedAt} : {}),
    ...(s.updatedAt ? {LastUpdatedTime: s.updatedAt} : {}),
    RollbackConfiguration: {},
    StackStatus: s.status,
    ...(s.reason ? {StackStatusReason: s.reason} : {}),
    DisableRollback: s.disableRollback,
    ...(s.roleArn ? {RoleARN: s.roleArn} : {}),
    NotificationARNs: s.notificationArns,
    Capabilities: s.capabilities,
    Outputs: s.outputs.map((o) => ({
      OutputKey: o.key, OutputValue: o.value,
      ...(o.description !== undefined ? {Description: o.description} : {}),
      ...(o.exportName !== undefined ? {ExportName: o.exportName} : {}),
    })),
    Tags: s.tags,
    EnableTerminationProtection: false,
    DriftInformation: {StackDriftStatus: 'NOT_CHECKED'},
  }
}

export function stackSummaryShape(s: StackRecord) {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    ...(s.description !== undefined ? {TemplateDescription: s.description} : {}),
    CreationTime: s.createdAt,
    ...(s.updatedAt ? {LastUpdatedTime: s.updatedAt} : {}),
    ...(s.deletedAt ? {DeletionTime: s.deletedAt} : {}),
    StackStatus: s.status,
    ...(s.reason ? {StackStatusReason: s.reason} : {}),
    ...(s.parentId ? {ParentId: s.parentId, RootId: s.rootId} : {}),
    DriftInformation: {StackDriftStatus: 'NOT_CHECKED'},
  }
}

export function eventShape(s: StackRecord, e: StackEvent) {
  return {
    StackId: s.stackId,
    EventId: e.eventId,
    StackName: s.stackName,
    LogicalResourceId: e.logicalId,
    PhysicalResourceId: e.physicalId,
    ResourceType: e.resourceType,
    Timestamp: e.timestamp,
    ResourceStatus: e.status,
    ...(e.reason ? {ResourceStatusReason: e.reason} : {}),
    ...(e.properties ? {ResourceProperties: e.properties} : {}),
    ...(e.clientRequestToken ? {ClientRequestToken: e.clientRequestToken} : {}),
  }
}

export function resourceShape(s: StackRecord, r: ResourceState) {
  return {
    StackName: s.stackName,
    StackId: s.stackId,
    LogicalResourceId: r.logicalId,
    ...(r.physicalId ? {PhysicalResourceId: r.physicalId} : {}),
    ResourceType: r.type,
    Timestamp: r.updatedAt,
    ResourceStatus: r.status,
    ...(r.reason ? {ResourceStatusReason: r.reason} : {}),
    DriftInformation: {StackResourceDriftStatus: 'NOT_CHECKED'},
  }
}

export function resourceDetailShape(s: StackRecord, r: ResourceState) {
  const {Timestamp, ...rest} = resourceShape(s, r)
  return {...rest, LastUpdatedTimestamp: Timestamp, ...(r.metadata ? {Metadata: JSON.stringify(r.metadata)} : {})}
}

export function resourceSummaryShape(r: ResourceState) {
  return {
    LogicalResourceId: r.logicalId,
    ...(r.physicalId ? {PhysicalResourceId: r.physicalId} : {}),
    ResourceType: r.type,
    LastUpdatedTimestamp: r.updatedAt,
    ResourceStatus: r.status,
    ...(r.reason ? {ResourceStatusReason: r.reason} : {}),
    DriftInformation: {StackResourceDriftStatus: 'NOT_CHECKED'},
  }
}

export function changeSetShape(s: StackRecord, cs: ChangeSetRecord, noEcho: string[]) {
  return {
    ChangeSetName: cs.name,
    ChangeSetId: cs.id,
    StackId: s.stackId,
    StackName: s.stackName,
    ...(cs.description !== undefined ? {Description: cs.description} : {}),
    Parameters: parameterList(cs.parameterValues, noEcho),
    CreationTime: cs.createdAt,
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    ...(cs.statusReason ? {StatusReason: cs.statusReason} : {}),
    NotificationARNs: [],
    RollbackConfiguration: {},
    Capabilities: cs.capabilities,
    Tags: cs.tags,
    Changes: cs.changes.map((c) => ({Type: 'Resource', ResourceChange: c})),
    IncludeNestedStacks: false,
    ...(cs.disableRollback !== undefined ? {OnStackFailure: cs.disableRollback ? 'DO_NOTHING' : 'ROLLBACK'} : {}),
  }
}

export function changeSetSummaryShape(s: StackRecord, cs: ChangeSetRecord) {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    ChangeSetId: cs.id,
    ChangeSetName: cs.name,
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    ...(cs.statusReason ? {StatusReason: cs.statusReason} : {}),
    CreationTime: cs.createdAt,
    ...(cs.description !== undefined ? {Description: cs.description} : {}),
    IncludeNestedStacks: false,
  }
}
