// Deploys one CloudFormation stack through a change set: create or update, "no changes" as a success,
// an optional review of the changes, execute, then follow it to the end (see stack-watch.ts).
import type {Stack} from '@aws-sdk/client-cloudformation'

import {DeployError, UserError} from '../errors.js'
import {isAwsError} from '../aws/errors.js'
import {templateResources, type DeployContext} from './context.js'
import {event, type ResourceChange} from './events.js'
import {stackEventPoller} from './stack-events.js'
import {isInProgress, isSuccess, needsRecreate} from './stack-status.js'
import {describe, watchStack} from './stack-watch.js'
import {backoff} from './timing.js'
import {deleteStack} from './stack-delete.js'
import {latchInterrupts} from './interrupts.js'
import {deployedByCopilot, describePlan, isCustomResource, takeoverPlan, withRetainedResources, type TakeoverPlan} from './takeover.js'
import {parseTemplateBody} from './template-body.js'

/** CloudFormation's limit for a template passed inline; larger ones must come from S3. */
export const INLINE_TEMPLATE_LIMIT = 51_200

export interface StackDeployInput {
  stackName: string
  template: Record<string, any>
  parameters?: Record<string, string>
  tags?: Record<string, string>
  /** Keep the resources of a failed deploy as they are (CloudFormation's DisableRollback). */
  noRollback?: boolean
  /** Return as soon as the change set executes. */
  detach?: boolean
  /** Stop after this many stopped tasks of the new deployment with none healthy; 0 waits for CloudFormation. Default 3. */
  maxTaskFailures?: number
  /** Reviews the change set (e.g. --diff); false cancels the deploy. */
  confirm?: (review: {stackName: string; changes: ResourceChange[]; template: Record<string, any>; operation: 'create' | 'update'}) => Promise<boolean>
  /** Cluster the stack's ECS services run in (lets the rollout be watched while CloudFormation creates them). */
  serviceCluster?: string
  /** The stack as the caller just described it, when it exists. */
  current?: Stack
  /** The role CloudFormation assumes to change the stack (Copilot's environment CloudFormation execution role). */
  roleArn?: string
  /** Only say what a deploy would do: make the change set, read it into a plan, delete it. */
  planOnly?: boolean
  /** Replace or remove stateful resources of a stack Copilot deployed (--allow-replacement). */
  allowReplacement?: boolean
  /** Uploads a template larger than the inline limit and returns its URL. */
  uploadTemplate?: (stackName: string, body: string) => Promise<string>
}

export interface StackDeployResult {
  stackName: string
  status: 'deployed' | 'no-changes' | 'detached' | 'planned'
  stackStatus?: string
  /** With planOnly: what the change set keeps, changes, replaces and removes. */
  plan?: TakeoverPlan
  outputs: Record<string, string>
}

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const

export async function deployStack(ctx: DeployContext, input: StackDeployInput): Promise<StackDeployResult> {
  const interrupts = latchInterrupts(ctx.interrupts)
  try {
    return await deploy({...ctx, interrupts}, input, interrupts.presses)
  } finally {
    interrupts.close()
  }
}

