// End to end, the real binary against the real local control plane (CI=true, no stdin):
// - an environment with CloudFront (and static assets from a bucket) whose public load balancer admits
//   CloudFront only: `env deploy` looks the region's CloudFront prefix list up in EC2 and its security
//   group admits that list and nothing else; `env package` does the same lookup, and says what it needs
//   when it has no AWS access;
// - a service routed through a load balancer made outside Pier (`http.alb`): `svc deploy` looks its
//   listeners up in ELBv2, adds the service's rule there, and requests through it reach the service.
import {CreateListenerCommand, CreateLoadBalancerCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import {CloudFormationClient, DescribeStackResourcesCommand} from '@aws-sdk/client-cloudformation'
import {DescribeManagedPrefixListsCommand, DescribeSecurityGroupsCommand, EC2Client} from '@aws-sdk/client-ec2'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {E2eWorkspace, fetchText} from './harness.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const e2e = new E2eWorkspace('pier-ingress-e2e-')
const write = e2e.write.bind(e2e)
const ok = e2e.ok.bind(e2e)
let clients: {ec2: EC2Client; elb: ElasticLoadBalancingV2Client; cfn: CloudFormationClient}
let shared: {dns: string; listener: string}

const server = `const http = require('http')
const s = http.createServer((req, res) => res.end('hello from ' + process.env.COPILOT_SERVICE_NAME + '\\n'))
s.listen(Number(process.env.PORT || 8080))
process.on('SIGTERM', () => s.close(() => process.exit(0)))
`

/** Runs pier with no AWS access at all: no local control plane, no region, no profile. */
async function offline(...args: string[]) {
  const saved = {...e2e.env}
  for (const k of ['PIER_LOCAL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete e2e.env[k]
  e2e.env.AWS_CONFIG_FILE = '/nonexistent/config'
  e2e.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials'
  try {
    return await e2e.pier(...args)
  } finally {
    for (const k of Object.keys(e2e.env)) delete e2e.env[k]
    Object.assign(e2e.env, saved)
  }
}

beforeAll(async () => {
  await ok('local', 'start')
  const status = JSON.parse((await ok('local', 'status', '--json')).stdout)
  const config = {endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}, maxAttempts: 1}
  clients = {ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config), cfn: new CloudFormationClient(config)}
  // A load balancer the team made outside Copilot and Pier, with one HTTP listener.
  const lb = (await clients.elb.send(new CreateLoadBalancerCommand({Name: 'shared', Type: 'application', Subnets: ['subnet-0a', 'subnet-0b'], SecurityGroups: ['sg-0123456789abcdef0']}))).LoadBalancers![0]!
  const listener = (await clients.elb.send(new CreateListenerCommand({LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80,
    DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404', ContentType: 'text/plain', MessageBody: 'shared default'}}]}))).Listeners![0]!
  shared = {dns: lb.DNSName!, listener: listener.ListenerArn!}

  write('copilot/.workspace', 'application: demo\n')
  write('copilot/environments/test/manifest.yml', [
    'name: test', 'type: Environment', 'cdn:', '  static_assets:', '    location: assets.s3.us-east-1.amazonaws.com', '    alias: static.example.com', '    path: static/*',
    'http:', '  public:', '    ingress:', '      cdn: true', ''].join('\n'))
  for (const name of ['web', 'api']) {
    write(`${name}/server.js`, server)
    write(`${name}/Dockerfile`, 'FROM node:20\nWORKDIR /app\nCOPY . .\nEXPOSE 8080\nCMD ["node", "server.js"]\n')
  }
  write('copilot/web/manifest.yml', 'name: web\ntype: Load Balanced Web Service\nimage:\n  build: web/Dockerfile\n  port: 8080\nhttp:\n  path: /\n')
  write('copilot/api/manifest.yml', 'name: api\ntype: Load Balanced Web Service\nimage:\n  build: api/Dockerfile\n  port: 8080\nhttp:\n  path: /api\n  alb: shared\n')
}, 120_000)

afterAll(async () => {
  clients?.ec2.destroy()
  clients?.elb.destroy()
  clients?.cfn.destroy()
  await e2e.cleanup()
}, 60_000)

describe('ingress: CloudFront only, and an imported load balancer', {timeout: 240_000}, () => {
  it('env deploy admits the region’s CloudFront prefix list, and only it, to the public load balancer', async () => {
    await ok('env', 'deploy', '--name', 'test')
    const list = (await clients.ec2.send(new DescribeManagedPrefixListsCommand({Filters: [{Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing']}]}))).PrefixLists![0]!
    const groups = (await clients.ec2.send(new DescribeSecurityGroupsCommand({Filters: [{Name: 'description', Values: ['HTTP access to the public facing load balancer']}]}))).SecurityGroups!
    expect(groups).toHaveLength(1)
    expect(groups[0]!.IpPermissions).toEqual([expect.objectContaining({FromPort: 80, ToPort: 80, IpRanges: [], PrefixListIds: [expect.objectContaining({PrefixListId: list.PrefixListId})]})])
    // CloudFront is recorded, not served, on the local control plane: the static assets' access control and the distribution exist.
    const resources = (await clients.cfn.send(new DescribeStackResourcesCommand({StackName: 'demo-test'}))).StackResources!
    const status = Object.fromEntries(resources.map((r) => [r.LogicalResourceId, r.ResourceStatus]))
    expect(status).toMatchObject({CloudFrontOriginAccessControl: 'CREATE_COMPLETE', CloudFrontDistribution: 'CREATE_COMPLETE'})
  })

  it('svc deploy behind that load balancer gives the service’s URL on CloudFront, which alone may reach it', async () => {
    const deployed = await ok('svc', 'deploy', '--name', 'web', '--env', 'test')
    expect(deployed.stdout + deployed.stderr).toMatch(/https:\/\/[0-9a-z]+\.cloudfront\.net/)
  })

  it('env package looks the list up too, and without AWS access says what it needs', async () => {
    const packaged = await ok('env', 'package', '--name', 'test')
    expect(packaged.stdout).toMatch(/SourcePrefixListId: pl-[0-9a-f]{8}/)
    expect(packaged.stdout).not.toMatch(/HTTPS? from 0\.0\.0\.0\/0/)
    const refused = await offline('env', 'package', '--name', 'test')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('cannot package environment test without AWS access: its public load balancer admits CloudFront only (http.public.ingress.cdn)')
    expect(refused.stderr).not.toMatch(/\n\s+at /) // a sentence, not a stack trace
  })

  it('svc deploy adds the service’s rule to the imported load balancer, and requests through it reach the service', async () => {
    const deployed = await ok('svc', 'deploy', '--name', 'api', '--env', 'test')
    expect(deployed.stdout + deployed.stderr).toContain(`http://${shared.dns}/api`)
    const rules = (await clients.elb.send(new DescribeRulesCommand({ListenerArn: shared.listener}))).Rules!.filter((r) => !r.IsDefault)
    expect(rules.map((r) => r.Conditions?.find((c) => c.Field === 'path-pattern')?.PathPatternConfig?.Values)).toEqual([['/api', '/api/*']])
    let answer = {status: 0, body: ''}
    for (let i = 0; i < 50 && answer.status !== 200; i++) {
      answer = await fetchText(`http://${shared.dns}/api`)
      if (answer.status !== 200) await new Promise((r) => setTimeout(r, 200))
    }
    expect(answer).toEqual({status: 200, body: 'hello from api\n'})
    expect((await fetchText(`http://${shared.dns}/other`)).body).toBe('shared default')
    const shown = JSON.parse((await ok('svc', 'show', '--name', 'api', '--json')).stdout)
    expect(shown.deployed[0].url).toBe(`http://${shared.dns}`)
  })

  it('svc package renders the imported rules with AWS access, and says what it needs without', async () => {
    const packaged = await ok('svc', 'package', '--name', 'api', '--env', 'test')
    expect(packaged.stdout).toContain('HTTPListenerRuleForImportedALB:')
    expect(packaged.stdout).toContain(shared.listener)
    const refused = await offline('svc', 'package', '--name', 'api', '--env', 'test')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('cannot package api without AWS access: it routes through the imported load balancer shared (http.alb)')
  })
})
