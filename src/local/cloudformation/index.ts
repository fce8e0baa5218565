// The local CloudFormation service: `createCloudFormation(deps)` gives the query-protocol service for
// the frontend and the provider registry the other parts register their resource types in.

import type {LocalApi} from '../contracts.js'
import type {QueryService} from '../frontend/types.js'
import {CloudFormationApi} from './api.js'
import {Engine} from './engine.js'
import type {ProviderRegistry} from './provider.js'
import {createProviderRegistry} from './registry.js'
import {StackStore} from './stack-store.js'
import {registerCoreProviders} from './providers/index.js'
import {withDynamicReferences} from './dynamic-references.js'
import {registerNestedStackProvider} from './providers/nested-stack.js'
import type {RecordStore} from './providers/records.js'

export interface CloudFormationDeps {
  stateDir: string
  api: LocalApi
  /** The registry other parts register their types in; created when absent. The core providers are
   * registered in it unless `coreProviders` is false. */
  registry?: ProviderRegistry
  coreProviders?: boolean
  region: string
  accountId: string
  /** Reads a TemplateURL; TemplateURL is refused without it. */
  fetchTemplate?: (url: string) => Promise<string>
  /** Options of the core providers (e.g. how often the ECS service provider polls). */
  providers?: {servicePollMs?: number; records?: RecordStore}
  now?: () => Date
  /** Length of TimeoutInMinutes' minute in ms (tests shorten it). */
  minuteMs?: number
  /** The trust policy of a role, by ARN: a stack's RoleARN must exist and let CloudFormation assume it. */
  roles?: (arn: string) => {trustPolicy: unknown} | undefined
}

export interface CloudFormation {
  service: QueryService
  registry: ProviderRegistry
  /** Resolves once no stack operation is running. */
  idle(): Promise<void>
  close(): Promise<void>
}

export function createCloudFormation(deps: CloudFormationDeps): CloudFormation {
  const registry = deps.registry ?? createProviderRegistry()
  const flushProviders = deps.coreProviders !== false ? registerCoreProviders(registry, {stateDir: deps.stateDir, ...deps.providers}) : () => undefined
  const store = new StackStore(deps.stateDir)
  // Providers get `{{resolve:…}}` dynamic references resolved; the stack keeps them unresolved.
  const engine = new Engine({store, registry: withDynamicReferences(registry), api: deps.api, region: deps.region, accountId: deps.accountId, ...(deps.now ? {now: deps.now} : {}),
    ...(deps.minuteMs ? {minuteMs: deps.minuteMs} : {})})
  const service = new CloudFormationApi({store, engine, registry, region: deps.region, accountId: deps.accountId, ...(deps.roles ? {roles: deps.roles} : {}),
    ...(deps.fetchTemplate ? {fetchTemplate: deps.fetchTemplate} : {}), ...(deps.now ? {now: deps.now} : {})})
  registerNestedStackProvider(registry, {store, engine, region: deps.region, accountId: deps.accountId,
    ...(deps.fetchTemplate ? {fetchTemplate: deps.fetchTemplate} : {}), ...(deps.now ? {now: deps.now} : {})})
  // Operations cut short by a previous stop are rolled back once the other services are up.
  const recovery = setImmediate(() => engine.recover())
  return {
    service,
    registry,
    idle: () => engine.idle(),
    async close() {
      clearImmediate(recovery)
      await engine.close()
      flushProviders()
    },
  }
}

export {createProviderRegistry} from './registry.js'
export {createRecordStore, type RecordStore} from './providers/records.js'
export {ProviderError} from './provider.js'
export type {ProviderRegistry, ResourceProvider, ProviderContext} from './provider.js'
