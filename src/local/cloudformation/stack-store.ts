// The store of record for stacks: one crash-safe JSON document per stack under
// `<stateDir>/cloudformation/stacks/`, holding the template, parameters, resources, outputs, change
// sets and, while an operation runs, its journal (what to undo on rollback or after a crash). Events
// are an append-only log beside it (`<id>.events.ndjson`), so a busy operation never rewrites them.

import {appendFileSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {JsonDocument} from '../store/json-file.js'
import type {Template} from './template.js'

export interface StackEvent {
  eventId: string
  logicalId: string
  physicalId: string
  resourceType: string
  timestamp: string
  status: string
  reason?: string
  properties?: string
  clientRequestToken?: string
}

export interface ResourceState {
  logicalId: string
  type: string
  physicalId?: string
  status: string
  reason?: string
  updatedAt: string
  /** Resolved properties as last applied. */
  properties?: Record<string, any>
  attributes: Record<string, unknown>
  dependsOn: string[]
  deletionPolicy?: string
  updateReplacePolicy?: string
  metadata?: Record<string, unknown>
}

export interface StackOutput {
  key: string
  value: string
  description?: string
  exportName?: string
}

export interface Tag {
  Key: string
  Value: string
}

/** Everything a stack's configuration consists of, as one snapshot (kept for rollback). */
export interface StackSnapshot {
  templateBody: string
  template: Template
  description?: string
  /** Parameter values as given (SSM types: the parameter name). */
  parameters: Record<string, string>
  resolvedParameters: Record<string, string>
  noEcho: string[]
  resources: Record<string, ResourceState>
  outputs: StackOutput[]
  imports: string[]
}

export interface JournalEntry {
  logicalId: string
  action: 'create' | 'update' | 'replace'
  /** The resource before the change (update and replace). */
  before?: ResourceState
  /** A replacement that failed but exists, to delete when rolling back. */
  orphan?: ResourceState
  /** The update was a replacement that failed: the old resource was never changed, so a rollback
   * restores its record without calling the provider's update. */
  failedReplacement?: boolean
}

export interface Operation {
  kind: 'create' | 'update' | 'delete'
  previous?: StackSnapshot
  journal: JournalEntry[]
  /** Resources an update removes (deleted in its cleanup phase). */
  removed?: string[]
  changeSetId?: string
}

export interface ResourceChangeDetail {
  Target: {Attribute: string; Name?: string; RequiresRecreation: 'Never' | 'Conditionally' | 'Always'}
  Evaluation: 'Static' | 'Dynamic'
  ChangeSource: 'DirectModification' | 'ResourceReference' | 'ParameterReference' | 'ResourceAttribute'
  CausingEntity?: string
}

export interface ResourceChange {
  Action: 'Add' | 'Modify' | 'Remove'
  LogicalResourceId: string
  PhysicalResourceId?: string
  ResourceType: string
  Replacement?: 'True' | 'False' | 'Conditional'
  PolicyAction?: 'Delete' | 'Retain' | 'ReplaceAndDelete' | 'ReplaceAndRetain'
  Scope: string[]
  Details: ResourceChangeDetail[]
}

export interface ChangeSetRecord {
  id: string
  name: string
  type: 'CREATE' | 'UPDATE'
  status: string
  statusReason?: string
  executionStatus: string
  createdAt: string
  description?: string
  templateBody: string
  parameters: {key: string; value?: string; usePreviousValue?: boolean}[]
  /** Parameter values as they will be applied (for DescribeChangeSet). */
  parameterValues: Record<string, string>
  /** Parameters whose values DescribeChangeSet masks. */
  noEcho?: string[]
  capabilities: string[]
  tags: Tag[]
  changes: ResourceChange[]
  /** RoleARN given to CreateChangeSet: the stack's role once the change set runs. */
  roleArn?: string
  disableRollback?: boolean
}

export interface StackRecord extends StackSnapshot {
  stackId: string
  stackName: string
  status: string
  reason?: string
  createdAt: string
  updatedAt?: string
  deletedAt?: string
  capabilities: string[]
  tags: Tag[]
  disableRollback: boolean
  /** CreateStack's OnFailure; absent: DisableRollback decides. */
  onFailure?: 'ROLLBACK' | 'DELETE' | 'DO_NOTHING'
  timeoutInMinutes?: number
  notificationArns: string[]
  /** The role CloudFormation acts with for this stack (RoleARN), kept for later operations as AWS keeps it. */
  roleArn?: string
  changeSets: ChangeSetRecord[]
  /** The change set last executed. */
  changeSetId?: string
  operation?: Operation
  /** Nested stacks: the stack whose AWS::CloudFormation::Stack resource made this one, and the root. */
  parentId?: string
  rootId?: string
}

/** Reads an event log; a line torn by a crash is skipped. */
function readEvents(path: string): StackEvent[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  const out: StackEvent[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    try {
      out.push(JSON.parse(line) as StackEvent)
    } catch {
      // A partial last line from a crash.
    }
  }
  return out
}

export class StackStore {
  private readonly dir: string
  private readonly docs = new Map<string, JsonDocument<StackRecord>>()
  private readonly eventLogs = new Map<string, StackEvent[]>()

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'cloudformation', 'stacks')
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue
      const doc = new JsonDocument<StackRecord>(join(this.dir, file), undefined as unknown as StackRecord)
      if (!doc.value) continue
      this.docs.set(doc.value.stackId, doc)
      this.eventLogs.set(doc.value.stackId, readEvents(this.eventFile(doc.value.stackId)))
    }
  }

  private eventFile(stackId: string): string {
    return join(this.dir, `${stackId.split('/').pop()}.events.ndjson`)
  }

  /** A stack's events, oldest first. */
  events(stackId: string): StackEvent[] {
    return this.eventLogs.get(stackId) ?? []
  }

  appendEvent(stack: StackRecord, event: StackEvent): void {
    let log = this.eventLogs.get(stack.stackId)
    if (!log) this.eventLogs.set(stack.stackId, (log = []))
    log.push(event)
    appendFileSync(this.eventFile(stack.stackId), `${JSON.stringify(event)}\n`, {mode: 0o600})
  }

  /** Every stack, oldest first, including deleted ones (AWS lists those for 90 days). */
  all(): StackRecord[] {
    return [...this.docs.values()].map((d) => d.value).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  /** A stack by id (deleted ones too) or by name (live ones only), as AWS resolves StackName. */
  find(nameOrId: string): StackRecord | undefined {
    if (nameOrId.startsWith('arn:')) return this.docs.get(nameOrId)?.value
    return this.all().find((s) => s.stackName === nameOrId && s.status !== 'DELETE_COMPLETE')
  }

  add(stack: StackRecord): void {
    const file = join(this.dir, `${stack.stackId.split('/').pop()}.json`)
    const doc = new JsonDocument<StackRecord>(file, stack)
    doc.value = stack
    this.docs.set(stack.stackId, doc)
    doc.save()
  }

  /** Persists now: for acknowledged changes and status transitions. */
  save(stack: StackRecord): void {
    this.docs.get(stack.stackId)?.save()
  }

  /** Persists now against the control plane dying (not the machine): a resource's progress. */
  saveUnflushed(stack: StackRecord): void {
    this.docs.get(stack.stackId)?.saveUnflushed()
  }

  /** Persists within a few milliseconds, batching bursts (resource events during an operation). */
  saveSoon(stack: StackRecord): void {
    this.docs.get(stack.stackId)?.saveSoon()
  }

  flush(): void {
    for (const d of this.docs.values()) d.flush()
  }
}
