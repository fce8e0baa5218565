// The task's containers: the main container (named after the workload), its sidecars, and the
// FireLens log router when `logging` is set.

import type {Logging, Sidecar, VariableValue} from '../../manifest/types.js'
import {addonOutputs} from '../addons.js'
import {RenderError} from '../errors.js'
import {compact, importValue, type Json, NO_VALUE, pascal, ref, ifCond} from '../template.js'
import {commandList, containerHealthCheck, dependsOn} from './commands.js'
import type {WorkloadContext} from './context.js'
import {containerSecrets, type SecretRef} from './secrets.js'

export const FIRELENS_CONTAINER = 'firelens_log_router'
const FIRELENS_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable'
export const TRACING_CONTAINER = 'aws-otel-collector'
const TRACING_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:latest'

export interface ContainersResult {
  containers: Json[]
  secretRefs: SecretRef[]
  /** Env file parameters (S3 object ARNs) per container, for the execution role. */
  envFileParams: string[]
}

/** In the manifest's order: withDefaults sorts every container's variables by name. */
function variables(vars: Record<string, VariableValue> | undefined): Json[] {
  return Object.keys(vars ?? {}).map((Name) => {
    const v = vars![Name]!
    return {Name, Value: typeof v === 'object' ? importValue(v.from_cfn) : String(v)}
  })
}

/** The workload's variables for a sidecar, with the mount points of the sidecar's own volumes. */
function sidecarEnv(extraEnv: Json[], s: Sidecar): Json[] {
  const env = extraEnv.filter((e) => e.Name !== 'COPILOT_MOUNT_POINTS')
  const mounts = s.mount_points ?? []
  if (mounts.length) env.push({Name: 'COPILOT_MOUNT_POINTS', Value: JSON.stringify(Object.fromEntries(mounts.map((p) => [p.source_volume, p.path])))})
  return env
}

function withDefaults(defaults: Json[], own: Json[]): Json[] | undefined {
  const names = new Set(own.map((e) => e.Name))
  const all = [...defaults.filter((e) => !names.has(e.Name)), ...own].sort((a, b) => (a.Name < b.Name ? -1 : 1))
  return all.length ? all : undefined
}

/** Declares the image parameter of a container and returns its Ref. */
function imageParam(ctx: WorkloadContext, container: string, paramName: string, location: string | undefined): Json {
  const uri = ctx.inputs.images?.[container] ?? location
  if (!uri) {
    throw new RenderError(`container "${container}" of ${ctx.name} is built from source but no image URI was given: build the image first`)
  }
  return ctx.t.parameter(paramName, uri, {description: `Image of the ${container} container`})
}

function envFile(ctx: WorkloadContext, container: string, paramName: string, file: string | undefined, out: string[]): Json[] | undefined {
  if (!file) return undefined
  const cond = `Has${paramName}`
  ctx.t.parameter(paramName, ctx.inputs.envFileArns?.[container] ?? '', {description: `S3 object ARN of the env file of ${container}`})
  ctx.t.condition(cond, {'Fn::Not': [{'Fn::Equals': [ref(paramName), '']}]})
  out.push(paramName)
  return [ifCond(cond, {Type: 's3', Value: ref(paramName)}, NO_VALUE)]
}

function labels(ctx: WorkloadContext, container: string, own: Record<string, string> | undefined): Json | undefined {
  const merged = {...(own ?? {}), ...(ctx.inputs.dockerLabels?.[container] ?? {})}
  return Object.keys(merged).length ? merged : undefined
}

function logConfiguration(logging: Logging | undefined, prefix: string): Json {
  if (!logging) {
    return {
      LogDriver: 'awslogs',
      Options: {'awslogs-group': ref('LogGroup'), 'awslogs-region': ref('AWS::Region'), 'awslogs-stream-prefix': prefix},
    }
  }
  const secretOptions = Object.keys(logging.secretOptions ?? {}).sort()
  return compact({
    LogDriver: 'awsfirelens',
    Options: logging.destination && Object.keys(logging.destination).length ? {...logging.destination} : undefined,
    SecretOptions: secretOptions.length
      ? secretOptions.map((Name) => ({Name, ValueFrom: containerSecrets({[Name]: logging.secretOptions![Name]!}).entries[0]!.ValueFrom}))
      : undefined,
  })
}

