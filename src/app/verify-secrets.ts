// `verify`'s secret checks: each secret a workload references exists (read with the caller's
// credentials), and the execution role the deploy would create may read it: its inline policy,
// rendered as deploy renders it, is evaluated statically against the secret's ARN, tags and key.
import {isAwsError} from '../aws/errors.js'
import type {Diagnostic, EcsWorkloadManifest, EnvironmentManifest, SecretValue} from '../manifest/index.js'
import {RenderError} from '../render/errors.js'
import {renderWorkloadStack} from '../render/index.js'
import {TAG} from '../render/names.js'
import type {Workspace} from '../workspace/index.js'
import type {AppContext} from './context.js'
import {evaluatePolicy, partitionOf, roleStatements, type AccessRequest, type PolicyDecision} from './iam-policy.js'
import {locate, type Location} from './locate.js'
import {offlineInputs} from './package.js'

const ECS_TYPES = new Set(['Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job'])

export interface SecretCheckInput {
  ws: Workspace
  file: string
  env: string
  manifest: EcsWorkloadManifest
  /** The environment's manifest when it resolved; without it the role's policy is not checked. */
  envManifest?: EnvironmentManifest
  /** The caller's account, when known. */
  account?: string
}

/** `arn`: the ARN the manifest wrote, when it wrote one (it may name another account or region). */
type Target = {kind: 'ssm' | 'secretsmanager'; id: string; arn?: string}

/** SSM parameter names and Secrets Manager ids the workload's secrets point at. */
function secretTarget(value: SecretValue): Target | undefined {
  if (typeof value === 'string') {
    if (value.startsWith('arn:') && value.includes(':secretsmanager:')) return {kind: 'secretsmanager', id: value.split(':').slice(0, 7).join(':')}
    const m = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(value)
    return m ? {kind: 'ssm', id: m[1]!, arn: value} : {kind: 'ssm', id: value}
  }
  if ('secretsmanager' in value) return {kind: 'secretsmanager', id: value.secretsmanager.split(':')[0]!.startsWith('arn') ? value.secretsmanager.split(':').slice(0, 7).join(':') : value.secretsmanager.split(':')[0]!}
  return undefined // from_cfn: an output of another stack, checked when deployed
}

/** What IAM sees of a secret: its ARN, tags and the KMS key its value is encrypted with. */
interface SecretFacts {
  arn: string
  tags: Record<string, string>
  /** A customer key (id, ARN or alias); undefined for the AWS managed key or a plain String parameter. */
  keyId?: string
}

export async function checkSecrets(ctx: AppContext, input: SecretCheckInput): Promise<Diagnostic[]> {
  const {ws, file, env, manifest: m} = input
  const out: Diagnostic[] = []
  const all: [string, SecretValue, (string | number)[][]][] = Object.entries(m.secrets ?? {}).map(([k, v]) => [k, v, [['environments', env, 'secrets', k], ['secrets', k]]])
  for (const [sidecar, s] of Object.entries(m.sidecars ?? {})) {
    for (const [k, v] of Object.entries(s.secrets ?? {})) all.push([k, v, [['environments', env, 'sidecars', sidecar, 'secrets', k], ['sidecars', sidecar, 'secrets', k]]])
  }
  // The log router's secrets and the secret options of its log configuration are read the same way.
  for (const field of ['secrets', 'secretOptions'] as const) {
    for (const [k, v] of Object.entries(m.logging?.[field] ?? {})) all.push([k, v, [['environments', env, 'logging', field, k], ['logging', field, k]]])
  }
  const targets = all.flatMap(([name, value, paths]) => {
    const target = secretTarget(value)
    return target ? [{name, target, paths}] : []
  })
  if (targets.length === 0) return []
  let statements: unknown[] | undefined
  if (input.envManifest && input.account && ECS_TYPES.has(m.type)) {
    try {
      statements = executionRoleStatements(ctx, input)
    } catch (error) {
      if (!(error instanceof RenderError)) throw error
      out.push({...locate(ws.root, file, [['name']]), severity: 'error', code: 'render-failed', message: `${m.name} cannot be rendered for ${env}: ${error.message}`,
        hint: 'Fix the manifest; `pier svc package` shows the same error.'})
    }
  }
  // Each secret is checked on its own, all at once; the findings keep the manifest's order.
  const each = await Promise.all(targets.map(async ({name, target, paths}): Promise<Diagnostic[]> => {
    const at = locate(ws.root, file, paths)
    const missing = await checkExists(ctx, ws, env, name, target)
    if (missing) return [{...at, ...missing}]
    if (!statements) return []
    return checkReadable(ctx, {...input, account: input.account!}, statements, name, target, at)
  }))
  return [...out, ...each.flat()]
}

