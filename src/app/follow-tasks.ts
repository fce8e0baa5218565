// Follows tasks until they stop, streaming their logs, and returns the exit code of the essential
// container (the code `task run --follow` and `job run --follow` exit with).
import type {Task} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../aws/interfaces.js'
import {event, type Emit} from '../deploy/events.js'
import type {InterruptSource} from '../deploy/interrupts.js'
import {backoff, wakeableSleep, type Timing} from '../deploy/timing.js'

export interface FollowResult {
  exitCode: number
  tasks: {taskId: string; exitCode?: number; stoppedReason?: string}[]
  detached?: boolean
}

export async function followTasks(
  deps: {aws: Pick<AwsClients, 'ecs' | 'logs' | 'poll'>; emit: Emit; timing: Timing; interrupts?: InterruptSource; onLog: (line: string) => void},
  input: {cluster: string; taskArns: string[]; logGroup: string; streamPrefix: string; container: string},
): Promise<FollowResult> {
  const delays = backoff(deps.aws.poll, deps.timing.random)
  const waker = wakeableSleep(deps.timing)
  const tokens = new Map<string, string | undefined>()
  let interrupted = false
  const off = deps.interrupts?.onInterrupt(() => {
    interrupted = true
    waker.wake()
  })
  const ids = input.taskArns.map((a) => a.split('/').pop() ?? a)
  const drain = async (final: boolean) => {
    let got = 0
    for (const id of ids) {
      for (let page = 0; page < (final ? 20 : 3); page++) {
        const token = tokens.get(id)
        let out
        try {
          out = await deps.aws.logs.getLogEvents({logGroupName: input.logGroup, logStreamName: `${input.streamPrefix}/${input.container}/${id}`, startFromHead: true, nextToken: token})
        } catch {
          break // the stream appears with the task's first line
        }
        for (const e of out.events ?? []) deps.onLog((ids.length > 1 ? `${id.slice(0, 8)} ` : '') + (e.message ?? '').replace(/\n$/, ''))
        got += out.events?.length ?? 0
        if (!out.nextForwardToken || out.nextForwardToken === token) break
        tokens.set(id, out.nextForwardToken)
        if (!out.events?.length) break
      }
    }
    return got
  }
  try {
    for (;;) {
      const {tasks} = await deps.aws.ecs.describeTasks({cluster: input.cluster, tasks: input.taskArns})
      const all = tasks ?? []
      const done = all.length > 0 && all.every((t) => t.lastStatus === 'STOPPED')
      const got = await drain(done)
      if (done) return summarize(all, deps.emit)
      if (interrupted) {
        deps.emit(event('output', `Stopped following; the task${ids.length > 1 ? 's keep' : ' keeps'} running (stop with \`aws ecs stop-task\`).`, {text: 'Stopped following the tasks.', stream: 'stderr'}, 'warn'))
        return {exitCode: 130, tasks: [], detached: true}
      }
      if (got) delays.reset()
      await waker.sleep(delays.next())
    }
  } finally {
    off?.()
  }
}

function summarize(tasks: Task[], emit: Emit): FollowResult {
  const results = tasks.map((t) => {
    const essential = t.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ?? t.containers?.find((c) => c.exitCode !== undefined) ?? t.containers?.[0]
    return {taskId: (t.taskArn ?? '').split('/').pop() ?? '', exitCode: essential?.exitCode, stoppedReason: t.stoppedReason}
  })
  for (const r of results) {
    const failedToStart = r.exitCode === undefined
    emit(event('step', `Task ${r.taskId} stopped${failedToStart ? `: ${r.stoppedReason ?? 'it did not start'}` : ` with exit code ${r.exitCode}`}.`, {name: `task ${r.taskId}`, status: r.exitCode === 0 ? 'done' : 'failed', detail: r.stoppedReason}, r.exitCode === 0 ? 'info' : 'error'))
  }
  const failing = results.find((r) => r.exitCode !== 0)
  return {exitCode: failing ? (failing.exitCode ?? 1) : 0, tasks: results}
}
