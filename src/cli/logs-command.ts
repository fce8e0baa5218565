// `svc logs` and `job logs`: the same flags, query and output.
import {Flags} from '@oclif/core'

import {reachEnvironment} from '../app/env-access.js'
import type {AppContext} from '../app/context.js'
import {formatLogLine, parseSince, parseTime, readLogs} from '../app/logs.js'
import {logGroupName} from '../render/names.js'
import {appFlag} from './aws-command.js'

export const logsFlags = {
  name: Flags.string({char: 'n', description: 'Name of the workload.', required: true}),
  env: Flags.string({char: 'e', description: 'Environment of the workload.', required: true}),
  app: appFlag,
  follow: Flags.boolean({description: 'Keep printing new lines until Ctrl-C.'}),
  since: Flags.string({description: 'Only lines newer than this: 30s, 5m, 1h30m, 2d.', exclusive: ['start-time']}),
  'start-time': Flags.string({description: 'Only lines from this time (RFC 3339).'}),
  'end-time': Flags.string({description: 'Only lines until this time (RFC 3339).'}),
  tasks: Flags.string({description: 'Only lines of these task ids (or prefixes), comma-separated.'}),
  limit: Flags.integer({description: 'At most this many lines (without --follow; default 500).', min: 1}),
  json: Flags.boolean({description: 'One JSON object per line: logStreamName, timestamp, message, ingestionTime.'}),
}

type LogFlags = {name: string; env: string; since?: string; 'start-time'?: string; 'end-time'?: string; tasks?: string; limit?: number; follow?: boolean; json?: boolean}

export async function printLogs(ctx: AppContext, app: string, flags: LogFlags): Promise<number> {
  ctx = await reachEnvironment(ctx, app, flags.env)
  const now = ctx.timing.now()
  const query = {
    group: logGroupName(app, flags.env, flags.name),
    startTime: flags.since ? now - parseSince(flags.since) : flags['start-time'] ? parseTime('--start-time', flags['start-time']) : undefined,
    endTime: flags['end-time'] ? parseTime('--end-time', flags['end-time']) : undefined,
    tasks: flags.tasks?.split(',').map((t) => t.trim()).filter(Boolean),
    limit: flags.follow ? undefined : flags.limit ?? 500,
    follow: flags.follow,
  }
  return readLogs({logs: ctx.aws.logs, timing: ctx.timing, poll: ctx.aws.poll, interrupts: ctx.interrupts}, query, (line) => {
    process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${formatLogLine(line)}\n`)
  })
}
