import {Flags} from '@oclif/core'

import {initAll} from '../app/init.js'
import {AwsCommand} from '../cli/aws-command.js'
import {summarizeDeploy} from '../cli/deploy-flags.js'
import type {WorkloadType} from '../manifest/types.js'

const TYPES = ['Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job']

export default class Init extends AwsCommand {
  static override summary = 'Create an application, an environment and a workload in one step, and deploy them.'
  static override description = 'Writes the manifests that are missing (copilot/.workspace, the environment\'s and the workload\'s), registers them, and with --deploy deploys the environment and the workload. Never prompts: every value comes from the flags.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --app demo --name web --type "Load Balanced Web Service" --dockerfile ./Dockerfile --port 8080 --deploy',
    '<%= config.bin %> <%= command.id %> -a demo -n report -t "Scheduled Job" --image public.ecr.aws/docker/library/alpine:3 --schedule @daily --env test',
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application.', required: true}),
    name: Flags.string({char: 'n', description: 'Name of the workload.', required: true}),
    type: Flags.string({char: 't', description: 'Type of the workload.', options: TYPES, required: true}),
    dockerfile: Flags.string({char: 'd', description: 'Dockerfile of the workload.', exclusive: ['image']}),
    image: Flags.string({char: 'i', description: 'Existing image of the workload.'}),
    port: Flags.integer({description: 'Port the container listens on.'}),
    schedule: Flags.string({description: 'Schedule of a Scheduled Job: @daily, @every 1h, or a cron expression.'}),
    env: Flags.string({char: 'e', description: 'Name of the environment.', default: 'test'}),
    deploy: Flags.boolean({description: 'Deploy the environment and the workload.'}),
    json: Flags.boolean({description: 'Print the deploy progress as NDJSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    const ctx = await this.context(flags)
    const r = await initAll(ctx, {app: flags.app, env: flags.env, name: flags.name, type: flags.type as WorkloadType, dockerfile: flags.dockerfile, image: flags.image, port: flags.port, schedule: flags.schedule, deploy: flags.deploy})
    if (flags.json) return this.printResult(ctx, r)
    if (r.deployed) this.status(r.deployed.map(summarizeDeploy).join('\n'))
    else this.status(`✔ Created ${flags.name} in application ${flags.app} with environment ${flags.env}.\n  Deploy them: pier deploy --name ${flags.name} --env ${flags.env}`)
  }
}
