// The local EC2 (network) and ACM APIs through SDK v3 clients, over the wire.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ImportCertificateCommand, ListCertificatesCommand, RequestCertificateCommand} from '@aws-sdk/client-acm'
import {CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DeleteSubnetCommand, DescribeManagedPrefixListsCommand, DeleteTagsCommand, DeleteVpcCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client} from '@aws-sdk/client-ec2'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AcmService} from '../../src/local/acm/index.js'
import {createCloudFormation, createRecordStore} from '../../src/local/cloudformation/index.js'
import {createEc2} from '../../src/local/ec2/index.js'
import {rawRequest, startControlPlane, type Harness} from './helpers.js'

const certs = join(import.meta.dirname, '..', 'fixtures', 'certs')
let h: Harness
let ec2: EC2Client
let acm: ACMClient
let now = Date.now()
let cfn: ReturnType<typeof createCloudFormation>

beforeAll(async () => {
  h = await startControlPlane()
  const records = createRecordStore(h.stateDir)
  h.cp.register({query: [createEc2({records, region: h.cp.region, accountId: h.cp.accountId}).service], json: [new AcmService(h.stateDir, h.cp, () => now)]})
  cfn = createCloudFormation({stateDir: h.stateDir, api: h.cp.api, region: h.cp.region, accountId: h.cp.accountId, providers: {records}})
  h.cp.register({query: [cfn.service]})
  ec2 = new EC2Client(h.config)
  acm = new ACMClient(h.config)
})
afterAll(async () => {
  ec2.destroy()
  acm.destroy()
  await cfn.close()
  await h.close()
})

