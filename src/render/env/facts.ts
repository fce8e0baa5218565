// What a workload stack needs to know about its environment, read from the environment manifest.

import type {EnvironmentManifest} from '../../manifest/types.js'
import type {EnvironmentFacts} from '../inputs.js'

export function environmentFacts(manifest: EnvironmentManifest): EnvironmentFacts {
  const certificates = manifest.http?.public?.certificates ?? []
  return {
    httpsListener: certificates.length > 0,
    internalHttpsListener: (manifest.http?.private?.certificates ?? []).length > 0,
    internalWorkloadsZone: (manifest.http?.private?.certificates ?? []).length === 0,
    certificates: [...certificates],
  }
}
