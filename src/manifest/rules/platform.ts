// Limits of ARM and Windows tasks on Fargate: Windows needs at least 1 vCPU and 2 GiB, and neither
// Windows nor ARM tasks can run on Fargate Spot; Windows tasks have no EFS volumes or read-only root.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

export function platformOf(m: WorkloadManifest): {os: 'linux' | 'windows'; arch: 'x86_64' | 'arm64'} | undefined {
  const p = (m as {platform?: unknown}).platform
  if (p === undefined) return {os: 'linux', arch: 'x86_64'}
  let os: string, arch: string
  if (typeof p === 'string') [os = '', arch = ''] = p.toLowerCase().split('/')
  else if (p && typeof p === 'object') ({osfamily: os = '', architecture: arch = ''} = p as {osfamily?: string; architecture?: string})
  else return undefined
  return {os: os.toLowerCase().startsWith('windows') ? 'windows' : 'linux', arch: /arm/i.test(arch) ? 'arm64' : 'x86_64'}
}

function usesSpot(m: Record<string, any>): boolean {
  const c = m.count
  return typeof c === 'object' && c !== null && (c.spot !== undefined || (typeof c.range === 'object' && c.range?.spot_from !== undefined))
}

export function platformRule(m: WorkloadManifest): Issue[] {
  const p = platformOf(m)
  if (!p) return []
  const any = m as Record<string, any>
  const issues: Issue[] = []
  const label = p.os === 'windows' ? 'Windows' : 'ARM'
  if ((p.os === 'windows' || p.arch === 'arm64') && usesSpot(any)) {
    issues.push({path: ['count'], code: 'platform-limit', message: `${label} tasks cannot run on Fargate Spot: Spot capacity is Linux x86_64 only`,
      hint: 'Remove `count.spot` / `range.spot_from`, or use platform linux/x86_64.'})
  }
  if (p.os === 'windows') {
    if (typeof any.cpu === 'number' && any.cpu < 1024) {
      issues.push({path: ['cpu'], code: 'platform-limit', message: `cpu ${any.cpu} is too small for a Windows task: Fargate runs Windows with at least 1024 CPU units`, hint: 'Set `cpu: 1024` or more.'})
    }
    if (typeof any.memory === 'number' && any.memory < 2048) {
      issues.push({path: ['memory'], code: 'platform-limit', message: `memory ${any.memory} MiB is too small for a Windows task: Fargate runs Windows with at least 2048 MiB`, hint: 'Set `memory: 2048` or more.'})
    }
    for (const [name, v] of Object.entries((any.storage?.volumes ?? {}) as Record<string, any>)) {
      if (v?.efs) issues.push({path: ['storage', 'volumes', name, 'efs'], code: 'platform-limit', message: 'EFS volumes are not available to Windows tasks: Fargate mounts EFS only on Linux', hint: 'Remove the `efs` volume or use a Linux platform.'})
    }
    if (any.storage?.readonly_fs === true) {
      issues.push({path: ['storage', 'readonly_fs'], code: 'platform-limit', message: 'a read-only root file system is not available to Windows tasks: Fargate supports it only on Linux', hint: 'Remove `readonly_fs`.'})
    }
  }
  return issues
}