describe('local EC2', () => {
  it('has a default VPC with a default subnet in each of three zones', async () => {
    const {Vpcs} = await ec2.send(new DescribeVpcsCommand({Filters: [{Name: 'is-default', Values: ['true']}]}))
    expect(Vpcs).toHaveLength(1)
    expect(Vpcs![0]).toMatchObject({CidrBlock: '172.31.0.0/16', IsDefault: true, State: 'available', OwnerId: '000000000000'})
    const {Subnets} = await ec2.send(new DescribeSubnetsCommand({Filters: [{Name: 'vpc-id', Values: [Vpcs![0]!.VpcId!]}]}))
    expect(Subnets!.map((s) => [s.AvailabilityZone, s.CidrBlock, s.DefaultForAz]).sort()).toEqual([
      ['us-east-1a', '172.31.0.0/20', true], ['us-east-1b', '172.31.16.0/20', true], ['us-east-1c', '172.31.32.0/20', true],
    ])
  })

  it('creates, describes, filters and deletes a VPC and its subnets', async () => {
    const {Vpc} = await ec2.send(new CreateVpcCommand({CidrBlock: '10.1.0.0/16', TagSpecifications: [{ResourceType: 'vpc', Tags: [{Key: 'Name', Value: 'imported'}]}]}))
    expect(Vpc).toMatchObject({CidrBlock: '10.1.0.0/16', IsDefault: false, Tags: [{Key: 'Name', Value: 'imported'}]})
    const vpcId = Vpc!.VpcId!
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/)
    const {Subnet} = await ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.1.1.0/24', AvailabilityZone: 'us-east-1b'}))
    expect(Subnet).toMatchObject({VpcId: vpcId, CidrBlock: '10.1.1.0/24', AvailabilityZone: 'us-east-1b', AvailableIpAddressCount: 251})
    const subnetId = Subnet!.SubnetId!

    expect((await ec2.send(new DescribeVpcsCommand({VpcIds: [vpcId]}))).Vpcs!.map((v) => v.VpcId)).toEqual([vpcId])
    expect((await ec2.send(new DescribeVpcsCommand({Filters: [{Name: 'tag:Name', Values: ['imp*']}]}))).Vpcs!.map((v) => v.VpcId)).toEqual([vpcId])
    expect((await ec2.send(new DescribeSubnetsCommand({SubnetIds: [subnetId]}))).Subnets![0]!.SubnetArn).toBe(`arn:aws:ec2:us-east-1:000000000000:subnet/${subnetId}`)
    expect((await ec2.send(new DescribeSubnetsCommand({Filters: [{Name: 'subnet-id', Values: [subnetId]}, {Name: 'vpc-id', Values: [vpcId]}]}))).Subnets).toHaveLength(1)
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({Filters: [{Name: 'vpc-id', Values: [vpcId]}]}))
    expect(groups.SecurityGroups).toMatchObject([{GroupName: 'default', VpcId: vpcId}])

    await ec2.send(new CreateTagsCommand({Resources: [vpcId, subnetId], Tags: [{Key: 'team', Value: 'payments'}, {Key: 'Name', Value: 'renamed'}]}))
    expect((await ec2.send(new DescribeSubnetsCommand({Filters: [{Name: 'tag:team', Values: ['payments']}]}))).Subnets!.map((s) => s.SubnetId)).toEqual([subnetId])
    expect((await ec2.send(new DescribeVpcsCommand({VpcIds: [vpcId]}))).Vpcs![0]!.Tags!.sort((a, b) => a.Key!.localeCompare(b.Key!))).toEqual([{Key: 'Name', Value: 'renamed'}, {Key: 'team', Value: 'payments'}])
    await ec2.send(new DeleteTagsCommand({Resources: [subnetId], Tags: [{Key: 'team'}]}))
    expect((await ec2.send(new DescribeSubnetsCommand({Filters: [{Name: 'tag-key', Values: ['team']}]}))).Subnets).toEqual([])
    await expect(ec2.send(new CreateTagsCommand({Resources: ['subnet-0000000000000000f'], Tags: [{Key: 'a', Value: 'b'}]}))).rejects.toMatchObject({name: 'InvalidSubnetID.NotFound'})

    await expect(ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.1.1.128/25'}))).rejects.toMatchObject({name: 'InvalidSubnet.Conflict'})
    await expect(ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.2.0.0/24'}))).rejects.toMatchObject({name: 'InvalidSubnet.Range'})
    await expect(ec2.send(new DeleteVpcCommand({VpcId: vpcId}))).rejects.toMatchObject({name: 'DependencyViolation'})
    await ec2.send(new DeleteSubnetCommand({SubnetId: subnetId}))
    await ec2.send(new DeleteVpcCommand({VpcId: vpcId}))
    await expect(ec2.send(new DescribeVpcsCommand({VpcIds: [vpcId]}))).rejects.toMatchObject({name: 'InvalidVpcID.NotFound', message: `The vpc ID '${vpcId}' does not exist`})
  })

  it('answers unknown ids with the NotFound codes EC2 uses', async () => {
    await expect(ec2.send(new DescribeSubnetsCommand({SubnetIds: ['subnet-0123456789abcdef0']}))).rejects.toMatchObject({
      name: 'InvalidSubnetID.NotFound', message: "The subnet ID 'subnet-0123456789abcdef0' does not exist", $metadata: {httpStatusCode: 400},
    })
    await expect(ec2.send(new DescribeVpcsCommand({Filters: [{Name: 'no-such-filter', Values: ['x']}]}))).rejects.toMatchObject({name: 'InvalidParameterValue'})
  })

  it('answers other credentials with an error in EC2\'s own shape', async () => {
    const other = new EC2Client({...h.config, credentials: {accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}})
    try {
      await expect(other.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({name: 'InvalidClientTokenId', $metadata: {httpStatusCode: 403}})
    } finally {
      other.destroy()
    }
    const form = {service: 'ec2', body: 'Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0000000000000000f', headers: {'content-type': 'application/x-www-form-urlencoded'}}
    const refused = await rawRequest(h.cp.endpoint, {...form, credentials: {accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'}})
    expect(refused.text).toMatch(/^<\?xml[^>]*>\n<Response><Errors><Error><Code>InvalidClientTokenId<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]+<\/RequestID><\/Response>/)
    const missing = await rawRequest(h.cp.endpoint, form)
    expect(missing.status).toBe(400)
    expect(missing.text).toContain("<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID &apos;vpc-0000000000000000f&apos; does not exist</Message>")
    const listed = await rawRequest(h.cp.endpoint, {...form, body: 'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=is-default&Filter.1.Value.1=true'})
    expect(listed.text).toMatch(/^<\?xml[^>]*>\n<DescribeVpcsResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]+<\/requestId><vpcSet><item><vpcId>vpc-/)
  })

  it('describes the network a stack created, and lets a stack use a VPC created through the API', async () => {
    const {Vpc} = await ec2.send(new CreateVpcCommand({CidrBlock: '10.9.0.0/16'}))
    const template = {
      Resources: {
        Net: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: '10.20.0.0/16'}},
        Sub: {Type: 'AWS::EC2::Subnet', Properties: {VpcId: {Ref: 'Net'}, CidrBlock: '10.20.1.0/24'}},
        Group: {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: 'in the imported VPC', VpcId: Vpc!.VpcId}},
      },
    }
    await cfn.service.handle('CreateStack', {Action: 'CreateStack', StackName: 'net', TemplateBody: JSON.stringify(template)}, h.cp.api.context())
    await cfn.idle()
    const subnets = (await ec2.send(new DescribeSubnetsCommand({Filters: [{Name: 'cidr-block', Values: ['10.20.1.0/24']}]}))).Subnets!
    expect(subnets).toHaveLength(1)
    const vpcs = (await ec2.send(new DescribeVpcsCommand({VpcIds: [subnets[0]!.VpcId!]}))).Vpcs!
    expect(vpcs[0]!.CidrBlock).toBe('10.20.0.0/16')
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({Filters: [{Name: 'vpc-id', Values: [Vpc!.VpcId!]}]}))).SecurityGroups!
    expect(groups.map((g) => g.Description).sort()).toEqual(['default VPC security group', 'in the imported VPC'])
  })

  it('lists CloudFront’s AWS-managed prefix list by name, and shows a group admitting it', async () => {
    const name = 'com.amazonaws.global.cloudfront.origin-facing'
    const {PrefixLists} = await ec2.send(new DescribeManagedPrefixListsCommand({Filters: [{Name: 'prefix-list-name', Values: [name]}]}))
    expect(PrefixLists).toHaveLength(1)
    const list = PrefixLists![0]!
    expect(list).toMatchObject({PrefixListName: name, OwnerId: 'AWS', AddressFamily: 'IPv4', State: 'create-complete'})
    expect(list.PrefixListId).toMatch(/^pl-[0-9a-f]{8}$/)
    expect((await ec2.send(new DescribeManagedPrefixListsCommand({PrefixListIds: [list.PrefixListId!]}))).PrefixLists!.map((p) => p.PrefixListName)).toEqual([name])
    expect((await ec2.send(new DescribeManagedPrefixListsCommand({Filters: [{Name: 'prefix-list-name', Values: ['com.example.none']}]}))).PrefixLists).toEqual([])
    await expect(ec2.send(new DescribeManagedPrefixListsCommand({PrefixListIds: ['pl-00000000']}))).rejects.toMatchObject({name: 'InvalidPrefixListID.NotFound'})

    const template = {Resources: {Lb: {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: 'cloudfront only',
      SecurityGroupIngress: [{SourcePrefixListId: list.PrefixListId, Description: 'HTTP from CloudFront', FromPort: 80, ToPort: 80, IpProtocol: 'tcp'}]}}}}
    await cfn.service.handle('CreateStack', {Action: 'CreateStack', StackName: 'cdn-only', TemplateBody: JSON.stringify(template)}, h.cp.api.context())
    await cfn.idle()
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({Filters: [{Name: 'description', Values: ['cloudfront only']}]}))).SecurityGroups![0]!
    expect(group.IpPermissions).toMatchObject([{IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [], PrefixListIds: [{PrefixListId: list.PrefixListId, Description: 'HTTP from CloudFront'}]}])
  })
})

