// The AddonsStack nested stack in workload and environment templates, and where its outputs go.
import {describe, expect, it} from 'vitest'

import type {EcsWorkloadManifest, EnvironmentManifest} from '../../src/manifest/types.js'
import {type AddonsWiring, renderEnvironmentStack, renderWorkloadStack} from '../../src/render/index.js'

const wiring: AddonsWiring = {
  templateUrl: 'https://pier-templates-1-us-east-1.s3.us-east-1.amazonaws.com/shop-test-api/addons/abc.yml',
  parameters: {DiscoveryServiceArn: {'Fn::GetAtt': ['DiscoveryService', 'Arn']}},
  outputs: [
    {name: 'assetsBucketName', kind: 'variable', envName: 'ASSETS_BUCKET_NAME'},
    {name: 'AssetsAccessPolicy', kind: 'managedPolicy', envName: 'ASSETS_ACCESS_POLICY'},
    {name: 'apidbSecret', kind: 'secret', envName: 'APIDB_SECRET'},
    {name: 'apidbSecurityGroup', kind: 'securityGroup', envName: 'APIDB_SECURITY_GROUP'},
  ],
}

const api: EcsWorkloadManifest = {name: 'api', type: 'Backend Service', image: {location: 'nginx', port: 80}, secrets: {TOKEN: '/copilot/shop/test/secrets/token'}}
const att = (o: string) => ({'Fn::GetAtt': ['AddonsStack', `Outputs.${o}`]})

describe('workload addons', () => {
  const stack = renderWorkloadStack({app: 'shop', env: 'test', name: 'api', manifest: api, inputs: {addons: wiring}})
  const r = stack.template.Resources

  it('declares the nested stack with App, Env, Name and the parameters file’s values', () => {
    expect(r.AddonsStack).toMatchObject({
      Type: 'AWS::CloudFormation::Stack',
      Properties: {
        Parameters: {App: {Ref: 'AppName'}, Env: {Ref: 'EnvName'}, Name: {Ref: 'WorkloadName'}, DiscoveryServiceArn: {'Fn::GetAtt': ['DiscoveryService', 'Arn']}},
        TemplateURL: {Ref: 'AddonsTemplateURL'},
      },
    })
    expect(stack.parameters.AddonsTemplateURL).toBe(wiring.templateUrl)
  })

  it('attaches managed policies to the task role and adds security groups to the service', () => {
    expect(r.TaskRole.Properties.ManagedPolicyArns).toEqual([att('AssetsAccessPolicy')])
    expect(r.Service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toContainEqual(att('apidbSecurityGroup'))
  })

  it('injects secrets and variables into the main container, and lets the execution role read the secret', () => {
    const main = r.TaskDefinition.Properties.ContainerDefinitions[0]
    expect(main.Secrets).toContainEqual({Name: 'APIDB_SECRET', ValueFrom: att('apidbSecret')})
    expect(main.Secrets).toContainEqual(expect.objectContaining({Name: 'TOKEN'}))
    expect(main.Environment).toContainEqual({Name: 'ASSETS_BUCKET_NAME', Value: att('assetsBucketName')})
    const statements = r.ExecutionRole.Properties.Policies[0].PolicyDocument.Statement
    expect(statements.find((s: any) => s.Sid === 'ReadReferencedSecrets').Resource).toContainEqual(att('apidbSecret'))
  })

  it('renders nothing of addons without them', () => {
    const plain = renderWorkloadStack({app: 'shop', env: 'test', name: 'api', manifest: api, inputs: {}})
    expect(plain.template.Resources.AddonsStack).toBeUndefined()
    expect(plain.parameters.AddonsTemplateURL).toBeUndefined()
    expect(plain.template.Resources.TaskRole.Properties.ManagedPolicyArns).toBeUndefined()
  })

  it('a scheduled job gets the security groups in its state machine', () => {
    const job = renderWorkloadStack({app: 'shop', env: 'test', name: 'report', manifest: {name: 'report', type: 'Scheduled Job', image: {location: 'x'}, on: {schedule: '@daily'}}, inputs: {addons: wiring}})
    expect(JSON.stringify(job.template.Resources.StateMachine)).toContain('Outputs.apidbSecurityGroup')
  })
})

describe('environment addons', () => {
  it('passes App and Env', () => {
    const manifest: EnvironmentManifest = {name: 'test', type: 'Environment'}
    const stack = renderEnvironmentStack({app: 'shop', env: 'test', manifest, needs: {publicAlb: [], internalAlb: [], nat: []}, addons: {...wiring, parameters: {}, outputs: []}})
    expect(stack.template.Resources.AddonsStack.Properties).toEqual({Parameters: {App: {Ref: 'AppName'}, Env: {Ref: 'EnvironmentName'}}, TemplateURL: {Ref: 'AddonsTemplateURL'}})
  })
})
