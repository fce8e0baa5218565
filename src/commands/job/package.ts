import {PierCommand} from '../../cli/base-command.js'
import {packageFlags, runPackage} from '../../cli/package-workload.js'

export default class JobPackage extends PierCommand {
  static override summary = 'Print or write the CloudFormation template and task definition of a job, without deploying.'
  static override description = 'Renders the job for an environment exactly as `pier job deploy` would, with no AWS access: values that exist only after deployment come through parameters and imports. See docs/rendering.md.'
  static override examples = [
    {description: 'The template on stdout.', command: '<%= config.bin %> <%= command.id %> -n report -e test'},
    {description: 'Template, parameters and task definition into a directory.', command: '<%= config.bin %> <%= command.id %> -n report -e test --output-dir infrastructure'},
    {description: 'Every job of the workspace.', command: '<%= config.bin %> <%= command.id %> --all -e test --output-dir infrastructure'},
  ]
  static override flags = packageFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(JobPackage)
    await runPackage('job', flags)
  }
}