export function renderContainers(ctx: WorkloadContext, extraEnv: Json[]): ContainersResult {
  const m = ctx.manifest
  const secretRefs: SecretRef[] = []
  const envFileParams: string[] = []
  // The log driver's secret options are read by the execution role like any other secret.
  secretRefs.push(...containerSecrets(m.logging?.secretOptions).refs)
  const volumes = m.storage?.volumes ?? {}
  const main = containerSecrets(m.secrets)
  secretRefs.push(...main.refs)
  // An addons stack's secrets and other outputs reach the main container, named in upper snake case.
  for (const {output, value} of addonOutputs(ctx.inputs.addons, 'secret')) {
    main.entries.push({Name: output.envName, ValueFrom: value})
    secretRefs.push({valueFrom: value, kind: 'secretsmanager', resource: value})
  }
  const addonVars = addonOutputs(ctx.inputs.addons, 'variable').map(({output, value}) => ({Name: output.envName, Value: value}))
  const image = m.image ?? {}
  if (!image.location && !image.build) throw new RenderError(`${ctx.name} has no image: set image.build or image.location`)
  const port = image.port
  const mainContainer = compact({
    Name: ctx.name,
    Image: imageParam(ctx, ctx.name, 'ContainerImage', image.location),
    Essential: true,
    EntryPoint: commandList(m.entrypoint),
    Command: commandList(m.command),
    PortMappings: port ? [{ContainerPort: port, Protocol: 'tcp', Name: 'target'}] : undefined,
    // A variable of the manifest named like one of Copilot's or an addon output's replaces it: one entry a
    // name, so the order (by name) is fixed and ECS never sees the same name twice.
    Environment: withDefaults([...extraEnv, ...addonVars], variables(m.variables)),
    EnvironmentFiles: envFile(ctx, ctx.name, 'EnvFileARN', m.env_file, envFileParams),
    Secrets: main.entries.length ? main.entries : undefined,
    LogConfiguration: logConfiguration(m.logging, 'copilot'),
    HealthCheck: containerHealthCheck(image.healthcheck, 'image.healthcheck'),
    DependsOn: dependsOn(image.depends_on),
    DockerLabels: labels(ctx, ctx.name, image.labels),
    RepositoryCredentials: image.credentials ? {CredentialsParameter: image.credentials} : undefined,
    ReadonlyRootFilesystem: m.storage?.readonly_fs ? true : undefined,
    MountPoints: Object.keys(volumes).length
      ? Object.keys(volumes).sort().map((name) => ({SourceVolume: name, ContainerPath: volumes[name]!.path, ReadOnly: volumes[name]!.read_only ?? true}))
      : undefined,
  })
  const containers: Json[] = [mainContainer]
  for (const name of Object.keys(m.sidecars ?? {}).sort()) {
    containers.push(renderSidecar(ctx, name, m.sidecars![name]!, secretRefs, envFileParams, extraEnv))
  }
  if (m.logging) containers.push(renderFirelens(ctx, m.logging, secretRefs, envFileParams, extraEnv))
  if (m.observability?.tracing) containers.push(renderTracingCollector(ctx))
  return {containers, secretRefs, envFileParams}
}

function sidecarPort(port: number | string | undefined): Json[] | undefined {
  if (port === undefined) return undefined
  const [p, proto] = String(port).split('/')
  const ContainerPort = Number(p)
  if (!Number.isInteger(ContainerPort)) throw new RenderError(`sidecar port "${port}" is not a port: use a number, optionally with /tcp or /udp`)
  return [{ContainerPort, Protocol: (proto ?? 'tcp').toLowerCase()}]
}

/** Sidecars get the same COPILOT_* variables as the main container, as in Copilot; their own win. */
function renderSidecar(ctx: WorkloadContext, name: string, s: Sidecar, secretRefs: SecretRef[], envFileParams: string[], extraEnv: Json[]): Json {
  const image = typeof s.image === 'string' ? {location: s.image} : (s.image ?? {})
  const secrets = containerSecrets(s.secrets)
  secretRefs.push(...secrets.refs)
  return compact({
    Name: name,
    Image: imageParam(ctx, name, `${pascal(name)}ContainerImage`, image.location),
    Essential: s.essential ?? true,
    EntryPoint: commandList(s.entrypoint),
    Command: commandList(s.command),
    PortMappings: sidecarPort(s.port),
    Environment: withDefaults(sidecarEnv(extraEnv, s), variables(s.variables)),
    EnvironmentFiles: envFile(ctx, name, `${pascal(name)}EnvFileARN`, s.env_file, envFileParams),
    Secrets: secrets.entries.length ? secrets.entries : undefined,
    LogConfiguration: logConfiguration(ctx.manifest.logging, 'copilot'),
    HealthCheck: containerHealthCheck(s.healthcheck, `sidecars.${name}.healthcheck`),
    DependsOn: dependsOn(s.depends_on),
    DockerLabels: labels(ctx, name, s.labels),
    RepositoryCredentials: s.credentialsParameter ? {CredentialsParameter: s.credentialsParameter} : undefined,
    MountPoints: s.mount_points?.map((p) => ({SourceVolume: p.source_volume, ContainerPath: p.path, ReadOnly: p.read_only ?? true})),
  })
}

/** The FireLens log router; like the sidecars, it gets the COPILOT_* variables (its own win), as in Copilot. */
function renderFirelens(ctx: WorkloadContext, logging: Logging, secretRefs: SecretRef[], envFileParams: string[], extraEnv: Json[]): Json {
  const secrets = containerSecrets(logging.secrets)
  secretRefs.push(...secrets.refs)
  const options: Record<string, string> = {'enable-ecs-log-metadata': logging.enableMetadata === false ? 'false' : 'true'}
  if (logging.configFilePath) {
    options['config-file-type'] = 'file'
    options['config-file-value'] = logging.configFilePath
  }
  return compact({
    Name: FIRELENS_CONTAINER,
    Image: logging.image ?? FIRELENS_IMAGE,
    Essential: true,
    Environment: withDefaults(extraEnv.filter((e) => e.Name !== 'COPILOT_MOUNT_POINTS'), variables(logging.variables)),
    EnvironmentFiles: envFile(ctx, FIRELENS_CONTAINER, 'LogRouterEnvFileARN', logging.env_file, envFileParams),
    Secrets: secrets.entries.length ? secrets.entries : undefined,
    FirelensConfiguration: {Type: 'fluentbit', Options: options},
    LogConfiguration: logConfiguration(undefined, 'firelens'),
  })
}

/** `observability.tracing: awsxray`: the OpenTelemetry collector sidecar forwarding traces to X-Ray. */
function renderTracingCollector(ctx: WorkloadContext): Json {
  return {
    Name: TRACING_CONTAINER,
    Image: TRACING_IMAGE,
    Essential: false,
    Command: ['--config=/etc/ecs/ecs-xray.yaml'],
    LogConfiguration: logConfiguration(undefined, 'tracing'),
  }
}
