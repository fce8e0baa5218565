import {Args} from '@oclif/core'

import {awsFlags} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {registerAfterInit} from '../../cli/register.js'
import {printStatus, success} from '../../cli/output.js'
import {requireValue} from '../../cli/prompt.js'
import {initApp} from '../../workspace/scaffold.js'

export default class AppInit extends PierCommand {
  static override summary = 'Create a workspace for an application in the current directory.'
  static override description = 'Writes copilot/.workspace naming the application. Every service, job and environment of the application lives under copilot/. Running it again in the same workspace with the same name changes nothing.'
  static override examples = [{description: 'Start the "demo" application here.', command: '<%= config.bin %> <%= command.id %> demo'}]
  static override args = {name: Args.string({description: 'Name of the application: lowercase letters, digits and hyphens.'})}
  static override flags = {...awsFlags}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(AppInit)
    const name = await requireValue(args.name, {flag: 'the NAME argument', question: 'What is the application called?', example: 'demo'})
    const r = initApp(process.cwd(), name)
    if (r.created) success(`Created the workspace of application "${name}": ${r.path}`)
    else success(`Application "${name}" already has this workspace: ${r.path}`)
    await registerAfterInit(flags, {kind: 'app', app: name})
    printStatus('Next: create an environment with `pier env init --name test`, then a service with `pier svc init`.')
  }
}
