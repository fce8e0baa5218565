// The small pieces the deploy core decides with: CloudFormation's statuses sorted, the event poller's
// paging and de-duplication, and the resources a template lists for the progress view.
import type {StackEvent as SdkStackEvent} from '@aws-sdk/client-cloudformation'
import {describe, expect, it} from 'vitest'

import {DESCRIPTION_KEY, templateResources} from '../../src/deploy/context.js'
import {stackEventPoller} from '../../src/deploy/stack-events.js'
import {isCollateralReason, isInProgress, isResourceFailure, isSuccess, isTerminal, needsRecreate} from '../../src/deploy/stack-status.js'

describe('stack statuses', () => {
  // status, in progress, terminal, success, needs recreate, resource failure
  const table: [string, boolean, boolean, boolean, boolean, boolean][] = [
    ['CREATE_IN_PROGRESS', true, false, false, false, false],
    ['REVIEW_IN_PROGRESS', true, false, false, true, false],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', true, false, false, false, false],
    ['CREATE_COMPLETE', false, true, true, false, false],
    ['UPDATE_COMPLETE', false, true, true, false, false],
    ['DELETE_COMPLETE', false, true, true, false, false],
    ['IMPORT_COMPLETE', false, true, true, false, false],
    ['ROLLBACK_COMPLETE', false, true, false, true, false],
    ['ROLLBACK_FAILED', false, true, false, true, true],
    ['CREATE_FAILED', false, true, false, true, true],
    ['UPDATE_ROLLBACK_COMPLETE', false, true, false, false, false],
    ['UPDATE_FAILED', false, true, false, false, true],
    ['DELETE_FAILED', false, true, false, false, true],
    ['IMPORT_ROLLBACK_COMPLETE', false, true, false, false, false],
  ]
  it.each(table)('%s: in progress %s, terminal %s, success %s, recreate %s, failure %s', (status, progress, terminal, success, recreate, failure) => {
    expect(isInProgress(status)).toBe(progress)
    expect(isTerminal(status)).toBe(terminal)
    expect(isSuccess(status)).toBe(success)
    expect(needsRecreate(status)).toBe(recreate)
    expect(isResourceFailure(status)).toBe(failure)
  })

  it.each([
    ['Resource creation cancelled', true],
    ['Resource update cancelled', true],
    ['Stack update cancelled by user', true],
    ['The following resource(s) failed to create: [Service]. ', true],
    ['the following RESOURCE(S) FAILED to update: [Task]', true],
    ['Invalid request provided: subnets can not be empty.', false],
    ['', false],
  ])('%j is collateral: %s', (reason, collateral) => expect(isCollateralReason(reason)).toBe(collateral))
})

describe('stack event poller', () => {
  // Events as tests write them: any field may be missing, as it may be in CloudFormation's answers.
  type StackEvent = Partial<SdkStackEvent>
  const ev = (id: string, at: number, extra: Partial<StackEvent> = {}): StackEvent => ({EventId: id, Timestamp: new Date(at), LogicalResourceId: id, ResourceStatus: 'CREATE_IN_PROGRESS', ...extra})

  /** Pages of events, newest first, as CloudFormation answers; `calls` records each request's token. */
  function stacks(pages: () => StackEvent[][]) {
    const calls: (string | undefined)[] = []
    return {
      calls,
      api: {
        async describeStackEvents({NextToken}: {NextToken?: string}) {
          calls.push(NextToken)
          const all = pages()
          const i = NextToken ? Number(NextToken) : 0
          return {StackEvents: all[i], NextToken: i + 1 < all.length ? String(i + 1) : undefined}
        },
      } as any,
    }
  }

  it('returns new events oldest first, each once, and skips those older than the operation', async () => {
    let pages: StackEvent[][] = [[ev('b', 2000), ev('a', 1500), ev('old', 500)]]
    const s = stacks(() => pages)
    const poller = stackEventPoller(s.api, 'st', 1000)
    expect((await poller.poll()).map((e) => e.EventId)).toEqual(['a', 'b'])
    pages = [[ev('c', 3000), ev('b', 2000), ev('a', 1500)]]
    expect((await poller.poll()).map((e) => e.EventId)).toEqual(['c'])
    expect(await poller.poll()).toEqual([])
  })

  it('keeps an event at the operation’s very start, and one without a timestamp only when nothing is known', async () => {
    const s = stacks(() => [[ev('at-start', 1000)]])
    expect((await stackEventPoller(s.api, 'st', 1000).poll()).map((e) => e.EventId)).toEqual(['at-start'])
    const none = stacks(() => [[{LogicalResourceId: 'x', ResourceStatus: 'CREATE_COMPLETE'}]])
    expect(await stackEventPoller(none.api, 'st', 0).poll()).toHaveLength(1)
    expect(await stackEventPoller(none.api, 'st', 1).poll()).toEqual([])
  })

  it('pages until it reaches a known or older event, and no further', async () => {
    const s = stacks(() => [[ev('d', 4000), ev('c', 3000)], [ev('b', 2000), ev('old', 10)], [ev('older', 5)]])
    const events = await stackEventPoller(s.api, 'st', 1000).poll()
    expect(events.map((e) => e.EventId)).toEqual(['b', 'c', 'd'])
    expect(s.calls).toEqual([undefined, '1'])
  })

  it('follows every page of a long first poll, up to ten', async () => {
    const pages = Array.from({length: 12}, (_, p) => [ev(`e${p}`, 100_000 - p)])
    const s = stacks(() => pages)
    const events = await stackEventPoller(s.api, 'st', 0).poll()
    expect(events).toHaveLength(10)
    expect(events[0]!.EventId).toBe('e9')
    expect(s.calls).toHaveLength(10)
  })

  it('tells events without an id apart by resource, status and time', async () => {
    const s = stacks(() => [[
      {LogicalResourceId: 'A', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date(2000)},
      {LogicalResourceId: 'A', ResourceStatus: 'CREATE_IN_PROGRESS', Timestamp: new Date(1500)},
      {LogicalResourceId: 'B', ResourceStatus: 'CREATE_IN_PROGRESS', Timestamp: new Date(1500)},
    ]])
    const poller = stackEventPoller(s.api, 'st', 1000)
    expect(await poller.poll()).toHaveLength(3)
    expect(await poller.poll()).toHaveLength(0)
  })
})

describe('template resources', () => {
  it('lists each resource with its type and Copilot description', () => {
    expect(templateResources({Resources: {
      Svc: {Type: 'AWS::ECS::Service', Metadata: {[DESCRIPTION_KEY]: 'An ECS service'}},
      Plain: {Type: 'AWS::Logs::LogGroup'},
      Odd: {Type: 'AWS::S3::Bucket', Metadata: {[DESCRIPTION_KEY]: 7}},
      Broken: null,
    }})).toEqual([
      {logicalId: 'Svc', type: 'AWS::ECS::Service', description: 'An ECS service'},
      {logicalId: 'Plain', type: 'AWS::Logs::LogGroup', description: undefined},
      {logicalId: 'Odd', type: 'AWS::S3::Bucket', description: undefined},
      {logicalId: 'Broken', type: '', description: undefined},
    ])
    expect(templateResources({})).toEqual([])
  })
})
