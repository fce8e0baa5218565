// Shared by the whole-control-plane tests: waiting for a stack to settle (with the failure reasons in
// the result, so a failed assertion says why) and finding the task processes of a state directory.
import {DescribeStackEventsCommand, DescribeStacksCommand, type CloudFormationClient, type Stack} from '@aws-sdk/client-cloudformation'
import {readFileSync, readdirSync} from 'node:fs'

import {agentMarker} from '../../../src/local/agent/pids.js'

/** Polls until the stack is no longer in progress; a deleted stack reads as DELETE_COMPLETE. */
export async function settle(cfn: CloudFormationClient, name: string, timeoutMs = 60_000): Promise<Stack> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const out = await cfn.send(new DescribeStacksCommand({StackName: name})).catch((e) => {
      if (/does not exist/.test(String(e.message))) return {Stacks: [{StackStatus: 'DELETE_COMPLETE'} as Stack]}
      throw e
    })
    const stack = out.Stacks![0]!
    if (!String(stack.StackStatus).endsWith('_IN_PROGRESS')) {
      if (/FAILED|ROLLBACK/.test(String(stack.StackStatus))) {
        const events = await cfn.send(new DescribeStackEventsCommand({StackName: name}))
        stack.StackStatusReason = (events.StackEvents ?? []).filter((e) => e.ResourceStatusReason).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}: ${e.ResourceStatusReason}`).join('\n')
      }
      return stack
    }
    if (Date.now() > end) throw new Error(`stack still ${stack.StackStatus}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Pids of the live processes the agent of `stateDir` started. */
export function taskProcesses(stateDir: string): number[] {
  const marker = `PIER_AGENT_ID=${agentMarker(stateDir)}`
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(marker)
      } catch {
        return false
      }
    })
    .map(Number)
}
