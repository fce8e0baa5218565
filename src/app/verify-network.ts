// `verify`'s checks of what an environment imports: the VPC and its subnets exist (and the subnets are
// in that VPC), certificates exist, are ISSUED, are in the right region, and cover the aliases the
// workloads serve. A check the caller may not make (access denied) is a warning naming the IAM action.
import {isAccessDenied, isAwsError} from '../aws/errors.js'
import type {Diagnostic, EcsWorkloadManifest, EnvironmentManifest, RoutingRule} from '../manifest/index.js'
import type {Workspace} from '../workspace/index.js'
import type {AppContext} from './context.js'
import {locate} from './locate.js'

type Path = (string | number)[]

interface CertificateUse {
  arn: string
  /** Where it is written; the first path found in the file is the finding's location. */
  path: Path[]
  /** CloudFront certificates live in us-east-1 whatever the environment's region. */
  region?: string
  scheme: 'public' | 'private' | 'cdn'
}

export interface CertificateState {
  arn: string
  scheme: CertificateUse['scheme']
  /** Names the certificate covers, when it is ISSUED. */
  names: string[]
}

export async function checkNetwork(ctx: AppContext, ws: Workspace, envFile: string, m: EnvironmentManifest): Promise<Diagnostic[]> {
  const at = (path: Path) => locate(ws.root, envFile, [path])
  const denied = (path: Path, action: string, error: unknown): Diagnostic => ({
    ...at(path), severity: 'warning', code: 'cannot-check',
    message: `cannot check ${path.join('.')}: ${action} was refused (${(error as Error).message})`,
    hint: `Allow ${action} to the credentials running verify, or check it yourself before deploying.`,
  })
  const out: Diagnostic[] = []
  const vpc = m.network?.vpc
  const vpcId = vpc?.id
  let vpcExists: boolean | undefined
  if (vpcId) {
    try {
      vpcExists = ((await ctx.aws.networks.describeVpcs({VpcIds: [vpcId]})).Vpcs ?? []).some((v) => v.VpcId === vpcId)
    } catch (error) {
      if (isAccessDenied(error)) out.push(denied(['network', 'vpc', 'id'], 'ec2:DescribeVpcs', error))
      else if (isAwsError(error, 'InvalidVpcID.NotFound', 'InvalidVpcID.Malformed')) vpcExists = false
      else throw error
    }
    if (vpcExists === false) {
      out.push({...at(['network', 'vpc', 'id']), severity: 'error', code: 'vpc-missing', message: `the VPC ${vpcId} does not exist in ${ctx.aws.region}`,
        hint: 'Fix `network.vpc.id` (`aws ec2 describe-vpcs` lists the VPCs of this account and region).'})
    }
  }
  const subnets: {id: string; path: Path}[] = []
  for (const scheme of ['public', 'private'] as const) {
    ;(vpc?.subnets?.[scheme] ?? []).forEach((s, i) => s.id && subnets.push({id: s.id, path: ['network', 'vpc', 'subnets', scheme, i, 'id']}))
  }
  ;(m.http?.private?.subnets ?? []).forEach((id, i) => subnets.push({id, path: ['http', 'private', 'subnets', i]}))
  if (subnets.length) {
    try {
      const ids = [...new Set(subnets.map((s) => s.id))]
      const found = new Map(((await ctx.aws.networks.describeSubnets({Filters: [{Name: 'subnet-id', Values: ids}]})).Subnets ?? []).map((s) => [s.SubnetId, s]))
      for (const s of subnets) {
        const subnet = found.get(s.id)
        if (!subnet) {
          out.push({...at(s.path), severity: 'error', code: 'subnet-missing', message: `the subnet ${s.id} does not exist in ${ctx.aws.region}`,
            hint: vpcId ? `Fix the id (\`aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpcId}\` lists the VPC's subnets).` : 'Fix the id.'})
        } else if (vpcId && vpcExists !== false && subnet.VpcId !== vpcId) {
          out.push({...at(s.path), severity: 'error', code: 'subnet-outside-vpc', message: `the subnet ${s.id} belongs to ${subnet.VpcId}, not to the imported VPC ${vpcId}`,
            hint: `Use subnets of ${vpcId} (\`aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpcId}\`).`})
        }
      }
    } catch (error) {
      if (!isAccessDenied(error)) throw error
      out.push(denied(subnets[0]!.path, 'ec2:DescribeSubnets', error))
    }
  }
  return out
}