async function deploy(ctx: DeployContext, input: StackDeployInput, presses: () => number): Promise<StackDeployResult> {
  const {aws, emit, timing} = ctx
  const {stackName} = input
  // A description the caller just read saves a call when the stack is at rest.
  const known = input.current && !isInProgress(input.current.StackStatus ?? '') ? input.current : undefined
  let existing = known ?? (await waitUntilSettled(ctx, stackName))
  if (existing && needsRecreate(existing.StackStatus ?? '')) {
    emit(event('step', `${stackName} failed to be created before (${existing.StackStatus}): deleting it to create it again.`, {name: 'recreate', status: 'start', detail: existing.StackStatus}, 'warn', timing.now))
    await deleteStack(ctx, {stackName})
    existing = undefined
  }
  const operation = existing ? 'update' : 'create'

  const body = JSON.stringify(input.template)
  // A stack at rest whose template, parameters and tags are already these has nothing to change: one
  // GetTemplate says so, where a change set costs three calls and, on AWS, several seconds.
  if (existing && (await alreadyDeployed(ctx, existing, input, body))) {
    if (input.planOnly) return {stackName, status: 'no-changes', stackStatus: existing.StackStatus, outputs: outputsOf(existing), plan: takeoverPlan(stackName, [], await currentResources(ctx, stackName))}
    emit(event('stack.no-changes', `${stackName}: no changes to deploy.`, {stack: stackName}, 'info', timing.now))
    return {stackName, status: 'no-changes', stackStatus: existing.StackStatus, outputs: outputsOf(existing)}
  }
  let templateUrl: string | undefined
  if (Buffer.byteLength(body) > INLINE_TEMPLATE_LIMIT) {
    if (!input.uploadTemplate) throw new UserError(`The template of ${stackName} is ${Buffer.byteLength(body)} bytes: CloudFormation takes at most ${INLINE_TEMPLATE_LIMIT} bytes inline.`)
    templateUrl = await input.uploadTemplate(stackName, body)
  }

  const changeSetName = `pier-${timing.now()}`
  await aws.stacks.createChangeSet({
    StackName: stackName,
    ChangeSetName: changeSetName,
    ChangeSetType: existing ? 'UPDATE' : 'CREATE',
    ...(input.roleArn ? {RoleARN: input.roleArn} : {}),
    ...(templateUrl ? {TemplateURL: templateUrl} : {TemplateBody: body}),
    Parameters: Object.entries(input.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ParameterKey, ParameterValue})),
    Tags: Object.entries(input.tags ?? {}).map(([Key, Value]) => ({Key, Value})),
    Capabilities: [...CAPABILITIES],
  })
  const changeSet = await waitForChangeSet(ctx, stackName, changeSetName)
  if (input.planOnly) return planned(ctx, {stackName, changeSetName, existing, changes: changeSet.changes})
  if (changeSet.empty) {
    await aws.stacks.deleteChangeSet({StackName: stackName, ChangeSetName: changeSetName}).catch(() => undefined)
    emit(event('stack.no-changes', `${stackName}: no changes to deploy.`, {stack: stackName}, 'info', timing.now))
    // An empty change set changed nothing: the stack is as it was described before.
    return {stackName, status: 'no-changes', stackStatus: existing?.StackStatus, outputs: outputsOf(existing)}
  }

  const resources = templateResources(input.template)
  const descriptions = Object.fromEntries(resources.map((r) => [r.logicalId, r.description]))
  const changes = changeSet.changes.map((c) => ({...c, description: descriptions[c.logicalId]}))
  emit(event('stack.changeset', `${stackName}: ${changes.length} resource change(s) to ${operation}.`, {stack: stackName, changeSet: changeSetName, operation, changes}, 'info', timing.now))
  if (existing && deployedByCopilot(existing)) {
    // A refused takeover changes nothing, so the guard comes before anything is deployed.
    await guardTakeover(ctx, input, existing, changes, changeSetName)
    // Deleting one of Copilot's custom resources runs its handler's Delete, which can update the
    // environment stack or empty a bucket: keep them out of CloudFormation's hands first, then redo.
    if (await retainCustomResources(ctx, input, existing, changes, changeSetName)) return deploy(ctx, input, presses)
  }
  if (input.confirm && !(await input.confirm({stackName, changes, template: input.template, operation}))) {
    await aws.stacks.deleteChangeSet({StackName: stackName, ChangeSetName: changeSetName}).catch(() => undefined)
    if (!existing) await aws.stacks.deleteStack({StackName: stackName}).catch(() => undefined)
    throw new UserError(`The deploy of ${stackName} was cancelled: the changes were not approved.`, {hint: 'Run the command again and approve the changes, or pass --diff-yes.'})
  }

  // Ctrl-C before the change set executes: nothing has changed yet, and nothing will.
  if (presses() > 0) {
    await aws.stacks.deleteChangeSet({StackName: stackName, ChangeSetName: changeSetName}).catch(() => undefined)
    if (!existing) await aws.stacks.deleteStack({StackName: stackName}).catch(() => undefined)
    throw new UserError(`The deploy of ${stackName} was cancelled (Ctrl-C) before it changed anything.`, {hint: 'Deploy again when ready.'})
  }

  // Events older than the change set belong to earlier operations.
  const poller = stackEventPoller(aws.stacks, stackName, changeSet.createdAt ?? 0)
  if (changeSet.createdAt === undefined) await poller.poll()
  await aws.stacks.executeChangeSet({StackName: stackName, ChangeSetName: changeSetName, DisableRollback: input.noRollback ?? false})
  emit(event('stack.start', `${operation === 'create' ? 'Creating' : 'Updating'} ${stackName}.`, {stack: stackName, operation, resources}, 'info', timing.now))
  if (input.detach) {
    emit(event('stack.detached', `${stackName}: the change set is executing; Pier is not waiting for it.`, {stack: stackName}, 'info', timing.now))
    return {stackName, status: 'detached', outputs: {}}
  }

  const result = await watchStack(ctx, {stackName, operation, poller, descriptions, maxTaskFailures: input.maxTaskFailures ?? 3, serviceCluster: input.serviceCluster})
  if (result.outcome === 'detached') return {stackName, status: 'detached', outputs: {}}
  if (result.outcome === 'failed-fast') {
    throw new DeployError(`The deploy of ${stackName} failed: ${result.reason}`, result.failures, {
      hint: `The ${operation === 'create' ? 'stack is being deleted' : 'update is being rolled back'}. Fix the cause above, then deploy again.`,
    })
  }
  if (result.cancelled) {
    throw new UserError(`The deploy of ${stackName} was cancelled: the stack is now ${result.stackStatus}.`, {hint: 'Deploy again when ready.'})
  }
  if (!isSuccess(result.stackStatus ?? '')) {
    const reason = result.taskFailure ?? result.failures[0]?.reason ?? `the stack ended in ${result.stackStatus}`
    throw new DeployError(`The deploy of ${stackName} failed (${result.stackStatus}): ${reason}`, result.failures, {
      hint: input.noRollback ? 'The failed resources were kept (--no-rollback) so you can inspect them.' : 'Fix the cause above, then deploy again.',
    })
  }
  return {stackName, status: 'deployed', stackStatus: result.stackStatus, outputs: result.outputs}
}