async function checkExists(ctx: AppContext, ws: Workspace, env: string, name: string, target: Target): Promise<Omit<Diagnostic, keyof Location> | undefined> {
  try {
    if (target.kind === 'ssm') await ctx.aws.parameters.getParameter({Name: target.id})
    else await ctx.aws.secrets.describeSecret({SecretId: target.id})
    return undefined
  } catch (error) {
    const action = target.kind === 'ssm' ? 'ssm:GetParameter' : 'secretsmanager:DescribeSecret'
    if (isAwsError(error, 'AccessDeniedException', 'AccessDenied')) {
      // Your credentials may not look; that says nothing of what the execution role may do.
      return {severity: 'warning', code: 'secret-denied', message: `cannot check secret ${name} (${target.id}): ${action} was refused`,
        hint: `Allow ${action} to the credentials running verify.`}
    }
    const missing = isAwsError(error, 'ParameterNotFound', 'ResourceNotFoundException')
    if (!missing && !isAwsError(error)) throw error
    return {
      severity: 'error',
      code: missing ? 'secret-missing' : 'secret-unreadable',
      message: missing ? `secret ${name} points at ${target.id}, which does not exist` : `secret ${name} (${target.id}) cannot be read: ${(error as Error).message}`,
      hint: missing
        ? target.kind === 'ssm'
          ? `Create it: aws ssm put-parameter --name ${target.id} --type SecureString --value VALUE --tags Key=${TAG.application},Value=${ws.application} Key=${TAG.environment},Value=${env}`
          : `Create it: aws secretsmanager create-secret --name ${target.id} --secret-string VALUE --tags Key=${TAG.application},Value=${ws.application} Key=${TAG.environment},Value=${env}`
        : `Check the reference; \`aws ${target.kind === 'ssm' ? `ssm get-parameter --name ${target.id}` : `secretsmanager describe-secret --secret-id ${target.id}`}\` shows what AWS says.`,
    }
  }
}

/** The execution role's statements in the template deploy would render for this environment. */
function executionRoleStatements(ctx: AppContext, input: SecretCheckInput & {envManifest?: EnvironmentManifest}): unknown[] {
  const {ws, env, manifest} = input
  const inputs = offlineInputs({root: ws.root, application: ws.application}, manifest.name, manifest, input.envManifest!, 'latest')
  const stack = renderWorkloadStack({app: ws.application, env, name: manifest.name, manifest, inputs})
  const refs = {'AWS::Partition': partitionOf(ctx.aws.region), 'AWS::Region': ctx.aws.region, 'AWS::AccountId': input.account, 'AWS::StackName': stack.stackName,
    'AWS::URLSuffix': 'amazonaws.com', ...stack.parameters}
  return roleStatements(stack.template, 'ExecutionRole', {refs})
}

