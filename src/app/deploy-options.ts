// Options shared by every deploying use case (the flags of `deploy`, `env deploy`, `svc deploy`, `job deploy`).
import type {ResourceChange} from '../deploy/events.js'

export interface DeployOptions {
  noRollback?: boolean
  /** Let the first deploy over a Copilot stack replace or remove resources that hold state. */
  allowReplacement?: boolean
  detach?: boolean
  /** Reviews the change set (--diff); false cancels. */
  confirmChanges?: (review: {stackName: string; changes: ResourceChange[]; template: Record<string, any>; operation: 'create' | 'update'}) => Promise<boolean>
}
