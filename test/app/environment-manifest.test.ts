// An environment without a manifest (Copilot before v1.21) rebuilt from its SSM record and deployed
// stack: a VPC the stack created stays created, with its CIDRs, an imported one stays imported, and
// what the record says (certificates, internal load balancer, container insights) is kept. Rendering
// the rebuilt manifest keeps the logical IDs and CIDRs of the deployed network, so a deploy replaces
// and removes nothing there.
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {reconstructEnvironment} from '../../src/app/environment-reconstruct.js'
import {resolveEnvironmentText} from '../../src/manifest/index.js'
import type {EnvironmentManifest} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'

/** A network as Copilot's environment template created it (custom CIDRs, AZs written out). */
function copilotTemplate(): Record<string, any> {
  const subnet = (cidr: string, az: string, pub: boolean) => ({Type: 'AWS::EC2::Subnet', Properties: {CidrBlock: cidr, VpcId: {Ref: 'VPC'}, AvailabilityZone: az, MapPublicIpOnLaunch: pub}})
  return {
    Description: 'CloudFormation environment template for infrastructure shared among Copilot workloads.',
    Resources: {
      VPC: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: '10.5.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true}},
      PublicSubnet1: subnet('10.5.0.0/24', 'eu-west-1a', true),
      PublicSubnet2: subnet('10.5.1.0/24', 'eu-west-1b', true),
      PrivateSubnet1: subnet('10.5.2.0/24', 'eu-west-1a', false),
      PrivateSubnet2: subnet('10.5.3.0/24', 'eu-west-1b', false),
      Cluster: {Type: 'AWS::ECS::Cluster', Properties: {ClusterSettings: [{Name: 'containerInsights', Value: 'enabled'}]}},
      HTTPSListener: {Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: {Certificates: [{CertificateArn: 'arn:aws:acm:eu-west-1:1:certificate/a'}]}},
      HTTPSImportCertificate1: {Type: 'AWS::ElasticLoadBalancingV2::ListenerCertificate', Properties: {ListenerArn: {Ref: 'HTTPSListener'}, Certificates: [{CertificateArn: 'arn:aws:acm:eu-west-1:1:certificate/b'}]}},
    },
  }
}

function render(manifest: Record<string, unknown>) {
  const r = resolveEnvironmentText({file: 'e.yml', text: stringify(manifest), app: 'app', env: 'prod', environments: ['prod'], vars: {}})
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return renderEnvironmentStack({app: 'app', env: 'prod', manifest: r.manifest as EnvironmentManifest, needs: {publicAlb: ['web'], internalAlb: [], nat: []}}).template as Record<string, any>
}

