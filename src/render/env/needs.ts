// Which lazily created parts of the environment the deployed workloads need (Copilot decided this in
// Lambda-backed custom resources; Pier decides it before the deploy).

import type {WorkloadManifest} from '../../manifest/types.js'
import type {EnvironmentNeeds} from '../inputs.js'
import {managedVolumeName} from '../workload/efs.js'

export function environmentNeeds(workloads: {name: string; manifest: WorkloadManifest}[]): EnvironmentNeeds {
  const needs: Required<Omit<EnvironmentNeeds, 'aliases'>> = {publicAlb: [], internalAlb: [], nat: [], efs: []}
  const aliases = new Set<string>()
  for (const {name, manifest: m} of workloads) {
    if (m.type === 'Load Balanced Web Service') {
      // An imported ALB (`http.alb`) lives outside the environment stack.
      if (m.http && !m.http.alb) (m.http.private ? needs.internalAlb : needs.publicAlb).push(name)
      if (m.http && !m.http.alb && !m.http.private) for (const a of aliasNames(m.http.alias)) aliases.add(a)
    } else if (m.type === 'Backend Service') {
      if (m.http && !m.http.alb) needs.internalAlb.push(name)
    }
    if (m.type === 'Request-Driven Web Service' || m.type === 'Static Site') continue
    if (m.network?.vpc?.placement === 'private') needs.nat.push(name)
    if (managedVolumeName(m.storage?.volumes)) needs.efs.push(name)
  }
  return {publicAlb: needs.publicAlb.sort(), internalAlb: needs.internalAlb.sort(), nat: needs.nat.sort(), efs: needs.efs.sort(), ...(aliases.size ? {aliases: [...aliases].sort()} : {})}
}

function aliasNames(alias: unknown): string[] {
  if (typeof alias === 'string') return [alias]
  if (!Array.isArray(alias)) return []
  return alias.map((a) => (typeof a === 'string' ? a : String((a as {name?: unknown}).name)))
}
