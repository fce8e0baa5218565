// End to end: a workspace of Copilot before v1.21 (no environment manifests) against the real local
// control plane. `pier env deploy` of an environment whose stack Copilot deployed with its own network
// (a created VPC with custom CIDRs) deploys the manifest reconstructed from that stack, says so, and
// keeps the VPC and subnets (same physical IDs: the takeover check would refuse a replacement or a
// removal); an environment known only by a Copilot record (customConfig, telemetry) deploys what the
// record says; `pier env show --manifest` prints the reconstruction and where each part was read; a
// workload deploys into it and `package --diff` renders against it; `env init` saves the rebuilt manifest.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {DescribeVpcsCommand, EC2Client} from '@aws-sdk/client-ec2'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {E2eWorkspace} from './harness.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const e2e = new E2eWorkspace('pier-legacy-env-e2e-')
let cfn: CloudFormationClient
let ec2: EC2Client
let ssm: SSMClient
let region = ''

/** An environment stack as Copilot before v1.21 deployed it: its own VPC (10.8.0.0/16) and subnets. */
function copilotEnvironmentTemplate(): string {
  const subnet = (cidr: string, i: number, pub: boolean) => ({Type: 'AWS::EC2::Subnet', Properties: {CidrBlock: cidr, VpcId: {Ref: 'VPC'}, AvailabilityZone: {'Fn::Select': [i, {'Fn::GetAZs': ''}]}, MapPublicIpOnLaunch: pub}})
  const out = (name: string, value: unknown) => ({Value: value, Export: {Name: {'Fn::Sub': `\${AWS::StackName}-${name}`}}})
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'CloudFormation environment template for infrastructure shared among Copilot workloads.',
    Parameters: {AppName: {Type: 'String'}, EnvironmentName: {Type: 'String'}},
    Resources: {
      VPC: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: '10.8.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true, InstanceTenancy: 'default'}},
      InternetGateway: {Type: 'AWS::EC2::InternetGateway', Properties: {}},
      InternetGatewayAttachment: {Type: 'AWS::EC2::VPCGatewayAttachment', Properties: {InternetGatewayId: {Ref: 'InternetGateway'}, VpcId: {Ref: 'VPC'}}},
      PublicSubnet1: subnet('10.8.10.0/24', 0, true),
      PublicSubnet2: subnet('10.8.11.0/24', 1, true),
      PrivateSubnet1: subnet('10.8.20.0/24', 0, false),
      PrivateSubnet2: subnet('10.8.21.0/24', 1, false),
      Cluster: {Type: 'AWS::ECS::Cluster', Properties: {ClusterSettings: [{Name: 'containerInsights', Value: 'enabled'}]}},
    },
    Outputs: {
      VpcId: out('VpcId', {Ref: 'VPC'}),
      PublicSubnets: out('PublicSubnets', {'Fn::Join': [',', [{Ref: 'PublicSubnet1'}, {Ref: 'PublicSubnet2'}]]}),
      PrivateSubnets: out('PrivateSubnets', {'Fn::Join': [',', [{Ref: 'PrivateSubnet1'}, {Ref: 'PrivateSubnet2'}]]}),
      ClusterId: out('ClusterId', {Ref: 'Cluster'}),
    },
  })
}

