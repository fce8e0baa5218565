// The whole local control plane: the frontend and its core services (control-plane.ts), plus ECS over
// the agent's process driver, the load balancer, Cloud Map, exec, schedules, messaging, autoscaling and
// the CloudFormation engine with a provider for every resource type Pier renders.

import {join} from 'node:path'

import {cleanupOrphans, ProcessDriver} from './agent/process-driver.js'
import {registerAutoScalingProviders, ServiceAutoScaler} from './cloudformation/providers/autoscaling.js'
import {registerElbv2Providers} from './cloudformation/providers/elbv2.js'
import {registerMessagingProviders} from './cloudformation/providers/messaging.js'
import {registerRecordedProviders} from './cloudformation/providers/recorded.js'
import {registerSchedulerProviders} from './cloudformation/providers/scheduler.js'
import {registerDiscoveryProviders} from './cloudformation/providers/servicediscovery.js'
import {createCloudFormation} from './cloudformation/index.js'
import {createControlPlane, type ControlPlane, type ControlPlaneOptions} from './control-plane.js'
import {LocalDiscovery} from './discovery/index.js'
import {createAgentRelay, createEcs, type Ecs} from './ecs/index.js'
import {createLoadBalancing} from './elb/index.js'
import {installExec} from './exec/index.js'
import {createMessaging} from './messaging/index.js'
import {createScheduler} from './scheduler/index.js'
import {TaskMetrics} from './agent/metrics.js'

export interface LocalControlPlane extends ControlPlane {
  ecs: Ecs
}

export async function startLocalControlPlane(opts: ControlPlaneOptions): Promise<LocalControlPlane> {
  const cp = await createControlPlane(opts)
  const {stateDir, region, accountId} = cp
  // Hooks run latest first on close: what is registered first closes last.
  const discovery = new LocalDiscovery({stateDir, region, accountId})
  cp.onClose(() => discovery.close())
  const elb = await createLoadBalancing({stateDir, region, accountId})
  cp.onClose(() => elb.close())
  cp.register({query: [elb.service]})

  // Tasks a crashed control plane left behind are killed before anything starts new ones.
  cleanupOrphans(stateDir)
  const relay = createAgentRelay()
  let driver: ProcessDriver | undefined
  const exec = installExec(cp, {driver: () => driver!})
  driver = new ProcessDriver({stateDir, listener: exec.broker.trackTasks(relay), hostsFile: () => discovery.hostsFor(), region})
  const ecs = createEcs({stateDir, driver, secrets: cp.secrets, logs: cp.logs, targets: elb, discovery, exec: exec.broker, region, accountId})
  relay.attach(ecs.listener)
  cp.register({json: [ecs.service]})
  cp.onClose(() => ecs.close())
  const taskDriver = driver
  cp.onClose(() => taskDriver.shutdown())

  const scheduler = createScheduler({stateDir, region, accountId, api: cp.api})
  cp.register({json: scheduler.services})
  cp.onClose(() => scheduler.close())
  const messaging = createMessaging({stateDir, region, accountId, endpoint: () => cp.endpoint})
  cp.register({json: messaging.json, query: messaging.query})
  cp.onClose(() => messaging.close())
  const metrics = new TaskMetrics(cp.api, taskDriver)
  const scaler = new ServiceAutoScaler(cp.api, metrics, join(stateDir, 'autoscaling.json'))
  scaler.start()
  cp.onClose(() => scaler.close())

  const cfn = createCloudFormation({stateDir, api: cp.api, region, accountId})
  registerElbv2Providers(cfn.registry, elb)
  registerDiscoveryProviders(cfn.registry, discovery)
  registerSchedulerProviders(cfn.registry, scheduler)
  registerMessagingProviders(cfn.registry, messaging)
  registerAutoScalingProviders(cfn.registry, scaler)
  registerRecordedProviders(cfn.registry, {stateDir})
  cp.register({query: [cfn.service]})
  cp.onClose(() => cfn.close())
  return Object.assign(cp, {ecs})
}
