// The cluster manager's records (the store of record) and their crash-safe persistence. Records keep
// ECS's field names so the API layer shapes them with little work. Times are epoch milliseconds.

import {join} from 'node:path'
import {closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync} from 'node:fs'
import {readJsonFile, writeJsonFileAtomic} from '../store/json-file.js'
import type {NetworkBinding, StopCode} from '../agent/types.js'
import {dict} from '../store/dict.js'

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

const empty = (): EcsState => ({clusters: dict(), taskDefinitions: dict(), families: dict(), tasks: dict(), services: dict(), clientTokens: dict()})

type Kind = 'clusters' | 'taskDefinitions' | 'tasks' | 'services' | 'clientTokens'
export type AnyRecord = ClusterRecord | TaskDefinitionRecord | TaskRecord | ServiceRecord

interface JournalEntry {
  k: Kind
  id: string
  v?: unknown
}

/** Journal lines before the state is folded into a new snapshot. */
const COMPACT_AFTER = 20_000

function keyOf(rec: AnyRecord): [Kind, string] {
  if ('taskId' in rec) return ['tasks', rec.taskArn]
  if ('serviceName' in rec) return ['services', rec.serviceArn]
  if ('taskDefinitionArn' in rec) return ['taskDefinitions', rec.taskDefinitionArn]
  return ['clusters', rec.clusterArn]
}

/**
 * The persisted state: a snapshot (`state.json`, replaced atomically) plus a journal of changed records
 * (`state.journal`, one JSON line per record version, appended and fsynced). A change costs the size
 * of the records it touched, not of the whole state. `commit()` writes synchronously (before a client
 * is told "done"); `touch()` batches background changes (driver reports) into one write shortly after.
 * Replaying a journal over a snapshot is idempotent, and a torn last line (a crash mid-write) is skipped.
 */
export class EcsStore {
  readonly state: EcsState
  private readonly snapshotPath: string
  private readonly journalPath: string
  private fd: number
  private lines = 0
  private readonly dirty = new Map<string, JournalEntry>()
  private timer: NodeJS.Timeout | undefined
  private closed = false

  constructor(stateDir: string, private readonly delayMs = 25) {
    const dir = join(stateDir, 'ecs')
    mkdirSync(dir, {recursive: true, mode: 0o700})
    this.snapshotPath = join(dir, 'state.json')
    this.journalPath = join(dir, 'state.journal')
    this.state = {...empty(), ...readJsonFile<Partial<EcsState>>(this.snapshotPath, {})}
    this.replay()
    this.fd = openSync(this.journalPath, 'a', 0o600)
    if (this.lines > 0) this.compact()
  }

  /** Marks records as changed (they are written by the next commit). */
  mark(...records: AnyRecord[]): void {
    for (const rec of records) {
      const [k, id] = keyOf(rec)
      this.dirty.set(`${k}|${id}`, {k, id})
    }
  }

  markToken(token: string): void {
    this.dirty.set(`clientTokens|${token}`, {k: 'clientTokens', id: token})
  }

  /** Removes a record from the state and the disk. */
  remove(kind: Kind, id: string): void {
    delete (this.state[kind] as Record<string, unknown>)[id]
    this.dirty.set(`${kind}|${id}`, {k: kind, id})
  }

  /** Writes the marked records now, durably. */
  commit(...records: AnyRecord[]): void {
    if (this.closed) return
    this.mark(...records)
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.dirty.size === 0) return
    let text = ''
    for (const e of this.dirty.values()) {
      const v = (this.state[e.k] as Record<string, unknown>)[e.id]
      text += JSON.stringify(v === undefined ? {k: e.k, id: e.id} : {k: e.k, id: e.id, v}) + '\n'
    }
    this.lines += this.dirty.size
    this.dirty.clear()
    writeSync(this.fd, text)
    fsyncSync(this.fd)
    if (this.lines >= COMPACT_AFTER) this.compact()
  }

  /** Writes the marked records shortly (batched). */
  touch(...records: AnyRecord[]): void {
    this.mark(...records)
    if (this.timer || this.closed) return
    this.timer = setTimeout(() => this.commit(), this.delayMs)
    this.timer.unref()
  }

  flush(): void {
    this.commit()
  }

  /** Writes what is pending and closes the journal; later changes stay in memory only. */
  close(): void {
    if (this.closed) return
    this.commit()
    this.closed = true
    closeSync(this.fd)
  }

  /** Folds the journal into a new snapshot, then empties the journal. */
  private compact(): void {
    writeJsonFileAtomic(this.snapshotPath, this.state)
    ftruncateSync(this.fd, 0)
    fsyncSync(this.fd)
    this.lines = 0
  }

  private replay(): void {
    let text: string
    try {
      text = readFileSync(this.journalPath, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const line of text.split('\n')) {
      if (!line) continue
      let e: JournalEntry
      try {
        e = JSON.parse(line) as JournalEntry
      } catch {
        continue // a torn write at the moment of a crash
      }
      const table = this.state[e.k] as Record<string, unknown> | undefined
      if (!table) continue
      if (e.v === undefined) delete table[e.id]
      else table[e.id] = e.v
      if (e.k === 'taskDefinitions') {
        const td = e.v as TaskDefinitionRecord | undefined
        if (td) this.state.families[td.family] = Math.max(this.state.families[td.family] ?? 0, td.revision)
      }
      this.lines++
    }
  }
}
