// What the deploy core needs from the outside: narrow AWS interfaces, an event sink, time, Ctrl-C.
import type {AwsClients} from '../aws/interfaces.js'
import type {Emit} from './events.js'
import type {InterruptSource} from './interrupts.js'
import type {Timing} from './timing.js'

export type DeployAws = Pick<AwsClients, 'stacks' | 'ecs' | 'logs' | 'poll'>

export interface DeployContext {
  aws: DeployAws
  emit: Emit
  timing: Timing
  interrupts?: InterruptSource
}

/** Copilot's label for a resource, shown in the progress view. */
export const DESCRIPTION_KEY = 'aws:copilot:description'

export function templateResources(template: Record<string, any>): {logicalId: string; type: string; description?: string}[] {
  return Object.entries((template.Resources ?? {}) as Record<string, any>).map(([logicalId, r]) => ({
    logicalId,
    type: String(r?.Type ?? ''),
    description: typeof r?.Metadata?.[DESCRIPTION_KEY] === 'string' ? r.Metadata[DESCRIPTION_KEY] : undefined,
  }))
}
