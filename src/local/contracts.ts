// Contracts between the parts of the local control plane. Each part is built and tested on its own
// against these interfaces; `control-plane.ts` composes them into one process behind one port.
//
//   frontend ──► JsonService / QueryService (ECS, SSM, Secrets Manager, Logs, STS, KMS, CloudFormation, ELBv2) / RestService (S3)
//   ECS service ──► cluster manager ──► capacity manager ──► agent (TaskDriver)
//   cluster manager ──► SecretResolver (SSM, Secrets Manager), LogSink (Logs),
//                       TargetRegistry (load balancer), DiscoveryRegistry (Cloud Map), ExecSessions (exec broker)
//   CloudFormation providers ──► the same services in process (LocalApi), never over HTTP.

import type {JsonService, QueryService, RequestContext, RestService} from './frontend/types.js'

/** Fixed identity of the local control plane. Documented; any AWS client can use it. */
export const LOCAL_REGION = 'us-east-1'
export const LOCAL_ACCOUNT_ID = '000000000000'
export const LOCAL_ACCESS_KEY_ID = 'PIERLOCALACCESSKEY00'
export const LOCAL_SECRET_ACCESS_KEY = 'pier-local-secret-access-key'
export const DEFAULT_LOCAL_PORT = 4566

/** What `pier local status --json` prints, and what `<stateDir>/control-plane.json` holds while it runs. */
export interface LocalStatus {
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  stateDir: string
  pid: number
  port: number
  startedAt: string
  /** What runs tasks: "container (podman)", "container (docker)" or "process". */
  driver?: string
}

/** Resolves an ECS secret `valueFrom` (SSM parameter name or ARN, Secrets Manager ARN or name, with an
 * optional `:json-key:version-stage:version-id` suffix) to its value. Throws ServiceError('ResourceNotFoundException'
 * or 'ParameterNotFound') when it does not exist. */
export interface SecretResolver {
  resolve(valueFrom: string): Promise<string>
}

/** Destination of task output: CloudWatch Logs groups and streams. Creates the stream when missing
 * (the awslogs driver does), fails silently never: an unknown group is created when `create` is true. */
export interface LogSink {
  append(group: string, stream: string, events: {timestamp: number; message: string}[], opts?: {create?: boolean}): void
}

export interface TargetDescription {
  /** IP address (target type ip) the task is reachable on. */
  id: string
  port: number
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable'

/** The load balancer's target groups, as the ECS service scheduler uses them (ECS registers a service's
 * tasks itself, like on AWS). */
export interface TargetRegistry {
  register(targetGroupArn: string, targets: TargetDescription[]): Promise<void>
  /** Resolves when draining is over (the target group's deregistration delay, capped for local use). */
  deregister(targetGroupArn: string, targets: TargetDescription[]): Promise<void>
  health(targetGroupArn: string): {target: TargetDescription; state: TargetHealthState; reason?: string}[]
  /** Whether the target group exists (ECS rejects a service pointing at a missing one). */
  exists(targetGroupArn: string): boolean
  /** Calls `listener` when a target's health changes (lets the scheduler react at once, not at its next
   * tick); returns a function that stops listening. */
  onHealthChange?(listener: () => void): () => void
}

/** Cloud Map: ECS registers each task of a service that has `serviceRegistries`. */
export interface DiscoveryRegistry {
  /**
   * `ip`/`port`: where the instance really listens (127.0.0.1 and the task's host port locally).
   * `containerPort` (optional, added for the local registry): the port clients use with the discovery
   * name, i.e. the serviceRegistries port; the local forwarder listens there. Defaults to `port`.
   */
  registerInstance(serviceRegistryArn: string, instanceId: string, address: {ip: string; port?: number; containerPort?: number}): Promise<void>
  deregisterInstance(serviceRegistryArn: string, instanceId: string): Promise<void>
  /** The hosts-file lines a task should see (name → loopback address) so discovery names resolve. */
  hostsFor(namespaceNames?: string[]): string
}

/** The exec broker: ECS ExecuteCommand asks it for a session bound to one task and container. */
export interface ExecSessions {
  createSession(req: {taskArn: string; taskId: string; container: string; command: string; interactive: boolean}): Promise<{
    sessionId: string
    streamUrl: string
    tokenValue: string
  }>
}

/** In-process access to the services behind the frontend, for CloudFormation providers and for the
 * cluster manager. Same operations and shapes as the wire API (JSON input for JSON services, the
 * decoded object for query services). */
export interface LocalApi {
  json(targetPrefix: string, operation: string, input: Record<string, unknown>): Promise<any>
  context(): RequestContext
}

/** Everything registered behind the frontend's one port. */
export interface ServiceSet {
  json: JsonService[]
  query: QueryService[]
  /** REST services addressed by their signing name (S3). */
  rest: RestService[]
}
