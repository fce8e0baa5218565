// `pier deploy --all` (or several names): the environment first, once, when any workload needs it;
// then the workloads in parallel, a few at a time; every failure reported at the end.
import {DeployError, UserError, type FailedResource} from '../errors.js'
import {environmentNeeds} from '../render/index.js'
import type {AppContext} from './context.js'
import type {DeployOptions} from './deploy-options.js'
import {deployEnvironment, environmentReadyFor} from './environment.js'
import {reachEnvironment} from './env-access.js'
import type {PreparedImages} from './images.js'
import {deployWorkload, startImages, type WorkloadDeployResult} from './workload-deploy.js'
import {workloadManifest, workspace} from './workspace.js'

export interface DeployManyInput extends DeployOptions {
  names: string[]
  env: string
  concurrency?: number
  tag?: string
  force?: boolean
  maxTaskFailures?: number
}

export async function deployMany(ctx: AppContext, input: DeployManyInput): Promise<WorkloadDeployResult[]> {
  const ws = workspace(ctx)
  const names = input.names.length ? input.names : ws.workloads.map((w) => w.name)
  if (names.length === 0) throw new UserError('There is nothing to deploy: this workspace has no workloads.', {hint: 'Create one with `pier svc init` or `pier job init`.'})
  // Validate every manifest before deploying anything: all problems at once.
  const problems: string[] = []
  const manifests = names.flatMap((n) => {
    try {
      return [{name: n, manifest: workloadManifest(ctx, ws, n, input.env)}]
    } catch (error) {
      problems.push((error as Error).message)
      return []
    }
  })
  if (problems.length) throw new UserError(problems.join('\n'))

  ctx = await reachEnvironment(ctx, ws.application, input.env)
  const {ready} = await environmentReadyFor(ctx, ws.application, input.env, environmentNeeds(manifests))
  // Images build while the environment deploys, one workload after another (builds are heavy).
  const images = new Map<string, Promise<PreparedImages>>()
  if (!ready) {
    let previous: Promise<unknown> = Promise.resolve()
    for (const {name, manifest} of manifests) {
      const next = previous.then(() => startImages(ctx, {app: ws.application, name, root: ws.root, manifest, tag: input.tag}))
      images.set(name, next)
      // The next build waits for this one whatever its outcome; a failure surfaces where it is awaited.
      previous = next.then(noop, noop)
    }
    await deployEnvironment(ctx, {env: input.env, noRollback: input.noRollback, allowReplacement: input.allowReplacement}, ws)
  }

  // Workloads deploy side by side: the listener rule priorities each one picks are shared, so two new
  // services on one listener never pick the same number.
  ctx = {...ctx, rulePriorities: new Map()}
  const results: WorkloadDeployResult[] = []
  const failures: FailedResource[] = []
  const queue = [...names]
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      try {
        results.push(await deployWorkload(ctx, {...input, name, environmentReady: true, images: images.get(name)}, ws))
      } catch (error) {
        failures.push({logicalId: name, reason: (error as Error).message})
      }
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(input.concurrency ?? 4, names.length))}, worker))
  if (failures.length) {
    throw new DeployError(`${failures.length} of ${names.length} workloads failed to deploy to ${input.env}.`, failures, {hint: 'Fix the causes above and deploy again; the others are deployed.'})
  }
  return names.map((n) => results.find((r) => r.name === n)!).filter(Boolean)
}

function noop(): void {}