describe('reconstructEnvironment', () => {
  it('keeps a VPC the stack created as created: its CIDR, subnet CIDRs and AZs, in subnet order', () => {
    const r = reconstructEnvironment({env: 'prod', template: copilotTemplate(), stack: {Outputs: [{OutputKey: 'VpcId', OutputValue: 'vpc-1'}]}})
    expect(r.manifest.network).toEqual({vpc: {cidr: '10.5.0.0/16', subnets: {
      public: [{cidr: '10.5.0.0/24', az: 'eu-west-1a'}, {cidr: '10.5.1.0/24', az: 'eu-west-1b'}],
      private: [{cidr: '10.5.2.0/24', az: 'eu-west-1a'}, {cidr: '10.5.3.0/24', az: 'eu-west-1b'}],
    }}})
    expect(r.manifest.http).toEqual({public: {certificates: ['arn:aws:acm:eu-west-1:1:certificate/a', 'arn:aws:acm:eu-west-1:1:certificate/b']}})
    expect(r.manifest.observability).toEqual({container_insights: true})
    expect(r.parts.map((p) => p.field)).toEqual(['network.vpc.cidr', 'network.vpc.subnets', 'http.public.certificates', 'observability.container_insights'])
    expect(r.parts[0]!.from).toMatch(/deployed stack template/)
  })

  it('renders a template whose VPC and subnets keep their logical IDs, CIDRs and AZs', () => {
    const deployed = copilotTemplate().Resources
    const rendered = render(reconstructEnvironment({env: 'prod', template: copilotTemplate()}).manifest).Resources
    for (const id of ['VPC', 'PublicSubnet1', 'PublicSubnet2', 'PrivateSubnet1', 'PrivateSubnet2']) {
      const want = deployed[id]
      expect(rendered[id]?.Type, id).toBe(want.Type)
      expect(rendered[id].Properties.CidrBlock, id).toBe(want.Properties.CidrBlock)
      if (id !== 'VPC') expect(rendered[id].Properties.AvailabilityZone, id).toBe(want.Properties.AvailabilityZone)
    }
    expect(Object.keys(rendered).filter((id) => rendered[id].Type === 'AWS::EC2::Subnet').sort()).toEqual(Object.keys(deployed).filter((id) => deployed[id].Type === 'AWS::EC2::Subnet').sort())
  })

  it('reads the record as Copilot did: adjustVPC, certificates, telemetry', () => {
    const r = reconstructEnvironment({env: 'test', record: {
      customConfig: {adjustVPC: {cidr: '10.1.0.0/16', availabilityZoneNames: ['us-east-1a', 'us-east-1b'], publicSubnetCIDRs: ['10.1.0.0/24', '10.1.1.0/24'], privateSubnetCIDRs: ['10.1.2.0/24']}, importCertARNs: ['arn:aws:acm:us-east-1:1:certificate/x']},
      telemetry: {containerInsights: false},
    }})
    expect(r.manifest).toEqual({name: 'test', type: 'Environment',
      network: {vpc: {cidr: '10.1.0.0/16', subnets: {public: [{cidr: '10.1.0.0/24', az: 'us-east-1a'}, {cidr: '10.1.1.0/24', az: 'us-east-1b'}], private: [{cidr: '10.1.2.0/24', az: 'us-east-1a'}]}}},
      http: {public: {certificates: ['arn:aws:acm:us-east-1:1:certificate/x']}},
      observability: {container_insights: false}})
    expect(new Set(r.parts.map((p) => p.from))).toEqual(new Set(['the environment record in SSM (customConfig).adjustVPC', 'the environment record in SSM (customConfig)', 'the environment record in SSM (telemetry)']))
  })

  it('keeps an imported VPC imported; without public subnets the certificates and subnets go to the internal load balancer', () => {
    const r = reconstructEnvironment({env: 'test', record: {customConfig: {
      importVPC: {id: 'vpc-9', publicSubnetIDs: null, privateSubnetIDs: ['subnet-1', 'subnet-2']},
      importCertARNs: ['arn:aws:acm:us-east-1:1:certificate/i'], internalALBSubnets: ['subnet-2'], enableInternalALBVPCIngress: true,
    }}})
    expect(r.manifest.network).toEqual({vpc: {id: 'vpc-9', subnets: {public: [], private: [{id: 'subnet-1'}, {id: 'subnet-2'}]}}})
    expect(r.manifest.http).toEqual({private: {certificates: ['arn:aws:acm:us-east-1:1:certificate/i'], subnets: ['subnet-2'], ingress: {vpc: true}}})
    const rendered = render(r.manifest)
    expect(rendered.Resources.VPC).toBeUndefined()
    expect(rendered.Resources.InternalLoadBalancer.Properties.Subnets).toEqual(['subnet-2'])
  })

  it('reads an imported VPC from the stack outputs when the template has no VPC and the record says nothing', () => {
    const r = reconstructEnvironment({env: 'prod', template: {Resources: {Cluster: {Type: 'AWS::ECS::Cluster', Properties: {}}}}, stack: {Outputs: [
      {OutputKey: 'VpcId', OutputValue: 'vpc-1'}, {OutputKey: 'PublicSubnets', OutputValue: 'subnet-a,subnet-b'}, {OutputKey: 'PrivateSubnets', OutputValue: 'subnet-c, subnet-d'},
    ]}})
    expect(r.manifest.network).toEqual({vpc: {id: 'vpc-1', subnets: {public: [{id: 'subnet-a'}, {id: 'subnet-b'}], private: [{id: 'subnet-c'}, {id: 'subnet-d'}]}}})
    expect(r.parts[0]!.from).toMatch(/outputs/)
  })

  it('takes the manifest a newer Copilot wrote into the template metadata as it is', () => {
    const r = reconstructEnvironment({env: 'prod', template: {Metadata: {Manifest: 'name: prod\ntype: Environment\nnetwork:\n  vpc:\n    cidr: 10.9.0.0/16\n'}, Resources: copilotTemplate().Resources}})
    expect(r.manifest).toEqual({name: 'prod', type: 'Environment', network: {vpc: {cidr: '10.9.0.0/16'}}})
    expect(r.parts).toEqual([{field: '(whole manifest)', from: 'the Metadata.Manifest of the deployed stack template'}])
  })

  it('is Copilot\'s default environment when nothing is deployed or recorded', () => {
    expect(reconstructEnvironment({env: 'test'})).toEqual({manifest: {name: 'test', type: 'Environment'}, parts: []})
  })
})
