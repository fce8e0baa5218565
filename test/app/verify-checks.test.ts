// verify's checks of an imported network, certificates, secrets against the execution role's policy and
// Fargate sizes: the real manifest engine and renderer over a workspace on disk, AWS faked per case.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'

import {appContext} from '../../src/app/context.js'
import {covers} from '../../src/app/verify-network.js'
import {verify} from '../../src/app/verify.js'
import {AwsError} from '../../src/aws/errors.js'
import {fakeSsm} from './fake-ssm.js'

const root = mkdtempSync(join(tmpdir(), 'pier-verify-checks-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), {recursive: true})
  writeFileSync(join(root, path), text)
}
const ACCOUNT = '111122223333'
const cert = (id: string, region = 'us-east-1') => `arn:aws:acm:${region}:${ACCOUNT}:certificate/${id}`
const notFound = (code: string, op: string) => () => Promise.reject(new AwsError(code, op, `${op} failed`))

const ENV = `name: test
type: Environment
network:
  vpc:
    id: vpc-1
    subnets:
      public:
        - id: subnet-a
        - id: subnet-gone
      private:
        - id: subnet-other
http:
  public:
    certificates:
      - ${cert('good')}
      - ${cert('missing')}
      - ${cert('pending')}
      - ${cert('elsewhere', 'eu-west-1')}
`
const WEB = `name: web
type: Load Balanced Web Service
image:
  location: public.ecr.aws/nginx/nginx:latest
  port: 80
http:
  path: /
  alias: ['app.example.com', 'app.example.org']
cpu: 256
memory: 512
secrets:
  DB: /demo/test/db
  KEYED: /demo/test/keyed
`

// The execution role's statements in place of those the renderer writes: a role as Copilot wrote it.
const role = vi.hoisted(() => ({statements: undefined as unknown[] | undefined}))
vi.mock('../../src/render/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/render/index.js')>()
  return {
    ...real,
    renderWorkloadStack: (input: Parameters<typeof real.renderWorkloadStack>[0]) => {
      const stack = real.renderWorkloadStack(input)
      if (role.statements) stack.template.Resources.ExecutionRole.Properties.Policies = [{PolicyName: 'Secrets', PolicyDocument: {Statement: role.statements}}]
      return stack
    },
  }
})
afterEach(() => {
  role.statements = undefined
})

beforeAll(() => {
  write('copilot/.workspace', 'application: demo\n')
  write('copilot/environments/test/manifest.yml', ENV)
  write('copilot/web/manifest.yml', WEB)
})

function fakeAws(over: Record<string, unknown> = {}) {
  const ssm = fakeSsm()
  ssm.values.set('/demo/test/db', 'x')
  ssm.values.set('/demo/test/keyed', 'y')
  const aws = {
    region: 'us-east-1',
    parameters: ssm,
    secrets: {describeSecret: notFound('ResourceNotFoundException', 'secretsmanager:DescribeSecret')},
    stacks: {describeStacks: async () => ({Stacks: [{StackName: 'demo-test', StackStatus: 'CREATE_COMPLETE'}]})},
    identity: {getCallerIdentity: async () => ({Account: ACCOUNT})},
    registry: {describeImages: async () => ({})},
    networks: {
      describeVpcs: async ({VpcIds}: {VpcIds: string[]}) => {
        if (VpcIds[0] !== 'vpc-1') throw new AwsError('InvalidVpcID.NotFound', 'ec2:DescribeVpcs', 'not found')
        return {Vpcs: [{VpcId: 'vpc-1'}]}
      },
      describeSubnets: async () => ({Subnets: [{SubnetId: 'subnet-a', VpcId: 'vpc-1'}, {SubnetId: 'subnet-other', VpcId: 'vpc-2'}]}),
    },
    certificates: {
      describeCertificate: async ({CertificateArn}: {CertificateArn: string}) => {
        if (CertificateArn === cert('good')) return {Certificate: {Status: 'ISSUED', DomainName: 'example.com', SubjectAlternativeNames: ['example.com', '*.example.com']}}
        if (CertificateArn === cert('pending')) return {Certificate: {Status: 'PENDING_VALIDATION', DomainName: 'example.org'}}
        throw new AwsError('ResourceNotFoundException', 'acm:DescribeCertificate', 'not found')
      },
    },
    ...over,
  }
  return {aws, ssm}
}

