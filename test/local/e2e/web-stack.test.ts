// The local control plane as a whole: a stack with a cluster, a task definition and a service of two
// tasks behind a listener rule deploys, serves HTTP through the local load balancer, updates with a
// rolling replacement and no failed request, rolls back when the new version crashes, and deletes
// leaving no process or port behind.
import {CloudFormationClient, CreateStackCommand, DeleteStackCommand, UpdateStackCommand} from '@aws-sdk/client-cloudformation'
import {mkdtempSync, rmSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {startLocalControlPlane, type LocalControlPlane} from '../../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import {settle, taskProcesses} from './stack-helpers.js'

const TEMPLATE = `
Parameters:
  Version: {Type: String}
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  LB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1, subnet-2]}
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
      TargetType: ip
      VpcId: vpc-1
      HealthCheckPath: /
      HealthyThresholdCount: 2
      HealthCheckIntervalSeconds: 5
      TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: '1'}]
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref LB
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: '404'}}]
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Listener
      Priority: 1
      Conditions: [{Field: path-pattern, Values: ['/*']}]
      Actions: [{Type: forward, TargetGroupArn: !Ref TG}]
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      Cpu: '256'
      Memory: '512'
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: web
          Image: node:20
          Essential: true
          StopTimeout: 2
          PortMappings: [{ContainerPort: 8080}]
          Command:
            - node
            - -e
            - !Sub "if ('\${Version}' === 'crash') process.exit(4); require('http').createServer((q, r) => r.end('\${Version}')).listen(process.env.PORT)"
  Service:
    Type: AWS::ECS::Service
    DependsOn: Rule
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref TaskDef
      DesiredCount: 2
      LaunchType: FARGATE
      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}
      LoadBalancers: [{ContainerName: web, ContainerPort: 8080, TargetGroupArn: !Ref TG}]
      DeploymentConfiguration:
        MinimumHealthyPercent: 100
        MaximumPercent: 200
        DeploymentCircuitBreaker: {Enable: true, Rollback: true}
Outputs:
  Url:
    Value: !Sub 'http://\${LB.DNSName}/'
`

let dir: string
let plane: LocalControlPlane
let cfn: CloudFormationClient

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pier-e2e-'))
  plane = await startLocalControlPlane({stateDir: dir, port: 0, log: () => {}})
  cfn = new CloudFormationClient({endpoint: plane.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
})

afterAll(async () => {
  await plane?.close()
  rmSync(dir, {recursive: true, force: true})
})

function get(url: string): Promise<{status: number; body: string}> {
  return new Promise((resolve) => {
    http
      .get(url, {agent: false}, (res) => {
        let body = ''
        res.on('data', (d) => (body += d)).on('end', () => resolve({status: res.statusCode ?? 0, body}))
      })
      .on('error', (e) => resolve({status: 0, body: e.message}))
  })
}

/** Polls the URL until stopped; returns every response. */
function poll(url: string): {stop(): Promise<{status: number; body: string}[]>} {
  const seen: {status: number; body: string}[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      seen.push(await get(url))
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return seen
    },
  }
}

const params = (v: string) => [{ParameterKey: 'Version', ParameterValue: v}]

it('deploys, serves, rolls, rolls back and deletes a load-balanced service', async () => {
  await cfn.send(new CreateStackCommand({StackName: 'web', TemplateBody: TEMPLATE, Parameters: params('v1')}))
  const created = await settle(cfn, 'web')
  expect(created.StackStatus, created.StackStatusReason).toBe('CREATE_COMPLETE')
  const url = created.Outputs!.find((o) => o.OutputKey === 'Url')!.OutputValue!
  expect(await get(url)).toEqual({status: 200, body: 'v1'})
  expect(taskProcesses(dir)).toHaveLength(2)

  // A rolling replacement of both tasks: a client polling all along sees no failed request.
  const during = poll(url)
  await cfn.send(new UpdateStackCommand({StackName: 'web', TemplateBody: TEMPLATE, Parameters: params('v2')}))
  expect((await settle(cfn, 'web')).StackStatus).toBe('UPDATE_COMPLETE')
  const responses = await during.stop()
  expect(responses.filter((r) => r.status !== 200)).toEqual([])
  expect(new Set(responses.map((r) => r.body))).toContain('v1')
  expect(await get(url)).toEqual({status: 200, body: 'v2'})

  // A version that crashes: the deployment fails, the stack rolls back, v2 keeps serving.
  await cfn.send(new UpdateStackCommand({StackName: 'web', TemplateBody: TEMPLATE, Parameters: params('crash')}))
  const rolledBack = await settle(cfn, 'web', 120_000)
  expect(rolledBack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
  expect(await get(url)).toEqual({status: 200, body: 'v2'})

  await cfn.send(new DeleteStackCommand({StackName: 'web'}))
  expect((await settle(cfn, 'web')).StackStatus).toBe('DELETE_COMPLETE')
  expect(taskProcesses(dir)).toEqual([])
  expect((await get(url)).status).toBe(0) // the listener's port is closed
}, 180_000)
