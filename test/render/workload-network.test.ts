// awsvpc placement of a service's tasks: subnets, public IP and security groups for each form of
// `network.vpc`, and the error when no group is left.
import {describe, expect, it} from 'vitest'

import type {BackendService} from '../../src/manifest/types.js'
import {RenderError, type WorkloadDeployInputs} from '../../src/render/index.js'
import {render} from './helpers.js'

const ENV_SG = {'Fn::ImportValue': 'shop-test-EnvironmentSecurityGroup'}
const api = (vpc: Record<string, unknown>): BackendService => ({name: 'api', type: 'Backend Service', image: {location: 'nginx'}, network: {vpc}}) as BackendService
const awsvpc = (m: BackendService, inputs: WorkloadDeployInputs = {}) => render(m, inputs).template.Resources.Service.Properties.NetworkConfiguration.AwsvpcConfiguration

describe('network.vpc', () => {
  it('places tasks in private subnets without a public IP', () => {
    expect(awsvpc(api({placement: 'private'}))).toEqual({AssignPublicIp: 'DISABLED', Subnets: {'Fn::Split': [',', {'Fn::ImportValue': 'shop-test-PrivateSubnets'}]}, SecurityGroups: [ENV_SG]})
  })

  it('places tasks in subnets deploy found by tags, without a public IP', () => {
    expect(awsvpc(api({placement: {subnets: {from_tags: {tier: 'app'}}}}), {subnetIds: ['subnet-1', 'subnet-2']})).toEqual({AssignPublicIp: 'DISABLED', Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: [ENV_SG]})
  })

  it('adds groups by id and imported from other stacks, and the addons stack’s groups', () => {
    const inputs: WorkloadDeployInputs = {addons: {templateUrl: 'https://example.com/a.yml', parameters: {}, outputs: [
      {name: 'DbSecurityGroup', kind: 'securityGroup', envName: 'DB_SECURITY_GROUP'},
      {name: 'TablePolicy', kind: 'policy', envName: 'TABLE_POLICY'},
    ]}} as WorkloadDeployInputs
    expect(awsvpc(api({security_groups: ['sg-1', {from_cfn: 'shared-sg'}]}), inputs).SecurityGroups).toEqual([
      ENV_SG, 'sg-1', {'Fn::ImportValue': 'shared-sg'}, {'Fn::GetAtt': ['AddonsStack', 'Outputs.DbSecurityGroup']},
    ])
  })

  it('leaves the environment’s group out with deny_default, and refuses to leave none', () => {
    expect(awsvpc(api({security_groups: {deny_default: true, groups: ['sg-1']}})).SecurityGroups).toEqual(['sg-1'])
    expect(awsvpc(api({security_groups: {deny_default: false, groups: ['sg-1']}})).SecurityGroups).toEqual([ENV_SG, 'sg-1'])
    expect(awsvpc(api({security_groups: {groups: ['sg-1']}})).SecurityGroups).toEqual([ENV_SG, 'sg-1'])
    expect(() => awsvpc(api({security_groups: {deny_default: true}}))).toThrow(
      new RenderError('network.vpc.security_groups.deny_default is true but no groups are listed: tasks need at least one security group'))
  })
})