/** When the change set removes custom resources of a Copilot stack, deploys the stack's own template
 * once more with `DeletionPolicy: Retain` on them (and a marker resource, so the update is not empty),
 * so that removing them later never invokes their handlers. Returns whether it did. */
async function retainCustomResources(ctx: DeployContext, input: StackDeployInput, existing: Stack, changes: ResourceChange[], changeSetName: string): Promise<boolean> {
  const {aws, emit, timing} = ctx
  const {stackName} = input
  const removed = changes.filter((c) => c.action === 'Remove' && isCustomResource(c.type)).map((c) => c.logicalId)
  if (!removed.length) return false
  const current = parseTemplateBody((await aws.stacks.getTemplate({StackName: stackName, TemplateStage: 'Original'})).TemplateBody ?? '{}')
  const retained = withRetainedResources(current, removed)
  if (!retained) return false
  await aws.stacks.deleteChangeSet({StackName: stackName, ChangeSetName: changeSetName}).catch(() => undefined)
  emit(event('step', `${stackName}: keeping Copilot's custom resources ${removed.join(', ')} from running their handlers on removal.`, {name: `retain:${stackName}`, status: 'start', detail: removed.join(', ')}, 'info', timing.now))
  const body = JSON.stringify(retained)
  const url = Buffer.byteLength(body) > INLINE_TEMPLATE_LIMIT && input.uploadTemplate ? await input.uploadTemplate(stackName, body) : undefined
  const name = `pier-retain-${timing.now()}`
  await aws.stacks.createChangeSet({
    StackName: stackName,
    ChangeSetName: name,
    ChangeSetType: 'UPDATE',
    ...(input.roleArn ? {RoleARN: input.roleArn} : {}),
    ...(url ? {TemplateURL: url} : {TemplateBody: body}),
    Parameters: (existing.Parameters ?? []).map((p) => ({ParameterKey: p.ParameterKey, UsePreviousValue: true})),
    Tags: existing.Tags,
    Capabilities: [...CAPABILITIES],
  })
  const changeSet = await waitForChangeSet(ctx, stackName, name)
  const poller = stackEventPoller(aws.stacks, stackName, changeSet.createdAt ?? 0)
  if (changeSet.createdAt === undefined) await poller.poll()
  await aws.stacks.executeChangeSet({StackName: stackName, ChangeSetName: name})
  const result = await watchStack(ctx, {stackName, operation: 'update', poller, descriptions: {}, maxTaskFailures: 0})
  if (result.outcome !== 'finished' || !isSuccess(result.stackStatus ?? '')) {
    throw new DeployError(`The deploy of ${stackName} stopped before taking it over: keeping Copilot's custom resources ended in ${result.stackStatus ?? result.outcome}.`, result.failures, {hint: 'Nothing of the application changed. Fix the cause above, then deploy again.'})
  }
  emit(event('step', `${stackName}: Copilot's custom resources will be removed without running their handlers.`, {name: `retain:${stackName}`, status: 'done'}, 'info', timing.now))
  return true
}

