// Shared by `pier svc package` and `pier job package`.
import {Flags} from '@oclif/core'

import {awsFlags} from './aws-flags.js'

export {runPackage, type PackageFlags} from './package-run.js'

export const packageFlags = {
  app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
  name: Flags.string({char: 'n', description: 'Name of the workload.', exclusive: ['all']}),
  env: Flags.string({char: 'e', description: 'Name of the environment.'}),
  'output-dir': Flags.string({description: 'Write <name>-<env>.stack.yml, .params.json, .taskdef.json (and .addons.stack.yml with addons) into this directory instead of printing the template.'}),
  tag: Flags.string({description: 'Tag for images built from source (they are named <app>/<workload>:<tag>).', default: 'latest'}),
  strict: Flags.boolean({description: 'Refuse manifests with keys or values Copilot ignored (reported as warnings otherwise).'}),
  all: Flags.boolean({description: 'Package every workload of this kind in the workspace (needs --output-dir).'}),
  'upload-assets': Flags.boolean({description: 'Upload the addons template and the local code it names to S3, so the template can be deployed as printed (needs AWS or --local).', exclusive: ['diff']}),
  diff: Flags.boolean({description: 'Print the difference between the deployed template and this one, instead of the template (needs AWS or --local).', exclusive: ['upload-assets', 'all']}),
  ...awsFlags,
}
