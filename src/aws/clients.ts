// The one factory of AWS clients. It alone decides region, credentials, endpoint, retries and poll
// tuning; everything else receives narrow interfaces and cannot tell AWS from the local control plane.
// SDK modules load lazily, on the first call of each service, so commands that never call AWS stay fast.
import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {UserError} from '../errors.js'
import {mapAwsError} from './errors.js'
import type {AwsClients, PollTuning} from './interfaces.js'

export type {AwsClients} from './interfaces.js'

export interface AwsOptions {
  region?: string
  profile?: string
  endpoint?: string
  /** Point every client at Pier's local control plane, starting it when it is not running. */
  local?: boolean
}

interface Resolved {
  region: string
  endpoint?: string
  profile?: string
  credentials?: unknown
  poll: PollTuning
}

type Loader = () => Promise<Record<string, any>>
// Literal specifiers so the bundler splits each SDK client into its own lazy chunk.
const LOADERS: Record<string, Loader> = {
  cloudformation: () => import('./sdk/cloudformation.js'),
  ecs: () => import('./sdk/ecs.js'),
  logs: () => import('./sdk/logs.js'),
  ssm: () => import('./sdk/ssm.js'),
  secretsmanager: () => import('./sdk/secretsmanager.js'),
  sts: () => import('./sdk/sts.js'),
  elbv2: () => import('./sdk/elbv2.js'),
  s3: () => import('./sdk/s3.js'),
  ecr: () => import('./sdk/ecr.js'),
  kms: () => import('./sdk/kms.js'),
  ec2: () => import('./sdk/ec2.js'),
  acm: () => import('./sdk/acm.js'),
  sfn: () => import('./sdk/sfn.js'),
}
const CLIENT_CLASS: Record<string, string> = {
  cloudformation: 'CloudFormationClient',
  ecs: 'ECSClient',
  logs: 'CloudWatchLogsClient',
  ssm: 'SSMClient',
  secretsmanager: 'SecretsManagerClient',
  sts: 'STSClient',
  elbv2: 'ElasticLoadBalancingV2Client',
  s3: 'S3Client',
  ecr: 'ECRClient',
  kms: 'KMSClient',
  ec2: 'EC2Client',
  acm: 'ACMClient',
  sfn: 'SFNClient',
}
const SIGNING_PREFIX: Record<string, string> = {cloudformation: 'cloudformation', elbv2: 'elasticloadbalancing', secretsmanager: 'secretsmanager', sfn: 'states'}

/** The operations Pier calls, per service: src/aws/sdk/<service>.ts exports a command for each
 * (a test checks), so the bundle carries these and no others. */
export const OPERATIONS = {
  cloudformation: ['describeStacks', 'describeStackEvents', 'describeStackResources', 'createChangeSet', 'describeChangeSet', 'executeChangeSet', 'deleteChangeSet', 'cancelUpdateStack', 'deleteStack', 'getTemplate'],
  ecs: ['describeClusters', 'createCluster', 'describeServices', 'updateService', 'listServices', 'listTasks', 'describeTasks', 'describeTaskDefinition', 'registerTaskDefinition', 'runTask', 'stopTask', 'executeCommand'],
  logs: ['getLogEvents', 'filterLogEvents', 'describeLogStreams'],
  ssm: ['getParameter', 'getParametersByPath', 'putParameter', 'deleteParameter', 'listTagsForResource', 'describeParameters'],
  secretsmanager: ['describeSecret'],
  sts: ['getCallerIdentity'],
  elbv2: ['describeLoadBalancers', 'describeListeners', 'describeRules', 'describeTargetHealth'],
  s3: ['headBucket', 'createBucket', 'putObject', 'listObjectsV2', 'deleteObjects', 'deleteBucket'],
  kms: ['generateDataKey'],
  ec2: ['describeVpcs', 'describeSubnets', 'describeManagedPrefixLists'],
  acm: ['describeCertificate'],
  sfn: ['startExecution', 'describeExecution', 'getExecutionHistory', 'stopExecution', 'describeStateMachine'],
  ecr: ['describeRepositories', 'createRepository', 'deleteRepository', 'getAuthorizationToken', 'describeImages'],
} as const satisfies Record<string, readonly string[]>

const AWS_POLL: PollTuning = {minDelayMs: 1000, maxDelayMs: 4000}
const LOCAL_POLL: PollTuning = {minDelayMs: 50, maxDelayMs: 250}

export async function createAwsClients(opts: AwsOptions = {}): Promise<AwsClients> {
  // Pier pins the SDK with its lockfile; the SDK's warning about future Node versions is not for users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const resolved = opts.local ? await resolveLocal() : await resolveAws(opts)
  return buildClients(resolved, pollFromEnv(resolved.poll), {calls: 0})
}

