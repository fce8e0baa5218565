// The manifest of an environment, for `pier env show --manifest`: the workspace's own when it has
// one; else, for a workspace of Copilot before v1.21 (no environment manifests), what the deployed
// environment stack says: its VPC and subnets, as an imported VPC, so workloads deploy into the
// network the environment already has. Without a deployed stack, Copilot's default environment.
import type {Stack} from '@aws-sdk/client-cloudformation'

import {describe} from '../deploy/stack-watch.js'
import type {EnvironmentManifest} from '../manifest/types.js'
import type {AppContext} from './context.js'
import {environmentStackName} from '../render/names.js'
import {resolveEnvironment} from '../workspace/index.js'
import {workspace} from './workspace.js'

export interface ShownEnvironmentManifest {
  manifest: EnvironmentManifest
  /** Where it comes from: the workspace's file, the deployed stack, or Copilot's defaults. */
  source: 'manifest' | 'stack' | 'default'
}

/** An environment manifest read back from a deployed environment stack's outputs. */
export function manifestFromStack(env: string, stack: Pick<Stack, 'Outputs'>): EnvironmentManifest {
  const out = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))
  const ids = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean).map((id) => ({id})) : [])
  const manifest: EnvironmentManifest = {name: env, type: 'Environment'} as EnvironmentManifest
  if (out.VpcId) {
    manifest.network = {vpc: {id: out.VpcId, subnets: {public: ids(out.PublicSubnets), private: ids(out.PrivateSubnets)}}} as EnvironmentManifest['network']
  }
  return manifest
}

export async function environmentManifestOf(ctx: AppContext, app: string, env: string): Promise<ShownEnvironmentManifest> {
  const ws = workspace(ctx)
  if (!ws.legacy) {
    const r = resolveEnvironment(ws, env, {strict: ctx.strict})
    return {manifest: r.manifest, source: 'manifest'}
  }
  const stack = await describe(ctx, environmentStackName(app, env))
  if (stack) return {manifest: manifestFromStack(env, stack), source: 'stack'}
  return {manifest: resolveEnvironment(ws, env, {strict: ctx.strict}).manifest, source: 'default'}
}
