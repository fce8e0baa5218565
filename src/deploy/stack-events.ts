// Polls a stack's events and keeps only those newer than the operation Pier started, oldest first.
import type {StackEvent} from '@aws-sdk/client-cloudformation'

import type {StacksApi} from '../aws/interfaces.js'

export interface StackEventPoller {
  /** New events since the last call, oldest first. */
  poll(): Promise<StackEvent[]>
}

/** `since`: epoch ms; events with an older timestamp belong to earlier operations and are skipped. */
export function stackEventPoller(stacks: Pick<StacksApi, 'describeStackEvents'>, stackName: string, since: number): StackEventPoller {
  const seen = new Set<string>()
  return {
    async poll() {
      const fresh: StackEvent[] = []
      let token: string | undefined
      // Events come newest first; stop paging once a page reaches events already seen or too old.
      for (let page = 0; page < 10; page++) {
        const out = await stacks.describeStackEvents({StackName: stackName, NextToken: token})
        let reachedKnown = false
        for (const e of out.StackEvents ?? []) {
          const id = e.EventId ?? `${e.LogicalResourceId}-${e.ResourceStatus}-${String(e.Timestamp)}`
          const at = e.Timestamp ? new Date(e.Timestamp).getTime() : 0
          if (seen.has(id) || at < since) {
            reachedKnown = true
            continue
          }
          seen.add(id)
          fresh.push(e)
        }
        token = out.NextToken
        if (reachedKnown || !token) break
      }
      return fresh.reverse()
    },
  }
}
