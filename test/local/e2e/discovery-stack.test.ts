// Cloud Map through the assembled local control plane: a stack with a namespace, a discovery service
// (as Pier renders it: A records) and an ECS service registered in it; a task run with RunTask reaches
// the service by `api.test.demo.local:8080`; deleting the stack deregisters and removes everything.
import {CloudFormationClient, CreateStackCommand, DeleteStackCommand} from '@aws-sdk/client-cloudformation'
import {DescribeTasksCommand, ECSClient, RunTaskCommand} from '@aws-sdk/client-ecs'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLocalControlPlane, type LocalControlPlane} from '../../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../../src/local/contracts.js'
import {settle, taskProcesses} from './stack-helpers.js'

const isRoot = process.getuid?.() === 0

const caller = `
  const http = require('http')
  const get = () => new Promise((ok, no) => http.get({host: 'api.test.demo.local', port: 8080, agent: false}, (r) => {
    let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b))
  }).on('error', no))
  ;(async () => {
    for (let i = 0; i < 50; i++) {
      try { const body = await get(); console.log(body); process.exit(body === 'api ok' ? 0 : 3) }
      catch { await new Promise((r) => setTimeout(r, 100)) }
    }
    process.exit(2)
  })()`

const TEMPLATE = `
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  Namespace:
    Type: AWS::ServiceDiscovery::PrivateDnsNamespace
    Properties: {Name: test.demo.local, Vpc: vpc-1}
  DiscoveryService:
    Type: AWS::ServiceDiscovery::Service
    Properties:
      Name: api
      NamespaceId: !GetAtt Namespace.Id
      DnsConfig: {RoutingPolicy: MULTIVALUE, DnsRecords: [{Type: A, TTL: 10}]}
      HealthCheckCustomConfig: {FailureThreshold: 1}
  ApiTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: api
      Cpu: '256'
      Memory: '512'
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: api
          Image: node:20
          StopTimeout: 2
          PortMappings: [{ContainerPort: 8080}]
          Command: [${JSON.stringify(process.execPath)}, -e, "require('http').createServer((q, r) => r.end('api ok')).listen(process.env.PORT)"]
  CallerTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: caller
      Cpu: '256'
      Memory: '512'
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: caller
          Image: node:20
          Command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(caller)}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref ApiTask
      DesiredCount: 1
      LaunchType: FARGATE
      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}
      ServiceRegistries: [{RegistryArn: !GetAtt DiscoveryService.Arn}]
Outputs:
  Cluster: {Value: !Ref Cluster}
  CallerTask: {Value: !Ref CallerTask}
`

describe.skipIf(!isRoot)('service discovery in a deployed stack (needs root for tasks’ private /etc/hosts)', () => {
  let dir: string
  let plane: LocalControlPlane
  let cfn: CloudFormationClient
  let ecs: ECSClient

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pier-e2e-discovery-'))
    plane = await startLocalControlPlane({stateDir: dir, port: 0, log: () => {}})
    const client = {endpoint: plane.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}}
    cfn = new CloudFormationClient(client)
    ecs = new ECSClient(client)
  })

  afterAll(async () => {
    await plane?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('lets a task reach the service by its discovery name, and deletes cleanly', async () => {
    await cfn.send(new CreateStackCommand({StackName: 'discovery', TemplateBody: TEMPLATE}))
    const created = await settle(cfn, 'discovery')
    expect(created.StackStatus, created.StackStatusReason).toBe('CREATE_COMPLETE')
    const out = (key: string) => created.Outputs!.find((o) => o.OutputKey === key)!.OutputValue!

    const run = await ecs.send(new RunTaskCommand({cluster: out('Cluster'), taskDefinition: out('CallerTask'), launchType: 'FARGATE',
      networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1']}}}))
    const arn = run.tasks![0]!.taskArn!
    let task
    for (let i = 0; i < 200; i++) {
      task = (await ecs.send(new DescribeTasksCommand({cluster: out('Cluster'), tasks: [arn]}))).tasks![0]!
      if (task.lastStatus === 'STOPPED') break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(task?.lastStatus).toBe('STOPPED')
    expect(task?.containers?.[0]?.exitCode, JSON.stringify(task)).toBe(0)

    await cfn.send(new DeleteStackCommand({StackName: 'discovery'}))
    const deleted = await settle(cfn, 'discovery')
    expect(deleted.StackStatus, deleted.StackStatusReason).toBe('DELETE_COMPLETE')
    expect(taskProcesses(dir)).toEqual([])
  }, 120_000)
})
