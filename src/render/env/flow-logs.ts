// VPC flow logs (`network.vpc.flow_logs`) into a CloudWatch log group of the environment.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {assumeRolePolicy, getAtt, ref, type TemplateBuilder} from '../template.js'
import type {NetworkRefs} from './network.js'

export function renderFlowLogs(t: TemplateBuilder, app: string, env: string, manifest: EnvironmentManifest, net: NetworkRefs): void {
  const flow = manifest.network?.vpc?.flow_logs
  if (!flow) return
  const retention = typeof flow === 'object' && flow.retention ? flow.retention : 14
  t.resource('FlowLogsGroup', 'AWS::Logs::LogGroup', 'Log group of the VPC flow logs', {
    LogGroupName: `/copilot/${app}-${env}-vpc-flow-logs`,
    RetentionInDays: retention,
  })
  t.resource('FlowLogsRole', 'AWS::IAM::Role', 'Role the VPC flow logs are delivered with', {
    AssumeRolePolicyDocument: assumeRolePolicy('vpc-flow-logs.amazonaws.com'),
    Policies: [{
      PolicyName: 'DeliverFlowLogs',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
          Resource: getAtt('FlowLogsGroup', 'Arn'),
        }],
      },
    }],
  })
  t.resource('FlowLog', 'AWS::EC2::FlowLog', 'Flow logs of the VPC', {
    ResourceId: net.vpcId,
    ResourceType: 'VPC',
    TrafficType: 'ALL',
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: ref('FlowLogsGroup'),
    DeliverLogsPermissionArn: getAtt('FlowLogsRole', 'Arn'),
  })
}
