// The base of commands that talk to AWS (or the local control plane): the AWS flags, the client
// factory and the progress renderer.
import {Flags} from '@oclif/core'

import {appContext, type AppContext} from '../app/context.js'
import {detectEngine} from '../app/images.js'
import {createAwsClients} from '../aws/clients.js'
import {processInterrupts} from '../deploy/interrupts.js'
import {realTiming} from '../deploy/timing.js'
import {loadWorkspace} from '../workspace/find.js'
import {resultLine} from '../ui/plain.js'
import {createRenderer, renderMode, type Renderer} from '../ui/renderer.js'
import {PierCommand} from './base-command.js'
import {awsFlags, awsOptions} from './aws-flags.js'
import {UserError} from '../errors.js'
import {askYesNo} from './prompt.js'

export const jsonFlag = Flags.boolean({description: 'Print machine-readable JSON on stdout (see docs/progress-events.md).'})
export const appFlag = Flags.string({char: 'a', description: 'Name of the application (default: the workspace\'s).'})
export const yesFlag = Flags.boolean({description: 'Confirm the deletion without asking (required when not on a terminal or in CI).'})

export abstract class AwsCommand extends PierCommand {
  static override baseFlags = {...PierCommand.baseFlags, ...awsFlags}

  private renderer: Renderer | undefined

  /** Builds the clients, the renderer (`quiet` drops progress for read commands' --json) and the use case context. */
  protected async context(flags: Parameters<typeof awsOptions>[0] & {json?: boolean; diff?: boolean; strict?: boolean}, opts: {quiet?: boolean} = {}): Promise<AppContext> {
    // A --diff question needs the terminal: the plain renderer leaves it alone.
    const mode = flags.diff && !flags.json ? 'plain' : renderMode({json: flags.json, isTTY: process.stderr.isTTY})
    // The two load independent modules (SDK, ink): side by side, start-up is shorter.
    const [awsR, rendererR] = await Promise.allSettled([
      createAwsClients(awsOptions(flags)),
      opts.quiet && flags.json ? Promise.resolve<Renderer>({emit: () => {}, close: async () => {}}) : createRenderer(mode),
    ])
    // A view that started is released by finally() even when the rest failed.
    if (rendererR.status === 'fulfilled') this.renderer = rendererR.value
    const [aws, renderer] = [settled(awsR), settled(rendererR)]
    return appContext({
      aws,
      emit: renderer.emit,
      timing: realTiming,
      interrupts: processInterrupts,
      cwd: process.cwd(),
      engine: detectEngine(),
      confirm: this.nonInteractive ? undefined : askYesNo,
      strict: flags.strict,
    })
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    await this.endProgress()
    return super.catch(error)
  }

  protected override async finally(error: Error | undefined): Promise<any> {
    await this.endProgress()
    return super.finally(error)
  }

  /** Draws the progress view's last frame and releases the terminal (before any closing line). */
  private endProgress(): Promise<void> {
    const r = this.renderer
    this.renderer = undefined
    return r ? r.close() : Promise.resolve()
  }

  /** The application: --app, else the workspace's. */
  protected appName(ctx: AppContext, flag: string | undefined): string {
    if (flag) return flag
    try {
      return loadWorkspace(ctx.cwd).application
    } catch {
      throw new UserError('No application given: this directory is not in a Pier (Copilot) workspace.', {hint: 'Pass --app NAME, or run the command inside the workspace.'})
    }
  }

  /** Confirms a deletion: --yes, or a question on a terminal; never a prompt in CI. */
  protected async confirmDelete(ctx: AppContext, what: string, yes: boolean | undefined): Promise<void> {
    if (yes) return
    if (!ctx.confirm) throw new UserError(`Deleting ${what} needs confirmation: Pier does not prompt when stdin is not a terminal or CI is set.`, {hint: 'Pass --yes to confirm.'})
    if (!(await ctx.confirm(`Delete ${what}?`))) throw new UserError(`Did not delete ${what}: not confirmed.`)
  }

  /** The `--json` result line that closes the event stream of a deploying command. */
  protected printResult(ctx: AppContext, data: unknown): void {
    process.stdout.write(resultLine(data, ctx.aws.callCount()))
  }

  protected printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
  }

  /** A closing status on stderr (data goes to stdout), below the progress view's last frame. */
  protected status(line: string): void {
    // The ink view unmounts synchronously; what remains of close() only waits for its exit.
    void this.endProgress()
    process.stderr.write(`${line}\n`)
  }
}

function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason
  return r.value
}

export function table(head: string[], rows: (string | number | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c ?? '')))
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(head), ...cells.map(line)].join('\n')
}
