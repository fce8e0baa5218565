// Ports: two containers of a task share one network namespace, so they cannot listen on the same
// port; a service routed by a load balancer must say which port receives the traffic.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

function portNumber(p: unknown): number | undefined {
  if (typeof p === 'number') return p
  if (typeof p === 'string') {
    const m = /^(\d+)(\/(tcp|udp))?$/i.exec(p)
    return m ? Number(m[1]) : undefined
  }
  return undefined
}

export function portsRule(m: WorkloadManifest): Issue[] {
  if (m.type === 'Request-Driven Web Service' || m.type === 'Static Site') return []
  const any = m as Record<string, any>
  const issues: Issue[] = []
  const owners = new Map<number, string>()
  const mainPort = portNumber(any.image?.port)
  if (mainPort !== undefined) owners.set(mainPort, String(any.name))
  for (const [name, sc] of Object.entries((any.sidecars ?? {}) as Record<string, any>)) {
    if (sc?.port === undefined) continue
    const port = portNumber(sc.port)
    if (port === undefined) {
      issues.push({path: ['sidecars', name, 'port'], code: 'invalid-value', message: `sidecar ${name}'s port ${JSON.stringify(sc.port)} is not a port: write a number, optionally with /tcp or /udp`, hint: 'For example `port: 2000` or `port: 2000/udp`.'})
      continue
    }
    if (port < 1 || port > 65535) {
      issues.push({path: ['sidecars', name, 'port'], code: 'out-of-range', message: `sidecar ${name}'s port ${port} is out of range: ports are 1-65535`})
      continue
    }
    const owner = owners.get(port)
    if (owner !== undefined) {
      issues.push({path: ['sidecars', name, 'port'], code: 'port-conflict', message: `port ${port} is used by both "${owner}" and "${name}": containers of one task share the network, so only one can listen on a port`, hint: 'Give one of them another port.'})
    } else owners.set(port, name)
  }
  const routed = (any.http && typeof any.http === 'object') || any.nlb
  if (routed && mainPort === undefined) {
    const targetsSidecar = (any.http?.target_container && any.http.target_container !== any.name) || (any.nlb?.target_container && any.nlb.target_container !== any.name)
    if (!targetsSidecar && any.http?.target_port === undefined && any.nlb?.target_port === undefined) {
      issues.push({path: ['image'], atKey: true, code: 'missing-field', message: 'the load balancer has no port to send traffic to: `image.port` is not set', hint: 'Add `port: 8080` (the port your server listens on) under `image`.'})
    }
  }
  return issues
}