async function secretFacts(ctx: AppContext, target: Target, account: string): Promise<SecretFacts> {
  const region = ctx.aws.region
  if (target.kind === 'secretsmanager') {
    const s = await ctx.aws.secrets.describeSecret({SecretId: target.id})
    const tags = Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
    return {arn: s.ARN ?? target.id, tags, keyId: customerKey(s.KmsKeyId)}
  }
  const name = target.id
  const [tagged, described] = await Promise.all([
    ctx.aws.parameters.listTagsForResource({ResourceType: 'Parameter', ResourceId: name}),
    ctx.aws.parameters.describeParameters({ParameterFilters: [{Key: 'Name', Values: [name]}]}),
  ])
  const p = described.Parameters?.find((x) => x.Name === name)
  return {
    arn: target.arn ?? `arn:${partitionOf(region)}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`,
    tags: Object.fromEntries((tagged.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    keyId: p?.Type === 'SecureString' ? customerKey(p.KeyId) : undefined,
  }
}

/** AWS managed keys (`alias/aws/ssm`, `alias/aws/secretsmanager`) are used on the role's behalf by the
 * service: only a customer managed key needs kms:Decrypt in the role's policy. */
function customerKey(keyId: string | undefined): string | undefined {
  if (!keyId || /^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//.test(keyId)) return undefined
  return keyId
}

const SERVICE_ACTION = {ssm: 'ssm:GetParameters', secretsmanager: 'secretsmanager:GetSecretValue'} as const

async function checkReadable(ctx: AppContext, input: SecretCheckInput & {account: string}, statements: unknown[], name: string, target: Target, at: Location): Promise<Diagnostic[]> {
  const {ws, env} = input
  let facts: SecretFacts
  try {
    facts = await secretFacts(ctx, target, input.account)
  } catch (error) {
    if (!isAwsError(error)) throw error
    return [{...at, severity: 'warning', code: 'secret-readability-unknown',
      message: `cannot tell whether the execution role may read secret ${name}: ${(error as Error).message}`,
      hint: `Allow ${target.kind === 'ssm' ? 'ssm:ListTagsForResource and ssm:DescribeParameters' : 'secretsmanager:DescribeSecret'} to the credentials running verify.`}]
  }
  const service = target.kind
  const action = SERVICE_ACTION[service]
  const context: Record<string, string> = {}
  for (const [k, v] of Object.entries(facts.tags)) {
    context[`${service}:ResourceTag/${k}`] = v
    context[`aws:ResourceTag/${k}`] = v
  }
  const request: AccessRequest = {action, resource: facts.arn, context, knownPrefixes: [`${service}:ResourceTag/`, 'aws:ResourceTag/']}
  const decision = evaluatePolicy(statements, request)
  const what = `secret ${name} (${target.id})`
  if (decision.decision === 'unknown') return [unknownFinding(at, what, action)]
  if (decision.decision !== 'allowed') {
    return [{...at, severity: 'error', code: 'secret-not-readable-by-role',
      message: `${what} cannot be read by the execution role: ${explain(decision, action, facts.arn)}`, hint: fixHint(decision, target, facts, ws.application, env)}]
  }
  if (!facts.keyId) return []
  const region = ctx.aws.region
  const alias = /(^|:)alias\//.test(facts.keyId)
  // An alias names a key of this account and region: a key id no statement names stands for it.
  const keyArn = facts.keyId.startsWith('arn:') && !alias ? facts.keyId
    : `arn:${partitionOf(region)}:kms:${region}:${input.account}:key/${alias ? '00000000-0000-0000-0000-000000000000' : facts.keyId}`
  const kms = evaluatePolicy(statements, {action: 'kms:Decrypt', resource: keyArn, context: {}, knownPrefixes: []})
  if (kms.decision === 'allowed') return []
  if (kms.decision === 'unknown' || (alias && kms.decision === 'implicit-deny')) return [unknownFinding(at, what, `kms:Decrypt on ${facts.keyId}`)]
  return [{...at, severity: 'error', code: 'secret-not-readable-by-role',
    message: `${what} cannot be decrypted by the execution role: ${explain(kms, 'kms:Decrypt', keyArn)}`,
    hint: target.kind === 'ssm'
      ? `Encrypt it with a key of account ${input.account} in ${region}, e.g. the default one: aws ssm put-parameter --name ${target.id} --type SecureString --overwrite --key-id alias/aws/ssm --value VALUE`
      : `Encrypt it with a key of account ${input.account} in ${region}: aws secretsmanager update-secret --secret-id ${target.id} --kms-key-id alias/aws/secretsmanager`}]
}

function unknownFinding(at: Location, what: string, action: string): Diagnostic {
  return {...at, severity: 'warning', code: 'secret-readability-unknown',
    message: `cannot tell whether the execution role may read ${what}: part of its policy for ${action} is only known once deployed`,
    hint: 'Deploy, then check that the task starts; `pier svc status` shows why a task stopped.'}
}

/** Why the role may not: the Deny that matches, or what the Allows that name this action lack. */
function explain(decision: PolicyDecision, action: string, resource: string): string {
  const deny = decision.statements.find((s) => s.effect === 'Deny' && s.matches === true)
  if (deny) return `statement ${deny.sid} denies ${action} on ${resource}`
  const near = decision.statements.filter((s) => s.effect === 'Allow' && s.action === true && s.resource === true && s.condition === false)
  const needs = near.flatMap((s) => s.mismatches.map((m) => {
    const tag = /ResourceTag\/(.+)$/i.exec(m.key)?.[1]
    const has = m.actual === undefined ? 'it has none' : `it has ${m.actual.join(', ')}`
    return tag ? `${s.sid} needs tag ${tag}=${m.expected.join('|')} (${has})` : `${s.sid} needs ${m.key} ${m.operator} ${m.expected.join('|')} (${has})`
  }))
  if (needs.length) return `no statement allows ${action} on ${resource}; ${needs.join('; ')}`
  return `no statement allows ${action} on ${resource}`
}

function fixHint(decision: PolicyDecision, target: Target, facts: SecretFacts, app: string, env: string): string {
  const deny = decision.statements.find((s) => s.effect === 'Deny' && s.matches === true)
  if (deny) return `Remove or narrow statement ${deny.sid} of the execution role's policy.`
  const wanted = new Map<string, string>()
  for (const s of decision.statements) {
    if (s.effect !== 'Allow' || s.action !== true || s.resource !== true) continue
    for (const m of s.mismatches) {
      const tag = /ResourceTag\/(.+)$/i.exec(m.key)?.[1]
      if (tag && /^String(Equals|Like)(IgnoreCase)?$/.test(m.operator) && m.expected[0] && !m.expected[0].includes('*')) wanted.set(tag, m.expected[0])
    }
  }
  if (wanted.size === 0) {
    wanted.set(TAG.application, app)
    wanted.set(TAG.environment, env)
  }
  const tags = [...wanted].map(([k, v]) => `Key=${k},Value=${v}`).join(' ')
  return target.kind === 'ssm'
    ? `Tag it: aws ssm add-tags-to-resource --resource-type Parameter --resource-id ${target.id} --tags ${tags}`
    : `Tag it: aws secretsmanager tag-resource --secret-id ${facts.arn} --tags ${tags}`
}