describe('local ACM', () => {
  const pem = readFileSync(join(certs, 'example.cert.pem'))
  const key = readFileSync(join(certs, 'example.key.pem'))

  it('imports a certificate and reads its names and validity from the PEM', async () => {
    const {CertificateArn} = await acm.send(new ImportCertificateCommand({Certificate: pem, PrivateKey: key}))
    expect(CertificateArn).toMatch(/^arn:aws:acm:us-east-1:000000000000:certificate\/[0-9a-f-]{36}$/)
    const {Certificate} = await acm.send(new DescribeCertificateCommand({CertificateArn}))
    expect(Certificate).toMatchObject({DomainName: 'example.com', SubjectAlternativeNames: ['example.com', '*.example.com'], Status: 'ISSUED', Type: 'IMPORTED'})
    expect(Certificate!.NotAfter!.getUTCFullYear()).toBeGreaterThan(2100)
    now = Certificate!.NotAfter!.getTime() + 1000
    expect((await acm.send(new DescribeCertificateCommand({CertificateArn}))).Certificate!.Status).toBe('EXPIRED')
    expect((await acm.send(new ListCertificatesCommand({CertificateStatuses: ['EXPIRED']}))).CertificateSummaryList!.map((c) => c.CertificateArn)).toEqual([CertificateArn])
    now = Date.now()
    await acm.send(new DeleteCertificateCommand({CertificateArn}))
    await expect(acm.send(new DescribeCertificateCommand({CertificateArn}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})
  })

  it('issues a requested certificate at once, validation assumed', async () => {
    const {CertificateArn} = await acm.send(new RequestCertificateCommand({DomainName: 'api.example.org', SubjectAlternativeNames: ['www.example.org'], ValidationMethod: 'DNS'}))
    const {Certificate} = await acm.send(new DescribeCertificateCommand({CertificateArn}))
    expect(Certificate).toMatchObject({Status: 'ISSUED', Type: 'AMAZON_ISSUED', SubjectAlternativeNames: ['api.example.org', 'www.example.org']})
    const listed = await acm.send(new ListCertificatesCommand({}))
    expect(listed.CertificateSummaryList!.map((c) => c.CertificateArn)).toContain(CertificateArn)
  })

  it('refuses a malformed ARN and a PEM that is not a certificate', async () => {
    await expect(acm.send(new DescribeCertificateCommand({CertificateArn: 'nope'}))).rejects.toMatchObject({name: 'ValidationException'})
    await expect(acm.send(new ImportCertificateCommand({Certificate: Buffer.from('hello'), PrivateKey: key}))).rejects.toMatchObject({name: 'ValidationException'})
  })
})
