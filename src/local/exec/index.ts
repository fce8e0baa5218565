// Exec in the local control plane, in one call for the composition root: the KMS service (exec's
// session encryption uses it), the broker behind `/exec/` websocket upgrades, and the close hook.
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import type {TaskDriver} from '../agent/types.js'
import type {LocalApi, ServiceSet} from '../contracts.js'
import type {AgentKms} from '../../exec/crypto.js'
import {createKms, type LocalKms} from '../kms/index.js'
import {createExecBroker, type ExecBroker} from './broker.js'
import type {ExecMode} from './task-agent.js'

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

const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113'

/** Alias of the key the local exec agent asks clients to encrypt sessions with. */
export const EXEC_KEY_ALIAS = 'alias/pier/exec'

export interface LocalExec {
  broker: ExecBroker
  kms: LocalKms
  mode: ExecMode
}

/**
 * Registers KMS and the exec broker. Pass the broker to ECS as `exec`, and wrap the driver's listener
 * with `broker.trackTasks(listener)` so each running task gets its exec agent.
 * Sessions are KMS-encrypted as on AWS: when the task's cluster names a key in
 * `configuration.executeCommandConfiguration.kmsKeyId`. `encrypt: 'always'` encrypts every session
 * (with the cluster's key, else `alias/pier/exec`); `'never'` none.
 */
export function installExec(
  host: ExecHost,
  deps: {driver: () => Pick<TaskDriver, 'exec'>; encrypt?: 'cluster' | 'always' | 'never'; mode?: ExecMode},
): LocalExec {
  const execMode = deps.mode ?? execModeFromEnv()
  const kms = createKms({stateDir: host.stateDir, region: host.region, accountId: host.accountId})
  host.register({json: [kms.service]})
  const mode = deps.encrypt ?? 'cluster'
  const agentKms = (keyId: string): AgentKms => ({keyId, decrypt: (blob, context) => kms.decrypt(blob, context)})
  const ecs = (operation: string, input: Record<string, unknown>) => host.api.json(ECS_TARGET, operation, input).catch(() => undefined)
  const clusterOf = (taskArn: string) => /:task\/([^/]+)\//.exec(taskArn)?.[1]
  const broker = createExecBroker({
    driver: deps.driver,
    mode: execMode,
    endpoint: () => host.endpoint,
    async kmsFor({taskArn}) {
      if (mode === 'never') return undefined
      const out = await ecs('DescribeClusters', {clusters: [clusterOf(taskArn)]})
      const keyId = out?.clusters?.[0]?.configuration?.executeCommandConfiguration?.kmsKeyId as string | undefined
      if (keyId) return agentKms(keyId)
      return mode === 'always' ? agentKms(kms.ensureKey(EXEC_KEY_ALIAS, 'Encrypts exec sessions of the Pier local control plane')) : undefined
    },
    // The SSM target id the client binds into the data key's context uses ECS's container runtime id.
    async runtimeIdOf(taskArn, container) {
      const out = await ecs('DescribeTasks', {cluster: clusterOf(taskArn), tasks: [taskArn]})
      const c = out?.tasks?.[0]?.containers?.find((x: {name?: string}) => x.name === container)
      return c?.runtimeId as string | undefined
    },
  })
  host.addUpgradeHandler('/exec/', (req, socket, head) => broker.handleUpgrade(req, socket, head))
  host.onClose(async () => {
    await broker.close()
    kms.close()
  })
  return {broker, kms, mode: execMode}
}

/**
 * The exec mode `pier local start --exec-mode` chose: it reaches the control plane's process as
 * PIER_EXEC_MODE. `aws` (default) behaves as ECS; `extended` keeps pipes, stderr and exit codes.
 */
export function execModeFromEnv(value = process.env.PIER_EXEC_MODE): ExecMode {
  if (value === undefined || value === '' || value === 'aws') return 'aws'
  if (value === 'extended') return 'extended'
  throw new Error(`PIER_EXEC_MODE must be aws or extended, not ${value}`)
}
