// `pier init`: application, environment and workload in one non-interactive step, then (with
// --deploy) the environment and the workload deployed.
import type {WorkloadType} from '../manifest/types.js'
import {writeWorkloadManifest} from '../workspace/scaffold.js'
import {initApplication} from './application.js'
import type {AppContext} from './context.js'
import {deployMany} from './deploy-many.js'
import {initEnvironment} from './environment.js'
import type {WorkloadDeployResult} from './workload-deploy.js'
import {workspace} from './workspace.js'

export interface InitInput {
  app: string
  env: string
  name: string
  type: WorkloadType
  dockerfile?: string
  image?: string
  port?: number
  schedule?: string
  deploy: boolean
}

export async function initAll(ctx: AppContext, input: InitInput): Promise<{deployed?: WorkloadDeployResult[]}> {
  await initApplication(ctx, {name: input.app})
  await initEnvironment(ctx, {env: input.env})
  await initWorkload(ctx, input)
  if (!input.deploy) return {}
  return {deployed: await deployMany(ctx, {names: [input.name], env: input.env})}
}

/** Writes the workload's manifest when it has none, and registers it with the application. */
export async function initWorkload(ctx: AppContext, input: {name: string; type: WorkloadType; dockerfile?: string; image?: string; port?: number; schedule?: string}) {
  const ws = workspace(ctx)
  if (!ws.workloads.some((w) => w.name === input.name)) {
    writeWorkloadManifest(ws, {name: input.name, type: input.type, dockerfile: input.dockerfile, image: input.image, port: input.port, schedule: input.schedule})
  }
  const record = {app: ws.application, name: input.name, type: input.type}
  await ctx.store.putWorkload(record)
  return record
}
