// The manifest of an environment as a deploy applies it: the workspace's own when it has one; else,
// for a workspace of Copilot before v1.21 (no environment manifests), the one reconstructed from the
// environment's SSM record and its deployed stack (see environment-reconstruct.ts); without either,
// Copilot's default environment. `pier env show --manifest` prints it with where each part was read.
import {existsSync} from 'node:fs'
import {relative} from 'node:path'
import {stringify} from 'yaml'

import {event} from '../deploy/events.js'
import {describe} from '../deploy/stack-watch.js'
import {parseTemplateBody} from '../deploy/template-body.js'
import {resolveEnvironmentText} from '../manifest/resolve.js'
import type {EnvironmentManifest} from '../manifest/types.js'
import {environmentStackName} from '../render/names.js'
import {environmentManifestPath, resolveEnvironment, type Workspace} from '../workspace/index.js'
import type {AppContext} from './context.js'
import {type LegacyEnvironmentConfig, type ReconstructedPart, reconstructEnvironment} from './environment-reconstruct.js'
import {valid, workspace} from './workspace.js'

export interface ShownEnvironmentManifest {
  manifest: EnvironmentManifest
  /** Where it comes from: the workspace's file, what is deployed (record and stack), or Copilot's defaults. */
  source: 'manifest' | 'deployed' | 'default'
  /** For a reconstructed manifest: each part and where it was read. */
  parts: ReconstructedPart[]
  /** For a reconstructed manifest: its YAML as rebuilt, before defaults are applied (to save as a file). */
  text?: string
}

/** Whether the environment has no manifest in a workspace without environment manifests. */
export function hasNoManifest(ws: Workspace, env: string): boolean {
  return Boolean(ws.legacy) && !existsSync(environmentManifestPath(ws, env))
}

/** The environment's manifest rebuilt from its record and stack (Copilot's default when neither says
 * anything), resolved and validated as a file would be. */
export async function reconstructedManifest(ctx: AppContext, ws: Workspace, env: string): Promise<ShownEnvironmentManifest> {
  const app = ws.application
  const [record, stack] = await Promise.all([ctx.store.getEnv(app, env), describe(ctx, environmentStackName(app, env))])
  const body = stack ? (await ctx.aws.stacks.getTemplate({StackName: environmentStackName(app, env), TemplateStage: 'Original'})).TemplateBody : undefined
  const template = body ? parseTemplateBody(body) : undefined
  const r = reconstructEnvironment({env, record: record as LegacyEnvironmentConfig | undefined, stack, template})
  const file = `${relative(ws.root, environmentManifestPath(ws, env))} (reconstructed)`
  const text = stringify(r.manifest, {lineWidth: 0})
  const resolved = resolveEnvironmentText({file, text, app, env, environments: ws.environments, vars: {}, expectedName: env, strict: ctx.strict})
  const manifest = valid(ctx, resolved, `environment ${env} as reconstructed from its record and stack`)
  // Nothing in the record or stack says otherwise: Copilot's default environment.
  if (r.parts.length === 0) return {manifest, source: stack ? 'deployed' : 'default', parts: []}
  return {manifest, source: 'deployed', parts: r.parts, text}
}

export function manifestText(manifest: EnvironmentManifest): string {
  return stringify(manifest, {lineWidth: 0})
}

export async function environmentManifestOf(ctx: AppContext, app: string, env: string): Promise<ShownEnvironmentManifest> {
  const ws = workspace(ctx)
  if (!hasNoManifest(ws, env)) return {manifest: valid(ctx, resolveEnvironment(ws, env, {strict: ctx.strict}), `environment ${env}`), source: 'manifest', parts: []}
  return reconstructedManifest(ctx, {...ws, application: app}, env)
}

/** For a deploy: the environment's manifest, reconstructed (and said so) when the workspace has none. */
export async function deployableEnvironmentManifest(ctx: AppContext, ws: Workspace, env: string): Promise<EnvironmentManifest> {
  if (!hasNoManifest(ws, env)) return valid(ctx, resolveEnvironment(ws, env, {strict: ctx.strict}), `environment ${env}`)
  const shown = await reconstructedManifest(ctx, ws, env)
  const what = shown.source === 'default'
    ? `Copilot's default environment (a new VPC with public and private subnets, no certificate): nothing is deployed or recorded for ${env} yet`
    : `the manifest reconstructed from ${[...new Set(shown.parts.map((p) => p.from))].join(', ') || 'its stack (Copilot\'s defaults)'}`
  const text = `Environment ${env} has no manifest (Copilot before v1.21): deploying ${what}. \`pier env show -n ${env} --manifest\` prints it; save it as copilot/environments/${env}/manifest.yml to manage it.`
  ctx.emit(event('output', text, {text, stream: 'stderr'}, 'warn'))
  return shown.manifest
}
