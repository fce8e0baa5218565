// Conformance with a client we did not write: Debian's awscli drives the CloudFormation API.
import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import {createControlPlane, type ControlPlane} from '../../../src/local/control-plane.js'
import {createCloudFormation, type CloudFormation} from '../../../src/local/cloudformation/index.js'
import {AWS, requireAwsCli, skipAwsCli} from '../aws-cli.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

let cp: ControlPlane
let cfn: CloudFormation
let home: string

function local(action: string, params: Record<string, string>): Promise<any> {
  return cfn.service.handle(action, params, cp.api.context()) as Promise<any>
}

async function parameter(name: string): Promise<string | undefined> {
  try {
    return (await cp.api.json('AmazonSSM', 'GetParameter', {Name: name})).Parameter.Value
  } catch {
    return undefined
  }
}

async function parameterCount(): Promise<number> {
  return (await cp.api.json('AmazonSSM', 'DescribeParameters', {})).Parameters.length
}

async function logGroups(): Promise<string[]> {
  return (await cp.api.json('Logs_20140328', 'DescribeLogGroups', {})).logGroups.map((g: any) => g.logGroupName)
}

function aws(...args: string[]): Promise<{code: number; stdout: string; stderr: string; json: any}> {
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', cp.endpoint, '--region', 'us-east-1', '--output', 'json', 'cloudformation', ...args], {
      env: {PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY,
        AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'), AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1'},
    }, (err, stdout, stderr) => {
      let json: any
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined
      } catch {
        json = undefined
      }
      resolve({code: err ? Number((err as {code?: number}).code ?? 1) : 0, stdout, stderr, json})
    })
  })
}

