// The cluster manager's records (the store of record) and their crash-safe persistence. Records keep
// ECS's field names so the API layer shapes them with little work. Times are epoch milliseconds.

import {join} from 'node:path'
import {JsonDocument} from '../store/json-file.js'
import type {NetworkBinding, StopCode} from '../agent/types.js'

export interface Tag {
  key: string
  value: string
}

export interface StrategyItem {
  capacityProvider: string
  weight?: number
  base?: number
}

export interface ClusterRecord {
  clusterArn: string
  clusterName: string
  status: 'ACTIVE' | 'INACTIVE'
  capacityProviders: string[]
  defaultCapacityProviderStrategy: StrategyItem[]
  settings: {name: string; value: string}[]
  configuration?: Record<string, unknown>
  serviceConnectDefaults?: Record<string, unknown>
  tags: Tag[]
  createdAt: number
}

export interface TaskDefinitionRecord {
  taskDefinitionArn: string
  family: string
  revision: number
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS'
  /** The registered definition (containerDefinitions, cpu, memory, networkMode, roles, volumes...). */
  body: Record<string, any>
  cpu?: number
  memory?: number
  registeredAt: number
  deregisteredAt?: number
  tags: Tag[]
}

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED'

export interface ContainerRecord {
  containerArn: string
  name: string
  image: string
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED'
  runtimeId?: string
  exitCode?: number
  reason?: string
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'
  networkBindings: NetworkBinding[]
  cpu?: string
  memory?: string
  memoryReservation?: string
  essential: boolean
  /** The task definition gives the container a health check (task health then waits for it). */
  hasHealthCheck?: boolean
}

export interface TaskRecord {
  taskArn: string
  taskId: string
  clusterArn: string
  taskDefinitionArn: string
  family: string
  cpu: number
  memory: number
  launchType?: 'FARGATE'
  /** Set when the task was placed through a capacity provider strategy. */
  capacityProviderName?: string
  lastStatus: TaskStatus
  desiredStatus: 'RUNNING' | 'STOPPED'
  createdAt: number
  startedAt?: number
  pullStartedAt?: number
  pullStoppedAt?: number
  stoppingAt?: number
  stoppedAt?: number
  executionStoppedAt?: number
  connectivityAt?: number
  startedBy?: string
  group: string
  tags: Tag[]
  overrides: Record<string, any>
  enableExecuteCommand: boolean
  networkConfiguration?: Record<string, any>
  privateIp?: string
  attachmentId: string
  eniId: string
  containers: ContainerRecord[]
  stopCode?: StopCode
  stoppedReason?: string
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'
  serviceArn?: string
  deploymentId?: string
  /** Set (and persisted) before the driver is asked to start the task. */
  launched: boolean
  /** Capacity reserved for the task (it was placed). */
  placed: boolean
  /** Target groups and registries the task was registered in (so stopping can undo it). */
  registeredTargets?: {targetGroupArn: string; id: string; port: number}[]
  registeredInstances?: string[]
  version: number
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'

export interface DeploymentRecord {
  id: string
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE'
  taskDefinition: string
  desiredCount: number
  failedTasks: number
  createdAt: number
  updatedAt: number
  launchType?: 'FARGATE'
  capacityProviderStrategy?: StrategyItem[]
  networkConfiguration?: Record<string, any>
  rolloutState: RolloutState
  rolloutStateReason: string
  /** Set when the circuit breaker stopped launching tasks for this deployment. */
  halted?: boolean
  /** Earliest time the scheduler launches again after failures (throttling). */
  nextLaunchAt?: number
  consecutiveFailures?: number
}

export interface ServiceEvent {
  id: string
  createdAt: number
  message: string
}

export interface ServiceRecord {
  serviceArn: string
  serviceName: string
  clusterArn: string
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE'
  taskDefinition: string
  desiredCount: number
  launchType?: 'FARGATE'
  capacityProviderStrategy?: StrategyItem[]
  platformVersion: string
  deploymentConfiguration: {
    minimumHealthyPercent: number
    maximumPercent: number
    deploymentCircuitBreaker: {enable: boolean; rollback: boolean}
  }
  loadBalancers: {targetGroupArn?: string; containerName?: string; containerPort?: number; loadBalancerName?: string}[]
  serviceRegistries: {registryArn?: string; port?: number; containerName?: string; containerPort?: number}[]
  networkConfiguration?: Record<string, any>
  healthCheckGracePeriodSeconds?: number
  enableExecuteCommand: boolean
  enableECSManagedTags: boolean
  propagateTags: string
  schedulingStrategy: 'REPLICA'
  deployments: DeploymentRecord[]
  events: ServiceEvent[]
  tags: Tag[]
  createdAt: number
  createdBy?: string
  /** Task definition of the last deployment that reached COMPLETED (the circuit breaker rolls back to it). */
  lastGoodTaskDefinition?: string
  lastGoodDeploymentId?: string
  /** When the service was last in steady state and said so (to avoid repeating the event). */
  steadyAnnouncedAt?: number
}

export interface EcsState {
  clusters: Record<string, ClusterRecord>
  taskDefinitions: Record<string, TaskDefinitionRecord>
  /** Last revision number of each family (revisions are never reused). */
  families: Record<string, number>
  tasks: Record<string, TaskRecord>
  services: Record<string, ServiceRecord>
  /** RunTask client tokens → the tasks that call created. */
  clientTokens: Record<string, {at: number; fingerprint: string; taskArns: string[]; failures: unknown[]}>
}

const empty = (): EcsState => ({clusters: {}, taskDefinitions: {}, families: {}, tasks: {}, services: {}, clientTokens: {}})

/** The persisted state. `commit()` writes synchronously (before a client is told "done"); `touch()`
 * batches background changes (driver reports) into one write shortly after. */
export class EcsStore {
  private readonly doc: JsonDocument<EcsState>

  constructor(stateDir: string) {
    this.doc = new JsonDocument<EcsState>(join(stateDir, 'ecs', 'state.json'), empty(), 25)
    this.doc.value = {...empty(), ...this.doc.value}
  }

  get state(): EcsState {
    return this.doc.value
  }

  commit(): void {
    this.doc.save()
  }

  touch(): void {
    this.doc.saveSoon()
  }

  flush(): void {
    this.doc.flush()
  }
}
