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

/** The container's port: the main container's `image.port`. */
export const mainPort = (ctx: WorkloadContext): number | undefined => ctx.manifest.image?.port

export function isService(m: EcsWorkloadManifest): m is Exclude<EcsWorkloadManifest, {type: 'Scheduled Job'}> {
  return m.type !== 'Scheduled Job'
}
