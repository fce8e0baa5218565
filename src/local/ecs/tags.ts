// TagResource, UntagResource and ListTagsForResource over clusters, services, tasks and task definitions.

import {ServiceError} from '../frontend/types.js'
import type {ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord} from '../cluster/state.js'
import type {EcsContext, Handler} from './context.js'
import {invalidParameter, mergeTags, optStrings, readTags, reqString} from './input.js'

function taggable(ctx: EcsContext, arn: string): ClusterRecord | ServiceRecord | TaskRecord | TaskDefinitionRecord {
  const s = ctx.store.state
  const kind = /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1]
  let found: ClusterRecord | ServiceRecord | TaskRecord | TaskDefinitionRecord | undefined
  if (kind === 'cluster') found = s.clusters[arn]?.status === 'ACTIVE' ? s.clusters[arn] : undefined
  else if (kind === 'service') found = s.services[arn]
  else if (kind === 'task') found = s.tasks[arn]
  else if (kind === 'task-definition') found = s.taskDefinitions[arn]
  else throw invalidParameter(`The ARN ${arn} is not a valid ECS resource ARN.`)
  if (!found) throw new ServiceError('ResourceNotFoundException', 'The specified resource could not be found.')
  return found
}

const tagResource: Handler = (ctx, input) => {
  const res = taggable(ctx, reqString(input, 'resourceArn'))
  const tags = readTags(input)
  const merged = mergeTags(res.tags, tags)
  if (merged.length > 50) throw invalidParameter('A resource can have at most 50 tags.')
  res.tags = merged
  ctx.store.commit(res)
  return {}
}

const untagResource: Handler = (ctx, input) => {
  const res = taggable(ctx, reqString(input, 'resourceArn'))
  const keys = new Set(optStrings(input, 'tagKeys') ?? [])
  res.tags = res.tags.filter((t) => !keys.has(t.key))
  ctx.store.commit(res)
  return {}
}

const listTagsForResource: Handler = (ctx, input) => ({tags: taggable(ctx, reqString(input, 'resourceArn')).tags})

export const tagHandlers: Record<string, Handler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
}
