// `pier verify -e ENV [-n NAME]`: what would make a deploy fail, found before deploying. Every finding
// is located in the manifest that causes it.
import {existsSync} from 'node:fs'
import {join, relative} from 'node:path'

import {isAwsError} from '../aws/errors.js'
import {describe} from '../deploy/stack-watch.js'
import type {EcsWorkloadManifest, SecretValue} from '../manifest/types.js'
import type {AppContext} from './context.js'
import {sourceBuilds} from './source-builds.js'
import {locate} from './locate.js'
import {environmentStackName, type Diagnostic, type WorkspaceInfo} from './ports.js'
import {workspace} from './workspace.js'

export interface VerifyResult {
  app: string
  env: string
  workloads: string[]
  findings: Diagnostic[]
  ok: boolean
}

export async function verify(ctx: AppContext, input: {env: string; names?: string[]}): Promise<VerifyResult> {
  const ws = workspace(ctx)
  const findings: Diagnostic[] = []
  const envFile = join(ws.copilotDir, 'environments', input.env, 'manifest.yml')
  if (!ws.environments.includes(input.env)) {
    findings.push({file: relative(ws.root, envFile), line: 1, col: 1, severity: 'error', code: 'env-missing', message: `environment ${input.env} has no manifest`, hint: `Create it with \`pier env init --name ${input.env}\`.`, path: ''})
  } else {
    findings.push(...ctx.manifest.resolveEnvironment(ws, input.env).diagnostics)
    const stack = await describe(ctx, environmentStackName(ws.application, input.env))
    if (!stack || !/^(CREATE|UPDATE)_COMPLETE$/.test(stack.StackStatus ?? '')) {
      findings.push({...locate(ws.root, envFile, [['name']]), severity: 'warning', code: 'env-not-deployed', message: `environment ${input.env} is ${stack ? `in state ${stack.StackStatus}` : 'not deployed'}: the first workload deploy will deploy it first`, hint: `Deploy it now with \`pier env deploy --name ${input.env}\`.`})
    }
  }
  const names = input.names?.length ? input.names : ws.workloads.map((w) => w.name)
  for (const name of names) {
    const entry = ws.workloads.find((w) => w.name === name)
    if (!entry) {
      findings.push({file: relative(ws.root, join(ws.copilotDir, name, 'manifest.yml')), line: 1, col: 1, severity: 'error', code: 'workload-missing', message: `there is no workload ${name} in this workspace`, path: ''})
      continue
    }
    const resolved = ctx.manifest.resolveWorkload(ws, name, input.env)
    findings.push(...resolved.diagnostics)
    if (!resolved.ok) continue
    const m = resolved.manifest as EcsWorkloadManifest
    findings.push(...(await checkSecrets(ctx, ws, entry.path, input.env, m)))
    findings.push(...checkBuilds(ws, entry.path, input.env, m))
    findings.push(...(await checkImage(ctx, ws, entry.path, m)))
  }
  const ok = !findings.some((f) => f.severity === 'error')
  return {app: ws.application, env: input.env, workloads: names, findings, ok}
}

function manifestFile(ws: WorkspaceInfo, entryPath: string): string {
  return entryPath.endsWith('.yml') || entryPath.endsWith('.yaml') ? entryPath : join(entryPath, 'manifest.yml')
}

/** SSM parameter names and Secrets Manager ids the workload's secrets point at. */
function secretTarget(value: SecretValue): {kind: 'ssm' | 'secretsmanager'; id: string} | undefined {
  if (typeof value === 'string') {
    if (value.startsWith('arn:') && value.includes(':secretsmanager:')) return {kind: 'secretsmanager', id: value.split(':').slice(0, 7).join(':')}
    const m = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(value)
    return {kind: 'ssm', id: m ? m[1]! : value}
  }
  if ('secretsmanager' in value) return {kind: 'secretsmanager', id: value.secretsmanager.split(':')[0]!.startsWith('arn') ? value.secretsmanager.split(':').slice(0, 7).join(':') : value.secretsmanager.split(':')[0]!}
  return undefined // from_cfn: an output of another stack, checked when deployed
}

