import {basename} from 'node:path'

import {Flags} from '@oclif/core'

import {runTask} from '../../app/task-run.js'
import {AwsCommand} from '../../cli/aws-command.js'
import {parseCommandFlag, parseKeyValues} from '../../cli/key-values.js'
import {ExitCode} from '../../errors.js'

export default class TaskRun extends AwsCommand {
  static override summary = 'Run a one-off task: an image or a Dockerfile, in an environment or a cluster.'
  static override description = 'Deploys a small stack task-<group> (log group, roles, task definition), starts --count tasks and, with --follow, prints their logs until they stop and exits with the container\'s exit code.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --image public.ecr.aws/docker/library/alpine:3 --command "echo hello" --follow',
    '<%= config.bin %> <%= command.id %> --dockerfile ./Dockerfile --env test --env-vars MODE=migrate --secrets DB_URL=/copilot/demo/test/secrets/db --follow',
  ]
  static override flags = {
    'task-group-name': Flags.string({char: 'n', description: 'Name of the task group (default: the directory\'s name).'}),
    image: Flags.string({description: 'Image to run.', exclusive: ['dockerfile']}),
    dockerfile: Flags.string({description: 'Dockerfile to build (or run from source where no container engine exists).'}),
    'build-context': Flags.string({description: 'Build context (default: the Dockerfile\'s directory).'}),
    tag: Flags.string({description: 'Tag of the built image.'}),
    command: Flags.string({description: 'Command to run instead of the image\'s (quoted like in a shell).'}),
    'env-vars': Flags.string({description: 'Variables: NAME=value, comma-separated or repeated.', multiple: true}),
    secrets: Flags.string({description: 'Secrets: NAME=SSM parameter name or Secrets Manager ARN, comma-separated or repeated.', multiple: true}),
    count: Flags.integer({description: 'Number of tasks.', default: 1, min: 1}),
    cpu: Flags.integer({description: 'CPU units.', default: 256}),
    memory: Flags.integer({description: 'Memory in MiB.', default: 512}),
    follow: Flags.boolean({description: 'Print the logs until the tasks stop, and exit with the container\'s exit code.'}),
    env: Flags.string({char: 'e', description: 'Run in this environment\'s cluster and subnets.'}),
    app: Flags.string({char: 'a', description: 'Application of --env (default: the workspace\'s).'}),
    cluster: Flags.string({description: 'Cluster to run in (default: the environment\'s, else "default").'}),
    subnets: Flags.string({description: 'Subnet ids, comma-separated.'}),
    'security-groups': Flags.string({description: 'Security group ids, comma-separated.'}),
    json: Flags.boolean({description: 'Print the result as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TaskRun)
    const ctx = await this.context(flags, {quiet: true})
    const app = flags.env ? this.appName(ctx, flags.app) : flags.app
    const r = await runTask(ctx, {
      group: flags['task-group-name'] ?? basename(process.cwd()).toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      image: flags.image,
      dockerfile: flags.dockerfile,
      buildContext: flags['build-context'],
      tag: flags.tag,
      command: flags.command === undefined ? undefined : parseCommandFlag('--command', flags.command),
      envVars: parseKeyValues('--env-vars', flags['env-vars'] ?? []),
      secrets: parseKeyValues('--secrets', flags.secrets ?? []),
      count: flags.count,
      cpu: flags.cpu,
      memory: flags.memory,
      follow: flags.follow,
      app,
      env: flags.env,
      cluster: flags.cluster,
      subnets: flags.subnets?.split(',').filter(Boolean),
      securityGroups: flags['security-groups']?.split(',').filter(Boolean),
      onLog: (l) => process.stdout.write(`${l}\n`),
    })
    if (flags.json) this.printJson(r)
    else if (!flags.follow) this.status(`✔ Started ${r.taskArns.length} task(s) in ${r.cluster}.\n  Logs: aws logs tail ${r.logGroup} --follow`)
    if (r.follow && r.follow.exitCode !== 0) throw new ExitCode(r.follow.exitCode)
  }
}
