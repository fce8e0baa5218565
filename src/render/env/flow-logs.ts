// VPC flow logs (`network.vpc.flow_logs`) into a CloudWatch log group of the environment, with
// Copilot's logical IDs and log group name: a flow log cannot change any property without being
// replaced, and its log group holds the traffic records already collected.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {getAtt, join, ref, sub, type TemplateBuilder} from '../template.js'
import type {NetworkRefs} from './network.js'

export function renderFlowLogs(t: TemplateBuilder, manifest: EnvironmentManifest, net: NetworkRefs): void {
  const flow = manifest.network?.vpc?.flow_logs
  if (!flow) return
  const retention = typeof flow === 'object' && flow.retention ? flow.retention : 14
  t.resource('VpcFlowLogGroup', 'AWS::Logs::LogGroup', `Log group of the VPC flow logs, kept ${retention} days`, {
    LogGroupName: join('-', [ref('AppName'), ref('EnvironmentName'), 'FlowLogs']),
    RetentionInDays: retention,
  })
  t.resource('FlowLog', 'AWS::EC2::FlowLog', 'Flow logs of the VPC', {
    DeliverLogsPermissionArn: getAtt('FlowLogRole', 'Arn'),
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: ref('VpcFlowLogGroup'),
    MaxAggregationInterval: 60,
    ResourceId: net.vpcId,
    ResourceType: 'VPC',
    TrafficType: 'ALL',
  })
  t.resource('FlowLogRole', 'AWS::IAM::Role', 'Role the VPC flow logs are delivered with', {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: {Service: 'vpc-flow-logs.amazonaws.com'},
        Action: 'sts:AssumeRole',
        // Only flow logs of this account may deliver with it (the confused-deputy guard).
        Condition: {StringEquals: {'aws:SourceAccount': ref('AWS::AccountId')}, ArnLike: {'aws:SourceArn': sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*')}},
      }],
    },
    Policies: [{
      PolicyName: 'DeliverFlowLogs',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
          Resource: getAtt('VpcFlowLogGroup', 'Arn'),
        }],
      },
    }],
  })
}