describe.skipIf(skipAwsCli)('awscli conformance', () => {
  beforeAll(async () => {
    requireAwsCli()
    home = mkdtempSync(join(tmpdir(), 'pier-awscli-'))
    cp = await createControlPlane({stateDir: join(home, 'state'), port: 0, log: () => undefined})
    cfn = createCloudFormation({stateDir: join(home, 'state'), api: cp.api, region: cp.region, accountId: cp.accountId})
    cp.register({query: [cfn.service]})
    cp.onClose(() => cfn.close())
  })
  afterAll(async () => {
    await cp?.close()
    rmSync(home, {recursive: true, force: true})
  })

  it('creates, describes, changes and deletes a stack', async () => {
    const created = await aws('create-stack', '--stack-name', 'demo-app', '--template-body', `file://${join(fixtures, 'app.yaml')}`,
      '--parameters', 'ParameterKey=Env,ParameterValue=test', '--tags', 'Key=app,Value=demo')
    expect(created.stderr).toBe('')
    expect(created.json.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/demo-app\//)
    await cfn.idle()

    const [described, eventsOut] = await Promise.all([aws('describe-stacks', '--stack-name', 'demo-app'), aws('describe-stack-events', '--stack-name', 'demo-app')])
    const stack = described.json.Stacks[0]
    expect(stack).toMatchObject({StackName: 'demo-app', StackStatus: 'CREATE_COMPLETE', Tags: [{Key: 'app', Value: 'demo'}],
      Description: "An application's settings and log group"})
    expect(stack.Parameters).toEqual(expect.arrayContaining([{ParameterKey: 'Token', ParameterValue: '****'}, {ParameterKey: 'Env', ParameterValue: 'test'}]))
    expect(stack.Outputs).toEqual(expect.arrayContaining([
      {OutputKey: 'ImageParameter', OutputValue: '/pier/demo-app/image', ExportName: 'demo-app-ImageParameter'},
      {OutputKey: 'LogGroupArn', OutputValue: 'arn:aws:logs:us-east-1:000000000000:log-group:/copilot/demo-app:*'}]))
    expect(await parameter('/pier/demo-app/image')).toBe('nginx:latest')
    expect(await logGroups()).toEqual(['/copilot/demo-app'])

    const events = eventsOut.json.StackEvents
    expect(events[0]).toMatchObject({LogicalResourceId: 'demo-app', ResourceStatus: 'CREATE_COMPLETE', ResourceType: 'AWS::CloudFormation::Stack'})
    expect(events.filter((e: any) => e.LogicalResourceId === 'Endpoint').map((e: any) => e.ResourceStatus))
      .toEqual(['CREATE_COMPLETE', 'CREATE_IN_PROGRESS'])

    const cs = await aws('create-change-set', '--stack-name', 'demo-app', '--change-set-name', 'to-prod', '--use-previous-template',
      '--parameters', 'ParameterKey=Env,ParameterValue=prod', 'ParameterKey=Token,UsePreviousValue=true')
    expect(cs.stderr).toBe('')
    const change = (await aws('describe-change-set', '--change-set-name', cs.json.Id)).json
    expect(change).toMatchObject({Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE'})
    const actions = Object.fromEntries(change.Changes.map((c: any) => [c.ResourceChange.LogicalResourceId, c.ResourceChange]))
    expect(actions.Logs).toMatchObject({Action: 'Modify', Replacement: 'False'})
    expect(actions.Image).toMatchObject({Action: 'Modify', Replacement: 'False', Details: [{Target: {Name: 'Value', RequiresRecreation: 'Never'}}]})
    expect((await aws('execute-change-set', '--change-set-name', cs.json.Id)).code).toBe(0)
    await cfn.idle()
    // Checks that are not about the wire go in process: every awscli start costs seconds.
    expect((await local('DescribeStacks', {StackName: 'demo-app'})).Stacks[0].StackStatus).toBe('UPDATE_COMPLETE')
    expect(await parameter('/pier/demo-app/image')).toBe('nginx:stable')

    expect((await aws('delete-stack', '--stack-name', 'demo-app')).code).toBe(0)
    await cfn.idle()
    const gone = await aws('describe-stacks', '--stack-name', 'demo-app')
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toMatch(/An error occurred \(ValidationError\) when calling the DescribeStacks operation.*: Stack with id demo-app does not exist/)
    expect(await parameterCount()).toBe(0)
    expect(await logGroups()).toEqual([])
  }, 120_000)

  it('rolls back a stack that fails mid-way', async () => {
    const created = await aws('create-stack', '--stack-name', 'midway', '--template-body', `file://${join(fixtures, 'fails-midway.yaml')}`)
    expect(created.code).toBe(0)
    await cfn.idle()
    const [described, eventsOut] = await Promise.all([aws('describe-stacks', '--stack-name', 'midway'), aws('describe-stack-events', '--stack-name', 'midway')])
    expect(described.json.Stacks[0].StackStatus).toBe('ROLLBACK_COMPLETE')
    const events = eventsOut.json.StackEvents.reverse()
    const seq = events.map((e: any) => `${e.LogicalResourceId} ${e.ResourceStatus}`)
    expect(seq).toEqual([
      'midway CREATE_IN_PROGRESS', 'First CREATE_IN_PROGRESS', 'First CREATE_COMPLETE', 'Second CREATE_IN_PROGRESS', 'Second CREATE_COMPLETE',
      'Invalid CREATE_IN_PROGRESS', 'Invalid CREATE_FAILED', 'midway ROLLBACK_IN_PROGRESS',
      'Invalid DELETE_COMPLETE', 'Second DELETE_IN_PROGRESS', 'Second DELETE_COMPLETE', 'First DELETE_IN_PROGRESS', 'First DELETE_COMPLETE',
      'midway ROLLBACK_COMPLETE'])
    expect(events.find((e: any) => e.ResourceStatus === 'CREATE_FAILED').ResourceStatusReason)
      .toMatch(/^Resource handler returned message: "Parameter name: can't be prefixed with "aws" or "ssm".*\(Service: Ssm, Status Code: 400, Request ID: [-0-9a-f]+\)$/)
    expect(events.find((e: any) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS').ResourceStatusReason)
      .toBe('The following resource(s) failed to create: [Invalid]. Rollback requested by user.')
    expect(await parameterCount()).toBe(0)
    expect((await aws('delete-stack', '--stack-name', 'midway')).code).toBe(0)
    await cfn.idle()
    expect((await local('ListStacks', {'StackStatusFilter.member.1': 'DELETE_COMPLETE'})).StackSummaries.map((s: any) => s.StackName).sort())
      .toEqual(['demo-app', 'midway'])
  }, 120_000)
})
