// CloudFormation's PascalCase properties to the ECS API's camelCase members, recursively, keeping
// the keys of map-valued members (docker labels, log options) as the user wrote them.

const RENAMES: Record<string, string> = {
  FilesystemId: 'fileSystemId',
  FSxWindowsFileServerVolumeConfiguration: 'fsxWindowsFileServerVolumeConfiguration',
  ClusterSettings: 'settings',
  PlacementStrategies: 'placementStrategy',
}

/** Members whose value is a string map: its keys are data, not member names. */
const MAP_MEMBERS = new Set(['DockerLabels', 'Options', 'DriverOpts', 'Labels'])

const INTEGER_MEMBERS = new Set(['cpu', 'memory', 'memoryReservation', 'containerPort', 'hostPort', 'containerPortRange', 'startTimeout',
  'stopTimeout', 'interval', 'timeout', 'retries', 'startPeriod', 'sizeInGiB', 'softLimit', 'hardLimit', 'desiredCount',
  'healthCheckGracePeriodSeconds', 'minimumHealthyPercent', 'maximumPercent', 'base', 'weight', 'sharedMemorySize', 'swappiness',
  'maxSwap', 'transitEncryptionPort', 'port'])

const BOOLEAN_MEMBERS = new Set(['essential', 'readonlyRootFilesystem', 'privileged', 'interactive', 'pseudoTerminal', 'disableNetworking',
  'initProcessEnabled', 'enable', 'rollback', 'enableExecuteCommand', 'enableECSManagedTags', 'readOnly', 'autoprovision', 'enabled'])

export function camelKey(key: string): string {
  const renamed = RENAMES[key]
  if (renamed) return renamed
  const acronym = /^([A-Z]+)(?=[A-Z][a-z])/.exec(key)
  if (acronym && acronym[1]!.length > 1) return acronym[1]!.toLowerCase() + key.slice(acronym[1]!.length)
  if (/^[A-Z]+$/.test(key)) return key.toLowerCase()
  return key.charAt(0).toLowerCase() + key.slice(1)
}

function coerce(key: string, value: unknown): unknown {
  if (typeof value === 'string' && INTEGER_MEMBERS.has(key) && /^-?\d+$/.test(value)) return Number(value)
  if (typeof value === 'string' && BOOLEAN_MEMBERS.has(key) && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  return value
}

export function toApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toApiShape)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const key = camelKey(k)
    if (MAP_MEMBERS.has(k) && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      out[key] = Object.fromEntries(Object.entries(v).map(([mk, mv]) => [mk, String(mv)]))
    } else out[key] = coerce(key, toApiShape(v))
  }
  return out
}
