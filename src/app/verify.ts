// `pier verify -e ENV [-n NAME]`: what would make a deploy fail, found before deploying. Every finding
// is located in the manifest that causes it: manifest errors (Fargate sizes among them), the imported
// VPC, subnets and certificates, secrets (they exist, and the execution role may read them), Dockerfiles,
// images, and whether the environment is deployed.
import {existsSync} from 'node:fs'
import {join, relative} from 'node:path'

import {isAwsError} from '../aws/errors.js'
import {describe} from '../deploy/stack-watch.js'
import type {Diagnostic, EcsWorkloadManifest, EnvironmentManifest} from '../manifest/index.js'
import {environmentStackName} from '../render/names.js'
import {resolveEnvironment, resolveWorkload, type Workspace} from '../workspace/index.js'
import type {AppContext} from './context.js'
import {hasNoManifest, reconstructedManifest} from './environment-manifest.js'
import {sourceBuilds} from './source-builds.js'
import {locate} from './locate.js'
import {checkAliases, checkCertificates, checkNetwork, checkSiteCertificate, type CertificateState} from './verify-network.js'
import {checkSecrets} from './verify-secrets.js'
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
  const names = input.names?.length ? input.names : ws.workloads.map((w) => w.name)
  // The environment's checks and the caller's identity are independent: asked at once.
  const [environment, account] = await Promise.all([checkEnvironment(ctx, ws, input.env), names.length ? callerAccount(ctx) : undefined])
  const {envManifest, certificates} = environment
  const imported = {public: Boolean(envManifest?.http?.public?.certificates?.length), private: Boolean(envManifest?.http?.private?.certificates?.length)}
  const perWorkload = await Promise.all(names.map(async (name): Promise<Diagnostic[]> => {
    const entry = ws.workloads.find((w) => w.name === name)
    if (!entry) {
      return [{file: relative(ws.root, join(ws.copilotDir, name, 'manifest.yml')), line: 1, col: 1, severity: 'error', code: 'workload-missing', message: `there is no workload ${name} in this workspace`, path: ''}]
    }
    const resolved = resolveWorkload(ws, name, input.env)
    if (!resolved.ok) return resolved.diagnostics
    const m = resolved.manifest as EcsWorkloadManifest
    const file = manifestFile(ws, entry.path)
    const [secrets, image, site] = await Promise.all([
      checkSecrets(ctx, {ws, file, env: input.env, manifest: m, envManifest, account}),
      checkImage(ctx, ws, entry.path, m),
      resolved.manifest.type === 'Static Site' ? checkSiteCertificate(ctx, ws, file, input.env, resolved.manifest) : [],
    ])
    return [...resolved.diagnostics, ...secrets, ...checkAliases(ws, file, input.env, m, certificates, imported), ...site, ...checkBuilds(ws, entry.path, input.env, m), ...image]
  }))
  const findings = [...environment.findings, ...perWorkload.flat()]
  const ok = !findings.some((f) => f.severity === 'error')
  return {app: ws.application, env: input.env, workloads: names, findings, ok}
}

/** The environment's manifest, imported network and certificates, and whether it is deployed. */
async function checkEnvironment(ctx: AppContext, ws: Workspace, env: string): Promise<{findings: Diagnostic[]; envManifest?: EnvironmentManifest; certificates: CertificateState[]}> {
  const envFile = join(ws.copilotDir, 'environments', env, 'manifest.yml')
  // Without environment manifests (Copilot before v1.21), the environment is what its record and stack say.
  const rebuilt = hasNoManifest(ws, env) ? await reconstructedManifest(ctx, ws, env) : undefined
  if (!ws.environments.includes(env) && !rebuilt) {
    return {certificates: [], findings: [{file: relative(ws.root, envFile), line: 1, col: 1, severity: 'error', code: 'env-missing', message: `there is no environment ${env} in this workspace`, hint: `Create it with \`pier env init --name ${env}\`.`, path: ''}]}
  }
  const resolved = rebuilt ? {ok: true, manifest: rebuilt.manifest, diagnostics: []} : resolveEnvironment(ws, env)
  const envManifest = resolved.ok ? resolved.manifest : undefined
  const [network, certs, stack] = await Promise.all([
    envManifest ? checkNetwork(ctx, ws, envFile, envManifest) : [],
    envManifest ? checkCertificates(ctx, ws, envFile, envManifest) : {findings: [], issued: []},
    describe(ctx, environmentStackName(ws.application, env)),
  ])
  const findings = [...resolved.diagnostics, ...network, ...certs.findings]
  if (!stack || !/^(CREATE|UPDATE)_COMPLETE$/.test(stack.StackStatus ?? '')) {
    findings.push({...locate(ws.root, envFile, [['name']]), severity: 'warning', code: 'env-not-deployed', message: `environment ${env} is ${stack ? `in state ${stack.StackStatus}` : 'not deployed'}: the first workload deploy will deploy it first`, hint: `Deploy it now with \`pier env deploy --name ${env}\`.`})
  }
  return {findings, envManifest, certificates: certs.issued}
}

/** The account of the caller (the one deploy would deploy into); undefined when it cannot be read. */
async function callerAccount(ctx: AppContext): Promise<string | undefined> {
  try {
    return (await ctx.aws.identity.getCallerIdentity({})).Account
  } catch (error) {
    if (isAwsError(error)) return undefined
    throw error
  }
}

function manifestFile(ws: Workspace, entryPath: string): string {
  return entryPath.endsWith('.yml') || entryPath.endsWith('.yaml') ? entryPath : join(entryPath, 'manifest.yml')
}

function checkBuilds(ws: Workspace, entryPath: string, env: string, m: EcsWorkloadManifest): Diagnostic[] {
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

async function checkImage(ctx: AppContext, ws: Workspace, entryPath: string, m: EcsWorkloadManifest): Promise<Diagnostic[]> {
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
