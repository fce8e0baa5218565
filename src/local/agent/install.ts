// The agent and service discovery in one call for the composition root (control-plane.ts): orphans
// of a crashed run killed first, then the discovery registry and a driver wired to each other.
//
//   const relay = createAgentRelay()
//   const agent = await installAgent({stateDir, endpoint, region, accountId}, {listener: relay})
//   const ecs = createEcs({..., driver: agent.driver, discovery: agent.discovery}); relay.attach(ecs.listener)
//   registerDiscoveryProviders(cfn.registry, agent.discovery)
//   on close: await agent.driver.shutdown(); await ecs.close(); await agent.close()

import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../contracts.js'
import {LocalDiscovery} from '../discovery/registry.js'
import {ContainerDriver} from './container-driver.js'
import {ProcessDriver, cleanupOrphans} from './process-driver.js'
import type {AgentListener} from './types.js'

export interface AgentHost {
  stateDir: string
  /** The control plane's endpoint, given to tasks as AWS_ENDPOINT_URL. */
  endpoint: string
  region: string
  accountId: string
}

export interface LocalAgent {
  driver: ProcessDriver | ContainerDriver
  discovery: LocalDiscovery
  /** Pids of a previous run's task processes killed at start. */
  orphansKilled: number[]
  /** Stops every task, then closes discovery's forwarders. */
  close(): Promise<void>
}

export async function installAgent(
  host: AgentHost,
  opts: {listener: AgentListener; driver?: 'process' | 'container'; log?: (line: string) => void},
): Promise<LocalAgent> {
  const orphansKilled = cleanupOrphans(host.stateDir)
  if (opts.driver === 'container') await ContainerDriver.cleanupOrphans({stateDir: host.stateDir})
  let driver: ProcessDriver | ContainerDriver | undefined
  const discovery = new LocalDiscovery({
    stateDir: host.stateDir,
    region: host.region,
    accountId: host.accountId,
    portsOf: (taskId) => driver?.portBindings(taskId) ?? [],
  })
  const common = {stateDir: host.stateDir, listener: opts.listener, region: host.region, ...(opts.log ? {log: opts.log} : {})}
  if (opts.driver === 'container') {
    driver = new ContainerDriver(common)
  } else {
    const processDriver = new ProcessDriver({
      ...common,
      hostsFile: () => discovery.hostsFor(),
      // AWS SDKs inside tasks reach the local control plane, as task roles reach AWS.
      environment: {AWS_ENDPOINT_URL: host.endpoint, AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY},
    })
    discovery.onChange(() => processDriver.refreshHosts())
    driver = processDriver
  }
  const installed = driver
  return {
    driver: installed,
    discovery,
    orphansKilled,
    async close() {
      await installed.shutdown()
      await discovery.close()
    },
  }
}
