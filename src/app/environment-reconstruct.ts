// The manifest of an environment that has none (Copilot before v1.21 kept an environment's
// configuration in its SSM record and its stack), rebuilt from what is deployed, as Copilot's
// `env show --manifest` and `env upgrade` rebuilt it. A deploy of this manifest must keep every
// resource: a VPC the stack created stays created (its CIDR and subnet CIDRs, the "adjust" form), an
// imported one stays imported (its ID and subnet IDs). Pure: the caller reads the record, the stack and
// its template.
import type {Output, Parameter} from '@aws-sdk/client-cloudformation'
import {parse} from 'yaml'

/** Copilot's environment record (`/copilot/applications/<app>/environments/<env>`): the fields that
 * held configuration before environment manifests. */
export interface LegacyEnvironmentConfig {
  customConfig?: {
    importVPC?: {id?: string; publicSubnetIDs?: string[] | null; privateSubnetIDs?: string[] | null}
    adjustVPC?: {cidr?: string; availabilityZoneNames?: string[] | null; publicSubnetCIDRs?: string[] | null; privateSubnetCIDRs?: string[] | null}
    importCertARNs?: string[] | null
    internalALBSubnets?: string[] | null
    enableInternalALBVPCIngress?: boolean
  }
  telemetry?: {containerInsights?: boolean}
}

export interface ReconstructionInput {
  env: string
  record?: LegacyEnvironmentConfig
  stack?: {Outputs?: Output[]; Parameters?: Parameter[]}
  /** The deployed template, parsed. */
  template?: Record<string, any>
}

/** One part of the manifest and where it was read. */
export interface ReconstructedPart {
  field: string
  from: string
}

export interface Reconstruction {
  manifest: Record<string, unknown>
  parts: ReconstructedPart[]
}

const RECORD = 'the environment record in SSM (customConfig)'
const TELEMETRY = 'the environment record in SSM (telemetry)'
const TEMPLATE = 'the deployed stack template'
const OUTPUTS = 'the deployed stack outputs'

export function reconstructEnvironment(input: ReconstructionInput): Reconstruction {
  const embedded = input.template?.Metadata?.Manifest
  // An environment deployed by Copilot v1.21 or later from another workspace carries its manifest.
  if (typeof embedded === 'string' && embedded.trim()) {
    const manifest = parse(embedded) as Record<string, unknown> | null
    if (manifest && typeof manifest === 'object') return {manifest: {...manifest, name: input.env, type: 'Environment'}, parts: [{field: '(whole manifest)', from: 'the Metadata.Manifest of the deployed stack template'}]}
  }
  const parts: ReconstructedPart[] = []
  const manifest: Record<string, any> = {name: input.env, type: 'Environment'}
  const set = (field: string, value: unknown, from: string) => {
    const segs = field.split('.')
    let node = manifest
    for (const s of segs.slice(0, -1)) node = node[s] ??= {}
    node[segs[segs.length - 1]!] = value
    parts.push({field, from})
  }
  const custom = input.record?.customConfig
  const resources: Record<string, any> = input.template?.Resources ?? {}

  const vpc = network(input, resources)
  if (vpc) {
    for (const [key, value] of Object.entries(vpc.fields)) set(`network.vpc.${key}`, value, vpc.from)
  }
  const imported = Boolean(vpc?.fields.id)
  const noPublic = imported && !(vpc?.fields.subnets as {public?: unknown[]} | undefined)?.public?.length

  const certs = list(custom?.importCertARNs)
  if (certs.length) {
    // As Copilot read its record: an imported VPC without public subnets has only the internal ALB.
    set(noPublic ? 'http.private.certificates' : 'http.public.certificates', certs, RECORD)
  } else {
    const pub = listenerCertificates(resources, 'HTTPSListener')
    if (pub.length) set('http.public.certificates', pub, TEMPLATE)
    const priv = listenerCertificates(resources, 'InternalHTTPSListener')
    if (priv.length) set('http.private.certificates', priv, TEMPLATE)
  }
  const albSubnets = list(custom?.internalALBSubnets)
  if (albSubnets.length) set('http.private.subnets', albSubnets, RECORD)
  else {
    const subnets = resources.InternalLoadBalancer?.Properties?.Subnets
    if (Array.isArray(subnets) && subnets.length && subnets.every((s) => typeof s === 'string')) set('http.private.subnets', subnets, TEMPLATE)
  }
  if (custom?.enableInternalALBVPCIngress) set('http.private.ingress.vpc', true, RECORD)

  if (typeof input.record?.telemetry?.containerInsights === 'boolean') set('observability.container_insights', input.record.telemetry.containerInsights, TELEMETRY)
  else {
    const setting = (resources.Cluster?.Properties?.ClusterSettings as {Name?: string; Value?: unknown}[] | undefined)?.find((s) => s?.Name === 'containerInsights')?.Value
    if (setting === 'enabled' || setting === 'disabled') set('observability.container_insights', setting === 'enabled', TEMPLATE)
    else if (setting === 'enhanced') set('observability.container_insights', 'enhanced', TEMPLATE)
  }
  return {manifest, parts}
}