/** Clients over one resolved region, endpoint and credentials; `counter` is shared by scoped copies. */
function buildClients(resolved: Resolved, poll: PollTuning, counter: {calls: number}): AwsClients {
  const clients = new Map<string, Promise<{client: any; mod: Record<string, any>}>>()

  function client(service: string) {
    let c = clients.get(service)
    if (!c) {
      const loader = LOADERS[service]!
      c = loader().then((loaded) => {
        const mod = (loaded.default ?? loaded) as Record<string, any>
        const Ctor = mod[CLIENT_CLASS[service]!]
        const config: Record<string, unknown> = {region: resolved.region, maxAttempts: 5, retryMode: 'standard'}
        if (resolved.endpoint) config.endpoint = resolved.endpoint
        if (resolved.credentials) config.credentials = resolved.credentials
        if (resolved.profile) config.profile = resolved.profile
        if (service === 's3' && resolved.endpoint) config.forcePathStyle = true
        return {client: new Ctor(config), mod}
      })
      clients.set(service, c)
    }
    return c
  }

  function api<T>(service: keyof typeof OPERATIONS): T {
    const out: Record<string, (input: unknown) => Promise<unknown>> = {}
    for (const method of OPERATIONS[service]) {
      const command = method[0]!.toUpperCase() + method.slice(1)
      out[method] = async (input) => {
        const {client: c, mod} = await client(service)
        counter.calls++
        try {
          return await c.send(new mod[`${command}Command`](input ?? {}))
        } catch (error) {
          throw mapAwsError(error, `${SIGNING_PREFIX[service] ?? service}:${command}`, {profile: resolved.profile, endpoint: resolved.endpoint})
        }
      }
    }
    return out as T
  }

  return {
    region: resolved.region,
    poll,
    callCount: () => counter.calls,
    scoped: (target) => buildClients(scopedResolution(resolved, target), poll, counter),
    stacks: api('cloudformation'),
    ecs: api('ecs'),
    logs: api('logs'),
    parameters: api('ssm'),
    secrets: api('secretsmanager'),
    identity: api('sts'),
    loadBalancers: api('elbv2'),
    objects: api('s3'),
    keys: api('kms'),
    networks: api('ec2'),
    certificates: api('acm'),
    stateMachines: api('sfn'),
    registry: api('ecr'),
  }
}

/** The region and credentials of a scoped copy: the role's temporary keys, asked of STS at this
 * endpoint with these credentials, renewed by the SDK before they expire. */
function scopedResolution(resolved: Resolved, target: {region: string; roleArn?: string; sessionName?: string}): Resolved {
  if (!target.roleArn) return {...resolved, region: target.region}
  const roleArn = target.roleArn
  let provider: Promise<(o: object) => Promise<unknown>> | undefined
  const credentials = async () => {
    provider ??= import('@aws-sdk/credential-providers').then((loaded) => {
      const mod = ((loaded as {default?: unknown}).default ?? loaded) as {fromTemporaryCredentials: (o: object) => (o: object) => Promise<unknown>}
      return mod.fromTemporaryCredentials({
        params: {RoleArn: roleArn, RoleSessionName: target.sessionName ?? `pier-${Date.now()}`},
        ...(resolved.credentials ? {masterCredentials: resolved.credentials} : {}),
        clientConfig: {region: target.region, ...(resolved.endpoint ? {endpoint: resolved.endpoint} : {}), ...(resolved.profile ? {profile: resolved.profile} : {})},
      })
    })
    return (await provider)({})
  }
  // One AssumeRole for every service client, asked again five minutes before the keys expire.
  let current: Promise<{expiration?: Date}> | undefined
  let expires = 0
  const shared = () => {
    if (!current || expires - Date.now() < 300_000) {
      current = (credentials() as Promise<{expiration?: Date}>).then((c) => {
        expires = c.expiration?.getTime() ?? Number.POSITIVE_INFINITY
        return c
      })
      current.catch(() => {
        current = undefined
      })
      expires = Number.POSITIVE_INFINITY
    }
    return current
  }
  return {...resolved, region: target.region, credentials: shared}
}

function pollFromEnv(base: PollTuning): PollTuning {
  const min = Number(process.env.PIER_POLL_MIN_MS)
  const max = Number(process.env.PIER_POLL_MAX_MS)
  return {
    minDelayMs: Number.isFinite(min) && min > 0 ? min : base.minDelayMs,
    maxDelayMs: Number.isFinite(max) && max > 0 ? max : base.maxDelayMs,
  }
}

async function resolveAws(opts: AwsOptions): Promise<Resolved> {
  const profile = opts.profile ?? process.env.AWS_PROFILE
  const endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL
  const providers = (await import('@aws-sdk/credential-providers')) as Record<string, any>
  const {fromNodeProviderChain} = (providers.default ?? providers) as {fromNodeProviderChain: (o: object) => unknown}
  const credentials = fromNodeProviderChain(profile ? {profile} : {})
  let region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  if (!region) region = await regionFromProfile(profile)
  if (!region) {
    throw new UserError('No AWS region is set: Pier needs one to find your application.', {
      hint: 'Pass --region, set AWS_REGION, set a region in your AWS profile, or use --local.',
    })
  }
  return {region, endpoint, profile, credentials, poll: AWS_POLL}
}

/** The region of a profile in the shared config file (SSO profiles carry one too). */
async function regionFromProfile(profile: string | undefined): Promise<string | undefined> {
  const file = process.env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  const name = profile ?? 'default'
  const header = name === 'default' ? /^\[\s*(profile\s+)?default\s*\]/ : new RegExp(`^\\[\\s*profile\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\]`)
  let inSection = false
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*\[/.test(line)) inSection = header.test(line.trim())
    else if (inSection) {
      const m = /^\s*region\s*=\s*(\S+)/.exec(line)
      if (m) return m[1]
    }
  }
  return undefined
}

async function resolveLocal(): Promise<Resolved> {
  const launcher = await import('../local/launcher.js')
  let status
  try {
    status = await launcher.ensureLocal()
  } catch (error) {
    const log = (error as {logFile?: string}).logFile
    throw new UserError(`Could not start Pier's local control plane: ${(error as Error).message}`, {
      hint: log ? `See its log in ${log}; \`pier local stop\` then try again.` : 'Run `pier local start` to see why.',
      cause: error,
    })
  }
  return {
    region: status.region,
    endpoint: status.endpoint,
    credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey},
    poll: LOCAL_POLL,
  }
}
