// The whole local control plane: the frontend and its core services (control-plane.ts), plus ECS over
// the agent's process driver, the load balancer, Cloud Map, exec, schedules, messaging, autoscaling, the
// EC2 network and ACM certificates, and the CloudFormation engine with a provider for every resource type
// Pier renders.

import {join} from 'node:path'

import {cleanupOrphans, ProcessDriver} from './agent/process-driver.js'
import {registerAutoScalingProviders, ServiceAutoScaler} from './cloudformation/providers/autoscaling.js'
import {registerElbv2Providers} from './cloudformation/providers/elbv2.js'
import {registerMessagingProviders} from './cloudformation/providers/messaging.js'
import {registerRecordedProviders} from './cloudformation/providers/recorded.js'
import {registerWorkflowProviders} from './cloudformation/providers/workflows.js'
import {registerDiscoveryProviders} from './cloudformation/providers/servicediscovery.js'
import {AcmService} from './acm/index.js'
import {createCloudFormation, createRecordStore} from './cloudformation/index.js'
import {createControlPlane, type ControlPlane, type ControlPlaneOptions} from './control-plane.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from './contracts.js'
import {LocalDiscovery} from './discovery/index.js'
import {createEc2} from './ec2/index.js'
import {createAgentRelay, createEcs, type Ecs} from './ecs/index.js'
import {createLoadBalancing} from './elb/index.js'
import {installExec} from './exec/index.js'
import {createMessaging} from './messaging/index.js'
import {createWorkflows} from './workflows/index.js'
import {localCapacity} from './local-capacity.js'
import {TaskMetrics} from './agent/metrics.js'

export interface LocalControlPlane extends ControlPlane {
  ecs: Ecs
}

export interface LocalControlPlaneOptions extends ControlPlaneOptions {
  /** Capacity the tasks share, in CPU units and MiB (default: PIER_LOCAL_CPU and PIER_LOCAL_MEMORY, else
   * 1024 units per core and all memory). */
  capacity?: {cpu: number; memory: number}
}

export async function startLocalControlPlane(opts: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const cp = await createControlPlane(opts)
  try {
    return await assemble(cp, opts)
  } catch (err) {
    await cp.close()
    throw err
  }
}

async function assemble(cp: ControlPlane, opts: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const {stateDir, region, accountId} = cp
  // Hooks run latest first on close: what is registered first closes last.
  let driver: ProcessDriver | undefined
  // ECS registers Pier's services (A records) with a task's address only: the names answer on the
  // task's container ports through the driver's bindings.
  const discovery = new LocalDiscovery({stateDir, region, accountId, portsOf: (taskId) => driver?.portBindings(taskId) ?? []})
  discovery.onChange(() => driver?.refreshHosts())
  cp.onClose(() => discovery.close())
  const elb = await createLoadBalancing({stateDir, region, accountId})
  cp.onClose(() => elb.close())
  cp.register({query: [elb.service]})

  // Tasks a crashed control plane left behind are killed before anything starts new ones.
  const orphans = cleanupOrphans(stateDir)
  if (orphans.length > 0) opts.log?.(`stopped ${orphans.length} task processes left by a previous run`)
  const relay = createAgentRelay()
  const exec = installExec(cp, {driver: () => driver!})
  driver = new ProcessDriver({
    stateDir,
    listener: exec.broker.trackTasks(relay),
    hostsFile: () => discovery.hostsFor(),
    region,
    // AWS SDKs inside tasks reach this control plane, as task roles reach AWS.
    environment: {AWS_ENDPOINT_URL: cp.endpoint, AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY},
  })
  const taskDriver = driver
  const ecs = createEcs({stateDir, driver: taskDriver, secrets: cp.secrets, logs: cp.logs, targets: elb, discovery, exec: exec.broker, region, accountId,
    capacity: opts.capacity ?? localCapacity()})
  relay.attach(ecs.listener)
  cp.register({json: [ecs.service]})
  cp.onClose(() => ecs.close())
  cp.onClose(async () => {
    // While the driver stops every task, the service scheduler would start replacements: ECS pauses
    // first (no launches, launches in flight settled); what has not started waits for the next run.
    await ecs.pause()
    await taskDriver.shutdown()
  })

  const workflows = createWorkflows({stateDir, region, accountId, api: cp.api})
  cp.register({json: workflows.services})
  cp.onClose(() => workflows.close())
  const messaging = createMessaging({stateDir, region, accountId, endpoint: () => cp.endpoint})
  cp.register({json: messaging.json, query: messaging.query})
  cp.onClose(() => messaging.close())
  const metrics = new TaskMetrics(cp.api, taskDriver)
  const scaler = new ServiceAutoScaler(cp.api, metrics, join(stateDir, 'autoscaling.json'))
  scaler.start()
  cp.onClose(() => scaler.close())

  // The network EC2 describes is the one stacks create: one store of record for both.
  const records = createRecordStore(stateDir)
  const ec2 = createEc2({records, region, accountId})
  cp.register({query: [ec2.service], json: [new AcmService(stateDir, {region, accountId})]})
  // Templates over the inline limit come as a TemplateURL into the local S3.
  const cfn = createCloudFormation({stateDir, api: cp.api, region, accountId, providers: {records}, fetchTemplate: (url) => cp.s3.fetchTemplate(url)})
  registerElbv2Providers(cfn.registry, elb)
  registerDiscoveryProviders(cfn.registry, discovery)
  registerWorkflowProviders(cfn.registry, workflows)
  registerMessagingProviders(cfn.registry, messaging)
  registerAutoScalingProviders(cfn.registry, scaler)
  registerRecordedProviders(cfn.registry, {stateDir})
  cp.register({query: [cfn.service]})
  cp.onClose(() => cfn.close())
  return Object.assign(cp, {ecs})
}
