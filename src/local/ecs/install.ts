// Puts the local ECS behind a control plane: builds the driver with ECS's listener, registers the API,
// and on close stops every task (the driver first, so its STOPPED reports are recorded) before ECS
// closes its store.

import type {AgentListener, TaskDriver} from '../agent/types.js'
import type {LogSink, SecretResolver, ServiceSet} from '../contracts.js'
import {createAgentRelay, createEcs, type Ecs, type EcsDeps} from './index.js'

export interface EcsHost {
  stateDir: string
  region: string
  accountId: string
  secrets: SecretResolver
  logs: LogSink
  register(services: Partial<ServiceSet>): void
  onClose(hook: () => Promise<void> | void): void
}

export interface InstallEcsOptions<D extends TaskDriver> extends Partial<Omit<EcsDeps, 'driver' | 'stateDir' | 'region' | 'accountId'>> {
  /** Makes the driver that reports to `listener` (wrap the listener here, e.g. with the exec broker's trackTasks). */
  driver: (listener: AgentListener) => D
}

export function installEcs<D extends TaskDriver>(host: EcsHost, opts: InstallEcsOptions<D>): {ecs: Ecs; driver: D} {
  const relay = createAgentRelay()
  const {driver: makeDriver, ...rest} = opts
  const driver = makeDriver(relay)
  const ecs = createEcs({
    secrets: host.secrets,
    logs: host.logs,
    ...rest,
    stateDir: host.stateDir,
    region: host.region,
    accountId: host.accountId,
    driver,
  })
  relay.attach(ecs.listener)
  host.register({json: [ecs.service]})
  host.onClose(async () => {
    // Nothing may start while the driver stops everything (the scheduler would replace stopped tasks).
    await ecs.pause()
    await driver.shutdown()
    await ecs.close()
  })
  return {ecs, driver}
}
