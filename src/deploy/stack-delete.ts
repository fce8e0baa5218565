// Deletes a stack and follows it until it is gone.
import {DeployError} from '../errors.js'
import type {DeployContext} from './context.js'
import {event} from './events.js'
import {stackEventPoller} from './stack-events.js'
import {describe, watchStack} from './stack-watch.js'
import {isInProgress} from './stack-status.js'
import {backoff} from './timing.js'

export interface StackDeleteResult {
  stackName: string
  status: 'deleted' | 'absent' | 'detached'
}

export async function deleteStack(ctx: DeployContext, input: {stackName: string}): Promise<StackDeleteResult> {
  const {aws, emit, timing} = ctx
  const {stackName} = input
  const delays = backoff(aws.poll, timing.random)
  let stack = await describe(ctx, stackName)
  // A stack under review (a create change set never executed) stays so until it is deleted: no waiting.
  const busy = (status: string) => isInProgress(status) && status !== 'DELETE_IN_PROGRESS' && status !== 'REVIEW_IN_PROGRESS'
  while (stack && busy(stack.StackStatus ?? '')) {
    await timing.sleep(delays.next())
    stack = await describe(ctx, stackName)
  }
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return {stackName, status: 'absent'}

  const poller = stackEventPoller(aws.stacks, stackName, 0)
  await poller.poll() // everything before the delete is history
  if (stack.StackStatus !== 'DELETE_IN_PROGRESS') await aws.stacks.deleteStack({StackName: stackName})
  emit(event('stack.start', `Deleting ${stackName}.`, {stack: stackName, operation: 'delete', resources: []}, 'info', timing.now))
  const result = await watchStack(ctx, {stackName, operation: 'delete', poller, descriptions: {}, maxTaskFailures: 0})
  if (result.outcome === 'detached') return {stackName, status: 'detached'}
  if (result.stackStatus !== 'DELETE_COMPLETE') {
    throw new DeployError(`Could not delete ${stackName} (${result.stackStatus}): ${result.failures[0]?.reason ?? 'see the events above'}`, result.failures, {
      hint: 'Remove what keeps the resources in use, then delete again.',
    })
  }
  return {stackName, status: 'deleted'}
}
