import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {generatePassword} from '../../../src/local/cloudformation/providers/secretsmanager.js'
import {harness, type Harness} from './helpers.js'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.close()
})

async function create(name: string, template: object, capabilities: string[] = []) {
  await h.call('CreateStack', {StackName: name, TemplateBody: JSON.stringify(template), Capabilities: capabilities})
  return h.settle(name)
}

async function failure(name: string, logicalId: string): Promise<string> {
  const events = await h.events(name)
  return events.find((e) => e.LogicalResourceId === logicalId && e.ResourceStatus.endsWith('_FAILED')).ResourceStatusReason
}

describe('IAM', () => {
  it('records roles, policies, managed policies and instance profiles with AWS-shaped identifiers', async () => {
    const s = await create('iam', {
      Resources: {
        Role: {Type: 'AWS::IAM::Role', Properties: {Path: '/service/', AssumeRolePolicyDocument: {Statement: [{Effect: 'Allow'}]}}},
        Named: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'demo-exec', AssumeRolePolicyDocument: {Statement: []}}},
        Policy: {Type: 'AWS::IAM::Policy', Properties: {PolicyName: 'inline', Roles: [{Ref: 'Role'}], PolicyDocument: {Statement: []}}},
        Managed: {Type: 'AWS::IAM::ManagedPolicy', Properties: {PolicyDocument: {Statement: []}}},
        Profile: {Type: 'AWS::IAM::InstanceProfile', Properties: {Roles: [{Ref: 'Role'}]}},
      },
      Outputs: {
        RoleArn: {Value: {'Fn::GetAtt': ['Role', 'Arn']}}, RoleId: {Value: {'Fn::GetAtt': ['Role', 'RoleId']}},
        NamedArn: {Value: {'Fn::GetAtt': ['Named', 'Arn']}}, Managed: {Value: {Ref: 'Managed'}},
        Profile: {Value: {'Fn::GetAtt': ['Profile', 'Arn']}},
      },
    }, ['CAPABILITY_NAMED_IAM'])
    expect(s.StackStatus).toBe('CREATE_COMPLETE')
    const out = Object.fromEntries(s.Outputs.map((o: any) => [o.OutputKey, o.OutputValue]))
    expect(out.RoleArn).toMatch(/^arn:aws:iam::000000000000:role\/service\/iam-Role-[A-Z0-9]{13}$/)
    expect(out.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/)
    expect(out.NamedArn).toBe('arn:aws:iam::000000000000:role/demo-exec')
    expect(out.Managed).toMatch(/^arn:aws:iam::000000000000:policy\/iam-Managed-[A-Z0-9]{13}$/)
    expect(out.Profile).toMatch(/^arn:aws:iam::000000000000:instance-profile\/iam-Profile-/)

    const dup = await create('dup', {Resources: {R: {Type: 'AWS::IAM::Role', Properties: {RoleName: 'demo-exec', AssumeRolePolicyDocument: {Statement: []}}}}}, ['CAPABILITY_NAMED_IAM'])
    expect(dup.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(await failure('dup', 'R')).toBe("Resource of type 'AWS::IAM::Role' with identifier 'demo-exec' already exists.")
    const missing = await create('missing', {Resources: {R: {Type: 'AWS::IAM::Role', Properties: {}}}}, ['CAPABILITY_IAM'])
    expect(missing.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(await failure('missing', 'R')).toBe('Properties validation failed for resource R with message: #: required key [AssumeRolePolicyDocument] not found')
  })
})

