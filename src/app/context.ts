// Everything a use case needs, built once per command.
import type {AwsClients} from '../aws/interfaces.js'
import type {DeployContext} from '../deploy/context.js'
import type {Emit} from '../deploy/events.js'
import type {InterruptSource} from '../deploy/interrupts.js'
import type {Timing} from '../deploy/timing.js'
import type {ContainerEngine} from './images.js'
import type {PriorityReservations} from './deploy-inputs.js'
import {AppStore} from './store.js'

export interface AppContext extends DeployContext {
  aws: AwsClients
  store: AppStore
  cwd: string
  engine?: ContainerEngine
  /** Asks the user a yes/no question; absent when Pier must not prompt. */
  confirm?: (question: string) => Promise<boolean>
  /** Keys and values Copilot ignored are errors (--strict), not warnings. */
  strict?: boolean
  /** Listener rule priorities chosen by the deploys of this command (`pier deploy` of several workloads). */
  rulePriorities?: PriorityReservations
}

export function appContext(deps: {aws: AwsClients; emit: Emit; timing: Timing; interrupts?: InterruptSource; cwd: string; engine?: ContainerEngine; confirm?: (q: string) => Promise<boolean>; strict?: boolean}): AppContext {
  return {...deps, store: new AppStore(deps.aws.parameters)}
}
