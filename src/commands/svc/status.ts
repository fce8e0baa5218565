import {Flags} from '@oclif/core'

import {workloadStatus} from '../../app/workloads.js'
import {appFlag, AwsCommand, jsonFlag, table} from '../../cli/aws-command.js'

export default class ServiceStatus extends AwsCommand {
  static override summary = 'Show the health of a service: deployments, tasks, targets, alarms, recent events.'
  static override examples = ['<%= config.bin %> <%= command.id %> -n web -e test', '<%= config.bin %> <%= command.id %> -n web -e test --json']
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the service.', required: true}),
    env: Flags.string({char: 'e', description: 'Environment of the service.', required: true}),
    app: appFlag,
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServiceStatus)
    const ctx = await this.context(flags, {quiet: true})
    const s = await workloadStatus(ctx, this.appName(ctx, flags.app), flags.name, flags.env)
    if (flags.json) return this.printJson(s)
    const out = [`Service ${s.name} in ${s.env}: ${s.service ? `${s.service.runningCount}/${s.service.desiredCount} running` : 'no ECS service'} (stack ${s.stack.status})`, '']
    out.push('Deployments', table(['Status', 'Rollout', 'Task definition', 'Running', 'Desired', 'Pending', 'Failed'], s.deployments.map((d) => [d.status, d.rolloutState, d.taskDefinition, d.running, d.desired, d.pending, d.failed])), '')
    out.push('Tasks', s.tasks.length ? table(['Task', 'Status', 'Health', 'Revision', 'Age'], s.tasks.map((t) => [t.taskId.slice(0, 8), t.lastStatus, t.health, t.revision, age(t.ageSeconds)])) : '  (none running)', '')
    if (s.targets.length) out.push('Targets', table(['Target', 'Port', 'State', 'Reason'], s.targets.map((t) => [t.id, t.port, t.state, t.reason])), '')
    out.push('Alarms', s.alarms.length ? s.alarms.map((a) => `  ${a.name}`).join('\n') : '  (none)', '')
    if (s.events.length) out.push('Recent events', ...s.events.map((e) => `  ${e.at ?? ''}  ${e.message ?? ''}`))
    process.stdout.write(`${out.join('\n').trimEnd()}\n`)
  }
}

function age(seconds: number | undefined): string {
  if (seconds === undefined) return ''
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`
  return `${Math.round(seconds / 3600)}h`
}