function certificateUses(m: EnvironmentManifest): CertificateUse[] {
  const uses: CertificateUse[] = []
  for (const scheme of ['public', 'private'] as const) {
    ;(m.http?.[scheme]?.certificates ?? []).forEach((arn, i) => uses.push({arn, path: [['http', scheme, 'certificates', i]], scheme}))
  }
  const cdn = typeof m.cdn === 'object' && m.cdn !== null ? (m.cdn as {certificate?: unknown}).certificate : undefined
  if (typeof cdn === 'string') uses.push({arn: cdn, path: [['cdn', 'certificate']], region: 'us-east-1', scheme: 'cdn'})
  return uses
}

/** Checks each certificate the environment names; returns the findings and the certificates usable. */
export async function checkCertificates(ctx: AppContext, ws: Workspace, envFile: string, m: EnvironmentManifest): Promise<{findings: Diagnostic[]; issued: CertificateState[]}> {
  return checkCertificateUses(ctx, ws, envFile, certificateUses(m))
}

/** A Static Site's certificate (CloudFront: us-east-1), and whether it covers the site's alias. */
export async function checkSiteCertificate(ctx: AppContext, ws: Workspace, file: string, env: string, m: Record<string, unknown>): Promise<Diagnostic[]> {
  const http = (m.http ?? {}) as {certificate?: unknown; alias?: unknown}
  if (typeof http.certificate !== 'string') return []
  const path = (field: string): Path[] => [['environments', env, 'http', field], ['http', field]]
  const {findings, issued} = await checkCertificateUses(ctx, ws, file, [{arn: http.certificate, path: path('certificate'), region: 'us-east-1', scheme: 'cdn'}])
  if (typeof http.alias === 'string' && issued.length && !issued[0]!.names.some((n) => covers(n, http.alias as string))) {
    findings.push({...locate(ws.root, file, path('alias')), severity: 'error', code: 'alias-not-covered',
      message: `the alias ${http.alias} is not covered by the certificate ${http.certificate} (it covers ${issued[0]!.names.join(', ')})`,
      hint: `Use a certificate for ${http.alias} (in us-east-1), or fix the alias.`})
  }
  return findings
}

