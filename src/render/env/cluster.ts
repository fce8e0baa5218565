// The environment's ECS cluster (Fargate and Fargate Spot), its shared security group and the Cloud
// Map namespace `<env>.<app>.local` that service discovery registers into.

import type {EnvironmentManifest} from '../../manifest/types.js'
import {ref, sub, type TemplateBuilder} from '../template.js'
import type {NetworkRefs} from './network.js'
import {securityGroupRules} from './security-group-rules.js'

export function renderCluster(t: TemplateBuilder, manifest: EnvironmentManifest): void {
  const insights = manifest.observability?.container_insights
  t.resource('Cluster', 'AWS::ECS::Cluster', 'ECS cluster running the environment’s services and jobs', {
    CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    DefaultCapacityProviderStrategy: [{CapacityProvider: 'FARGATE', Weight: 1}],
    ClusterSettings: [{Name: 'containerInsights', Value: insights === 'enhanced' ? 'enhanced' : insights ? 'enabled' : 'disabled'}],
  })
}

export function renderSharedSecurity(t: TemplateBuilder, manifest: EnvironmentManifest, net: NetworkRefs): void {
  const rules = manifest.network?.vpc?.security_group
  const ingress = securityGroupRules(rules?.ingress, 'network.vpc.security_group.ingress')
  const egress = securityGroupRules(rules?.egress, 'network.vpc.security_group.egress')
  t.resource('EnvironmentSecurityGroup', 'AWS::EC2::SecurityGroup', 'Security group shared by the environment’s tasks', {
    GroupDescription: {'Fn::Join': ['', [ref('AppName'), '-', ref('EnvironmentName'), 'EnvironmentSecurityGroup']]},
    VpcId: net.vpcId,
    Tags: [{Key: 'Name', Value: sub('copilot-${AppName}-${EnvironmentName}-env')}],
    ...(ingress ? {SecurityGroupIngress: ingress} : {}),
    ...(egress ? {SecurityGroupEgress: egress} : {}),
  })
  t.resource('EnvironmentSecurityGroupIngressFromSelf', 'AWS::EC2::SecurityGroupIngress', 'Traffic between the environment’s tasks', {
    Description: 'Ingress from other containers in the same security group',
    GroupId: ref('EnvironmentSecurityGroup'),
    IpProtocol: '-1',
    SourceSecurityGroupId: ref('EnvironmentSecurityGroup'),
  })
}

export function renderNamespace(t: TemplateBuilder, net: NetworkRefs): void {
  t.resource('ServiceDiscoveryNamespace', 'AWS::ServiceDiscovery::PrivateDnsNamespace', 'Private DNS namespace for service discovery', {
    Name: ref('ServiceDiscoveryEndpoint'),
    Vpc: net.vpcId,
  })
}
