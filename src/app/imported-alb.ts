// The load balancer a service imports with `http.alb` (a name or an ARN), as ELBv2 describes it: its
// listeners, security groups, DNS name and hosted zone, which the renderer needs to add the service's
// rules (Copilot looked it up the same way while deploying).

import type {LoadBalancersApi} from '../aws/interfaces.js'
import {isAwsError} from '../aws/errors.js'
import {UserError} from '../errors.js'
import type {EcsWorkloadManifest, WorkloadManifest} from '../manifest/types.js'
import type {ImportedAlb} from '../render/index.js'

type Elb = Pick<LoadBalancersApi, 'describeLoadBalancers' | 'describeListeners'>

/** The name or ARN `http.alb` holds, if the workload imports a load balancer. */
export function importedAlbName(m: WorkloadManifest): string | undefined {
  if (m.type !== 'Load Balanced Web Service' && m.type !== 'Backend Service') return undefined
  return m.http && m.http.alb ? m.http.alb : undefined
}

/** The imported load balancer, or undefined when the workload does not import one. */
export async function importedAlbFor(elb: Elb, region: string, m: EcsWorkloadManifest): Promise<ImportedAlb | undefined> {
  const nameOrArn = importedAlbName(m)
  return nameOrArn === undefined ? undefined : describeImportedAlb(elb, region, nameOrArn)
}

export async function describeImportedAlb(elb: Elb, region: string, nameOrArn: string): Promise<ImportedAlb> {
  const byArn = nameOrArn.startsWith('arn:')
  const missing = () => new UserError(`http.alb names the load balancer ${nameOrArn}, which does not exist in ${region}`, {
    hint: 'Check its name or ARN (`aws elbv2 describe-load-balancers`) and the region you deploy to.',
  })
  let lb
  try {
    lb = (await elb.describeLoadBalancers(byArn ? {LoadBalancerArns: [nameOrArn]} : {Names: [nameOrArn]})).LoadBalancers?.[0]
  } catch (error) {
    if (isAwsError(error, 'LoadBalancerNotFound', 'LoadBalancerNotFoundException')) throw missing()
    throw error
  }
  if (!lb?.LoadBalancerArn) throw missing()
  if (lb.Type && lb.Type !== 'application') {
    throw new UserError(`http.alb names ${nameOrArn}, a ${lb.Type} load balancer: a service's HTTP rules need an Application Load Balancer`, {
      hint: 'Name an Application Load Balancer, or route through `nlb` for a Network Load Balancer of the service\'s own.',
    })
  }
  const listeners: ImportedAlb['listeners'] = []
  let marker: string | undefined
  do {
    const page = await elb.describeListeners({LoadBalancerArn: lb.LoadBalancerArn, Marker: marker})
    for (const l of page.Listeners ?? []) if (l.ListenerArn) listeners.push({arn: l.ListenerArn, port: l.Port ?? 0, protocol: l.Protocol ?? ''})
    marker = page.NextMarker
  } while (marker)
  return {
    arn: lb.LoadBalancerArn,
    name: lb.LoadBalancerName ?? nameOrArn,
    dnsName: lb.DNSName ?? '',
    hostedZoneId: lb.CanonicalHostedZoneId ?? '',
    listeners,
    securityGroups: lb.SecurityGroups ?? [],
  }
}
