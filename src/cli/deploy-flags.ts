// Flags of every deploying command, as Copilot spells them, plus Pier's fail-fast setting.
import {Flags} from '@oclif/core'

import type {AppContext} from '../app/context.js'
import type {DeployOptions} from '../app/deploy-options.js'
import type {WorkloadDeployResult} from '../app/workload-deploy.js'
import {diffReview} from './diff-review.js'

export const deployFlags = {
  diff: Flags.boolean({description: 'Show the template diff and ask before deploying.'}),
  'diff-yes': Flags.boolean({description: 'Show the template diff and deploy without asking.'}),
  detach: Flags.boolean({description: 'Return as soon as the change set executes, without following the deploy.'}),
  'no-rollback': Flags.boolean({description: 'Keep the resources of a failed deploy as they are, to inspect them.'}),
  'allow-replacement': Flags.boolean({description: 'Let the first deploy over a stack Copilot deployed replace or remove resources that hold state (refused by default).'}),
  json: Flags.boolean({description: 'Print the progress as NDJSON events on stdout (see docs/progress-events.md).'}),
  strict: Flags.boolean({description: 'Refuse manifests with keys or values Copilot ignored (reported as warnings otherwise).'}),
}

export const workloadDeployFlags = {
  ...deployFlags,
  tag: Flags.string({description: 'Tag for built images (default: the git short SHA).'}),
  force: Flags.boolean({description: 'Roll out new tasks even when nothing changed.'}),
  'max-task-failures': Flags.integer({description: 'Stop the deploy after this many stopped tasks of the new deployment with none healthy (0: wait for CloudFormation).', default: 3, min: 0}),
}

export function deployOptions(ctx: AppContext, flags: {diff?: boolean; 'diff-yes'?: boolean; detach?: boolean; 'no-rollback'?: boolean; 'allow-replacement'?: boolean}): DeployOptions {
  return {detach: flags.detach, noRollback: flags['no-rollback'], allowReplacement: flags['allow-replacement'], confirmChanges: diffReview(ctx, flags)}
}

/** The closing lines of a workload deploy: what happened and what to do next. */
export function summarizeDeploy(r: WorkloadDeployResult): string {
  const what = r.status === 'no-changes' ? (r.forced ? `redeployed ${r.name} in ${r.env} (no template changes)` : `${r.name} in ${r.env} is up to date: no changes`) : r.status === 'detached' ? `the deploy of ${r.name} to ${r.env} continues in the background` : `deployed ${r.name} to ${r.env}`
  const lines = [`✔ ${what[0]!.toUpperCase()}${what.slice(1)}.`]
  if (r.url) lines.push(`  ${r.url}`)
  lines.push(r.type === 'Scheduled Job' ? `  Run it now: pier job run --name ${r.name} --env ${r.env} --follow` : `  Check it: pier svc status --name ${r.name} --env ${r.env}; logs: pier svc logs --name ${r.name} --env ${r.env} --follow`)
  return lines.join('\n')
}
