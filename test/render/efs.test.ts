// Volumes on the environment's EFS file system (`efs: true`), rendered as Copilot did: the environment
// creates the file system while a workload needs it; the workload gets an access point and may mount it.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import {environmentNeeds, renderEnvironmentStack} from '../../src/render/index.js'
import {crc32} from '../../src/render/workload/efs.js'
import {checkTemplate} from './check-template.js'
import {APP, defaultEnv, importedEnv, web, webInputs} from './fixtures.js'
import {render} from './helpers.js'

const withEfs = (efs: true | {uid?: number; gid?: number}): LoadBalancedWebService => ({...web, storage: {volumes: {data: {path: '/data', read_only: false, efs}}}}) as LoadBalancedWebService

describe('managed EFS in the workload stack', () => {
  it('creates an access point in a directory named after the workload, uid/gid the CRC-32 of its name', () => {
    const s = render(withEfs(true), webInputs)
    const ap = s.template.Resources.AccessPoint
    expect(ap.Type).toBe('AWS::EFS::AccessPoint')
    const id = String(crc32(web.name))
    expect(ap.Properties.PosixUser).toEqual({Uid: id, Gid: id})
    expect(ap.Properties.RootDirectory).toEqual({Path: `/${web.name}`, CreationInfo: {OwnerUid: id, OwnerGid: id, Permissions: '0755'}})
    expect(ap.Properties.FileSystemId).toEqual({'Fn::ImportValue': `${APP}-test-FilesystemID`})
    const volume = s.template.Resources.TaskDefinition.Properties.Volumes[0]
    expect(volume).toEqual({Name: 'data', EFSVolumeConfiguration: {FilesystemId: {'Fn::ImportValue': `${APP}-test-FilesystemID`}, RootDirectory: '/', TransitEncryption: 'ENABLED', AuthorizationConfig: {AccessPointId: {Ref: 'AccessPoint'}, IAM: 'ENABLED'}}})
    const statements = s.template.Resources.TaskRole.Properties.Policies.find((p: any) => p.PolicyName === 'TaskPermissions').PolicyDocument.Statement
    expect(statements.find((x: any) => x.Sid === 'GrantAccessCopilotManagedEFS').Condition.StringEquals['elasticfilesystem:AccessPointArn']).toEqual({'Fn::GetAtt': ['AccessPoint', 'Arn']})
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
  })

  it('takes uid and gid from the manifest, one for both when only one is given', () => {
    expect(render(withEfs({uid: 1000, gid: 2000}), webInputs).template.Resources.AccessPoint.Properties.PosixUser).toEqual({Uid: '1000', Gid: '2000'})
    expect(render(withEfs({uid: 1000}), webInputs).template.Resources.AccessPoint.Properties.PosixUser).toEqual({Uid: '1000', Gid: '1000'})
  })

  it('CRC-32 is the IEEE checksum', () => {
    expect(crc32('123456789')).toBe(0xcbf43926)
  })
})

describe('managed EFS in the environment stack', () => {
  it('is created only while a workload needs it, with mount targets in the private subnets', () => {
    const needs = environmentNeeds([{name: web.name, manifest: withEfs(true)}])
    expect(needs.efs).toEqual([web.name])
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs})
    expect(s.parameters.EFSWorkloads).toBe(web.name)
    expect(s.template.Conditions.CreateEFS).toEqual({'Fn::Not': [{'Fn::Equals': [{Ref: 'EFSWorkloads'}, '']}]})
    for (const id of ['FileSystem', 'EFSSecurityGroup', 'EFSSecurityGroupIngressFromEnvironment', 'MountTarget1', 'MountTarget2']) {
      expect(s.template.Resources[id].Condition).toBe('CreateEFS')
    }
    expect(s.template.Resources.MountTarget1.Properties.SubnetId).toEqual({Ref: 'PrivateSubnet1'})
    expect(s.template.Outputs.ManagedFileSystemID.Export.Name).toBe(`${APP}-test-FilesystemID`)
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    const none = renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs: environmentNeeds([])})
    expect(none.parameters.EFSWorkloads).toBe('')
  })

  it('mounts in an imported VPC’s subnets', () => {
    const s = renderEnvironmentStack({app: APP, env: 'test', manifest: importedEnv, needs: {publicAlb: [], internalAlb: [], nat: [], efs: ['web']}})
    expect(s.template.Resources.EFSSecurityGroup.Properties.VpcId).toBe(importedEnv.network!.vpc!.id)
    expect(s.template.Resources.MountTarget1.Properties.SubnetId).toMatch(/^subnet-/)
  })
})

describe('volumes on an existing file system (efs.id), as Copilot rendered them', () => {
  const withVolumes = (volumes: Record<string, unknown>): LoadBalancedWebService => ({...web, storage: {volumes}}) as LoadBalancedWebService
  const statementsOf = (s: ReturnType<typeof render>) => s.template.Resources.TaskRole.Properties.Policies.find((p: any) => p.PolicyName === 'TaskPermissions').PolicyDocument.Statement as any[]

  it('mounts with root "/" and IAM authorization off unless auth.iam is true; the task role may mount, and write only when not read-only', () => {
    const s = render(withVolumes({
      a: {path: '/a', efs: {id: 'fs-1'}},
      b: {path: '/b', read_only: false, efs: {id: 'fs-2', root_dir: '/srv', auth: {iam: true}}},
      c: {path: '/c', efs: {id: {from_cfn: 'shared-fs'}, auth: {access_point_id: 'fsap-9'}}},
    }), webInputs)
    const volumes = s.template.Resources.TaskDefinition.Properties.Volumes
    expect(volumes.map((v: any) => v.EFSVolumeConfiguration)).toEqual([
      {FilesystemId: 'fs-1', RootDirectory: '/', TransitEncryption: 'ENABLED', AuthorizationConfig: {IAM: 'DISABLED'}},
      {FilesystemId: 'fs-2', RootDirectory: '/srv', TransitEncryption: 'ENABLED', AuthorizationConfig: {IAM: 'ENABLED'}},
      {FilesystemId: {'Fn::ImportValue': 'shared-fs'}, RootDirectory: '/', TransitEncryption: 'ENABLED', AuthorizationConfig: {AccessPointId: 'fsap-9', IAM: 'DISABLED'}},
    ])
    const grants = statementsOf(s).filter((x) => String(x.Sid).startsWith('GrantEFSAccess'))
    const arn = 'arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}'
    expect(grants).toEqual([
      {Sid: 'GrantEFSAccess0', Effect: 'Allow', Action: ['elasticfilesystem:ClientMount'], Resource: [{'Fn::Sub': `${arn}:file-system/fs-1`}]},
      {Sid: 'GrantEFSAccess1', Effect: 'Allow', Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'], Resource: [{'Fn::Sub': `${arn}:file-system/fs-2`}]},
      {Sid: 'GrantEFSAccess2', Effect: 'Allow', Action: ['elasticfilesystem:ClientMount'],
        Condition: {StringEquals: {'elasticfilesystem:AccessPointArn': {'Fn::Sub': `${arn}:access-point/fsap-9`}}},
        Resource: [{'Fn::Join': ['/', [{'Fn::Sub': `${arn}:file-system`}, {'Fn::ImportValue': 'shared-fs'}]]}]},
    ])
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
  })

  it('grants nothing for the environment’s file system beyond its own statement, nor for bind mounts', () => {
    const s = render(withVolumes({scratch: {path: '/tmp/x'}, data: {path: '/data', efs: true}}), webInputs)
    expect(statementsOf(s).filter((x) => String(x.Sid).startsWith('GrantEFSAccess'))).toEqual([])
  })
})
