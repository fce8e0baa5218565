// End to end: `pier verify` from the real binary against the real local control plane (CI=true, no
// stdin). An environment imports a VPC made with the EC2 API and names a subnet and a certificate that
// do not exist; a secret is encrypted with a key the execution role may not use. verify exits 1 with
// each finding at its file:line:col; once they are fixed through the AWS APIs, it exits 0, and the
// environment deploys into that VPC.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ACMClient, ImportCertificateCommand} from '@aws-sdk/client-acm'
import {CreateSubnetCommand, CreateVpcCommand, EC2Client} from '@aws-sdk/client-ec2'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {E2eWorkspace, repo} from './harness.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const e2e = new E2eWorkspace('pier-verify-e2e-')
const pier = e2e.pier.bind(e2e)
const write = e2e.write.bind(e2e)

const OTHER_KEY = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const MISSING_CERT = 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000'
let clients: {ec2: EC2Client; acm: ACMClient; ssm: SSMClient}
let vpcId = ''
let subnetId = ''

const envManifest = (subnets: string[], certificate: string) => `name: test
type: Environment
network:
  vpc:
    id: ${vpcId}
    subnets:
      public:
${subnets.map((s) => `        - id: ${s}`).join('\n')}
http:
  public:
    certificates:
      - ${certificate}
`

beforeAll(async () => {
  const started = await pier('local', 'start')
  if (started.code !== 0) throw new Error(`pier local start failed:\n${started.stderr}`)
  const status = JSON.parse((await pier('local', 'status', '--json')).stdout)
  const config = {endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}, maxAttempts: 1}
  clients = {ec2: new EC2Client(config), acm: new ACMClient(config), ssm: new SSMClient(config)}
  vpcId = (await clients.ec2.send(new CreateVpcCommand({CidrBlock: '10.3.0.0/16'}))).Vpc!.VpcId!
  subnetId = (await clients.ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.3.0.0/24'}))).Subnet!.SubnetId!
  await clients.ssm.send(new PutParameterCommand({Name: '/demo/test/db', Type: 'SecureString', Value: 'postgres://db', KeyId: OTHER_KEY}))
  write('copilot/.workspace', 'application: demo\n')
  write('copilot/environments/test/manifest.yml', envManifest([subnetId, 'subnet-0000000000000000f'], MISSING_CERT))
  write('copilot/api/manifest.yml', `name: api
type: Backend Service
image:
  location: public.ecr.aws/docker/library/busybox:latest
cpu: 256
memory: 512
secrets:
  DB_URL: /demo/test/db
`)
}, 120_000)

afterAll(async () => {
  for (const c of Object.values(clients ?? {})) c.destroy()
  await e2e.cleanup()
}, 60_000)

describe('pier verify against the local control plane', {timeout: 120_000}, () => {
  it('exits 1 and lists each finding at its file:line:col', async () => {
    const r = await pier('verify', '-e', 'test')
    expect(r.code, r.stderr).toBe(1)
    const envFile = join('copilot', 'environments', 'test', 'manifest.yml')
    expect(r.stderr).toContain(`${envFile}:9:11`)
    expect(r.stderr).toContain("the subnet subnet-0000000000000000f does not exist in us-east-1")
    expect(r.stderr).toContain(`${envFile}:13:9`)
    expect(r.stderr).toContain(`the certificate ${MISSING_CERT} does not exist`)
    expect(r.stderr).toContain(`${join('copilot', 'api', 'manifest.yml')}:8:3`)
    expect(r.stderr).toContain(`secret DB_URL (/demo/test/db) cannot be decrypted by the execution role: no statement allows kms:Decrypt on ${OTHER_KEY}`)
    expect(r.stderr).toMatch(/✘ 3 error\(s\)/)

    const json = await pier('verify', '-e', 'test', '--json')
    expect(json.code).toBe(1)
    const result = JSON.parse(json.stdout)
    expect(Object.keys(result)).toEqual(['app', 'env', 'workloads', 'findings', 'ok'])
    expect(result.findings.filter((f: {severity: string}) => f.severity === 'error').map((f: {code: string; line: number}) => [f.code, f.line]))
      .toEqual([['subnet-missing', 9], ['certificate-missing', 13], ['secret-not-readable-by-role', 8]])
  })

  it('exits 0 once the subnet, certificate and key are fixed', async () => {
    const certs = join(repo, 'test', 'fixtures', 'certs')
    const {CertificateArn} = await clients.acm.send(new ImportCertificateCommand({Certificate: readFileSync(join(certs, 'example.cert.pem')), PrivateKey: readFileSync(join(certs, 'example.key.pem'))}))
    const second = (await clients.ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.3.1.0/24', AvailabilityZone: 'us-east-1b'}))).Subnet!.SubnetId!
    write('copilot/environments/test/manifest.yml', envManifest([subnetId, second], CertificateArn!))
    await clients.ssm.send(new PutParameterCommand({Name: '/demo/test/db', Type: 'SecureString', Value: 'postgres://db', KeyId: 'alias/aws/ssm', Overwrite: true}))
    const r = await pier('verify', '-e', 'test')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/✔ api ready to deploy to test/)
  })

  it('deploys the environment into the VPC made with the EC2 API', async () => {
    const r = await pier('env', 'deploy', '--name', 'test')
    expect(r.code, r.stderr).toBe(0)
    const again = await pier('verify', '-e', 'test', '--json')
    expect(JSON.parse(again.stdout).findings).toEqual([])
  })
})
