// What every part of a workload stack needs: names, the manifest, the deploy-time inputs, the builder.

import type {EcsWorkloadManifest} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
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
  if (port === undefined || portNumber(ctx.manifest.image?.port) === port) return ctx.name
  return Object.entries(ctx.manifest.sidecars ?? {}).find(([, s]) => portNumber(s.port) === port)?.[0] ?? ctx.name
}

/** The number of `image.port` or of a sidecar's `port` (`8080` or `8080/udp`); undefined when there is none. */
export const portNumber = (p: unknown): number | undefined => Number(String(p).split('/')[0]) || undefined

/**
 * The container a load balancer (`field`: http or nlb) sends to: the `target_container` named, else the one
 * exposing `port`. ECS refuses a load balancer on a container the task does not have: the service's own
 * or one of its sidecars.
 */
export function targetContainer(ctx: WorkloadContext, field: 'http' | 'nlb', named: string | undefined, port: number | undefined): string {
  const container = named ?? containerForPort(ctx, port)
  if (container !== ctx.name && !ctx.manifest.sidecars?.[container]) {
    throw new RenderError(`${field}.target_container "${container}" is not a container of ${ctx.name}: name the service or one of its sidecars`)
  }
  return container
}