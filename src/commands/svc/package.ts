import {PierCommand} from '../../cli/base-command.js'
import {packageFlags, runPackage} from '../../cli/package-workload.js'

export default class ServicePackage extends PierCommand {
  static override summary = 'Print or write the CloudFormation template and task definition of a service, without deploying.'
  static override description = 'Renders the service for an environment exactly as `pier svc deploy` would, with no AWS access (except to look up a load balancer the service imports with `http.alb`, as deploy does): values that exist only after deployment come through parameters and imports. See docs/rendering.md.'
  static override examples = [
    {description: 'The template on stdout.', command: '<%= config.bin %> <%= command.id %> -n web -e test'},
    {description: 'Template, parameters and task definition into a directory.', command: '<%= config.bin %> <%= command.id %> -n web -e test --output-dir infrastructure'},
    {description: 'Every service of the workspace.', command: '<%= config.bin %> <%= command.id %> --all -e test --output-dir infrastructure'},
  ]
  static override flags = packageFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(ServicePackage)
    await runPackage('service', flags)
  }
}
