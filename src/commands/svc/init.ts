import {Flags} from '@oclif/core'

import {runInitWorkload} from '../../cli/init-workload.js'
import {awsFlags} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {registerAfterInit} from '../../cli/register.js'

const TYPES = ['Load Balanced Web Service', 'Backend Service', 'Worker Service'] as const

export default class SvcInit extends PierCommand {
  static override summary = 'Write the manifest of a new service.'
  static override description = `Writes copilot/NAME/manifest.yml for a service built from a Dockerfile (--dockerfile) or run from an existing image (--image). Types: ${TYPES.join(', ')}. On a terminal Pier asks for what is missing; in CI or without a terminal every missing flag is an error that names it. The service is created in AWS (or locally) when it is first deployed. When copilot/NAME/manifest.yml already exists (a teammate joining, or a workspace from Copilot), it is kept, its type is read from it, and the service is registered.`
  static override examples = [
    {description: 'A web service built from a Dockerfile.', command: '<%= config.bin %> <%= command.id %> --name web --svc-type "Load Balanced Web Service" --dockerfile ./web/Dockerfile --port 8080'},
    {description: 'A backend service from an existing image.', command: '<%= config.bin %> <%= command.id %> -n api -t "Backend Service" --image public.ecr.aws/nginx/nginx:latest --port 80'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of the service.'}),
    'svc-type': Flags.string({char: 't', description: 'Type of service.', options: [...TYPES]}),
    dockerfile: Flags.string({char: 'd', description: 'Path of the Dockerfile to build the image from.', exclusive: ['image']}),
    image: Flags.string({char: 'i', description: 'URI of an existing image to run.', exclusive: ['dockerfile']}),
    port: Flags.integer({description: 'Port the container listens on (default: the Dockerfile\'s EXPOSE).', min: 1, max: 65535}),
    force: Flags.boolean({description: 'Overwrite an existing manifest.'}),
    ...awsFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(SvcInit)
    const w = await runInitWorkload({...flags, type: flags['svc-type']}, TYPES, '--svc-type')
    await registerAfterInit(flags, {kind: 'workload', ...w})
  }
}
