// Each workload type's defaults, applied under the manifest (Copilot's order: defaults, then the
// manifest's fields, then the environment's overrides), so the merged model always has a size.
import type {WorkloadType} from './types.js'

const TASK = {cpu: 256, memory: 512, network: {vpc: {placement: 'public'}}}

export function workloadDefaults(type: unknown): Record<string, unknown> {
  switch (type as WorkloadType) {
    case 'Load Balanced Web Service':
    case 'Backend Service':
    case 'Worker Service':
      return structuredClone({...TASK, count: 1, exec: false})
    case 'Scheduled Job':
      return structuredClone({...TASK})
    default:
      return {}
  }
}
