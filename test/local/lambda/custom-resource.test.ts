// Lambda-backed custom resources on the local control plane: the handler runs with CloudFormation's
// event, answers on the response URL (https on port 443, as the handlers that CloudFormation documents
// write it), reaches the control plane through the AWS SDK v3, and is asked again on update and delete.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand} from '@aws-sdk/client-cloudformation'
import {GetParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLocalControlPlane, type LocalControlPlane} from '../../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'

// A handler in the style of CloudFormation's documentation and Copilot's: https.request to port 443.
const HANDLER = `
const https = require('https')
const {URL} = require('url')
const {SSMClient, PutParameterCommand} = require('@aws-sdk/client-ssm')
function report(event, status, id, data, reason) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({Status: status, Reason: reason, PhysicalResourceId: id, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data})
    const u = new URL(event.ResponseURL)
    https.request({hostname: u.hostname, port: 443, path: u.pathname + u.search, method: 'PUT', headers: {'Content-Type': '', 'Content-Length': body.length}})
      .on('error', reject).on('response', (res) => { res.resume(); res.statusCode >= 400 ? reject(new Error(String(res.statusCode))) : resolve() })
      .end(body, 'utf8')
  })
}
exports.handler = async (event, context) => {
  const p = event.ResourceProperties
  console.log('request', event.RequestType, p.Greeting)
  if (p.Greeting === 'fail') return report(event, 'FAILED', event.PhysicalResourceId || 'none', {}, 'the greeting was fail')
  await new SSMClient({}).send(new PutParameterCommand({Name: '/cr/' + event.RequestType, Value: String(p.Greeting), Type: 'String', Overwrite: true}))
  return report(event, 'SUCCESS', 'greeter-' + p.Greeting.length, {Message: p.Greeting + ', ' + context.functionName})
}
`

function template(greeting: string) {
  return JSON.stringify({
    Resources: {
      Role: {Type: 'AWS::IAM::Role', Properties: {AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: ['lambda.amazonaws.com']}, Action: ['sts:AssumeRole']}]}}},
      Fn: {Type: 'AWS::Lambda::Function', Properties: {FunctionName: 'greeter', Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: 30, Role: {'Fn::GetAtt': ['Role', 'Arn']}, Code: {ZipFile: HANDLER}}},
      Greeting: {Type: 'Custom::Greeting', Properties: {ServiceToken: {'Fn::GetAtt': ['Fn', 'Arn']}, Greeting: greeting}},
    },
    Outputs: {Message: {Value: {'Fn::GetAtt': ['Greeting', 'Message']}}, Id: {Value: {Ref: 'Greeting'}}},
  })
}

describe('Lambda-backed custom resources', () => {
  let cp: LocalControlPlane
  let cfn: CloudFormationClient
  let ssm: SSMClient
  const dir = mkdtempSync(join(tmpdir(), 'pier-cr-'))
  beforeAll(async () => {
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    const config = {endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}}
    cfn = new CloudFormationClient(config)
    ssm = new SSMClient(config)
  })
  afterAll(async () => {
    await cp.close()
    rmSync(dir, {recursive: true, force: true})
  })

  async function settled(name: string): Promise<{status: string; outputs: Record<string, string>}> {
    for (;;) {
      const s = (await cfn.send(new DescribeStacksCommand({StackName: name}))).Stacks![0]!
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return {status: s.StackStatus!, outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]))}
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const param = async (name: string) => (await ssm.send(new GetParameterCommand({Name: name})).catch(() => undefined))?.Parameter?.Value

  it('creates, updates and deletes through the handler, whose Data become attributes', async () => {
    await cfn.send(new CreateStackCommand({StackName: 'cr', TemplateBody: template('hello'), Capabilities: ['CAPABILITY_IAM']}))
    expect(await settled('cr')).toEqual({status: 'CREATE_COMPLETE', outputs: {Message: 'hello, greeter', Id: 'greeter-5'}})
    expect(await param('/cr/Create')).toBe('hello')

    await cfn.send(new UpdateStackCommand({StackName: 'cr', TemplateBody: template('bonjour'), Capabilities: ['CAPABILITY_IAM']}))
    expect(await settled('cr')).toEqual({status: 'UPDATE_COMPLETE', outputs: {Message: 'bonjour, greeter', Id: 'greeter-7'}})
    expect(await param('/cr/Update')).toBe('bonjour')

    await cfn.send(new DeleteStackCommand({StackName: 'cr'}))
    await expect(settled('cr')).rejects.toThrow(/does not exist/)
    expect(await param('/cr/Delete')).toBe('bonjour')
  }, 60_000)

  it("fails the resource with the handler's reason, and rolls back", async () => {
    await cfn.send(new CreateStackCommand({StackName: 'cr-fail', TemplateBody: template('fail'), Capabilities: ['CAPABILITY_IAM']}))
    expect((await settled('cr-fail')).status).toBe('ROLLBACK_COMPLETE')
    const events = (await cfn.send(new DescribeStackEventsCommand({StackName: 'cr-fail'}))).StackEvents ?? []
    const failed = events.find((e) => e.LogicalResourceId === 'Greeting' && e.ResourceStatus === 'CREATE_FAILED')
    expect(failed?.ResourceStatusReason).toBe('Received response status [FAILED] from custom resource. Message returned: the greeting was fail')
  }, 60_000)

  it('says so when the handler throws without answering', async () => {
    const body = JSON.parse(template('x'))
    body.Resources.Fn.Properties.Code.ZipFile = "exports.handler = async () => { throw new TypeError('boom') }"
    await cfn.send(new CreateStackCommand({StackName: 'cr-throw', TemplateBody: JSON.stringify(body), Capabilities: ['CAPABILITY_IAM']}))
    expect((await settled('cr-throw')).status).toBe('ROLLBACK_COMPLETE')
    const events = (await cfn.send(new DescribeStackEventsCommand({StackName: 'cr-throw'}))).StackEvents ?? []
    expect(events.find((e) => e.LogicalResourceId === 'Greeting' && e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toMatch(/did not send a response: TypeError: boom/)
  }, 60_000)
})
