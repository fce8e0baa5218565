// Pier's rendered templates deployed on the whole local control plane: an environment, then one
// workload of each ECS type (Load Balanced Web Service, Backend Service, Worker Service, Scheduled Job).
import {CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startLocalControlPlane, type LocalControlPlane} from '../../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import type {BackendService, EnvironmentManifest, LoadBalancedWebService, ScheduledJob, WorkerService} from '../../../src/manifest/types.js'
import {ENV_OUTPUTS, environmentNeeds, renderEnvironmentStack, renderWorkloadStack, type RenderedStack} from '../../../src/render/index.js'

const APP = 'shop'
const ENV = 'test'
const server = "require('http').createServer((q, r) => r.end('ok ' + process.env.COPILOT_SERVICE_NAME)).listen(process.env.PORT)"
// With a CDN, so the CloudFront distribution is created with the load balancer.
const env: EnvironmentManifest = {name: ENV, type: 'Environment', cdn: true}
const web: LoadBalancedWebService = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'node:20', port: 8080},
  command: ['node', '-e', server], http: {path: '/'}, count: 1, publish: {topics: [{name: 'orders'}]}}
const api: BackendService = {name: 'api', type: 'Backend Service', image: {location: 'node:20', port: 3000}, command: ['node', '-e', server], count: 1}
const worker: WorkerService = {name: 'billing', type: 'Worker Service', image: {location: 'node:20'},
  command: ['node', '-e', 'setInterval(() => {}, 1000)'], subscribe: {topics: [{name: 'orders', service: 'web'}]}, count: 1}
const job: ScheduledJob = {name: 'report', type: 'Scheduled Job', image: {location: 'node:20'}, command: ['node', '-e', 'console.log(1)'],
  on: {schedule: '@daily'}}
const workloads = [web, api, worker, job]

let cp: LocalControlPlane
let dir: string
let cfn: CloudFormationClient

async function deploy(stack: RenderedStack): Promise<any> {
  await cfn.send(new CreateStackCommand({StackName: stack.stackName, TemplateBody: JSON.stringify(stack.template),
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({ParameterKey, ParameterValue})),
    Tags: Object.entries(stack.tags).map(([Key, Value]) => ({Key, Value})), Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM']}))
  for (;;) {
    const s = (await cfn.send(new DescribeStacksCommand({StackName: stack.stackName}))).Stacks![0]!
    if (!s.StackStatus!.endsWith('_IN_PROGRESS')) {
      const events = (await cfn.send(new DescribeStackEventsCommand({StackName: stack.stackName}))).StackEvents!
      const failures = events.filter((e) => e.ResourceStatus!.endsWith('FAILED')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`)
      return {status: s.StackStatus, failures, outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]))}
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe("Pier's rendered stacks on the local control plane", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pier-rendered-'))
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    cfn = new CloudFormationClient({endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  })
  afterAll(async () => {
    await cp?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('deploys the environment, then every workload type, serves the web service, and deletes them all', async () => {
    // The environment's EFS file system too, as for a workload with an `efs: true` volume.
    const needs = {...environmentNeeds(workloads.map((m) => ({name: m.name, manifest: m}))), efs: ['web']}
    const envStack = renderEnvironmentStack({app: APP, env: ENV, manifest: env, needs})
    const envResult = await deploy(envStack)
    expect(envResult.failures).toEqual([])
    expect(envResult.outputs.CloudFrontDomainName).toMatch(/\.cloudfront\.net$/)
    expect(envResult.outputs.ManagedFileSystemID).toMatch(/^fs-/)
    expect(envResult.status).toBe('CREATE_COMPLETE')
    const stacks: string[] = []
    for (const w of workloads) {
      const stack = renderWorkloadStack({app: APP, env: ENV, name: w.name, manifest: w, inputs: {}})
      const result = await deploy(stack)
      expect({workload: w.name, failures: result.failures}).toEqual({workload: w.name, failures: []})
      expect(result.status).toBe('CREATE_COMPLETE')
      stacks.push(stack.stackName)
    }
    const res = await fetch(`http://${envResult.outputs[ENV_OUTPUTS.publicLbDns]}/`)
    expect({status: res.status, body: await res.text()}).toEqual({status: 200, body: 'ok web'})

    for (const name of [...stacks.reverse(), envStack.stackName]) {
      const {StackId} = (await cfn.send(new DescribeStacksCommand({StackName: name}))).Stacks![0]!
      await cfn.send(new DeleteStackCommand({StackName: name}))
      for (;;) {
        const s = (await cfn.send(new DescribeStacksCommand({StackName: StackId}))).Stacks![0]!
        if (!s.StackStatus!.endsWith('_IN_PROGRESS')) {
          expect({name, status: s.StackStatus, reason: s.StackStatusReason}).toEqual({name, status: 'DELETE_COMPLETE', reason: undefined})
          break
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    expect(cp.ecs.capacityUsage().used).toEqual({cpu: 0, memory: 0})
  }, 240_000)
})
