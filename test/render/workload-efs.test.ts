// EFS volumes in the workload stack: the access point's description, the task role's statements for
// the managed and the existing file systems in the order of volume names, and which volume is managed.
import {describe, expect, it} from 'vitest'

import type {BackendService, Volume} from '../../src/manifest/types.js'
import {DESCRIPTION_KEY, RenderError} from '../../src/render/index.js'
import {usesManagedEfs} from '../../src/render/workload/efs.js'
import {render} from './helpers.js'

const api = (volumes: Record<string, Volume>): BackendService => ({name: 'api', type: 'Backend Service', image: {location: 'nginx'}, storage: {volumes}}) as BackendService
const statements = (m: BackendService) =>
  render(m).template.Resources.TaskRole.Properties.Policies.find((p: any) => p.PolicyName === 'TaskPermissions').PolicyDocument.Statement

describe('EFS volumes of a workload', () => {
  it('lets the task role mount and write the managed file system through its access point', () => {
    const s = render(api({data: {path: '/data', efs: true}}))
    expect(s.template.Resources.AccessPoint.Metadata[DESCRIPTION_KEY]).toBe('An EFS access point to handle POSIX permissions')
    expect(statements(api({data: {path: '/data', efs: true}})).find((x: any) => x.Sid === 'GrantAccessCopilotManagedEFS')).toEqual({
      Sid: 'GrantAccessCopilotManagedEFS',
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Condition: {StringEquals: {'elasticfilesystem:AccessPointArn': {'Fn::GetAtt': ['AccessPoint', 'Arn']}}},
      Resource: [{'Fn::Join': ['/', [{'Fn::Sub': 'arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system'}, {'Fn::ImportValue': 'shop-test-FilesystemID'}]]}],
    })
  })

  it('manages the first volume by name and refuses a second, naming both', () => {
    expect(() => render(api({b: {path: '/b', efs: true}, a: {path: '/a', efs: {uid: 1}}}))).toThrow(
      new RenderError("storage.volumes.b.efs: only one volume per workload can use the environment's file system (a does): give the others an efs.id"))
  })

  it('numbers the statements of existing file systems in the order of volume names', () => {
    const sids = statements(api({b: {path: '/b', efs: {id: 'fs-b'}}, a: {path: '/a', efs: {id: 'fs-a'}}})).filter((x: any) => x.Sid.startsWith('GrantEFSAccess'))
    expect(sids.map((x: any) => [x.Sid, x.Resource])).toEqual([
      ['GrantEFSAccess0', [{'Fn::Sub': 'arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/fs-a'}]],
      ['GrantEFSAccess1', [{'Fn::Sub': 'arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/fs-b'}]],
    ])
  })

  it('counts as managed only efs: true or settings without an id', () => {
    expect(usesManagedEfs(undefined)).toBe(false)
    expect(usesManagedEfs({path: '/x', efs: null} as unknown as Volume)).toBe(false)
    expect(usesManagedEfs({path: '/x', efs: false})).toBe(false)
    expect(usesManagedEfs({path: '/x', efs: {uid: 1}})).toBe(true)
    expect(usesManagedEfs({path: '/x', efs: {id: 'fs-1'}})).toBe(false)
  })
})
