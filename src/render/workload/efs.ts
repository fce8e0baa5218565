// EFS volumes managed by the environment (`efs: true`, or `efs: {uid, gid}` without an `id`), as
// Copilot rendered them: the environment stack owns one encrypted file system (created while a
// workload needs it, see env/efs.ts); each workload gets an access point on it, in a directory named
// after the workload, owned by `uid`/`gid` (by default the CRC-32 of the workload's name, as Copilot
// chose), and its task role may mount and write through that access point only.

import type {Volume} from '../../manifest/types.js'
import {ENV_OUTPUTS} from '../names.js'
import {getAtt, importValue, type Json, ref, sub} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'

/** A volume that uses the environment's file system: `efs: true`, or settings without a file system `id`. */
export function usesManagedEfs(v: Volume | undefined): boolean {
  const efs = v?.efs
  return efs === true || (typeof efs === 'object' && efs !== null && efs.id === undefined)
}

/** The managed volume of a workload: Copilot supports one, the first by name. */
export function managedVolumeName(volumes: Record<string, Volume> | undefined): string | undefined {
  return Object.keys(volumes ?? {}).sort().find((n) => usesManagedEfs(volumes![n]))
}

const CRC_TABLE = Array.from({length: 256}, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** CRC-32 (IEEE) of a string's UTF-8 bytes. */
export function crc32(s: string): number {
  let c = 0xffffffff
  for (const b of new TextEncoder().encode(s)) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** Renders the access point; returns the task definition volume for it. */
export function renderManagedEfs(ctx: WorkloadContext, name: string, v: Volume): Json {
  const settings = typeof v.efs === 'object' && v.efs !== null ? v.efs : {}
  const fallback = crc32(ctx.name)
  const uid = settings.uid ?? settings.gid ?? fallback
  const gid = settings.gid ?? settings.uid ?? fallback
  const fileSystem = envImport(ctx, ENV_OUTPUTS.managedFileSystem)
  ctx.t.resource('AccessPoint', 'AWS::EFS::AccessPoint', 'An EFS access point to handle POSIX permissions', {
    ClientToken: sub('${AppName}-${EnvName}-${WorkloadName}'),
    FileSystemId: fileSystem,
    PosixUser: {Uid: String(uid), Gid: String(gid)},
    RootDirectory: {Path: `/${ctx.name}`, CreationInfo: {OwnerUid: String(uid), OwnerGid: String(gid), Permissions: '0755'}},
  })
  return {
    Name: name,
    EFSVolumeConfiguration: {
      FilesystemId: fileSystem,
      RootDirectory: '/',
      TransitEncryption: 'ENABLED',
      AuthorizationConfig: {AccessPointId: ref('AccessPoint'), IAM: 'ENABLED'},
    },
  }
}

/** The task role's statement for the managed file system (Copilot's GrantAccessCopilotManagedEFS). */
export function managedEfsStatement(ctx: WorkloadContext): Json {
  return {
    Sid: 'GrantAccessCopilotManagedEFS',
    Effect: 'Allow',
    Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
    Condition: {StringEquals: {'elasticfilesystem:AccessPointArn': getAtt('AccessPoint', 'Arn')}},
    Resource: [{'Fn::Join': ['/', [sub('arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system'), envImport(ctx, ENV_OUTPUTS.managedFileSystem)]]}],
  }
}

/**
 * The task role's statements for volumes on an existing file system (`efs.id`), as Copilot granted
 * them (its GrantEFSAccess policies): mount, and write when the volume is `read_only: false`; through
 * the access point only when one is named.
 */
export function fileSystemStatements(volumes: Record<string, Volume> | undefined): Json[] {
  const fileSystemArn = 'arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}'
  return Object.keys(volumes ?? {}).sort().flatMap((name) => {
    const v = volumes![name]!
    if (!v.efs || usesManagedEfs(v)) return []
    return [v]
  }).map((v, i) => {
    const efs = v.efs as Exclude<Volume['efs'], boolean | undefined>
    const id = efs.id!
    const accessPoint = efs.auth?.access_point_id
    return {
      Sid: `GrantEFSAccess${i}`,
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', ...(v.read_only === false ? ['elasticfilesystem:ClientWrite'] : [])],
      ...(accessPoint ? {Condition: {StringEquals: {'elasticfilesystem:AccessPointArn': sub(`${fileSystemArn}:access-point/${accessPoint}`)}}} : {}),
      Resource: [typeof id === 'object' ? {'Fn::Join': ['/', [sub(`${fileSystemArn}:file-system`), importValue(id.from_cfn)]]} : sub(`${fileSystemArn}:file-system/${id}`)],
    }
  })
}
