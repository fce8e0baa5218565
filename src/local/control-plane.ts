// The core of the local control plane: the frontend on one loopback port with the SSM, Secrets Manager,
// Logs, STS and S3 services behind it. Other parts plug in through `register` (services),
// `addUpgradeHandler` (exec websockets) and `onClose` (hooks run latest first, so the parts built last
// close first); `assemble.ts` plugs in all of them.

import {mkdirSync} from 'node:fs'
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
import {Frontend, toJsonWire} from './frontend/server.js'
import {ServiceError} from './frontend/types.js'
import {createS3, type LocalS3} from './s3/index.js'
import {markStateDir} from './state-dir.js'
import {LocalKey} from './store/local-key.js'
import {LogsService} from './logs/index.js'
import {LocalSecretResolver} from './secrets-manager/resolver.js'
import {SecretsManagerService} from './secrets-manager/index.js'
import {SsmService} from './ssm/index.js'
import {StsService, type RoleLookup} from './sts/index.js'
import {SessionKeys} from './sts/sessions.js'

export {STATE_MARKER} from './state-dir.js'

export interface ControlPlaneOptions {
  stateDir: string
  /** Default 4566; 0 picks a free port (see `port` on the result). */
  port?: number
  host?: '127.0.0.1'
  /** Where internal failures are reported, a line each (default: stderr). */
  log?: (line: string) => void
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
  /** The local S3 (its store, and the TemplateURL reader CloudFormation uses). */
  s3: LocalS3
  /** Where STS finds the roles AssumeRole may issue keys for. */
  useRoles(lookup: RoleLookup): void
  register(services: Partial<ServiceSet>): void
  addUpgradeHandler(pathPrefix: string, handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void
  /** Runs on close, latest first, before the port closes (e.g. the cluster manager stopping its tasks). */
  onClose(hook: () => Promise<void> | void): void
  close(): Promise<void>
}

export async function createControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  mkdirSync(opts.stateDir, {recursive: true, mode: 0o700})
  // Marks the directory as the control plane's, so `pier local reset` never wipes anything else.
  markStateDir(opts.stateDir)
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const identity = {region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID}
  const sessions = new SessionKeys(LOCAL_SECRET_ACCESS_KEY)
  const frontend = new Frontend({
    credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY},
    sessionKeys: (id, token) => sessions.lookup(id, token),
    ...identity,
    log,
  })

  const key = new LocalKey(opts.stateDir)
  const ssm = new SsmService(opts.stateDir, key, identity)
  const secretsManager = new SecretsManagerService(opts.stateDir, key, identity)
  const logs = new LogsService(opts.stateDir, identity)
  for (const s of [ssm, secretsManager, logs]) frontend.registerJson(s)
  const sts = new StsService(sessions)
  frontend.registerQuery(sts)
  let listening: number | undefined
  const s3 = createS3({stateDir: opts.stateDir, ...identity, port: () => listening})
  frontend.registerRest(s3.service)

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
  listening = port
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
    s3,
    useRoles: (lookup) => sts.useRoles(lookup),
    register(services) {
      for (const s of services.json ?? []) frontend.registerJson(s)
      for (const s of services.query ?? []) frontend.registerQuery(s)
      for (const s of services.rest ?? []) frontend.registerRest(s)
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
  return cp
}
