// The *init and *show commands work from the manifests offline; when an AWS target is given (a flag or the usual
// variables), they also register what they created with the application, as Copilot's did. Without
// one, the first deploy registers it. `show` adds what is deployed when a target is given.
import {appContext} from '../app/context.js'
import {ensureApp, ensureEnvRecord} from '../app/workspace.js'
import {showWorkload, type WorkloadInEnv} from '../app/workloads.js'
import {createAwsClients} from '../aws/clients.js'
import {realTiming} from '../deploy/timing.js'
import {awsOptions, awsTargetGiven} from './aws-flags.js'
import {printStatus} from './output.js'

type AwsFlagValues = Parameters<typeof awsOptions>[0]

export type Registration = {kind: 'app'; app: string} | {kind: 'env'; app: string; env: string} | {kind: 'workload'; app: string; name: string; type: string}

export async function registerAfterInit(flags: AwsFlagValues, what: Registration): Promise<void> {
  if (!awsTargetGiven(flags)) {
    printStatus('It will be registered with the application at its first deploy (pass --profile, --region or --local to register it now).')
    return
  }
  const aws = await createAwsClients(awsOptions(flags))
  const ctx = appContext({aws, emit: () => {}, timing: realTiming, cwd: process.cwd()})
  await ensureApp(ctx, what.app)
  if (what.kind === 'env') await ensureEnvRecord(ctx, what.app, what.env)
  if (what.kind === 'workload') await ctx.store.putWorkload({app: what.app, name: what.name, type: what.type})
  const label = what.kind === 'app' ? `application ${what.app}` : what.kind === 'env' ? `environment ${what.env}` : `${what.name}`
  printStatus(`Registered ${label} with application ${what.app} in ${aws.region}.`)
}

/** What is deployed of a workload in each environment (for `svc show` / `job show`), when an AWS
 * target is given; undefined otherwise. Secret values never leave the account: only their names. */
export async function deployedDetails(flags: AwsFlagValues, app: string, name: string): Promise<WorkloadInEnv[] | undefined> {
  if (!awsTargetGiven(flags)) return undefined
  const aws = await createAwsClients(awsOptions(flags))
  const ctx = appContext({aws, emit: () => {}, timing: realTiming, cwd: process.cwd()})
  if (!(await ctx.store.getWorkload(app, name))) return []
  return (await showWorkload(ctx, app, name)).deployments
}