async function checkSecrets(ctx: AppContext, ws: WorkspaceInfo, entryPath: string, env: string, m: EcsWorkloadManifest): Promise<Diagnostic[]> {
  const out: Diagnostic[] = []
  const file = manifestFile(ws, entryPath)
  const all: [string, SecretValue, (string | number)[][]][] = Object.entries(m.secrets ?? {}).map(([k, v]) => [k, v, [['environments', env, 'secrets', k], ['secrets', k]]])
  for (const [sidecar, s] of Object.entries(m.sidecars ?? {})) {
    for (const [k, v] of Object.entries(s.secrets ?? {})) all.push([k, v, [['environments', env, 'sidecars', sidecar, 'secrets', k], ['sidecars', sidecar, 'secrets', k]]])
  }
  for (const [name, value, paths] of all) {
    const target = secretTarget(value)
    if (!target) continue
    try {
      if (target.kind === 'ssm') await ctx.aws.parameters.getParameter({Name: target.id})
      else await ctx.aws.secrets.describeSecret({SecretId: target.id})
    } catch (error) {
      const missing = isAwsError(error, 'ParameterNotFound', 'ResourceNotFoundException')
      const denied = isAwsError(error, 'AccessDeniedException', 'AccessDenied')
      out.push({
        ...locate(ws.root, file, paths),
        severity: 'error',
        code: missing ? 'secret-missing' : denied ? 'secret-denied' : 'secret-unreadable',
        message: missing ? `secret ${name} points at ${target.id}, which does not exist` : `secret ${name} (${target.id}) cannot be read: ${(error as Error).message}`,
        hint: missing
          ? target.kind === 'ssm'
            ? `Create it: aws ssm put-parameter --name ${target.id} --type SecureString --value VALUE --tags Key=copilot-application,Value=${ws.application} Key=copilot-environment,Value=${env}`
            : `Create it: aws secretsmanager create-secret --name ${target.id} --secret-string VALUE --tags Key=copilot-application,Value=${ws.application} Key=copilot-environment,Value=${env}`
          : 'Tag it with copilot-application and copilot-environment so the execution role may read it.',
      })
    }
  }
  return out
}

function checkBuilds(ws: WorkspaceInfo, entryPath: string, env: string, m: EcsWorkloadManifest): Diagnostic[] {
  const file = manifestFile(ws, entryPath)
  return sourceBuilds(ws.root, m.name, m)
    .filter((b) => !existsSync(join(b.context, b.dockerfile)))
    .map((b) => ({
      ...locate(ws.root, file, b.container === m.name ? [['environments', env, 'image', 'build'], ['image', 'build']] : [['sidecars', b.container, 'image', 'build']]),
      severity: 'error' as const,
      code: 'dockerfile-missing',
      message: `the Dockerfile of ${b.container} does not exist: ${join(b.context, b.dockerfile)}`,
      hint: 'Fix `image.build` (paths are relative to the workspace root).',
    }))
}

async function checkImage(ctx: AppContext, ws: WorkspaceInfo, entryPath: string, m: EcsWorkloadManifest): Promise<Diagnostic[]> {
  const location = m.image?.location
  const ecr = location ? /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?::([^@]+))?(?:@(.+))?$/.exec(location) : null
  if (!ecr || ecr[2] !== ctx.aws.region) return []
  const [, registryId, , repositoryName, tag, digest] = ecr
  try {
    await ctx.aws.registry.describeImages({registryId, repositoryName, imageIds: [digest ? {imageDigest: digest} : {imageTag: tag ?? 'latest'}]})
    return []
  } catch (error) {
    if (!isAwsError(error, 'ImageNotFoundException', 'RepositoryNotFoundException')) throw error
    return [{...locate(ws.root, manifestFile(ws, entryPath), [['image', 'location']]), severity: 'error', code: 'image-missing', message: `image ${location} does not exist`, hint: 'Push it first, or fix `image.location`.'}]
  }
}
