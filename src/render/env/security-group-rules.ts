// Extra rules of the environment's security group (`network.vpc.security_group.ingress/egress`):
// `{ip_protocol, ports, cidr}` with ports a number or a range "from-to".

import {RenderError} from '../errors.js'
import type {Json} from '../template.js'

export function securityGroupRules(rules: unknown[] | undefined, field: string): Json[] | undefined {
  if (!rules?.length) return undefined
  return rules.map((raw, i) => {
    const r = (raw ?? {}) as {ip_protocol?: string; ports?: number | string; cidr?: string}
    const where = `${field}[${i}]`
    if (!r.cidr) throw new RenderError(`${where} has no cidr: name the addresses the rule allows`)
    const protocol = r.ip_protocol ?? 'tcp'
    const all = protocol === '-1' || protocol === 'all'
    let from = -1
    let to = -1
    if (!all) {
      const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(String(r.ports ?? ''))
      if (!m) throw new RenderError(`${where}.ports "${r.ports ?? ''}" is not a port or a range: write 443 or 8000-8080`)
      from = Number(m[1])
      to = Number(m[2] ?? m[1])
    }
    return {CidrIp: r.cidr, IpProtocol: all ? '-1' : protocol, FromPort: from, ToPort: to}
  })
}
