// What every part of a workload stack needs: names, the manifest, the deploy-time inputs, the builder.

import type {EcsWorkloadManifest} from '../../manifest/types.js'
import type {WorkloadDeployInputs} from '../inputs.js'
import {discoveryEndpoint, envExport} from '../names.js'
import {importValue, type Json, type TemplateBuilder} from '../template.js'

export interface WorkloadContext {
  app: string
  env: string
  name: string
  manifest: EcsWorkloadManifest
  inputs: WorkloadDeployInputs
  t: TemplateBuilder
}

/** Fn::ImportValue of one of the environment stack's outputs. */
export const envImport = (ctx: WorkloadContext, output: string): Json => importValue(envExport(ctx.app, ctx.env, output))

export const namespaceName = (ctx: WorkloadContext): string => discoveryEndpoint(ctx.app, ctx.env)

export function isService(m: EcsWorkloadManifest): m is Exclude<EcsWorkloadManifest, {type: 'Scheduled Job'}> {
  return m.type !== 'Scheduled Job'
}

/**
 * The container a load balancer targets when only a `target_port` is given, as Copilot chose it: the
 * main container when it exposes that port, else the sidecar that does, else the main container.
 */
export function containerForPort(ctx: WorkloadContext, port: number | undefined): string {
  const portOf = (p: unknown) => Number(String(p).split('/')[0]) || undefined
  if (port === undefined || portOf(ctx.manifest.image?.port) === port) return ctx.name
  return Object.entries(ctx.manifest.sidecars ?? {}).find(([, s]) => portOf(s.port) === port)?.[0] ?? ctx.name
}