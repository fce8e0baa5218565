// Contract of a CloudFormation resource provider in the local control plane. The engine resolves
// intrinsics, orders resources and records events; a provider only makes one resource real.
// `Ref` returns `physicalId`; `Fn::GetAtt` reads `attributes`.

import type {LocalApi} from '../contracts.js'

export interface ProviderContext {
  stackName: string
  stackId: string
  logicalId: string
  region: string
  accountId: string
  /** The control plane's own services, in process. */
  api: LocalApi
  /** Stack tags plus aws:cloudformation:* tags, to apply where the resource type supports tags. */
  tags: Record<string, string>
  /** Aborted when the stack operation is cancelled; long waits (service stability) must honour it. */
  signal: AbortSignal
  /** Adds a progress line to the resource's events (e.g. "2 of 2 tasks running"). */
  progress(message: string): void
  /** Records the physical id as soon as the resource exists, before a long wait (a service's
   * stability), so that a crash during the wait still leaves the rollback something to delete. */
  created?(physicalId: string): void
}

export interface ResourceResult {
  physicalId: string
  attributes: Record<string, unknown>
}

export interface ResourceProvider {
  /** Creates the resource and resolves once it is usable, as AWS's CREATE_COMPLETE means. */
  create(props: Record<string, any>, ctx: ProviderContext): Promise<ResourceResult>
  /** Updates in place. Absent: every property change replaces the resource. */
  update?(physicalId: string, props: Record<string, any>, oldProps: Record<string, any>, ctx: ProviderContext): Promise<ResourceResult>
  /** Deletes; deleting something already gone succeeds. */
  delete(physicalId: string, props: Record<string, any>, ctx: ProviderContext): Promise<void>
  /** Top-level properties whose change requires replacement (AWS's "Update requires: Replacement"). */
  immutable?: string[]
  /** Required top-level properties; the engine fails the resource with AWS's wording when one is missing. */
  required?: string[]
  /** After a crash: the physical id of the resource a create interrupted by the crash made before its
   * id was recorded (matched on properties the stack owns: a name, a listener's priority), so the
   * rollback deletes it instead of leaving it to clash with the next deploy. */
  find?(props: Record<string, any>, ctx: ProviderContext): Promise<string | undefined>
}

/** A failure with the reason CloudFormation shows in the resource's event. */
export class ProviderError extends Error {
  /** Set when the resource came to exist before the failure (a service that never stabilized): the
   * engine records it so the rollback deletes it. */
  readonly physicalId: string | undefined

  constructor(message: string, opts: {physicalId?: string} = {}) {
    super(message)
    this.name = 'ProviderError'
    this.physicalId = opts.physicalId
  }
}

export interface ProviderRegistry {
  register(type: string, provider: ResourceProvider): void
  get(type: string): ResourceProvider | undefined
}