const run = (aws: unknown) => verify(appContext({aws: aws as never, emit: () => {}, timing: {now: Date.now, sleep: async () => {}, random: Math.random}, cwd: root}), {env: 'test'})
const at = (f: {file: string; line: number; col: number}) => `${f.file}:${f.line}:${f.col}`
const envFile = join('copilot', 'environments', 'test', 'manifest.yml')
const webFile = join('copilot', 'web', 'manifest.yml')

describe('verify: imported network and certificates', () => {
  it('locates a missing subnet, a subnet of another VPC, missing, pending and misplaced certificates, and an uncovered alias', async () => {
    const result = await run(fakeAws().aws)
    const found = result.findings.filter((f) => f.severity === 'error').map((f) => [f.code, at(f)])
    expect(found).toEqual([
      ['subnet-missing', `${envFile}:9:11`],
      ['subnet-outside-vpc', `${envFile}:11:11`],
      ['certificate-missing', `${envFile}:16:9`],
      ['certificate-not-issued', `${envFile}:17:9`],
      ['certificate-wrong-region', `${envFile}:18:9`],
      ['alias-not-covered', `${webFile}:8:3`],
    ])
    const byCode = Object.fromEntries(result.findings.map((f) => [f.code, f]))
    expect(byCode['certificate-not-issued']!.message).toContain('is PENDING_VALIDATION')
    expect(byCode['subnet-outside-vpc']!.message).toBe('the subnet subnet-other belongs to vpc-2, not to the imported VPC vpc-1')
    expect(byCode['alias-not-covered']!.message).toBe('the alias app.example.org is not covered by any issued certificate of the public load balancer (they cover example.com, *.example.com)')
    expect(result.ok).toBe(false)
  })

  it('reports a VPC that does not exist at its id', async () => {
    const {aws} = fakeAws({networks: {describeVpcs: notFound('InvalidVpcID.NotFound', 'ec2:DescribeVpcs'), describeSubnets: async () => ({Subnets: []})}})
    const result = await run(aws)
    expect(result.findings.find((f) => f.code === 'vpc-missing')).toMatchObject({file: envFile, line: 5, col: 5, message: 'the VPC vpc-1 does not exist in us-east-1'})
    // Without the VPC, subnets are only checked for existence.
    expect(result.findings.filter((f) => f.code === 'subnet-outside-vpc')).toEqual([])
  })

  it('turns a refused check into a warning naming the IAM action', async () => {
    const denied = (op: string) => () => Promise.reject(new AwsError('UnauthorizedOperation', op, 'You are not authorized to perform this operation.'))
    const {aws} = fakeAws({networks: {describeVpcs: denied('ec2:DescribeVpcs'), describeSubnets: denied('ec2:DescribeSubnets')},
      certificates: {describeCertificate: () => Promise.reject(new AwsError('AccessDeniedException', 'acm:DescribeCertificate', 'denied'))}})
    const result = await run(aws)
    const warnings = result.findings.filter((f) => f.code === 'cannot-check')
    expect(warnings.map((w) => w.severity)).toEqual(['warning', 'warning', 'warning', 'warning', 'warning'])
    expect(warnings.map((w) => w.hint)).toEqual(expect.arrayContaining(['Allow ec2:DescribeVpcs to the credentials running verify, or check it yourself before deploying.',
      'Allow ec2:DescribeSubnets to the credentials running verify, or check it yourself before deploying.', 'Allow acm:DescribeCertificate to the credentials running verify.']))
  })

  it.each([
    ['*.example.com', 'app.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['Example.COM', 'example.com.', true],
  ])('certificate name %s covers %s: %s', (name, host, expected) => {
    expect(covers(name, host)).toBe(expected)
  })
})

describe('verify: secrets against the execution role', () => {
  const withCopilotRole = (aws: unknown, statements: unknown[]) => {
    role.statements = statements
    return appContext({aws: aws as never, emit: () => {}, timing: {now: Date.now, sleep: async () => {}, random: Math.random}, cwd: root})
  }
  const tagged = {
    Sid: 'CopilotTagged', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: [{'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/*'}],
    Condition: {StringEquals: {'ssm:ResourceTag/copilot-application': 'demo', 'ssm:ResourceTag/copilot-environment': 'test'}},
  }

  it('reads the role deploy renders: referenced parameters are granted; a customer key of another account is not', async () => {
    const {aws, ssm} = fakeAws()
    ssm.keys.set('/demo/test/keyed', 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab')
    const result = await run(aws)
    const role = result.findings.filter((f) => f.code.startsWith('secret-'))
    expect(role.map((f) => [f.code, at(f)])).toEqual([['secret-not-readable-by-role', `${webFile}:13:3`]])
    expect(role[0]!.message).toBe('secret KEYED (/demo/test/keyed) cannot be decrypted by the execution role: no statement allows kms:Decrypt on arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab')
    expect(role[0]!.hint).toContain('aws ssm put-parameter --name /demo/test/keyed --type SecureString --overwrite --key-id alias/aws/ssm')
    ssm.keys.set('/demo/test/keyed', 'alias/aws/ssm')
    expect((await run(aws)).findings.filter((f) => f.code.startsWith('secret-'))).toEqual([])
  })

  it('with a role that reads tagged secrets only, names the missing tag and the command that adds it', async () => {
    const {aws, ssm} = fakeAws()
    ssm.tags.set('/demo/test/db', {'copilot-application': 'demo'})
    ssm.tags.set('/demo/test/keyed', {'copilot-application': 'demo', 'copilot-environment': 'test'})
    const ctx = withCopilotRole(aws, [tagged])
    const result = await verify(ctx, {env: 'test'})
    const role = result.findings.filter((f) => f.code.startsWith('secret-'))
    expect(role.map((f) => [f.code, f.severity, at(f)])).toEqual([['secret-not-readable-by-role', 'error', `${webFile}:12:3`]])
    expect(role[0]!.message).toBe('secret DB (/demo/test/db) cannot be read by the execution role: no statement allows ssm:GetParameters on arn:aws:ssm:us-east-1:111122223333:parameter/demo/test/db; CopilotTagged needs tag copilot-environment=test (it has none)')
    expect(role[0]!.hint).toBe('Tag it: aws ssm add-tags-to-resource --resource-type Parameter --resource-id /demo/test/db --tags Key=copilot-environment,Value=test')
  })

  it('names the Secrets Manager tag command for an untagged secret', async () => {
    const {aws} = fakeAws({secrets: {describeSecret: async () => ({ARN: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:demo/token-AbCdEf`, Tags: [{Key: 'copilot-environment', Value: 'test'}]})}})
    write('copilot/web/manifest.yml', WEB.replace('  KEYED: /demo/test/keyed\n', '  TOKEN:\n    secretsmanager: demo/token\n'))
    try {
      const smTagged = {Sid: 'CopilotTaggedSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: {'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*'},
        Condition: {StringEquals: {'secretsmanager:ResourceTag/copilot-application': 'demo', 'secretsmanager:ResourceTag/copilot-environment': 'test'}}}
      const ctx = withCopilotRole(aws, [tagged, smTagged])
      const role = (await verify(ctx, {env: 'test'})).findings.filter((f) => f.code === 'secret-not-readable-by-role' && f.path === 'secrets.TOKEN')
      expect(role.map((f) => f.hint)).toEqual([`Tag it: aws secretsmanager tag-resource --secret-id arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:demo/token-AbCdEf --tags Key=copilot-application,Value=demo`])
      expect(role[0]!.message).toContain('CopilotTaggedSecrets needs tag copilot-application=demo (it has none)')
    } finally {
      write('copilot/web/manifest.yml', WEB)
    }
  })

  it('warns, naming the action, when your credentials may not read a secret', async () => {
    const {aws, ssm} = fakeAws()
    ssm.getParameter = () => Promise.reject(new AwsError('AccessDeniedException', 'ssm:GetParameter', 'denied'))
    const result = await run(aws)
    const denied = result.findings.filter((f) => f.code === 'secret-denied')
    expect(denied.map((f) => [f.severity, f.message, f.hint])).toEqual([
      ['warning', 'cannot check secret DB (/demo/test/db): ssm:GetParameter was refused', 'Allow ssm:GetParameter to the credentials running verify.'],
      ['warning', 'cannot check secret KEYED (/demo/test/keyed): ssm:GetParameter was refused', 'Allow ssm:GetParameter to the credentials running verify.'],
    ])
  })

  it('lets a Deny win, and says "cannot tell" when the policy depends on the deployment', async () => {
    const {aws} = fakeAws()
    const deny = {Sid: 'NoDemo', Effect: 'Deny', Action: 'ssm:*', Resource: 'arn:aws:ssm:*:*:parameter/demo/test/db'}
    const allowAll = {Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*'}
    const ctx = (statements: unknown[]) => withCopilotRole(aws, statements)
    const denied = (await verify(ctx([allowAll, deny]), {env: 'test'})).findings.filter((f) => f.code.startsWith('secret-'))
    expect(denied.map((f) => f.message)).toEqual(['secret DB (/demo/test/db) cannot be read by the execution role: statement NoDemo denies ssm:GetParameters on arn:aws:ssm:us-east-1:111122223333:parameter/demo/test/db'])
    const imported = {Effect: 'Allow', Action: 'ssm:GetParameters', Resource: {'Fn::ImportValue': 'demo-test-Params'}}
    const unknown = (await verify(ctx([imported]), {env: 'test'})).findings.filter((f) => f.code.startsWith('secret-'))
    expect(unknown.map((f) => [f.code, f.severity])).toEqual([['secret-readability-unknown', 'warning'], ['secret-readability-unknown', 'warning']])
  })
})

describe('verify: a Static Site\'s certificate', () => {
  it('must be in us-east-1, issued, and cover the alias', async () => {
    const site = (certificate: string) => `name: site\ntype: Static Site\nhttp:\n  alias: www.example.org\n  certificate: ${certificate}\n`
    const file = join('copilot', 'site', 'manifest.yml')
    const check = async (certificate: string) => {
      write('copilot/site/manifest.yml', site(certificate))
      const ctx = appContext({aws: fakeAws().aws as never, emit: () => {}, timing: {now: Date.now, sleep: async () => {}, random: Math.random}, cwd: root})
      return (await verify(ctx, {env: 'test', names: ['site']})).findings.filter((f) => f.file === file).map((f) => [f.code, at(f)])
    }
    try {
      expect(await check(cert('good', 'eu-west-1'))).toEqual([['certificate-wrong-region', `${file}:5:3`]])
      expect(await check(cert('missing'))).toEqual([['certificate-missing', `${file}:5:3`]])
      expect(await check(cert('good'))).toEqual([['alias-not-covered', `${file}:4:3`]])
    } finally {
      rmSync(join(root, 'copilot', 'site'), {recursive: true, force: true})
    }
  })
})

describe('verify: log router secrets', () => {
  it('checks the secrets of the log router and its secret options like the others', async () => {
    write('copilot/router/manifest.yml', `name: router
type: Backend Service
image:
  location: public.ecr.aws/nginx/nginx:latest
logging:
  destination:
    Name: datadog
  secretOptions:
    apikey: /demo/test/datadog
`)
    try {
      const ctx = appContext({aws: fakeAws().aws as never, emit: () => {}, timing: {now: Date.now, sleep: async () => {}, random: Math.random}, cwd: root})
      const result = await verify(ctx, {env: 'test', names: ['router']})
      expect(result.findings.filter((f) => f.code === 'secret-missing').map((f) => [f.path, at(f)])).toEqual([['logging.secretOptions.apikey', `${join('copilot', 'router', 'manifest.yml')}:9:5`]])
    } finally {
      rmSync(join(root, 'copilot', 'router'), {recursive: true, force: true})
    }
  })
})

describe('verify: Fargate sizes', () => {
  it('reports a CPU and memory pair Fargate does not offer, at the memory line', async () => {
    write('copilot/web/manifest.yml', WEB.replace('memory: 512', 'memory: 4096'))
    try {
      const result = await run(fakeAws().aws)
      expect(result.findings.find((f) => f.code === 'fargate-size')).toMatchObject({file: webFile, line: 10, col: 9, severity: 'error'})
    } finally {
      write('copilot/web/manifest.yml', WEB)
    }
  })
})
