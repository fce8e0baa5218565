import {Flags} from '@oclif/core'

import {environmentCluster} from '../../app/exec-target.js'
import {awsFlags} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {applicationName, awsFor, execFlags, runExec} from '../../cli/exec-command.js'
import {reachEnvironmentClients} from '../../app/env-access.js'
import {UserError} from '../../errors.js'

export default class TaskExec extends PierCommand {
  static override summary = 'Open a shell or run a command in a running task of a cluster.'
  static override description =
    'Picks the task by --task-id (an id or its prefix) among the running tasks of the environment\'s cluster, or of --cluster. Interactive when stdin is a terminal; otherwise stdin is piped and Pier exits with the command\'s exit code. The task must have been started with exec enabled (see docs/exec.md).'
  static override examples = [
    {description: 'A shell in a one-off task of the test environment.', command: '<%= config.bin %> <%= command.id %> -e test --task-id 3f2a'},
    {description: 'One command in a task of any cluster.', command: '<%= config.bin %> <%= command.id %> --cluster demo-test --task-id 3f2a --command "env"'},
  ]
  static override flags = {
    env: Flags.string({char: 'e', description: 'Environment whose cluster holds the task.', exclusive: ['cluster']}),
    cluster: Flags.string({description: 'ECS cluster (name or ARN) that holds the task.'}),
    app: Flags.string({char: 'a', description: 'Name of the application (default: the workspace\'s), with -e.'}),
    ...execFlags,
    ...awsFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TaskExec)
    if (!flags.env && !flags.cluster) throw new UserError('No cluster given: pier task exec needs --env or --cluster.', {hint: 'Pass -e ENV for an environment\'s cluster, or --cluster NAME.'})
    const base = await awsFor(flags)
    const aws = flags.env ? await reachEnvironmentClients(base, applicationName(flags.app), flags.env) : base
    const cluster = flags.cluster ?? (await environmentCluster(aws.stacks, applicationName(flags.app), flags.env!))
    await runExec(aws, {
      cluster,
      ...(flags['task-id'] ? {taskId: flags['task-id']} : {}),
      ...(flags.container ? {container: flags.container} : {}),
      command: flags.command,
      subject: `cluster ${cluster.slice(cluster.lastIndexOf('/') + 1)}`,
      enableHint: 'Start the task with exec enabled (RunTask with `enableExecuteCommand`), then run exec again.',
    })
  }
}
