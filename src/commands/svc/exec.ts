import {Flags} from '@oclif/core'

import {serviceRoleStatements, serviceTarget} from '../../app/exec-target.js'
import {awsFlags} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {applicationName, awsFor, execFlags, runExec} from '../../cli/exec-command.js'
import {reachEnvironmentClients} from '../../app/env-access.js'

export default class ServiceExec extends PierCommand {
  static override summary = 'Open a shell or run a command in a running task of a service.'
  static override description =
    'Interactive when stdin is a terminal (raw mode, resizes followed, Ctrl-C sent to the remote side). Otherwise stdin is piped to the command, its output is streamed, and Pier exits with the command\'s exit code (on AWS too: see docs/exec.md for how it travels), so it works as a CI step. Needs `exec: true` in the manifest. No session-manager-plugin is needed (see docs/exec.md).'
  static override examples = [
    {description: 'A shell in the newest running task.', command: '<%= config.bin %> <%= command.id %> -n web -e test'},
    {description: 'A migration as a CI step; Pier exits with its code.', command: '<%= config.bin %> <%= command.id %> -n api -e prod --command "npm run migrate"'},
    {description: 'A given task and container.', command: '<%= config.bin %> <%= command.id %> -n web -e test --task-id 3f2a --container nginx'},
  ]
  static override flags = {
    name: Flags.string({char: 'n', description: 'Name of the service.', required: true}),
    env: Flags.string({char: 'e', description: 'Name of the environment.', required: true}),
    app: Flags.string({char: 'a', description: 'Name of the application (default: the workspace\'s).'}),
    ...execFlags,
    ...awsFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServiceExec)
    const app = applicationName(flags.app)
    // The environment may be in another region or account (its manager role), as Copilot reaches it.
    const aws = await reachEnvironmentClients(await awsFor(flags), app, flags.env)
    const target = await serviceTarget(aws.stacks, app, flags.env, flags.name)
    await runExec(aws, {
      cluster: target.cluster,
      service: target.service,
      ...(flags['task-id'] ? {taskId: flags['task-id']} : {}),
      ...(flags.container ? {container: flags.container} : {}),
      defaultContainer: flags.name,
      command: flags.command,
      subject: `service ${flags.name} in environment ${flags.env}`,
      enableHint: `Set \`exec: true\` in copilot/${flags.name}/manifest.yml and redeploy: \`pier svc deploy -n ${flags.name} -e ${flags.env}\`.`,
      roleHint: `Set \`exec: true\` in copilot/${flags.name}/manifest.yml and redeploy (\`pier svc deploy -n ${flags.name} -e ${flags.env}\`): the task role then allows the ssmmessages actions.`,
    }, {roleStatements: serviceRoleStatements(aws.stacks, aws.region, app, flags.env, flags.name)})
  }
}