async function currentResources(ctx: DeployContext, stackName: string): Promise<{logicalId: string; type: string}[]> {
  const current = await ctx.aws.stacks.describeStackResources({StackName: stackName}).catch(() => ({StackResources: []}))
  return (current.StackResources ?? []).map((r) => ({logicalId: r.LogicalResourceId ?? '', type: r.ResourceType ?? ''}))
}

/** planOnly: the change set read into a plan, then deleted with the stack a CREATE change set made. */
async function planned(ctx: DeployContext, p: {stackName: string; changeSetName: string; existing?: Stack; changes: ResourceChange[]}): Promise<StackDeployResult> {
  const {stackName, existing} = p
  const plan = takeoverPlan(stackName, p.changes, existing ? await currentResources(ctx, stackName) : [])
  if (existing && deployedByCopilot(existing)) {
    for (const item of plan.items) if (item.action === 'removed' && isCustomResource(item.type)) item.retainFirst = true
  }
  await ctx.aws.stacks.deleteChangeSet({StackName: stackName, ChangeSetName: p.changeSetName}).catch(() => undefined)
  if (!existing) await ctx.aws.stacks.deleteStack({StackName: stackName}).catch(() => undefined)
  return {stackName, status: 'planned', stackStatus: existing?.StackStatus, outputs: outputsOf(existing), plan}
}

/** The first deploy over a Copilot stack shows its plan, and keeps stateful resources unless allowed. */
async function guardTakeover(ctx: DeployContext, input: StackDeployInput, existing: Stack, changes: ResourceChange[], changeSetName: string): Promise<void> {
  const {stackName} = input
  const plan = takeoverPlan(stackName, changes, await currentResources(ctx, stackName))
  const allowed = input.allowReplacement ?? false
  ctx.emit(event('stack.takeover', describePlan(plan).join('\n'), {stack: stackName, plan, allowed}, plan.blocking.length && !allowed ? 'error' : 'info', ctx.timing.now))
  if (!plan.blocking.length || allowed) return
  await ctx.aws.stacks.deleteChangeSet({StackName: stackName, ChangeSetName: changeSetName}).catch(() => undefined)
  const list = plan.blocking.map((b) => `${b.logicalId} (${b.type}) would be ${b.action}${b.causes?.length ? ` by ${b.causes.map((c) => `${c.property}, set by ${c.field}`).join('; ')}` : ''}`)
  throw new UserError(`The deploy of ${stackName} was refused: it would ${plan.blocking.length === 1 ? 'replace or remove a resource that holds' : `replace or remove ${plan.blocking.length} resources that hold`} state of the application Copilot deployed: ${list.join('; ')}.`, {
    hint: 'Nothing was changed. Change the manifest field named above back, or pass --allow-replacement to accept the loss.',
  })
}