describe('EC2 networking', () => {
  const network = (subnetCidr: string) => ({
    Resources: {
      Vpc: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true}},
      Igw: {Type: 'AWS::EC2::InternetGateway'},
      Attach: {Type: 'AWS::EC2::VPCGatewayAttachment', Properties: {VpcId: {Ref: 'Vpc'}, InternetGatewayId: {Ref: 'Igw'}}},
      Public: {Type: 'AWS::EC2::Subnet', Properties: {VpcId: {Ref: 'Vpc'}, CidrBlock: subnetCidr,
        AvailabilityZone: {'Fn::Select': [1, {'Fn::GetAZs': ''}]}, MapPublicIpOnLaunch: true}},
      Routes: {Type: 'AWS::EC2::RouteTable', Properties: {VpcId: {Ref: 'Vpc'}}},
      Default: {Type: 'AWS::EC2::Route', DependsOn: 'Attach', Properties: {RouteTableId: {Ref: 'Routes'}, DestinationCidrBlock: '0.0.0.0/0', GatewayId: {Ref: 'Igw'}}},
      Assoc: {Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: {RouteTableId: {Ref: 'Routes'}, SubnetId: {Ref: 'Public'}}},
      Sg: {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: 'env', VpcId: {Ref: 'Vpc'}}},
      SelfIngress: {Type: 'AWS::EC2::SecurityGroupIngress', Properties: {GroupId: {Ref: 'Sg'}, IpProtocol: '-1', SourceSecurityGroupId: {Ref: 'Sg'}}},
      Eip: {Type: 'AWS::EC2::EIP', Properties: {Domain: 'vpc'}},
      Nat: {Type: 'AWS::EC2::NatGateway', Properties: {SubnetId: {Ref: 'Public'}, AllocationId: {'Fn::GetAtt': ['Eip', 'AllocationId']}}},
    },
    Outputs: {
      VpcId: {Value: {Ref: 'Vpc'}}, DefaultSg: {Value: {'Fn::GetAtt': ['Vpc', 'DefaultSecurityGroup']}},
      SubnetAz: {Value: {'Fn::GetAtt': ['Public', 'AvailabilityZone']}}, SubnetVpc: {Value: {'Fn::GetAtt': ['Public', 'VpcId']}},
      GroupId: {Value: {'Fn::GetAtt': ['Sg', 'GroupId']}}, Nat: {Value: {Ref: 'Nat'}}, Ip: {Value: {Ref: 'Eip'}},
    },
  })

  it('records a VPC network with realistic ids and attributes', async () => {
    const s = await create('net', network('10.0.1.0/24'))
    expect(s.StackStatus).toBe('CREATE_COMPLETE')
    const out = Object.fromEntries(s.Outputs.map((o: any) => [o.OutputKey, o.OutputValue]))
    expect(out.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/)
    expect(out.DefaultSg).toMatch(/^sg-[0-9a-f]{17}$/)
    expect(out.SubnetAz).toBe('us-east-1b')
    expect(out.SubnetVpc).toBe(out.VpcId)
    expect(out.GroupId).toMatch(/^sg-/)
    expect(out.Nat).toMatch(/^nat-[0-9a-f]{17}$/)
    expect(out.Ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
  })

  it('remembers the network across a restart, so later subnets still find their VPC', async () => {
    const vpcOnly = {Resources: {Vpc: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: '10.0.0.0/16'}}}}
    await create('net', vpcOnly)
    await h.restart()
    await h.call('UpdateStack', {StackName: 'net', TemplateBody: JSON.stringify({Resources: {...vpcOnly.Resources,
      Subnet: {Type: 'AWS::EC2::Subnet', Properties: {VpcId: {Ref: 'Vpc'}, CidrBlock: '10.0.3.0/24'}}}})})
    expect((await h.settle('net')).StackStatus).toBe('UPDATE_COMPLETE')
  })

  it('refuses a subnet outside its VPC', async () => {
    const s = await create('net', network('10.1.0.0/24'))
    expect(s.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(await failure('net', 'Public')).toMatch(/The CIDR '10.1.0.0\/24' is invalid/)
  })
})

describe('SSM, Logs and Secrets Manager', () => {
  it('creates, updates and deletes an SSM parameter, and fails an invalid name with the service message', async () => {
    const t = (value: string) => ({Resources: {P: {Type: 'AWS::SSM::Parameter', Properties: {Name: '/demo/x', Type: 'String', Value: value}}},
      Outputs: {V: {Value: {'Fn::GetAtt': ['P', 'Value']}}}})
    await create('ssm', t('one'))
    expect(h.api.ssm.get('/demo/x')).toBe('one')
    await h.call('UpdateStack', {StackName: 'ssm', TemplateBody: JSON.stringify(t('two'))})
    expect((await h.settle('ssm')).Outputs[0].OutputValue).toBe('two')
    expect(h.api.ssm.get('/demo/x')).toBe('two')
    await h.call('DeleteStack', {StackName: 'ssm'})
    await h.cfn.idle()
    expect(h.api.ssm.has('/demo/x')).toBe(false)

    const bad = await create('bad', {Resources: {P: {Type: 'AWS::SSM::Parameter', Properties: {Name: 'aws-reserved', Type: 'String', Value: 'x'}}}})
    expect(bad.StackStatus).toBe('ROLLBACK_COMPLETE')
    expect(await failure('bad', 'P')).toBe('Resource handler returned message: "Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive)." (Service: Ssm, Status Code: 400, Request ID: req-1)')
  })

  it('creates a log group with retention and changes the retention in place', async () => {
    const t = (days?: number) => ({Resources: {G: {Type: 'AWS::Logs::LogGroup', Properties: {...(days ? {RetentionInDays: days} : {})}}},
      Outputs: {Arn: {Value: {'Fn::GetAtt': ['G', 'Arn']}}}})
    const s = await create('logs', t(7))
    const name = [...h.api.logs.keys()][0]!
    expect(name).toMatch(/^logs-G-[A-Z0-9]{13}$/)
    expect(s.Outputs[0].OutputValue).toBe(`arn:aws:logs:us-east-1:000000000000:log-group:${name}:*`)
    await h.call('UpdateStack', {StackName: 'logs', TemplateBody: JSON.stringify(t())})
    await h.settle('logs')
    expect(h.api.logs.get(name)).toEqual({})
  })

  it('creates a secret from a generated string', async () => {
    const s = await create('sec', {Resources: {S: {Type: 'AWS::SecretsManager::Secret', Properties: {
      GenerateSecretString: {SecretStringTemplate: '{"username":"admin"}', GenerateStringKey: 'password', PasswordLength: 16, ExcludePunctuation: true},
    }}}, Outputs: {Arn: {Value: {Ref: 'S'}}}})
    const arn = s.Outputs[0].OutputValue
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:S-[A-Za-z]{12}-/)
    const value = JSON.parse(h.api.secrets.get(arn)!)
    expect(value.username).toBe('admin')
    expect(value.password).toMatch(/^[A-Za-z0-9]{16}$/)
  })

  it('generates passwords with every included character type', () => {
    for (let i = 0; i < 20; i++) {
      const p = generatePassword({PasswordLength: 8, ExcludeCharacters: 'abc'})
      expect(p).toHaveLength(8)
      expect(p).toMatch(/[a-z]/)
      expect(p).toMatch(/[A-Z]/)
      expect(p).toMatch(/[0-9]/)
      expect(p).not.toMatch(/[abc]/)
    }
  })
})
