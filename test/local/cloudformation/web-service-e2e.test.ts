// The whole local control plane behind one port, driven by the AWS SDK: a stack holding a cluster, a
// task definition and a two-task service behind a listener rule deploys, serves HTTP through the local
// load balancer, updates with a rolling replacement, rolls back when the new version crashes, and
// deletes leaving no task, port or stack behind.
import {readFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import {startLocalControlPlane, type LocalControlPlane} from '../../../src/local/assemble.js'

const body = readFileSync(fileURLToPath(new URL('./fixtures/web-service.yaml', import.meta.url)), 'utf8')
let cp: LocalControlPlane
let dir: string
let cfn: any
let sdk: any

async function settle(stack: string): Promise<any> {
  for (;;) {
    const out = await cfn.send(new sdk.DescribeStacksCommand({StackName: stack}))
    const s = out.Stacks[0]
    if (!s.StackStatus.endsWith('_IN_PROGRESS')) return s
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function get(url: string): Promise<{status: number; text: string}> {
  const res = await fetch(url)
  return {status: res.status, text: await res.text()}
}

describe('a web service stack on the whole local control plane', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pier-cfn-e2e-'))
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    sdk = await import('@aws-sdk/client-cloudformation')
    cfn = new sdk.CloudFormationClient({endpoint: cp.endpoint, region: 'us-east-1',
      credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
  })
  afterAll(async () => {
    await cp?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('deploys, serves, rolls, rolls back and deletes', async () => {
    const params = (version: string, crash = 'false') => [{ParameterKey: 'Version', ParameterValue: version}, {ParameterKey: 'Crash', ParameterValue: crash}]
    const {StackId} = await cfn.send(new sdk.CreateStackCommand({StackName: 'demo-test-web', TemplateBody: body, Parameters: params('v1')}))
    const created = await settle('demo-test-web')
    const reasons = async () => JSON.stringify((await cfn.send(new sdk.DescribeStackEventsCommand({StackName: 'demo-test-web'}))).StackEvents
      .filter((e: any) => e.ResourceStatus.endsWith('FAILED')).map((e: any) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`))
    expect(created.StackStatus, await reasons()).toBe('CREATE_COMPLETE')
    const url = created.Outputs.find((o: any) => o.OutputKey === 'Url').OutputValue
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(await get(url)).toEqual({status: 200, text: 'v1'})

    await cfn.send(new sdk.UpdateStackCommand({StackName: 'demo-test-web', TemplateBody: body, Parameters: params('v2')}))
    expect((await settle('demo-test-web')).StackStatus, await reasons()).toBe('UPDATE_COMPLETE')
    expect(await get(url)).toEqual({status: 200, text: 'v2'})

    await cfn.send(new sdk.UpdateStackCommand({StackName: 'demo-test-web', TemplateBody: body, Parameters: params('v3', 'true')}))
    const rolledBack = await settle('demo-test-web')
    expect(rolledBack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const events = (await cfn.send(new sdk.DescribeStackEventsCommand({StackName: 'demo-test-web'}))).StackEvents
    expect(events.find((e: any) => e.LogicalResourceId === 'Service' && e.ResourceStatus === 'UPDATE_FAILED').ResourceStatusReason)
      .toMatch(/^ECS Deployment Circuit Breaker was triggered: .*tasks failed to start/)
    expect(await get(url)).toEqual({status: 200, text: 'v2'})

    await cfn.send(new sdk.DeleteStackCommand({StackName: 'demo-test-web'}))
    expect((await settle(StackId)).StackStatus).toBe('DELETE_COMPLETE')
    await expect(fetch(url)).rejects.toThrow()
    const tasks = await cp.api.json('AmazonEC2ContainerServiceV20141113', 'ListTasks', {})
      .catch((err: {code?: string}) => (err.code === 'ClusterNotFoundException' ? {taskArns: []} : Promise.reject(err)))
    expect(tasks.taskArns).toEqual([])
  }, 180_000)
})
