import {PierCommand} from '../../cli/base-command.js'
import {runShow, showFlags} from '../../cli/show-workload.js'

export default class JobShow extends PierCommand {
  static override summary = 'Show a job\'s configuration in each environment, or its merged manifest.'
  static override description = 'Without --manifest, shows the size, task count, port and image of the job in every environment (from the manifests). With --manifest and -e, prints the manifest exactly as Pier applies it to that environment: variables interpolated, type defaults filled in, and the environment\'s overrides merged (see docs/manifest-overrides.md).'
  static override examples = [
    {description: 'The job in every environment.', command: '<%= config.bin %> <%= command.id %> -n report'},
    {description: 'The manifest as applied to prod.', command: '<%= config.bin %> <%= command.id %> -n report -e prod --manifest'},
    {description: 'The same as JSON.', command: '<%= config.bin %> <%= command.id %> -n report -e prod --manifest --json'},
  ]
  static override flags = showFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(JobShow)
    await runShow('job', flags)
  }
}
