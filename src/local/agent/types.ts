// Contracts between the cluster manager and the agent's drivers. The cluster manager hands a driver a
// fully resolved TaskSpec (secrets already resolved into the environment); the driver runs it and
// reports every change through the AgentListener. Times are epoch milliseconds; ECS sizes and
// durations keep ECS's units (CPU units, MiB, seconds).

export interface PortMapping {
  containerPort: number
  protocol?: 'tcp' | 'udp'
  name?: string
}

export interface ContainerHealthCheckSpec {
  /** ECS form: ['CMD-SHELL', 'curl -f http://localhost/'] or ['CMD', 'prog', 'arg']. */
  command: string[]
  interval: number
  timeout: number
  retries: number
  startPeriod: number
}

export interface ContainerSpec {
  name: string
  image: string
  essential: boolean
  command?: string[]
  entryPoint?: string[]
  workingDirectory?: string
  /** Variables and resolved secret values; the driver adds PORT and its own metadata. */
  environment: Record<string, string>
  portMappings: PortMapping[]
  healthCheck?: ContainerHealthCheckSpec
  /** Seconds between SIGTERM and SIGKILL (ECS default 30). */
  stopTimeout?: number
  /**
   * Labels. The process driver reads `pier.build.context` (absolute directory) and
   * `pier.build.dockerfile` (path relative to it, default Dockerfile) to run an image from source.
   */
  dockerLabels?: Record<string, string>
  dependsOn?: {containerName: string; condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY'}[]
  user?: string
  readonlyRootFilesystem?: boolean
  /** ECS ulimits (`nofile`, `nproc`, ...), enforced by the container driver. */
  ulimits?: {name: string; softLimit: number; hardLimit: number}[]
  /** The container's own CPU units and memory (MiB), when the task definition sets them. */
  cpu?: number
  memory?: number
}

export interface TaskSpec {
  taskArn: string
  taskId: string
  clusterArn: string
  /** e.g. 'web:3'. */
  taskDefinition: string
  cpu: number
  memory: number
  containers: ContainerSpec[]
  /** awslogs-style destination for each container, when the task definition configures one. */
  logs?: Record<string, {group: string; streamPrefix: string}>
}

export type StopCode =
  | 'TaskFailedToStart'
  | 'EssentialContainerExited'
  | 'UserInitiated'
  | 'ServiceSchedulerInitiated'
  | 'SpotInterruption'
  | 'TerminationNotice'

export interface NetworkBinding {
  containerPort: number
  hostPort: number
  bindIP: string
  protocol: 'tcp' | 'udp'
}

export interface ContainerReport {
  name: string
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED'
  runtimeId?: string
  exitCode?: number
  reason?: string
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'
  networkBindings: NetworkBinding[]
}

export interface TaskReport {
  taskId: string
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED'
  stopCode?: StopCode
  stoppedReason?: string
  /** Address the task's ports are reachable on (127.0.0.1 for the process driver). */
  privateIp?: string
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'
  containers: ContainerReport[]
  at: number
}

export interface AgentListener {
  onTaskChange(report: TaskReport): void
  onLog(taskId: string, container: string, stream: 'stdout' | 'stderr', line: string, at: number): void
}

/** Handle of a command started inside a running task (ECS Exec). */
export interface ExecProcess {
  write(data: Buffer): void
  closeStdin(): void
  resize(cols: number, rows: number): void
  signal(sig: NodeJS.Signals): void
  onStdout(cb: (data: Buffer) => void): void
  onStderr(cb: (data: Buffer) => void): void
  onExit(cb: (code: number) => void): void
}

export interface TaskDriver {
  readonly name: 'process' | 'container'
  /** Starts a task; resolves once it is launched (RUNNING is reported through the listener). */
  start(spec: TaskSpec): Promise<void>
  /** Stops a task: SIGTERM, then SIGKILL after each container's stopTimeout. */
  stop(taskId: string, stopCode: StopCode, reason: string): Promise<void>
  /**
   * Runs a program with its arguments (`argv`, not a shell line) in a running task's container: in the
   * container's working directory, with the task's environment, in its network.
   */
  exec(taskId: string, container: string, argv: string[], opts: {tty: boolean; cols?: number; rows?: number}): ExecProcess
  /** Stops everything this driver started. */
  shutdown(): Promise<void>
}
