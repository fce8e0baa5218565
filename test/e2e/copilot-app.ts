// An application as Copilot leaves it, built on the local control plane from Copilot's own rendered
// templates and custom-resource handlers (test/fixtures/copilot-app, Apache-2.0, see its NOTICE.md):
// the records Copilot writes in SSM, the handlers zipped into the application's bucket at the keys
// Copilot uploads them to, the environment stack, then the workload stacks with Copilot's tags and
// parameters. Everything goes through the AWS wire protocols, as Copilot's own deploys would.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStackResourcesCommand, DescribeStacksCommand, type Parameter} from '@aws-sdk/client-cloudformation'
import {ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import {CreateBucketCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'

import {zipEntries} from '../../src/workspace/zip.js'
import {repo} from './harness.js'

export const fixture = join(repo, 'test', 'fixtures', 'copilot-app')
export const APP = 'my-app'
export const ENV = 'test'
/** The application's artifact bucket, as the application's StackSet names it. */
export const BUCKET = 'stackset-my-app-infrastru-pipelinebuiltartifactbuc-1nq3jl3nqk'

export interface LocalEndpoint {
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

export interface Clients {
  cfn: CloudFormationClient
  elb: ElasticLoadBalancingV2Client
  s3: S3Client
  ssm: SSMClient
}

export function clients(status: LocalEndpoint): Clients {
  const config = {endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}}
  return {cfn: new CloudFormationClient(config), elb: new ElasticLoadBalancingV2Client(config), s3: new S3Client({...config, forcePathStyle: true}), ssm: new SSMClient(config)}
}

/** The Lambda functions of Copilot's templates and the handler file each one's zip holds (as index.js). */
const HANDLERS: Record<string, string> = {
  EnvControllerFunction: 'env-controller.js',
  RulePriorityFunction: 'alb-rule-priority-generator.js',
  DynamicDesiredCountFunction: 'desired-count-delegation.js',
  BacklogPerTaskCalculatorFunction: 'backlog-per-task-calculator.js',
}

/** The workloads of the application (`<name>-test.stack.yml`, `<name>-test.params.json`) and their type,
 * in the order they are deployed. */
export const WORKLOADS = [
  {name: 'fe', type: 'Load Balanced Web Service'},
  {name: 'simple-backend', type: 'Backend Service'},
  {name: 'dogworker', type: 'Worker Service'},
  {name: 'job', type: 'Scheduled Job'},
] as const

// CRC-32 (IEEE) for the zip entries.
/** Uploads each handler as Copilot does (`manual/scripts/custom-resources/<function>/<sha256>.zip`)
 * and returns where each function's code is. */
async function uploadHandlers(s3: S3Client): Promise<Record<string, {bucket: string; key: string}>> {
  await s3.send(new CreateBucketCommand({Bucket: BUCKET}))
  const out: Record<string, {bucket: string; key: string}> = {}
  for (const [fn, file] of Object.entries(HANDLERS)) {
    const zip = zipEntries([{name: 'index.js', data: readFileSync(join(fixture, 'handlers', file))}])
    const key = `manual/scripts/custom-resources/${fn.toLowerCase()}/${createHash('sha256').update(zip).digest('hex')}.zip`
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: key, Body: zip}))
    out[fn] = {bucket: BUCKET, key}
  }
  return out
}

/** The template as Copilot deploys it: its Lambda functions get the `Code` Copilot's renderer adds
 * (the golden templates leave it out), and the process driver's command replaces the marker. */
export function deployedTemplate(file: string, code: Record<string, {bucket: string; key: string}>, serverJs: string): string {
  let body = readFileSync(join(fixture, file), 'utf8').replaceAll('__SERVER_JS__', serverJs)
  for (const [fn, at] of Object.entries(code)) {
    body = body.replace(
      new RegExp(`(\\n  ${fn}:\\n(?:    .*\\n)*?    Properties:\\n)`),
      `$1      Code:\n        S3Bucket: ${at.bucket}\n        S3Key: ${at.key}\n`,
    )
  }
  return body
}

function params(file: string): {Parameters: Parameter[]; Tags: {Key: string; Value: string}[]} {
  const doc = JSON.parse(readFileSync(join(fixture, file), 'utf8')) as {Parameters: Record<string, string>; Tags: Record<string, string>}
  return {
    Parameters: Object.entries(doc.Parameters).map(([ParameterKey, ParameterValue]) => ({ParameterKey, ParameterValue})),
    Tags: Object.entries(doc.Tags).map(([Key, Value]) => ({Key, Value})),
  }
}

