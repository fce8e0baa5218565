import {Flags} from '@oclif/core'

import {deployMany} from '../app/deploy-many.js'
import {AwsCommand} from '../cli/aws-command.js'
import {deployOptions, summarizeDeploy, workloadDeployFlags} from '../cli/deploy-flags.js'
import {UserError} from '../errors.js'

export default class Deploy extends AwsCommand {
  static override summary = 'Deploy one or more workloads to an environment, the environment first when needed.'
  static override description = 'Deploys the named workloads (or all of them with --all) in parallel, a few at a time. The environment is deployed first when it is missing or lacks what the workloads need (a load balancer, NAT). A task of the new deployment that stops is shown at once with its reason, exit code and last log lines; after --max-task-failures such stops the deploy is cancelled.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --name web --env test',
    '<%= config.bin %> <%= command.id %> --all --env prod --diff',
    'CI=true <%= config.bin %> <%= command.id %> --all --env test --json',
  ]
  static override flags = {
    ...workloadDeployFlags,
    name: Flags.string({char: 'n', description: 'Workload to deploy (repeat for several).', multiple: true}),
    all: Flags.boolean({description: 'Deploy every workload of the workspace.'}),
    env: Flags.string({char: 'e', description: 'Environment to deploy to.', required: true}),
    concurrency: Flags.integer({description: 'Workloads deployed at the same time.', default: 4, min: 1}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Deploy)
    if (!flags.all && !flags.name?.length) throw new UserError('Nothing to deploy: no --name and no --all.', {hint: 'Pass --name NAME (repeatable) or --all.'})
    const ctx = await this.context({...flags, json: flags.json})
    const results = await deployMany(ctx, {...deployOptions(ctx, flags), names: flags.all ? [] : flags.name ?? [], env: flags.env, concurrency: flags.concurrency, tag: flags.tag, force: flags.force, maxTaskFailures: flags['max-task-failures']})
    if (flags.json) return this.printResult(ctx, results)
    this.status(results.map(summarizeDeploy).join('\n'))
  }
}
