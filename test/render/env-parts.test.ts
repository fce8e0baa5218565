// Parts of the environment stack: which lazily created parts the workloads need, and VPC flow logs.
import {describe, expect, it} from 'vitest'

import type {EnvironmentManifest, WorkloadManifest} from '../../src/manifest/types.js'
import {environmentNeeds, renderEnvironmentStack} from '../../src/render/index.js'
import {APP, defaultEnv} from './fixtures.js'

const w = (name: string, manifest: Record<string, unknown>) => ({name, manifest: {name, ...manifest} as unknown as WorkloadManifest})
const renderEnv = (manifest: EnvironmentManifest) => renderEnvironmentStack({app: APP, env: manifest.name, manifest, needs: {publicAlb: [], internalAlb: [], nat: []}})

describe('environmentNeeds', () => {
  it('sorts every list, and gathers the public aliases once each', () => {
    const needs = environmentNeeds([
      w('zeta', {type: 'Load Balanced Web Service', http: {path: '/', alias: ['b.example.com', {name: 'a.example.com'}]}, network: {vpc: {placement: 'private'}}, storage: {volumes: {d: {path: '/d', efs: true}}}}),
      w('alpha', {type: 'Load Balanced Web Service', http: {path: '/', alias: 'b.example.com'}, network: {vpc: {placement: 'private'}}, storage: {volumes: {d: {path: '/d', efs: true}}}}),
      w('mid', {type: 'Backend Service', http: {path: '/'}}),
      w('api', {type: 'Backend Service', http: {path: '/'}}),
    ])
    expect(needs).toEqual({publicAlb: ['alpha', 'zeta'], internalAlb: ['api', 'mid'], nat: ['alpha', 'zeta'], efs: ['alpha', 'zeta'], aliases: ['a.example.com', 'b.example.com']})
  })

  it('leaves out imported load balancers, private web services\' aliases, and what App Runner and S3 serve', () => {
    const needs = environmentNeeds([
      w('imported', {type: 'Load Balanced Web Service', http: {path: '/', alb: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1', alias: 'x.example.com'}}),
      w('private', {type: 'Load Balanced Web Service', http: {path: '/', private: true, alias: 'p.example.com'}}),
      w('backend-imported', {type: 'Backend Service', http: {path: '/', alb: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/y/1'}}),
      w('plain', {type: 'Backend Service'}),
      w('rdws', {type: 'Request-Driven Web Service', network: {vpc: {placement: 'private'}}, storage: {volumes: {d: {path: '/d', efs: true}}}}),
      w('site', {type: 'Static Site', network: {vpc: {placement: 'private'}}}),
      w('worker', {type: 'Worker Service', network: {vpc: {placement: 'private'}}}),
    ])
    expect(needs).toEqual({publicAlb: [], internalAlb: ['private'], nat: ['worker'], efs: []})
  })
})

describe('VPC flow logs', () => {
  it('deliver to a log group kept 14 days by default, with a role only this account\'s flow logs may take', () => {
    const r = renderEnv({...defaultEnv, network: {vpc: {flow_logs: true}}}).template.Resources
    expect(r.VpcFlowLogGroup).toMatchObject({Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: {'Fn::Join': ['-', [{Ref: 'AppName'}, {Ref: 'EnvironmentName'}, 'FlowLogs']]}, RetentionInDays: 14}})
    expect(r.VpcFlowLogGroup.Metadata).toEqual({'aws:copilot:description': 'Log group of the VPC flow logs, kept 14 days'})
    expect(r.FlowLog.Metadata).toEqual({'aws:copilot:description': 'Flow logs of the VPC'})
    expect(r.FlowLogRole.Metadata).toEqual({'aws:copilot:description': 'Role the VPC flow logs are delivered with'})
    expect(r.FlowLogRole.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: {Service: 'vpc-flow-logs.amazonaws.com'},
        Action: 'sts:AssumeRole',
        Condition: {StringEquals: {'aws:SourceAccount': {Ref: 'AWS::AccountId'}}, ArnLike: {'aws:SourceArn': {'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*'}}},
      }],
    })
    expect(r.FlowLogRole.Properties.Policies).toEqual([{
      PolicyName: 'DeliverFlowLogs',
      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'], Resource: {'Fn::GetAtt': ['VpcFlowLogGroup', 'Arn']}}]},
    }])
  })

  it('keep the retention given, and none without flow_logs or with flow_logs: false', () => {
    expect(renderEnv({...defaultEnv, network: {vpc: {flow_logs: {retention: 30}}}}).template.Resources.VpcFlowLogGroup.Properties.RetentionInDays).toBe(30)
    expect(renderEnv({...defaultEnv, network: {vpc: {flow_logs: {}}}} as EnvironmentManifest).template.Resources.VpcFlowLogGroup.Properties.RetentionInDays).toBe(14)
    expect(renderEnv({...defaultEnv, network: {vpc: {flow_logs: false}}}).template.Resources.FlowLog).toBeUndefined()
    expect(renderEnv({...defaultEnv, network: {}} as EnvironmentManifest).template.Resources.FlowLog).toBeUndefined()
  })
})