async function checkCertificateUses(ctx: AppContext, ws: Workspace, file: string, uses: CertificateUse[]): Promise<{findings: Diagnostic[]; issued: CertificateState[]}> {
  const findings: Diagnostic[] = []
  const issued: CertificateState[] = []
  for (const use of uses) {
    const at = locate(ws.root, file, use.path)
    const region = /^arn:[^:]+:acm:([^:]+):/.exec(use.arn)?.[1]
    const wanted = use.region ?? ctx.aws.region
    if (!region) {
      findings.push({...at, severity: 'error', code: 'certificate-invalid', message: `${use.arn} is not an ACM certificate ARN`, hint: 'Use the ARN `aws acm list-certificates` shows.'})
      continue
    }
    if (region !== wanted) {
      findings.push({...at, severity: 'error', code: 'certificate-wrong-region',
        message: `the certificate ${use.arn} is in ${region}: ${use.scheme === 'cdn' ? 'CloudFront uses certificates from us-east-1' : `the load balancer is in ${wanted} and can only use certificates from there`}`,
        hint: `Import or request the certificate in ${wanted} and use its ARN.`})
      continue
    }
    if (region !== ctx.aws.region) continue // a CloudFront certificate, checked with a client of its own region only
    try {
      const c = (await ctx.aws.certificates.describeCertificate({CertificateArn: use.arn})).Certificate
      const status = c?.Status ?? 'UNKNOWN'
      if (status !== 'ISSUED') {
        findings.push({...at, severity: 'error', code: 'certificate-not-issued', message: `the certificate ${use.arn} is ${status}: a listener can only use an ISSUED certificate`,
          hint: status === 'PENDING_VALIDATION' ? 'Create the DNS validation records `aws acm describe-certificate` lists, and wait until it is ISSUED.' : 'Renew or re-import it, or use another certificate.'})
        continue
      }
      issued.push({arn: use.arn, scheme: use.scheme, names: [...new Set([c?.DomainName, ...(c?.SubjectAlternativeNames ?? [])].filter((n): n is string => Boolean(n)))]})
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) {
        findings.push({...at, severity: 'error', code: 'certificate-missing', message: `the certificate ${use.arn} does not exist`, hint: 'Fix the ARN (`aws acm list-certificates` lists them), or import the certificate.'})
      } else if (isAccessDenied(error)) {
        findings.push({...at, severity: 'warning', code: 'cannot-check', message: `cannot check the certificate ${use.arn}: acm:DescribeCertificate was refused`, hint: 'Allow acm:DescribeCertificate to the credentials running verify.'})
      } else if (isAwsError(error, 'ValidationException', 'InvalidArnException')) {
        findings.push({...at, severity: 'error', code: 'certificate-invalid', message: `${use.arn} is not a valid certificate ARN: ${(error as Error).message}`, hint: 'Use the ARN `aws acm list-certificates` shows.'})
      } else throw error
    }
  }
  return {findings, issued}
}

/** Whether a certificate name covers a host: exactly, or a `*.` wildcard covering one label. */
export function covers(certName: string, host: string): boolean {
  const name = certName.toLowerCase().replace(/\.$/, '')
  const h = host.toLowerCase().replace(/\.$/, '')
  if (name === h) return true
  return name.startsWith('*.') && h.endsWith(name.slice(1)) && !h.slice(0, h.length - name.length + 1).includes('.')
}

function aliasesOf(rule: RoutingRule | undefined): string[] {
  const a = rule?.alias
  if (!a) return []
  if (typeof a === 'string') return [a]
  return a.map((x) => (typeof x === 'string' ? x : x.name))
}

/** Each alias a workload serves over HTTPS must be covered by a certificate of its load balancer. */
export function checkAliases(ws: Workspace, file: string, env: string, m: EcsWorkloadManifest, certs: CertificateState[], imported: {public: boolean; private: boolean}): Diagnostic[] {
  if (m.type !== 'Load Balanced Web Service' && m.type !== 'Backend Service') return []
  const http = m.http
  if (!http) return []
  const scheme = m.type === 'Backend Service' ? 'private' : 'public'
  if (!imported[scheme]) return [] // no imported certificate: the app's domain (or none) decides
  const names = certs.filter((c) => c.scheme === scheme).flatMap((c) => c.names)
  const out: Diagnostic[] = []
  const rules: [RoutingRule, Path][] = [[http, ['http']], ...(http.additional_rules ?? []).map((r, i): [RoutingRule, Path] => [r, ['http', 'additional_rules', i]])]
  for (const [rule, path] of rules) {
    for (const alias of aliasesOf(rule)) {
      if (names.some((n) => covers(n, alias))) continue
      out.push({...locate(ws.root, file, [['environments', env, ...path, 'alias'], [...path, 'alias']]), severity: 'error', code: 'alias-not-covered',
        message: `the alias ${alias} is not covered by any issued certificate of the ${scheme} load balancer${names.length ? ` (they cover ${names.join(', ')})` : ''}`,
        hint: `Add a certificate for ${alias} to \`http.${scheme}.certificates\` in the environment manifest, or fix the alias.`})
    }
  }
  return out
}
