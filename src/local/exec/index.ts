// Exec in the local control plane, in one call for the composition root: the KMS service (exec's
// session encryption uses it), the broker behind `/exec/` websocket upgrades, and the close hook.
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import type {TaskDriver} from '../agent/types.js'
import type {LocalApi, ServiceSet} from '../contracts.js'
import {createKms, type LocalKms} from '../kms/index.js'
import {createExecBroker, type ExecBroker} from './broker.js'

/** The parts of the control plane exec plugs into. */
export interface ExecHost {
  endpoint: string
  stateDir: string
  region: string
  accountId: string
  api: LocalApi
  register(services: Partial<ServiceSet>): void
  addUpgradeHandler(pathPrefix: string, handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void
  onClose(hook: () => Promise<void> | void): void
}

/** Alias of the key the local exec agent asks clients to encrypt sessions with. */
export const EXEC_KEY_ALIAS = 'alias/pier/exec'

export interface LocalExec {
  broker: ExecBroker
  kms: LocalKms
}

/**
 * Registers KMS and the exec broker. Pass the broker to ECS as `exec`, and wrap the driver's listener
 * with `broker.trackTasks(listener)` so each running task gets its exec agent.
 * With `encrypt` (default true) every session is KMS-encrypted, as ECS Exec with a KMS key is on AWS.
 */
export function installExec(host: ExecHost, deps: {driver: () => Pick<TaskDriver, 'exec'>; encrypt?: boolean}): LocalExec {
  const kms = createKms({stateDir: host.stateDir, region: host.region, accountId: host.accountId})
  host.register({json: [kms.service]})
  const keyId = deps.encrypt === false ? undefined : kms.ensureKey(EXEC_KEY_ALIAS, 'Encrypts exec sessions of the Pier local control plane')
  const broker = createExecBroker({
    driver: deps.driver,
    endpoint: () => host.endpoint,
    ...(keyId ? {kms: {keyId, decrypt: (blob, context) => kms.decrypt(blob, context)}} : {}),
    // The SSM target id the client binds into the data key's context uses ECS's container runtime id.
    async runtimeIdOf(taskArn, container) {
      const cluster = /:task\/([^/]+)\//.exec(taskArn)?.[1]
      const out = await host.api.json('AmazonEC2ContainerServiceV20141113', 'DescribeTasks', {cluster, tasks: [taskArn]}).catch(() => undefined)
      const c = out?.tasks?.[0]?.containers?.find((x: {name?: string}) => x.name === container)
      return c?.runtimeId as string | undefined
    },
  })
  host.addUpgradeHandler('/exec/', (req, socket, head) => broker.handleUpgrade(req, socket, head))
  host.onClose(async () => {
    await broker.close()
    kms.close()
  })
  return {broker, kms}
}
