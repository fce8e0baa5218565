// `pier verify` against the local control plane (a daemon started by `pier local start`): a workspace
// whose environment imports a VPC and two subnets and names a certificate, with a workload reading two
// secrets, so every check runs (network, certificate, secrets against the rendered execution role).
// Also the EC2 DescribeSubnets round trip through the SDK, the call the network check makes.
import {ACMClient, ImportCertificateCommand} from '@aws-sdk/client-acm'
import {CreateSubnetCommand, CreateVpcCommand, DescribeSubnetsCommand, EC2Client} from '@aws-sdk/client-ec2'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export default async function (ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-verify-'))
  const ws = join(dir, 'ws')
  const state = join(dir, 'state')
  const run = (...args) => spawnSync(process.execPath, [ctx.bin, 'local', ...args, '--state-dir', state], {env: ctx.env, encoding: 'utf8'})
  const start = run('start', '--port', '0')
  if (start.status !== 0) throw new Error(`pier local start failed: ${start.stderr}`)
  const status = JSON.parse(run('status', '--json').stdout)
  const config = {endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}}
  const ec2 = new EC2Client(config)
  const acm = new ACMClient(config)
  const ssm = new SSMClient(config)
  try {
    const vpc = (await ec2.send(new CreateVpcCommand({CidrBlock: '10.5.0.0/16'}))).Vpc.VpcId
    const a = (await ec2.send(new CreateSubnetCommand({VpcId: vpc, CidrBlock: '10.5.0.0/24'}))).Subnet.SubnetId
    const b = (await ec2.send(new CreateSubnetCommand({VpcId: vpc, CidrBlock: '10.5.1.0/24', AvailabilityZone: 'us-east-1b'}))).Subnet.SubnetId
    const certs = join(ctx.root, 'test', 'fixtures', 'certs')
    const cert = (await acm.send(new ImportCertificateCommand({Certificate: readFileSync(join(certs, 'example.cert.pem')), PrivateKey: readFileSync(join(certs, 'example.key.pem'))}))).CertificateArn
    await ssm.send(new PutParameterCommand({Name: '/bench/db', Type: 'SecureString', Value: 'x', Tags: [{Key: 'copilot-application', Value: 'bench'}, {Key: 'copilot-environment', Value: 'test'}]}))
    await ssm.send(new PutParameterCommand({Name: '/bench/token', Type: 'String', Value: 'y'}))
    const write = (path, text) => {
      mkdirSync(join(ws, path, '..'), {recursive: true})
      writeFileSync(join(ws, path), text)
    }
    write('copilot/.workspace', 'application: bench\n')
    write('copilot/environments/test/manifest.yml', `name: test\ntype: Environment\nnetwork:\n  vpc:\n    id: ${vpc}\n    subnets:\n      public:\n        - id: ${a}\n        - id: ${b}\nhttp:\n  public:\n    certificates:\n      - ${cert}\n`)
    write('copilot/web/manifest.yml', 'name: web\ntype: Load Balanced Web Service\nimage:\n  location: public.ecr.aws/nginx/nginx:latest\n  port: 80\nhttp:\n  path: /\n  alias: app.example.com\ncpu: 256\nmemory: 512\nsecrets:\n  DB: /bench/db\n  TOKEN: /bench/token\n')

    const env = {...ctx.env, CI: 'true', PIER_LOCAL: '1', PIER_STATE_DIR: state}
    delete env.AWS_ENDPOINT_URL
    const verify = ctx.stats(ctx.timeCommand(process.execPath, [ctx.bin, 'verify', '-e', 'test'], {runs: 8, warmup: 2, cwd: ws, env}))
    const node = ctx.stats(ctx.timeCommand(process.execPath, ['-e', '0'], {runs: 8, warmup: 2}))

    const samples = []
    for (let i = 0; i < 250; i++) {
      const t = process.hrtime.bigint()
      await ec2.send(new DescribeSubnetsCommand({Filters: [{Name: 'subnet-id', Values: [a, b]}]}))
      if (i >= 50) samples.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    const describe = ctx.stats(samples)
    return [
      {id: 'verify-local-p50', label: 'pier verify -e test (network, certificate, 2 secrets), p50', value: Math.round(verify.p50), unit: 'ms',
        note: `p99 ${Math.round(verify.p99)} ms over ${verify.n} runs; Node start and loading 6 SDK clients included`},
      {id: 'verify-local-ratio', label: 'pier verify / node -e 0', value: Number((verify.p50 / node.p50).toFixed(1)), unit: 'x', note: 'does not depend on how busy the machine is'},
      {id: 'ec2-describe-subnets-p50', label: 'EC2 DescribeSubnets round trip (SDK v3, local), p50', value: Number(describe.p50.toFixed(2)), unit: 'ms',
        note: `p99 ${describe.p99.toFixed(2)} ms over ${describe.n} calls`},
    ]
  } finally {
    ec2.destroy()
    acm.destroy()
    ssm.destroy()
    run('stop')
    rmSync(dir, {recursive: true, force: true})
  }
}