export async function settled(cfn: CloudFormationClient, name: string): Promise<string> {
  for (;;) {
    const s = (await cfn.send(new DescribeStacksCommand({StackName: name}))).Stacks![0]!
    if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s.StackStatus!
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Physical IDs of a stack's resources, by logical ID. */
export async function physicalIds(cfn: CloudFormationClient, name: string): Promise<Record<string, {type: string; id: string}>> {
  const {StackResources = []} = await cfn.send(new DescribeStackResourcesCommand({StackName: name}))
  return Object.fromEntries(StackResources.map((r) => [r.LogicalResourceId!, {type: r.ResourceType!, id: r.PhysicalResourceId!}]))
}

async function createStack(cfn: CloudFormationClient, name: string, template: string, paramsFile: string): Promise<void> {
  const {Parameters, Tags} = params(paramsFile)
  await cfn.send(new CreateStackCommand({StackName: name, TemplateBody: template, Parameters, Tags, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']}))
  const status = await settled(cfn, name)
  if (status !== 'CREATE_COMPLETE') {
    const {StackEvents = []} = await cfn.send(new DescribeStackEventsCommand({StackName: name}))
    const failed = StackEvents.filter((e) => e.ResourceStatus?.endsWith('_FAILED')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`)
    throw new Error(`${name}: ${status}\n${failed.join('\n')}`)
  }
}

/** Writes the SSM records Copilot keeps for an application, its environment and its workloads, in the
 * JSON shapes of Copilot's internal/pkg/config, tagged as Copilot tags them. */
async function writeRecords(ssm: SSMClient, status: LocalEndpoint): Promise<void> {
  const account = '000000000000'
  const put = (Name: string, value: object, tags: Record<string, string>) =>
    ssm.send(new PutParameterCommand({Name, Value: JSON.stringify(value), Type: 'String', Tags: Object.entries(tags).map(([Key, Value]) => ({Key, Value}))}))
  await put(`/copilot/applications/${APP}`, {name: APP, account, domain: '', domainHostedZoneID: '', version: '1.0'}, {'copilot-application': APP})
  await put(
    `/copilot/applications/${APP}/environments/${ENV}`,
    {
      app: APP,
      name: ENV,
      region: status.region,
      accountID: account,
      registryURL: '',
      executionRoleARN: `arn:aws:iam::${account}:role/${APP}-${ENV}-CFNExecutionRole`,
      managerRoleARN: `arn:aws:iam::${account}:role/${APP}-${ENV}-EnvManagerRole`,
    },
    {'copilot-application': APP, 'copilot-environment': ENV},
  )
  for (const w of WORKLOADS) {
    await put(`/copilot/applications/${APP}/components/${w.name}`, {app: APP, name: w.name, type: w.type}, {'copilot-application': APP, 'copilot-service': w.name})
  }
}

/** Deploys the application as Copilot would: records, handlers, the environment, then its workloads,
 * whose environment controllers add the web service and the job to the environment. */
export async function deployCopilotApp(c: Clients, status: LocalEndpoint, serverJs: string): Promise<void> {
  await writeRecords(c.ssm, status)
  const code = await uploadHandlers(c.s3)
  await createStack(c.cfn, `${APP}-${ENV}`, deployedTemplate('env-test.stack.yml', code, serverJs), 'env-test.params.json')
  await createStack(c.cfn, `${APP}-${ENV}-imports`, deployedTemplate('imports.stack.yml', code, serverJs), 'imports.params.json')
  // One after the other, as `copilot deploy --all` does: each environment controller may update the
  // environment stack, and two at once would make the second wait for the first.
  for (const w of WORKLOADS) {
    await createStack(c.cfn, `${APP}-${ENV}-${w.name}`, deployedTemplate(`${w.name}-test.stack.yml`, code, serverJs), `${w.name}-test.params.json`)
  }
  // Copilot's environment controllers put the web service and the job in the environment's parameters,
  // which made the environment stack create the load balancer and the file system, as on AWS.
  const env = (await c.cfn.send(new DescribeStacksCommand({StackName: `${APP}-${ENV}`}))).Stacks![0]!
  const param = (key: string) => env.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue
  if (param('ALBWorkloads') !== 'fe' || param('EFSWorkloads') !== 'job') {
    throw new Error(`the environment controllers left ALBWorkloads at ${JSON.stringify(param('ALBWorkloads'))} and EFSWorkloads at ${JSON.stringify(param('EFSWorkloads'))}`)
  }
}
