// The task's two roles: what the execution role may read (secrets, env files) and what the task role
// grants the application's code (tracing, addons' managed policies).
import {describe, expect, it} from 'vitest'

import type {BackendService} from '../../src/manifest/types.js'
import {api} from './fixtures.js'
import {render} from './helpers.js'

const base: BackendService = {...api, secrets: undefined, exec: false, http: undefined} as BackendService
const statementsOf = (role: any, policy: string) => role.Properties.Policies.find((p: any) => p.PolicyName === policy)?.PolicyDocument.Statement

describe('the execution role', () => {
  it('may read each env file once deploy has uploaded it, and locate its bucket once for all', () => {
    const m = {...base, env_file: 'api.env', sidecars: {proxy: {image: 'envoy:1', env_file: 'proxy.env'}}} as BackendService
    const statements = statementsOf(render(m).template.Resources.ExecutionRole, 'ReadSecrets')
    const envFiles = statements.filter((s: any) => s['Fn::If'] || s.Sid === 'LocateEnvFileBuckets')
    expect(envFiles).toEqual([
      {'Fn::If': ['HasEnvFileARN', {Sid: 'ReadEnvFileARN', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [{Ref: 'EnvFileARN'}]}, {Ref: 'AWS::NoValue'}]},
      {'Fn::If': ['HasProxyEnvFileARN', {Sid: 'ReadProxyEnvFileARN', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [{Ref: 'ProxyEnvFileARN'}]}, {Ref: 'AWS::NoValue'}]},
      {Sid: 'LocateEnvFileBuckets', Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [{'Fn::Sub': 'arn:${AWS::Partition}:s3:::*'}]},
    ])
    const none = statementsOf(render(base).template.Resources.ExecutionRole, 'ReadSecrets')
    expect(none.map((s: any) => s.Sid)).toEqual(['ReadCopilotTaggedParameters', 'ReadCopilotTaggedSecrets', 'DecryptSecrets'])
  })

  it('names a secret read by several variables once', () => {
    const m = {...base, secrets: {A: '/shop/db', B: '/shop/db', C: {from_cfn: 'shop-key'}, D: {from_cfn: 'shop-key'}}} as BackendService
    const statements = statementsOf(render(m).template.Resources.ExecutionRole, 'ReadSecrets')
    const ssm = statements.find((s: any) => s.Sid === 'ReadReferencedParameters')
    expect(ssm.Resource).toHaveLength(1)
    expect(statements.find((s: any) => s.Sid === 'ReadImportedSecrets').Resource).toEqual([{'Fn::ImportValue': 'shop-key'}])
  })
})

describe('the task role', () => {
  it('may write traces only with observability.tracing', () => {
    const traced = statementsOf(render({...base, observability: {tracing: 'awsxray'}} as BackendService).template.Resources.TaskRole, 'TaskPermissions')
    expect(traced).toEqual([{Sid: 'Tracing', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*'}])
    expect(statementsOf(render(base).template.Resources.TaskRole, 'TaskPermissions')).toBeUndefined()
  })

  it('gets the managed policies the addons stack outputs, and nothing else of it', () => {
    const addons = {templateUrl: 'https://bucket/addons.yml', parameters: {}, outputs: [
      {name: 'TablePolicy', kind: 'managedPolicy' as const, envName: 'TABLE_POLICY'},
      {name: 'TableName', kind: 'variable' as const, envName: 'TABLE_NAME'},
      {name: 'QueuePolicy', kind: 'managedPolicy' as const, envName: 'QUEUE_POLICY'},
    ]}
    const role = render(base, {addons} as never).template.Resources.TaskRole
    expect(role.Properties.ManagedPolicyArns).toEqual([{'Fn::GetAtt': ['AddonsStack', 'Outputs.TablePolicy']}, {'Fn::GetAtt': ['AddonsStack', 'Outputs.QueuePolicy']}])
    expect(render(base).template.Resources.TaskRole.Properties.ManagedPolicyArns).toBeUndefined()
  })
})