const list = (v: string[] | null | undefined): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string' && x !== '') : [])

/** The VPC as deployed: created by the stack (its template's VPC and subnets, else the record's
 * adjustVPC), or imported (the record's importVPC, else the stack's outputs). */
function network(input: ReconstructionInput, resources: Record<string, any>): {fields: Record<string, unknown>; from: string} | undefined {
  const custom = input.record?.customConfig
  if (resources.VPC?.Type === 'AWS::EC2::VPC') {
    const cidr = resources.VPC.Properties?.CidrBlock
    const subnets = (kind: 'Public' | 'Private') =>
      Object.keys(resources)
        .map((id) => ({id, n: Number(new RegExp(`^${kind}Subnet(\\d+)$`).exec(id)?.[1])}))
        .filter((s) => Number.isInteger(s.n) && resources[s.id]?.Type === 'AWS::EC2::Subnet')
        .sort((a, b) => a.n - b.n)
        .map(({id}) => {
          const p = resources[id].Properties ?? {}
          return {...(typeof p.CidrBlock === 'string' ? {cidr: p.CidrBlock} : {}), ...(typeof p.AvailabilityZone === 'string' ? {az: p.AvailabilityZone} : {})}
        })
    if (typeof cidr === 'string') {
      const pub = subnets('Public')
      const priv = subnets('Private')
      if ([...pub, ...priv].every((s) => s.cidr)) return {fields: {cidr, subnets: {public: pub, private: priv}}, from: `${TEMPLATE} (resources VPC, PublicSubnet<n>, PrivateSubnet<n>)`}
    }
  }
  const adjust = custom?.adjustVPC
  if (adjust?.cidr) {
    const azs = list(adjust.availabilityZoneNames)
    const subnets = (cidrs: string[]) => cidrs.map((cidr, i) => ({cidr, ...(azs[i] ? {az: azs[i]} : {})}))
    return {fields: {cidr: adjust.cidr, subnets: {public: subnets(list(adjust.publicSubnetCIDRs)), private: subnets(list(adjust.privateSubnetCIDRs))}}, from: `${RECORD}.adjustVPC`}
  }
  const imp = custom?.importVPC
  if (imp?.id) {
    const ids = (v: string[] | null | undefined) => list(v).map((id) => ({id}))
    return {fields: {id: imp.id, subnets: {public: ids(imp.publicSubnetIDs), private: ids(imp.privateSubnetIDs)}}, from: `${RECORD}.importVPC`}
  }
  if (resources.VPC) return undefined
  const out = Object.fromEntries((input.stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']))
  if (!out.VpcId) return undefined
  const ids = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean).map((id) => ({id})) : [])
  return {fields: {id: out.VpcId, subnets: {public: ids(out.PublicSubnets), private: ids(out.PrivateSubnets)}}, from: `${OUTPUTS} (VpcId, PublicSubnets, PrivateSubnets)`}
}

/** The certificate ARNs a listener of the template serves: its own, then its extra ListenerCertificates. */
function listenerCertificates(resources: Record<string, any>, listener: string): string[] {
  const arns = (certs: unknown) => (Array.isArray(certs) ? certs.map((c) => c?.CertificateArn).filter((a): a is string => typeof a === 'string' && a.startsWith('arn:')) : [])
  if (resources[listener]?.Type !== 'AWS::ElasticLoadBalancingV2::Listener') return []
  const own = arns(resources[listener].Properties?.Certificates)
  const extra = Object.values(resources)
    .filter((r) => r?.Type === 'AWS::ElasticLoadBalancingV2::ListenerCertificate' && r.Properties?.ListenerArn?.Ref === listener)
    .flatMap((r) => arns(r.Properties?.Certificates))
  return own.length ? [...own, ...extra] : []
}
