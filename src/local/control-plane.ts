// The local control plane in one process: the frontend on one loopback port and every service behind
// it. This file is the composition root: it builds the frontend and the SSM, Secrets Manager, Logs and
// STS services, then (`installParts`) the agent, ECS, load balancer, Cloud Map, exec and KMS, messaging,
// schedules, autoscaling and CloudFormation with their resource providers. Parts plug in through
// `register` (services), `addUpgradeHandler` (exec websockets) and `onClose` (hooks run latest first:
// the parts built last close first, and every task is stopped before the process ends).

import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {
  DEFAULT_LOCAL_PORT,
  LOCAL_ACCESS_KEY_ID,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  LOCAL_SECRET_ACCESS_KEY,
  type LocalApi,
  type LogSink,
  type SecretResolver,
  type ServiceSet,
} from './contracts.js'
import {cleanupOrphans, ProcessDriver} from './agent/index.js'
import type {TaskDriver} from './agent/types.js'
import {createCloudFormation} from './cloudformation/index.js'
import {registerAutoScalingProviders, ServiceAutoScaler} from './cloudformation/providers/autoscaling.js'
import {registerElbv2Providers} from './cloudformation/providers/elbv2.js'
import {registerMessagingProviders} from './cloudformation/providers/messaging.js'
import {registerRecordedProviders} from './cloudformation/providers/recorded.js'
import {registerSchedulerProviders} from './cloudformation/providers/scheduler.js'
import {registerDiscoveryProviders} from './cloudformation/providers/servicediscovery.js'
import {LocalDiscovery} from './discovery/index.js'
import {createAgentRelay, createEcs} from './ecs/index.js'
import {createLoadBalancing} from './elb/index.js'
import {installExec} from './exec/index.js'
import {Frontend, toJsonWire} from './frontend/server.js'
import {createMessaging} from './messaging/index.js'
import {createScheduler} from './scheduler/index.js'
import {ServiceError} from './frontend/types.js'
import {LocalKey} from './services/local-key.js'
import {LogsService} from './services/logs.js'
import {LocalSecretResolver} from './services/secret-resolver.js'
import {SecretsManagerService} from './services/secrets-manager.js'
import {SsmService} from './services/ssm.js'
import {StsService} from './services/sts.js'

export const STATE_MARKER = '.pier-local-state'

export interface ControlPlaneOptions {
  stateDir: string
  /** Default 4566; 0 picks a free port (see `port` on the result). */
  port?: number
  host?: '127.0.0.1'
  /** Where internal failures are reported, a line each (default: stderr). */
  log?: (line: string) => void
  /** Only the frontend and the SSM, Secrets Manager, Logs and STS services (tests of those). */
  minimal?: boolean
  /** Capacity the tasks share, in CPU units and MiB (default: 1024 units per core, all memory). */
  capacity?: {cpu: number; memory: number}
}

export interface ControlPlane {
  endpoint: string
  port: number
  stateDir: string
  region: string
  accountId: string
  api: LocalApi
  secrets: SecretResolver
  logs: LogSink
  key: LocalKey
  register(services: Partial<ServiceSet>): void
  addUpgradeHandler(pathPrefix: string, handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void
  /** Runs on close, latest first, before the port closes (e.g. the cluster manager stopping its tasks). */
  onClose(hook: () => Promise<void> | void): void
  close(): Promise<void>
}

export async function createControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  mkdirSync(opts.stateDir, {recursive: true, mode: 0o700})
  // Marks the directory as the control plane's, so `pier local reset` never wipes anything else.
  writeFileSync(join(opts.stateDir, STATE_MARKER), 'Pier local control plane state. `pier local reset` deletes this directory.\n')
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const identity = {region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID}
  const frontend = new Frontend({
    credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY},
    ...identity,
    log,
  })

  const key = new LocalKey(opts.stateDir)
  const ssm = new SsmService(opts.stateDir, key, identity)
  const secretsManager = new SecretsManagerService(opts.stateDir, key, identity)
  const logs = new LogsService(opts.stateDir, identity)
  for (const s of [ssm, secretsManager, logs]) frontend.registerJson(s)
  frontend.registerQuery(new StsService())

  const api: LocalApi = {
    async json(targetPrefix, operation, input) {
      const service = frontend.jsonService(targetPrefix)
      if (!service) throw new ServiceError('UnknownOperationException', `No service answers to ${targetPrefix}.${operation}.`)
      // The same shapes as on the wire (timestamps as epoch seconds), so in-process callers see what clients see.
      const result = await service.handle(operation, JSON.parse(JSON.stringify(input ?? {})), frontend.context())
      return JSON.parse(toJsonWire(result ?? {}))
    },
    context: () => frontend.context(),
  }

  const closeHooks: (() => Promise<void> | void)[] = [() => logs.close()]
  const port = await frontend.listen(opts.port ?? DEFAULT_LOCAL_PORT, opts.host ?? '127.0.0.1')
  let closing: Promise<void> | undefined

  const cp: ControlPlane = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stateDir: opts.stateDir,
    ...identity,
    api,
    secrets: new LocalSecretResolver(ssm, secretsManager),
    logs,
    key,
    register(services) {
      for (const s of services.json ?? []) frontend.registerJson(s)
      for (const s of services.query ?? []) frontend.registerQuery(s)
    },
    addUpgradeHandler: (prefix, handler) => frontend.addUpgradeHandler(prefix, handler),
    onClose: (hook) => void closeHooks.push(hook),
    close() {
      closing ??= (async () => {
        for (const hook of [...closeHooks].reverse()) {
          try {
            await hook()
          } catch (err) {
            log(`closing: ${(err as Error).message}`)
          }
        }
        await frontend.close()
      })()
      return closing
    },
  }
  if (!opts.minimal) {
    try {
      await installParts(cp, log, opts.capacity)
    } catch (err) {
      await cp.close()
      throw err
    }
  }
  return cp
}

