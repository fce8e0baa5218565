// AWS::CloudFormation::Stack: a nested stack, created from a TemplateURL in the local S3 by the same
// engine, named `<parent>-<LogicalId>-<SUFFIX>` with ParentId and RootId as on AWS. Its outputs are the
// resource's `Outputs.<Name>` attributes; `Ref` is its stack id. A nested stack that fails is left
// CREATE_FAILED (or rolled back, for an update) and fails its resource, so the parent rolls back and
// deletes it; deleting the parent deletes the tree, children first where they depend on each other.

import {randomUUID} from 'node:crypto'
import {ServiceError} from '../../frontend/types.js'
import type {Engine} from '../engine.js'
import {prepare, type Prepared} from '../prepare.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import type {StackRecord, StackStore} from '../stack-store.js'
import {physicalName} from './util.js'

export interface NestedStackDeps {
  store: StackStore
  engine: Engine
  region: string
  accountId: string
  fetchTemplate?: (url: string) => Promise<string>
  now?: () => Date
}

const POLL_MS = 50

function parameterValue(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join(',') : String(v)
}

function givenParameters(props: Record<string, any>) {
  const params = (props.Parameters ?? {}) as Record<string, unknown>
  return Object.entries(params).map(([key, value]) => ({key, value: parameterValue(value)}))
}

function attributes(child: StackRecord): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null)
  for (const o of child.outputs) out[`Outputs.${o.key}`] = o.value
  return {...out}
}

export function registerNestedStackProvider(registry: ProviderRegistry, deps: NestedStackDeps): void {
  const {store, engine} = deps

  const idle = async (child: StackRecord) => {
    while (engine.isRunning(child.stackId)) await new Promise((r) => setTimeout(r, POLL_MS))
  }

  const body = async (props: Record<string, any>): Promise<string> => {
    const url = props.TemplateURL
    if (typeof url !== 'string' || !url) throw new ProviderError('Properties validation failed: #: required key [TemplateURL] not found')
    if (!deps.fetchTemplate) throw new ProviderError('TemplateURL must be a supported URL.')
    try {
      return await deps.fetchTemplate(url)
    } catch (err) {
      throw new ProviderError(`TemplateURL ${url} could not be read: ${(err as Error).message}`)
    }
  }

  const prepared = async (child: StackRecord, templateBody: string, props: Record<string, any>): Promise<Prepared> => {
    try {
      return await prepare({templateBody, parameters: givenParameters(props), previousParameters: child.parameters, stackName: child.stackName,
        stackId: child.stackId, region: deps.region, accountId: deps.accountId, ssm: engine.ssm})
    } catch (err) {
      throw new ProviderError(err instanceof ServiceError ? err.message : String((err as Error).message ?? err))
    }
  }

  /** Cancels the child's operation when the parent's is cancelled (not when the control plane stops:
   * then every operation is left for the next start to recover). */
  const cancelWith = (ctx: ProviderContext, child: StackRecord) => {
    const onAbort = () => setImmediate(() => {
      if (engine.closingDown || !engine.isRunning(child.stackId)) return
      try {
        if (child.status === 'CREATE_IN_PROGRESS') engine.deleteWhileCreating(child)
        else if (child.status === 'UPDATE_IN_PROGRESS') engine.cancelUpdate(child)
      } catch {
        // Already past the point where it can be cancelled.
      }
    })
    ctx.signal.addEventListener('abort', onAbort, {once: true})
    return () => ctx.signal.removeEventListener('abort', onAbort)
  }

  const provider: ResourceProvider = {
    required: ['TemplateURL'],
    async create(props, ctx) {
      const parent = store.find(ctx.stackId)
      const templateBody = await body(props)
      const name = physicalName(ctx, 128)
      const now = (deps.now ?? (() => new Date()))().toISOString()
      const child: StackRecord = {
        stackId: `arn:aws:cloudformation:${deps.region}:${deps.accountId}:stack/${name}/${randomUUID()}`,
        stackName: name, status: 'REVIEW_IN_PROGRESS', createdAt: now, templateBody: '', template: {Resources: {}}, parameters: {},
        resolvedParameters: {}, noEcho: [], resources: {}, outputs: [], imports: [], capabilities: parent?.capabilities ?? [],
        tags: parent?.tags ?? [], disableRollback: true, notificationArns: (props.NotificationARNs as string[] | undefined) ?? [], changeSets: [],
        parentId: ctx.stackId, rootId: parent?.rootId ?? ctx.stackId,
        ...(props.TimeoutInMinutes !== undefined ? {timeoutInMinutes: Number(props.TimeoutInMinutes)} : {}),
      }
      const prep = await prepared(child, templateBody, props)
      store.add(child)
      ctx.created?.(child.stackId)
      engine.create(child, prep)
      const stop = cancelWith(ctx, child)
      await idle(child)
      stop()
      if (child.status !== 'CREATE_COMPLETE') {
        if (ctx.signal.aborted) throw new ProviderError('Resource creation cancelled', {physicalId: child.stackId})
        throw new ProviderError(`Embedded stack ${child.stackId} was not successfully created: ${child.reason ?? child.status}`, {physicalId: child.stackId})
      }
      return {physicalId: child.stackId, attributes: attributes(child)}
    },
    async update(stackId, props, _old, ctx) {
      const child = store.find(stackId)
      if (!child || child.status === 'DELETE_COMPLETE') throw new ProviderError(`Stack with id ${stackId} does not exist`)
      await idle(child)
      const templateBody = await body(props)
      const prep = await prepared(child, templateBody, props)
      const unchanged = templateBody === child.templateBody && JSON.stringify(prep.params.given) === JSON.stringify(child.parameters)
      // Also the parent's rollback after a failed child update: the child has already rolled itself back.
      if (unchanged) return {physicalId: stackId, attributes: attributes(child)}
      engine.update(child, prep)
      const stop = cancelWith(ctx, child)
      await idle(child)
      stop()
      if (child.status !== 'UPDATE_COMPLETE') {
        throw new ProviderError(`Embedded stack ${stackId} was not successfully updated. Currently in ${child.status} with reason: ${child.reason ?? 'Stack update cancelled'}`)
      }
      return {physicalId: stackId, attributes: attributes(child)}
    },
    async delete(stackId) {
      const child = store.find(stackId)
      if (!child || child.status === 'DELETE_COMPLETE') return
      await idle(child)
      if (child.status === 'DELETE_COMPLETE') return
      engine.delete(child, [])
      await idle(child)
      if (child.status !== 'DELETE_COMPLETE') {
        throw new ProviderError(`Embedded stack ${stackId} was not successfully deleted: ${child.reason ?? child.status}`)
      }
    },
  }
  registry.register('AWS::CloudFormation::Stack', provider)
}
