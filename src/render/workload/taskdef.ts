// The task definition: Fargate, awsvpc, task size, platform, storage, volumes, the containers.

import type {Platform, Volume} from '../../manifest/types.js'
import {RenderError} from '../errors.js'
import {compact, getAtt, importValue, type Json} from '../template.js'
import type {WorkloadContext} from './context.js'
import {managedVolumeName, renderManagedEfs, usesManagedEfs} from './efs.js'

export function runtimePlatform(platform: Platform | undefined): Json | undefined {
  if (!platform) return undefined
  if (typeof platform === 'object') {
    return {OperatingSystemFamily: platform.osfamily.toUpperCase(), CpuArchitecture: platform.architecture.toUpperCase()}
  }
  const [os, arch] = platform.toLowerCase().split('/')
  const cpu = arch === 'arm64' || arch === 'arm' ? 'ARM64' : arch === 'x86_64' || arch === 'amd64' ? 'X86_64' : undefined
  if (!cpu || (os !== 'linux' && os !== 'windows')) {
    throw new RenderError(`platform "${platform}" is not supported: use linux/x86_64, linux/arm64 or windows/x86_64`)
  }
  return {OperatingSystemFamily: os === 'linux' ? 'LINUX' : 'WINDOWS_SERVER_2019_CORE', CpuArchitecture: cpu}
}

function volume(ctx: WorkloadContext, name: string, v: Volume, managed: string | undefined): Json {
  if (!v.efs) return {Name: name}
  if (usesManagedEfs(v)) {
    if (name !== managed) {
      throw new RenderError(`storage.volumes.${name}.efs: only one volume per workload can use the environment's file system (${managed} does): give the others an efs.id`)
    }
    return renderManagedEfs(ctx, name, v)
  }
  const efs = v.efs as Exclude<Volume['efs'], boolean | undefined>
  return {
    Name: name,
    EFSVolumeConfiguration: compact({
      FilesystemId: typeof efs.id === 'object' ? importValue(efs.id.from_cfn) : efs.id,
      // As Copilot rendered it: the root directory defaults to "/", IAM authorization only with `auth.iam: true`.
      RootDirectory: efs.root_dir ?? '/',
      TransitEncryption: 'ENABLED',
      AuthorizationConfig: compact({AccessPointId: efs.auth?.access_point_id, IAM: efs.auth?.iam === true ? 'ENABLED' : 'DISABLED'}),
    }),
  }
}

export function taskDefinitionProperties(ctx: WorkloadContext, containers: Json[]): Json {
  const m = ctx.manifest
  const volumes = m.storage?.volumes ?? {}
  const ephemeral = m.storage?.ephemeral
  return compact({
    Family: `${ctx.app}-${ctx.env}-${ctx.name}`,
    Cpu: String(m.cpu ?? 256),
    Memory: String(m.memory ?? 512),
    NetworkMode: 'awsvpc',
    RequiresCompatibilities: ['FARGATE'],
    ExecutionRoleArn: getAtt('ExecutionRole', 'Arn'),
    TaskRoleArn: getAtt('TaskRole', 'Arn'),
    RuntimePlatform: runtimePlatform(m.platform),
    EphemeralStorage: ephemeral && ephemeral > 20 ? {SizeInGiB: ephemeral} : undefined,
    Volumes: Object.keys(volumes).length ? Object.keys(volumes).sort().map((n) => volume(ctx, n, volumes[n]!, managedVolumeName(volumes))) : undefined,
    ContainerDefinitions: containers,
  })
}
