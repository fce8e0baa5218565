import {Flags} from '@oclif/core'

import {planMigration} from '../app/migrate.js'
import {AwsCommand, jsonFlag} from '../cli/aws-command.js'
import {describePlan} from '../deploy/takeover.js'
import {ExitCode} from '../errors.js'

export default class Migrate extends AwsCommand {
  static override summary = 'Show what the first Pier deploy would do to each stack of an environment that Copilot deployed, without deploying.'
  static override description =
    'For the environment stack and every deployed workload stack, makes the change set of the template Pier would deploy, prints what it keeps, modifies, replaces and removes (with the manifest field that forces each replacement), then deletes the change set. Workloads keep the images their stacks run. Exits 1 when a deploy would replace or remove a resource that holds state, which `pier deploy` refuses without --allow-replacement.'
  static override examples = ['<%= config.bin %> <%= command.id %> -e prod', '<%= config.bin %> <%= command.id %> -e test --json']
  static override flags = {
    env: Flags.string({char: 'e', description: 'Environment whose stacks to check.', required: true}),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Migrate)
    const ctx = await this.context(flags, {quiet: true})
    const result = await planMigration(ctx, {env: flags.env})
    if (flags.json) this.printJson(result)
    else {
      const lines: string[] = []
      for (const s of result.stacks) {
        const who = s.copilot ? 'deployed by Copilot' : 'deployed by Pier'
        if (s.status === 'not-deployed') lines.push(`• ${s.stack}: not deployed; a deploy creates it.`)
        else if (s.status === 'no-changes') lines.push(`• ${s.stack} (${who}): no changes.`)
        else lines.push(...describePlan(s.plan!).map((l, i) => (i === 0 ? `• ${l.replace(/^Takeover of (\S+):/, `$1 (${who}):`)}` : l)))
      }
      process.stdout.write(`${lines.join('\n')}\n`)
      this.status(
        result.blocking
          ? `✘ ${result.blocking} resource(s) that hold state would be replaced or removed (✘ above): pier deploy refuses them without --allow-replacement. Change the manifest fields named, then check again.`
          : `✔ Nothing that holds state would be replaced or removed in ${flags.env}: deploy with pier env deploy --name ${flags.env}, then pier deploy --all --env ${flags.env}.`,
      )
    }
    if (result.blocking) throw new ExitCode(1)
  }
}