const AT_REST = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE'])

/** Whether the stack already has exactly this template, these parameters and these tags. Anything it
 * cannot compare (a YAML template, a parameter left to its default) counts as a change: the change set
 * then decides. */
async function alreadyDeployed(ctx: DeployContext, stack: Stack, input: StackDeployInput, body: string): Promise<boolean> {
  if (!AT_REST.has(stack.StackStatus ?? '')) return false
  const deployedParams = Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']))
  const deployedTags = Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
  if (!sameRecord(deployedParams, input.parameters ?? {}) || !sameRecord(deployedTags, input.tags ?? {})) return false
  let deployed: unknown
  try {
    const out = await ctx.aws.stacks.getTemplate({StackName: input.stackName, TemplateStage: 'Original'})
    deployed = JSON.parse(out.TemplateBody ?? '')
  } catch {
    return false
  }
  return canonical(deployed) === canonical(JSON.parse(body))
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k])
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  )
}

function outputsOf(stack: {Outputs?: {OutputKey?: string; OutputValue?: string}[]} | undefined): Record<string, string> {
  return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))
}

/** Waits for an operation already running on the stack (another deploy, a rollback) to finish. */
export async function waitUntilSettled(ctx: DeployContext, stackName: string) {
  const delays = backoff(ctx.aws.poll, ctx.timing.random)
  let announced = false
  for (;;) {
    const stack = await describe(ctx, stackName)
    const status = stack?.StackStatus ?? ''
    if (!stack || !isInProgress(status) || status === 'REVIEW_IN_PROGRESS') return stack
    if (!announced) {
      announced = true
      ctx.emit(event('stack.waiting', `${stackName} is busy (${status}): waiting for it to finish.`, {stack: stackName, status}, 'info', ctx.timing.now))
    }
    await ctx.timing.sleep(delays.next())
  }
}

interface ChangeSetSummary {
  empty: boolean
  changes: ResourceChange[]
  createdAt?: number
}

async function waitForChangeSet(ctx: DeployContext, stackName: string, name: string): Promise<ChangeSetSummary> {
  const delays = backoff(ctx.aws.poll, ctx.timing.random)
  for (;;) {
    const cs = await ctx.aws.stacks.describeChangeSet({StackName: stackName, ChangeSetName: name})
    const status = cs.Status ?? ''
    if (status === 'CREATE_COMPLETE') {
      const changes: ResourceChange[] = []
      let page = cs
      for (;;) {
        for (const c of page.Changes ?? []) {
          const rc = c.ResourceChange
          if (!rc) continue
          const details = (rc.Details ?? []).filter((d) => d.Target?.Attribute === 'Properties' && d.Target.Name).map((d) => ({property: d.Target!.Name!, recreation: d.Target!.RequiresRecreation ?? 'Never'}))
          changes.push({logicalId: rc.LogicalResourceId ?? '', type: rc.ResourceType ?? '', action: rc.Action ?? '', replacement: rc.Replacement, ...(rc.PolicyAction ? {policyAction: rc.PolicyAction} : {}), ...(details.length ? {details} : {})})
        }
        if (!page.NextToken) break
        page = await ctx.aws.stacks.describeChangeSet({StackName: stackName, ChangeSetName: name, NextToken: page.NextToken})
      }
      return {empty: changes.length === 0, changes, createdAt: cs.CreationTime ? new Date(cs.CreationTime).getTime() : undefined}
    }
    if (status === 'FAILED') {
      const reason = cs.StatusReason ?? ''
      if (/didn't contain changes|No updates are to be performed|no changes/i.test(reason)) return {empty: true, changes: []}
      throw new DeployError(`The change set for ${stackName} failed: ${reason}`, [], {hint: 'Fix the template or parameters it names, then deploy again.'})
    }
    await ctx.timing.sleep(delays.next())
  }
}

export function isStackMissing(error: unknown): boolean {
  return isAwsError(error, 'ValidationError') && /does not exist/i.test(error.message)
}
