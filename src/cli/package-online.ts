// The two `package` flags that need AWS (or the local control plane), as Copilot's:
// --upload-assets uploads the addons template and the local code it names, so the printed template
// points at them and can be deployed as is; --diff compares the rendered template with the deployed one.
import {uploadAddons} from '../app/addons-upload.js'
import {appContext} from '../app/context.js'
import {hasNoManifest, reconstructedManifest} from '../app/environment-manifest.js'
import {realTiming} from '../deploy/timing.js'
import {loadWorkspace} from '../workspace/find.js'
import {loadAddons} from '../app/addons.js'
import {cloudFrontPrefixListFor} from '../app/cloudfront-prefix-list.js'
import {describeImportedAlb} from '../app/imported-alb.js'
import type {PackageResult} from '../app/package.js'
import {createAwsClients} from '../aws/clients.js'
import {isAwsError} from '../aws/errors.js'
import {templateDiff} from '../deploy/template-diff.js'
import {UserError} from '../errors.js'
import type {EnvironmentManifest} from '../manifest/types.js'
import type {ImportedAlb} from '../render/index.js'
import {parseCfnYaml} from '../addons/index.js'
import {awsOptions} from './aws-flags.js'

export interface OnlineFlags {
  profile?: string
  region?: string
  'endpoint-url'?: string
  local?: boolean
}

/** Uploads the addons of a workload or the environments; returns their template's URL and body, if any. */
export async function uploadAssets(flags: OnlineFlags, root: string, owner: {workload: string} | 'environments', stackName: string): Promise<{url: string; body: string} | undefined> {
  const stack = loadAddons(root, owner)
  if (!stack) return undefined
  const aws = await createAwsClients(awsOptions(flags))
  const {url, body} = await uploadAddons(aws, {root, stackName, stack})
  return {url, body}
}

/** The difference between the deployed template of the stack and the packaged one (an empty string when
 * they are the same; everything is added when the stack is not deployed). */
export async function diffWithDeployed(flags: OnlineFlags, result: PackageResult): Promise<string> {
  const aws = await createAwsClients(awsOptions(flags))
  let deployed: Record<string, unknown> | undefined
  try {
    const body = (await aws.stacks.getTemplate({StackName: result.stackName, TemplateStage: 'Original'})).TemplateBody ?? ''
    try {
      deployed = JSON.parse(body)
    } catch {
      deployed = parseCfnYaml(result.stackName, body).value as Record<string, unknown>
    }
  } catch (error) {
    if (!isAwsError(error, 'ValidationError')) throw error
  }
  const rendered = parseCfnYaml(result.files[0]!.name, result.files[0]!.content).value as Record<string, unknown>
  return templateDiff(deployed, rendered)
}

/** The region's CloudFront prefix list ID when the environment admits CloudFront only: looked up in EC2
 * as deploy does (Copilot's `env package` did too), or a refusal that says what the lookup needs. */
export async function cloudFrontPrefixList(flags: OnlineFlags, env: string, manifest: EnvironmentManifest): Promise<string | undefined> {
  try {
    const aws = await createAwsClients(awsOptions(flags))
    return await cloudFrontPrefixListFor(aws.networks, aws.region, manifest)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    throw new UserError(`cannot package environment ${env} without AWS access: its public load balancer admits CloudFront only (http.public.ingress.cdn), through the region's CloudFront prefix list, whose ID Pier looks up in EC2 as deploy does (${error.message})`, {
      hint: error.hint ?? 'Run it with AWS access (--profile and --region, or AWS_REGION), or with --local.',
      cause: error,
    })
  }
}

/** The load balancer `http.alb` names, described through ELBv2 as deploy does, or a refusal that says
 * what the lookup needs. */
export async function importedAlb(flags: OnlineFlags, name: string, nameOrArn: string): Promise<ImportedAlb> {
  try {
    const aws = await createAwsClients(awsOptions(flags))
    return await describeImportedAlb(aws.loadBalancers, aws.region, nameOrArn)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    throw new UserError(`cannot package ${name} without AWS access: it routes through the imported load balancer ${nameOrArn} (http.alb), whose listeners and security groups Pier looks up in ELBv2 as deploy does (${error.message})`, {
      hint: error.hint ?? 'Run it with AWS access (--profile and --region, or AWS_REGION), or with --local.',
      cause: error,
    })
  }
}

/** For a workspace without environment manifests, the environment as deployed (rebuilt from its record
 * and stack, as a deploy reads it), so that a package to compare or deploy matches what a deploy would
 * render; undefined when the workspace has the environment's manifest. */
export async function deployedEnvironment(flags: OnlineFlags, cwd: string, env: string): Promise<{manifest: EnvironmentManifest; from: string} | undefined> {
  const ws = loadWorkspace(cwd)
  if (!hasNoManifest(ws, env)) return undefined
  const aws = await createAwsClients(awsOptions(flags))
  const shown = await reconstructedManifest(appContext({aws, emit: () => {}, timing: realTiming, cwd}), ws, env)
  const from = shown.source === 'default' ? "Copilot's default environment (nothing is deployed or recorded)" : `the manifest reconstructed from ${[...new Set(shown.parts.map((p) => p.from))].join(', ') || 'its stack'}`
  return {manifest: shown.manifest, from}
}