async function physicalIds(stack: string): Promise<Record<string, string>> {
  const {StackResources = []} = await cfn.send(new DescribeStackResourcesCommand({StackName: stack}))
  return Object.fromEntries(StackResources.map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']))
}

async function waitCreated(stack: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const status = (await cfn.send(new DescribeStacksCommand({StackName: stack}))).Stacks?.[0]?.StackStatus ?? ''
    if (status === 'CREATE_COMPLETE') return
    if (!status.endsWith('IN_PROGRESS')) throw new Error(`${stack}: ${status}`)
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${stack} was not created in time`)
}

const record = (env: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({app: 'legacy', name: env, region, accountID: '000000000000', registryURL: '', ...extra})

beforeAll(async () => {
  const started = await e2e.pier('local', 'start')
  if (started.code !== 0) throw new Error(`pier local start failed:\n${started.stderr}`)
  const status = JSON.parse((await e2e.pier('local', 'status', '--json')).stdout)
  region = status.region
  const config = {endpoint: status.endpoint, region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}, maxAttempts: 1}
  cfn = new CloudFormationClient(config)
  ec2 = new EC2Client(config)
  ssm = new SSMClient(config)
  e2e.write('copilot/.workspace', 'application: legacy\n')
  e2e.write('copilot/report/manifest.yml', 'name: report\ntype: Scheduled Job\non:\n  schedule: "@daily"\nimage:\n  location: public.ecr.aws/docker/library/busybox:latest\n')
  await ssm.send(new PutParameterCommand({Name: '/copilot/applications/legacy', Type: 'String', Value: JSON.stringify({name: 'legacy', account: '000000000000', version: 'v1.0.0'})}))
}, 120_000)

afterAll(async () => {
  await e2e.cleanup()
})

describe('an environment without a manifest', () => {
  it('deployed by Copilot with its own network: env deploy keeps its VPC and subnets', async () => {
    await ssm.send(new PutParameterCommand({Name: '/copilot/applications/legacy/environments/stage', Type: 'String', Value: record('stage')}))
    await cfn.send(new CreateStackCommand({StackName: 'legacy-stage', TemplateBody: copilotEnvironmentTemplate(), Parameters: [{ParameterKey: 'AppName', ParameterValue: 'legacy'}, {ParameterKey: 'EnvironmentName', ParameterValue: 'stage'}]}))
    await waitCreated('legacy-stage')
    const before = await physicalIds('legacy-stage')

    const r = await e2e.pier('env', 'deploy', '-n', 'stage')
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0)
    const after = await physicalIds('legacy-stage')
    for (const id of ['VPC', 'PublicSubnet1', 'PublicSubnet2', 'PrivateSubnet1', 'PrivateSubnet2', 'InternetGateway', 'Cluster']) expect(after[id], id).toBe(before[id])
    // The stack now holds Pier's template, and it still has the network Copilot created.
    expect(Object.keys(after)).toEqual(expect.arrayContaining(['EnvironmentSecurityGroup', 'ServiceDiscoveryNamespace']))
    const vpc = (await ec2.send(new DescribeVpcsCommand({VpcIds: [after.VPC!]}))).Vpcs?.[0]
    expect(vpc?.CidrBlock).toBe('10.8.0.0/16')
    expect(r.stderr).toMatch(/Environment stage has no manifest \(Copilot before v1\.21\): deploying the manifest reconstructed from the deployed stack template/)

    const shown = await e2e.ok('env', 'show', '-n', 'stage', '--manifest')
    expect(shown.stdout).toContain('reconstructed (no manifest in the workspace)')
    expect(shown.stdout).toMatch(/#\s+network\.vpc\.cidr: the deployed stack template/)
    expect(shown.stdout).toMatch(/cidr: 10\.8\.0\.0\/16/)
    expect(shown.stdout).toMatch(/cidr: 10\.8\.21\.0\/24/)
    expect(shown.stdout).toMatch(/container_insights: true/)

    // A workload deploys into it, on the network Copilot created.
    const job = await e2e.pier('job', 'deploy', '-n', 'report', '-e', 'stage')
    expect(job.code, `${job.stderr}\n${job.stdout}`).toBe(0)
    expect((await physicalIds('legacy-stage')).VPC).toBe(before.VPC)
    // Compared with what is deployed, a package renders against the environment as deployed too.
    const diff = await e2e.pier('job', 'package', '-n', 'report', '-e', 'stage', '--diff')
    expect(diff.code, diff.stderr).toBe(0)
    expect(diff.stderr).toContain('Environment stage has no manifest (Copilot before v1.21): packaging against the manifest reconstructed from the deployed stack template')
    expect(diff.stderr).toContain('legacy-stage-report: the deployed template is the same.')
  }, 240_000)

  it('known by a Copilot record: env deploy creates what the record says, env show says where it was read', async () => {
    await ssm.send(new PutParameterCommand({Name: '/copilot/applications/legacy/environments/prod', Type: 'String', Value: record('prod', {
      customConfig: {adjustVPC: {cidr: '10.7.0.0/16', publicSubnetCIDRs: ['10.7.0.0/24', '10.7.1.0/24'], privateSubnetCIDRs: ['10.7.2.0/24', '10.7.3.0/24']}},
      telemetry: {containerInsights: true},
    })}))
    const shown = await e2e.ok('env', 'show', '-n', 'prod', '--manifest')
    expect(shown.stdout).toMatch(/#\s+network\.vpc\.cidr: the environment record in SSM \(customConfig\)\.adjustVPC/)
    expect(shown.stdout).toMatch(/#\s+observability\.container_insights: the environment record in SSM \(telemetry\)/)

    const r = await e2e.pier('env', 'deploy', '-n', 'prod')
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0)
    expect(r.stderr).toMatch(/deploying the manifest reconstructed from the environment record in SSM/)
    const outputs = Object.fromEntries(((await cfn.send(new DescribeStacksCommand({StackName: 'legacy-prod'}))).Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]))
    const vpc = (await ec2.send(new DescribeVpcsCommand({VpcIds: [outputs.VpcId!]}))).Vpcs?.[0]
    expect(vpc?.CidrBlock).toBe('10.7.0.0/16')

    // A second deploy reads its own stack back: nothing to change.
    const again = await e2e.pier('env', 'deploy', '-n', 'prod')
    expect(again.code, again.stderr).toBe(0)
    expect(`${again.stdout}${again.stderr}`).toMatch(/no changes|up to date/i)
  }, 240_000)

  it('with nothing deployed or recorded: Copilot\'s default environment, said so', async () => {
    const shown = await e2e.ok('env', 'show', '-n', 'dev', '--manifest')
    expect(shown.stdout).toContain("Copilot's default environment (nothing is deployed or recorded)")
    // validate says what it checked when no environment is named anywhere, and checks one given with -e.
    const all = await e2e.ok('validate')
    expect(all.stderr).toContain('each manifest was checked on its own')
    const one = await e2e.ok('validate', '-e', 'dev')
    expect(one.stderr).toContain('valid in 1 environment')
  }, 60_000)

  it('env init writes the manifest rebuilt from what is deployed; deploying it changes nothing', async () => {
    const init = await e2e.pier('env', 'init', '-n', 'stage')
    expect(init.code, init.stderr).toBe(0)
    expect(init.stderr).toContain('rebuilt from what is deployed')
    const text = readFileSync(join(e2e.ws, 'copilot/environments/stage/manifest.yml'), 'utf8')
    expect(text).toMatch(/^# yaml-language-server: \$schema=/)
    expect(text).toContain('#   network.vpc.cidr: the deployed stack template')
    expect(text).toMatch(/cidr: 10\.8\.0\.0\/16/)
    const before = await physicalIds('legacy-stage')
    const r = await e2e.pier('env', 'deploy', '-n', 'stage')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toContain('has no manifest')
    expect(await physicalIds('legacy-stage')).toEqual(before)
  }, 120_000)
})
