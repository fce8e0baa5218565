// The environment's EFS file system for `efs: true` volumes, as Copilot rendered it (same logical
// IDs): created while at least one workload needs it (the EFSWorkloads parameter), encrypted, backed
// up, mountable only by tasks whose role carries this application's and environment's tags, with a
// mount target in each private subnet (the public ones when the environment has none).

import {ENV_OUTPUTS, envExport} from '../names.js'
import {join, ref, sub, type TemplateBuilder} from '../template.js'
import type {NetworkRefs} from './network.js'

export const CREATE_EFS = 'CreateEFS'

export function renderManagedFileSystem(t: TemplateBuilder, app: string, env: string, net: NetworkRefs): void {
  t.condition(CREATE_EFS, {'Fn::Not': [{'Fn::Equals': [ref('EFSWorkloads'), '']}]})
  t.resource('FileSystem', 'AWS::EFS::FileSystem', 'An EFS filesystem for persistent task storage', {
    BackupPolicy: {Status: 'ENABLED'},
    Encrypted: true,
    FileSystemPolicy: {
      Version: '2012-10-17',
      Id: 'CopilotEFSPolicy',
      Statement: [
        {
          Sid: 'AllowIAMFromTaggedRoles',
          Effect: 'Allow',
          Principal: {AWS: '*'},
          Action: ['elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientMount'],
          Condition: {
            Bool: {'elasticfilesystem:AccessedViaMountTarget': true},
            StringEquals: {'iam:ResourceTag/copilot-application': sub('${AppName}'), 'iam:ResourceTag/copilot-environment': sub('${EnvironmentName}')},
          },
        },
        {Sid: 'DenyUnencryptedAccess', Effect: 'Deny', Principal: '*', Action: 'elasticfilesystem:*', Condition: {Bool: {'aws:SecureTransport': false}}},
      ],
    },
    LifecyclePolicies: [{TransitionToIA: 'AFTER_30_DAYS'}],
    PerformanceMode: 'generalPurpose',
    ThroughputMode: 'bursting',
  }, {condition: CREATE_EFS})
  t.resource('EFSSecurityGroup', 'AWS::EC2::SecurityGroup', 'A security group to allow your containers to talk to EFS storage', {
    GroupDescription: join('', [ref('AppName'), '-', ref('EnvironmentName'), 'EFSSecurityGroup']),
    VpcId: net.vpcId,
    Tags: [{Key: 'Name', Value: sub('copilot-${AppName}-${EnvironmentName}-efs')}],
  }, {condition: CREATE_EFS})
  t.resource('EFSSecurityGroupIngressFromEnvironment', 'AWS::EC2::SecurityGroupIngress', 'Ingress to EFS from the environment’s tasks', {
    Description: 'Ingress from containers in the Environment Security Group.',
    GroupId: ref('EFSSecurityGroup'),
    IpProtocol: -1,
    SourceSecurityGroupId: ref('EnvironmentSecurityGroup'),
  }, {condition: CREATE_EFS})
  const subnets = net.privateSubnets.length > 0 ? net.privateSubnets : net.publicSubnets
  subnets.forEach((subnet, i) => {
    t.resource(`MountTarget${i + 1}`, 'AWS::EFS::MountTarget', `EFS mount target in subnet ${i + 1}`, {
      FileSystemId: ref('FileSystem'),
      SubnetId: subnet,
      SecurityGroups: [ref('EFSSecurityGroup')],
    }, {condition: CREATE_EFS})
  })
  t.output('ManagedFileSystemID', ref('FileSystem'), {description: 'The ID of the Copilot-managed EFS filesystem.', exportName: envExport(app, env, ENV_OUTPUTS.managedFileSystem), condition: CREATE_EFS})
}
