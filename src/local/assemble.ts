// The whole local control plane: the frontend and its core services (control-plane.ts), plus ECS over
// the agent's driver (container or process, chosen at start), the load balancer, Cloud Map, exec,
// schedules, messaging, autoscaling, the EC2 network and ACM certificates, and the CloudFormation engine
// with a provider for every resource type Pier renders.

import {join} from 'node:path'

import {chooseDriver, driverLabel, parseDriverChoice, type ChosenDriver, type DriverChoice} from './agent/choice.js'
import {ContainerDriver} from './agent/container-driver.js'
import {cleanupOrphans, ProcessDriver} from './agent/process-driver.js'
import {registerAutoScalingProviders, ServiceAutoScaler} from './cloudformation/providers/autoscaling.js'
import {registerElbv2Providers} from './cloudformation/providers/elbv2.js'
import {registerMessagingProviders} from './cloudformation/providers/messaging.js'
import {registerRecordedProviders} from './cloudformation/providers/recorded.js'
import {registerLambdaProviders} from './cloudformation/providers/lambda.js'
import {LambdaFunctions} from './lambda/functions.js'
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
import {TaggingService} from './tagging/index.js'
import {localCapacity} from './local-capacity.js'
import {TaskMetrics} from './agent/metrics.js'
import {startDataServices} from './data-services.js'
import type {RecordStore} from './cloudformation/providers/records.js'
import type {RoleRecord} from './sts/index.js'

export interface LocalControlPlane extends ControlPlane {
  ecs: Ecs
  /** The driver that runs tasks: "container (podman)", "container (docker)" or "process". */
  driver: string
}

export interface LocalControlPlaneOptions extends ControlPlaneOptions {
  /** Capacity the tasks share, in CPU units and MiB (default: PIER_LOCAL_CPU and PIER_LOCAL_MEMORY, else
   * 1024 units per core and all memory). */
  capacity?: {cpu: number; memory: number}
  /** auto (default: PIER_LOCAL_DRIVER, else auto), container or process (src/local/agent/choice.ts). */
  driver?: DriverChoice
}

export async function startLocalControlPlane(opts: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  // Asking the engines takes a moment (podman info: 0.3-3 s): it runs while the rest starts.
  const choice = opts.driver ?? parseDriverChoice(process.env.PIER_LOCAL_DRIVER)
  const chosen = chooseDriver(choice, join(opts.stateDir, 'agent'))
  chosen.catch(() => undefined)
  const cp = await createControlPlane(opts)
  try {
    return await assemble(cp, opts, await chosen)
  } catch (err) {
    await cp.close()
    throw err
  }
}

async function assemble(cp: ControlPlane, opts: LocalControlPlaneOptions, chosen: ChosenDriver): Promise<LocalControlPlane> {
  const {stateDir, region, accountId} = cp
  // Hooks run latest first on close: what is registered first closes last.
  let driver: ProcessDriver | ContainerDriver | undefined
  // ECS registers Pier's services (A records) with a task's address only: the names answer on the
  // task's container ports through the driver's bindings.
  const discovery = new LocalDiscovery({stateDir, region, accountId, portsOf: (taskId) => driver?.portBindings(taskId) ?? []})
  discovery.onChange(() => driver?.refreshHosts())
  cp.onClose(() => discovery.close())
  const elb = await createLoadBalancing({stateDir, region, accountId})
  cp.onClose(() => elb.close())
  cp.register({query: [elb.service]})

  // Databases and caches stacks made run again before tasks that use them start.
  const data = await startDataServices(cp, opts.log)
  // Tasks a crashed control plane left behind are killed before anything starts new ones.
  const orphans = cleanupOrphans(stateDir)
  if (orphans.length > 0) opts.log?.(`stopped ${orphans.length} task processes left by a previous run`)
  const relay = createAgentRelay()
  const exec = installExec(cp, {driver: () => driver!})
  const common = {
    stateDir,
    listener: exec.broker.trackTasks(relay),
    hostsFile: () => discovery.hostsFor(),
    region,
    // AWS SDKs inside tasks reach this control plane, as task roles reach AWS.
    environment: {AWS_ENDPOINT_URL: cp.endpoint, AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY},
  }
  if (chosen.kind === 'container') {
    const removed = await ContainerDriver.cleanupOrphans({stateDir, engine: chosen.engine})
    if (removed.length > 0) opts.log?.(`removed ${removed.length} containers left by a previous run`)
    driver = new ContainerDriver({...common, engine: chosen.engine, log: opts.log})
  } else driver = new ProcessDriver(common)
  opts.log?.(`tasks run with the ${driverLabel(chosen)} driver (${chosen.why})`)
  const taskDriver = driver
  const ecs = createEcs({stateDir, driver: taskDriver, secrets: cp.secrets, logs: cp.logs, targets: elb, discovery, exec: exec.broker, region, accountId,
    capacity: opts.capacity ?? localCapacity()})
  relay.attach(ecs.listener)
  cp.register({json: [ecs.service, new TaggingService([() => ecs.taggedResources()])]})
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
  cp.useRoles((arn) => roleOf(records, arn))
  const ec2 = createEc2({records, region, accountId})
  cp.register({query: [ec2.service], json: [new AcmService(stateDir, {region, accountId})]})
  // Templates over the inline limit come as a TemplateURL into the local S3.
  const cfn = createCloudFormation({stateDir, api: cp.api, region, accountId, providers: {records}, fetchTemplate: (url) => cp.s3.fetchTemplate(url),
    roles: (arn) => roleOf(records, arn)})
  registerElbv2Providers(cfn.registry, elb)
  registerDiscoveryProviders(cfn.registry, discovery)
  registerWorkflowProviders(cfn.registry, workflows)
  registerMessagingProviders(cfn.registry, messaging)
  registerAutoScalingProviders(cfn.registry, scaler)
  registerRecordedProviders(cfn.registry, {stateDir})
  data.registerProviders(cfn.registry)
  // After the recorded-only types: Lambda functions with a Node.js runtime run, and so do the
  // custom resources they back, their handlers calling this endpoint.
  const functions = new LambdaFunctions(join(stateDir, 'lambda'), {region, accountId, endpoint: () => cp.endpoint, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  registerLambdaProviders(cfn.registry, {
    functions,
    readObject: (bucket, key) => {
      const object = cp.s3.store.bucket(bucket)?.objects[key]
      return object ? cp.s3.store.read(object) : undefined
    },
    log: (group, stream, line) => cp.logs.append(group, stream, [{timestamp: Date.now(), message: line}], {create: true}),
  })
  cp.register({query: [cfn.service]})
  cp.onClose(() => cfn.close())
  return Object.assign(cp, {ecs, driver: driverLabel(chosen)})
}

/** A role that a stack created, as STS needs it for AssumeRole. */
function roleOf(records: RecordStore, arn: string): RoleRecord | undefined {
  const rec = records.get('role', arn.slice(arn.lastIndexOf('/') + 1))
  if (!rec || rec.Arn !== arn) return undefined
  const props = (rec.props ?? {}) as Record<string, unknown>
  return {arn, roleId: String(rec.RoleId), trustPolicy: props.AssumeRolePolicyDocument, ...(props.MaxSessionDuration !== undefined ? {maxSessionDuration: Number(props.MaxSessionDuration)} : {})}
}