/** Builds every other part of the control plane and plugs it into `cp`. */
async function installParts(cp: ControlPlane, log: (line: string) => void, capacity?: {cpu: number; memory: number}): Promise<void> {
  const {stateDir} = cp
  const identity = {region: cp.region, accountId: cp.accountId}
  // Task processes a crashed previous run left behind: ECS marks their tasks STOPPED when it recovers.
  const orphans = cleanupOrphans(stateDir)
  if (orphans.length > 0) log(`stopped ${orphans.length} task processes left by a previous run`)

  const discovery = new LocalDiscovery({stateDir, ...identity})
  cp.onClose(() => discovery.close())
  const elb = await createLoadBalancing({stateDir, ...identity})
  cp.onClose(() => elb.close())
  const messaging = createMessaging({stateDir, ...identity, endpoint: () => cp.endpoint})
  cp.onClose(() => messaging.close())
  cp.register({json: messaging.json, query: [elb.service, ...messaging.query]})

  // The driver needs a listener before ECS exists: the relay holds its reports until ECS attaches.
  const relay = createAgentRelay()
  const driver = new ProcessDriver({stateDir, listener: relay, hostsFile: () => discovery.hostsFor(), log, region: cp.region})
  // While the driver stops every task, the service scheduler would start replacements: those starts
  // are dropped (the tasks stay acknowledged, and the next start of the control plane settles them).
  let stopping = false
  const scheduled: TaskDriver = {
    name: driver.name,
    start: (spec) => (stopping ? Promise.resolve() : driver.start(spec)),
    stop: (taskId, code, reason) => driver.stop(taskId, code, reason),
    exec: (taskId, container, command, opts) => driver.exec(taskId, container, command, opts),
    shutdown: () => driver.shutdown(),
  }
  const exec = installExec(cp, {driver: () => driver})
  const ecs = createEcs({stateDir, driver: scheduled, secrets: cp.secrets, logs: cp.logs, targets: elb, discovery, exec: exec.broker, ...(capacity ? {capacity} : {}), ...identity})
  relay.attach(exec.broker.trackTasks(ecs.listener))
  cp.register({json: [ecs.service]})
  // Runs before the hooks above: the tasks stop while ECS still records it, then ECS closes.
  cp.onClose(async () => {
    stopping = true
    await driver.shutdown()
    await ecs.close()
  })

  const scheduler = createScheduler({stateDir, ...identity, api: cp.api})
  cp.register({json: scheduler.services})
  cp.onClose(() => scheduler.close())
  const scaler = new ServiceAutoScaler(cp.api, undefined, join(stateDir, 'autoscaling.json'))
  scaler.start()
  cp.onClose(() => scaler.close())

  const cfn = createCloudFormation({stateDir, api: cp.api, ...identity})
  registerElbv2Providers(cfn.registry, elb)
  registerDiscoveryProviders(cfn.registry, discovery)
  registerMessagingProviders(cfn.registry, messaging)
  registerSchedulerProviders(cfn.registry, scheduler)
  registerAutoScalingProviders(cfn.registry, scaler)
  registerRecordedProviders(cfn.registry, {stateDir})
  cp.register({query: [cfn.service]})
  cp.onClose(() => cfn.close())
}
