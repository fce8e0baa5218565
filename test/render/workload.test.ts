// What each workload type renders, case by case, and that every result passes the specification checks.
import {describe, expect, it} from 'vitest'

import type {BackendService, LoadBalancedWebService, ScheduledJob, WorkerService} from '../../src/manifest/types.js'
import {RenderError} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {api, job, web, webInputs, worker} from './fixtures.js'
import {envVar, mainContainer, render, resourcesOfType} from './helpers.js'

const minimalWeb: LoadBalancedWebService = {name: 'front', type: 'Load Balanced Web Service', image: {location: 'nginx', port: 80}, http: {path: '/'}}

describe('every workload type', () => {
  it.each([
    ['web', web, webInputs],
    ['backend', api, {}],
    ['worker', worker, {}],
    ['job', job, {}],
    ['minimal web', minimalWeb, {}],
  ] as const)('%s passes the specification checks', (_l, manifest, inputs) => {
    const s = render(manifest, inputs)
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    expect(s.stackName).toBe(`shop-test-${manifest.name}`)
  })

  it("denies IAM to the task role, as Copilot's did, with the task's own permissions beside it", () => {
    const policies = render(api).template.Resources.TaskRole.Properties.Policies as {PolicyName: string; PolicyDocument: {Statement: unknown[]}}[]
    expect(policies[0]).toEqual({PolicyName: 'DenyIAM', PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Deny', Action: 'iam:*', Resource: '*'}]}})
    const plain = render({...api, exec: false, secrets: undefined, variables: undefined} as typeof api).template.Resources.TaskRole.Properties.Policies as {PolicyName: string}[]
    expect(plain.map((p) => p.PolicyName)[0]).toBe('DenyIAM')
  })

  it('renders the same output for the same input', () => {
    expect(JSON.stringify(render(web, webInputs))).toBe(JSON.stringify(render(web, webInputs)))
  })
})

describe('task definition', () => {
  it('sets the metadata variables Copilot apps rely on, and awslogs to /copilot/<app>-<env>-<name>', () => {
    const s = render(minimalWeb)
    const c = mainContainer(s.template)
    expect(envVar(c, 'COPILOT_APPLICATION_NAME')).toBe('shop')
    expect(envVar(c, 'COPILOT_ENVIRONMENT_NAME')).toBe('test')
    expect(envVar(c, 'COPILOT_SERVICE_NAME')).toBe('front')
    expect(envVar(c, 'COPILOT_SERVICE_DISCOVERY_ENDPOINT')).toBe('test.shop.local')
    expect(envVar(c, 'COPILOT_LB_DNS')).toEqual({'Fn::ImportValue': 'shop-test-PublicLoadBalancerDNSName'})
    expect(c.LogConfiguration).toEqual({LogDriver: 'awslogs', Options: {'awslogs-group': {Ref: 'LogGroup'}, 'awslogs-region': {Ref: 'AWS::Region'}, 'awslogs-stream-prefix': 'copilot'}})
    expect(s.template.Resources.LogGroup.Properties.LogGroupName).toBe('/copilot/shop-test-front')
    expect(s.template.Resources.TaskDefinition.Properties).toMatchObject({Cpu: '256', Memory: '512', NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE']})
  })

  it('takes images from inputs as parameters, and labels for source builds', () => {
    const s = render(web, webInputs)
    expect(mainContainer(s.template).Image).toEqual({Ref: 'ContainerImage'})
    expect(s.parameters.ContainerImage).toBe(webInputs.images!.web)
    expect(s.parameters.NginxContainerImage).toBe(webInputs.images!.nginx)
    expect(s.taskDefinition.containerDefinitions[0].image).toBe(webInputs.images!.web)
    expect(mainContainer(s.template).DockerLabels).toEqual(webInputs.dockerLabels!.web)
  })

  it('refuses a source-built image without an image URI', () => {
    expect(() => render(web, {...webInputs, images: {}})).toThrow(RenderError)
  })

  it('adds FireLens when logging is set and applies taskdef_overrides', () => {
    const s = render(web, webInputs)
    const defs = s.template.Resources.TaskDefinition.Properties.ContainerDefinitions
    expect(defs.map((c: any) => c.Name)).toEqual(['web', 'admin', 'nginx', 'firelens_log_router', 'aws-otel-collector'])
    expect(defs[0].LogConfiguration.LogDriver).toBe('awsfirelens')
    expect(defs[3].FirelensConfiguration.Type).toBe('fluentbit')
    expect(defs[0].Ulimits).toEqual([{Name: 'nofile', SoftLimit: 1024, HardLimit: 2048}])
    expect(defs[0].StopTimeout).toBe(60)
  })

  it('lets the execution role read exactly the referenced secrets, plus Copilot-tagged ones', () => {
    const s = render(web, webInputs)
    const statements = s.template.Resources.ExecutionRole.Properties.Policies[0].PolicyDocument.Statement
    const sids = statements.map((x: any) => x.Sid ?? x['Fn::If']?.[1]?.Sid)
    expect(sids).toEqual(['ReadReferencedParameters', 'ReadReferencedSecrets', 'ReadCopilotTaggedParameters', 'ReadCopilotTaggedSecrets', 'DecryptSecrets', 'ReadEnvFileARN', 'LocateEnvFileBuckets'])
    expect(JSON.stringify(statements[0].Resource)).toContain('parameter/shop/log-key')
    expect(statements[2].Condition.StringEquals).toEqual({'ssm:ResourceTag/copilot-application': 'shop', 'ssm:ResourceTag/copilot-environment': 'test'})
  })

  it('lets the execution role read secrets imported from other stacks', () => {
    const statements = render(api).template.Resources.ExecutionRole.Properties.Policies[0].PolicyDocument.Statement
    expect(statements[0]).toEqual({Sid: 'ReadImportedSecrets', Effect: 'Allow', Action: ['ssm:GetParameters', 'secretsmanager:GetSecretValue'], Resource: [{'Fn::ImportValue': 'shop-test-secret-arn'}]})
  })

  it('gives the task role the SSM channels only when exec is on', () => {
    const withExec = JSON.stringify(render({...minimalWeb, exec: true}).template.Resources.TaskRole)
    const without = JSON.stringify(render(minimalWeb).template.Resources.TaskRole)
    expect(withExec).toContain('ssmmessages:OpenDataChannel')
    expect(without).not.toContain('ssmmessages')
  })
})

describe('services', () => {
  it('deploys with the circuit breaker rolling back, exec, placement and the desired count as a parameter', () => {
    const s = render(web, webInputs)
    const svc = s.template.Resources.Service.Properties
    expect(svc.DeploymentConfiguration).toMatchObject({MinimumHealthyPercent: 0, MaximumPercent: 100, DeploymentCircuitBreaker: {Enable: true, Rollback: true}})
    expect(svc.EnableExecuteCommand).toBe(true)
    expect(svc.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED')
    expect(svc.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual({'Fn::Split': [',', {'Fn::ImportValue': 'shop-test-PrivateSubnets'}]})
    expect(svc.DesiredCount).toEqual({Ref: 'TaskCount'})
    expect(s.parameters.TaskCount).toBe('4')
    expect(svc.LaunchType).toBeUndefined()
  })

  it('routes each rule through its own ip target group and priority parameter', () => {
    const s = render(web, webInputs)
    const tgs = resourcesOfType(s.template, 'AWS::ElasticLoadBalancingV2::TargetGroup')
    expect(tgs.map(([, r]) => r.Properties.TargetType)).toEqual(['ip', 'ip'])
    expect(s.parameters.HTTPRulePriority).toBe('50000')
    expect(s.parameters.HTTPRulePriority1).toBe('100')
    const rule = s.template.Resources.HTTPListenerRule.Properties
    expect(rule.ListenerArn).toEqual({'Fn::ImportValue': 'shop-test-HTTPSListenerArn'})
    expect(rule.Conditions.map((c: any) => c.Field)).toEqual(['path-pattern', 'host-header', 'source-ip'])
    // redirect_to_https: false keeps a plain HTTP rule too
    expect(s.template.Resources.HTTPListenerRuleWithoutRedirect.Properties.ListenerArn).toEqual({'Fn::ImportValue': 'shop-test-HTTPListenerArn'})
    expect(s.template.Resources.Service.DependsOn).toEqual(['HTTPListenerRule', 'HTTPListenerRuleWithoutRedirect', 'HTTPListenerRule1'])
  })

  it('keeps Service Connect apart from the DNS discovery name', () => {
    const svc = render(web, webInputs).template.Resources
    expect(svc.DiscoveryService.Properties.Name).toBe('web')
    expect(svc.Service.Properties.ServiceConnectConfiguration).toEqual({
      Enabled: true,
      Namespace: 'test.shop.local',
      Services: [{PortName: 'target', DiscoveryName: 'web-sc', ClientAliases: [{Port: 8080, DnsName: 'frontend'}]}],
    })
  })

  it('puts a Backend Service with http on the internal load balancer', () => {
    const s = render(api)
    expect(s.template.Resources.HTTPListenerRule.Properties.ListenerArn).toEqual({'Fn::ImportValue': 'shop-test-InternalHTTPListenerArn'})
    expect(envVar(mainContainer(s.template), 'COPILOT_LB_DNS')).toEqual({'Fn::ImportValue': 'shop-test-InternalLoadBalancerDNSName'})
    expect(s.template.Resources.Service.Properties.CapacityProviderStrategy).toEqual([{CapacityProvider: 'FARGATE_SPOT', Weight: 1}])
    expect(s.template.Resources.Service.Properties.DeploymentConfiguration.Alarms).toEqual({AlarmNames: ['shop-api-5xx'], Enable: true, Rollback: true})
  })

  it('renders a Network Load Balancer when nlb is set', () => {
    const nlbOnly = render({...minimalWeb, http: false, nlb: {port: '8080/tcp'}})
    expect(envVar(mainContainer(nlbOnly.template), 'COPILOT_LB_DNS')).toEqual({'Fn::GetAtt': ['PublicNetworkLoadBalancerV2', 'DNSName']})
    const m: LoadBalancedWebService = {...minimalWeb, http: false, nlb: {port: '443/tls', additional_listeners: [{port: '53/udp', target_port: 5353}]}}
    const s = render(m, {environment: {certificates: ['arn:aws:acm:us-east-1:1:certificate/x']}})
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    expect(s.template.Resources.NLBListener.Properties).toMatchObject({Port: 443, Protocol: 'TLS'})
    expect(s.template.Resources.NetworkLoadBalancerTargetGroup1.Properties).toMatchObject({Port: 5353, Protocol: 'UDP', TargetType: 'ip'})
    expect(s.template.Resources.Service.Properties.LoadBalancers).toHaveLength(2)
    expect(() => render(m, {environment: {httpsListener: false, certificates: []}})).toThrow('uses TLS but the environment has no certificate')
    // Without facts from deploy, the certificate comes from the environment stack's export.
    expect(render(m).template.Resources.NLBListener.Properties.Certificates).toEqual([{CertificateArn: {'Fn::ImportValue': 'shop-test-PublicCertificateArn'}}])
  })

  it('scales on CPU, memory, requests and response time', () => {
    const s = render(web, webInputs)
    const policies = resourcesOfType(s.template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([id]) => id)
    expect(policies).toEqual([
      'AutoScalingPolicyECSServiceAverageCPUUtilization',
      'AutoScalingPolicyECSServiceAverageMemoryUtilization',
      'AutoScalingPolicyALBSumRequestCountPerTarget',
      'AutoScalingPolicyALBAverageResponseTime',
    ])
    expect(s.template.Resources.AutoScalingTarget.Properties).toMatchObject({MinCapacity: 2, MaxCapacity: 10})
  })
})

describe('Worker Service', () => {
  it('subscribes a queue with a dead-letter queue and filter policy, and per-topic queues', () => {
    const s = render(worker)
    const r = s.template.Resources
    expect(r.EventsQueue.Properties.RedrivePolicy).toEqual({deadLetterTargetArn: {'Fn::GetAtt': ['DeadLetterQueue', 'Arn']}, maxReceiveCount: 10})
    expect(r.EventsQueue.Properties).toMatchObject({MessageRetentionPeriod: 345600, DelaySeconds: 10, VisibilityTimeout: 300})
    expect(r.webordersSNSTopicSubscription.Properties.FilterPolicy).toEqual({store: ['example_corp']})
    expect(r.webordersSNSTopicSubscription.Properties.TopicArn).toEqual({'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:shop-test-web-orders'})
    expect(r.webrefundsEventsQueue).toBeDefined()
    // Copilot's key seals every queue of the worker.
    expect(r.webrefundsEventsQueue.Properties.KmsMasterKeyId).toEqual({Ref: 'EventsKMSKey'})
    expect(envVar(mainContainer(s.template), 'COPILOT_QUEUE_URI')).toEqual({Ref: 'EventsQueue'})
    expect(envVar(mainContainer(s.template), 'COPILOT_TOPIC_QUEUE_URIS')).toEqual({'Fn::Sub': '{"webRefundsEventsQueue":"${webrefundsEventsQueue}"}'})
  })

  it('scales on backlog per task with metric math, no Lambda', () => {
    const s = render(worker)
    const p = s.template.Resources.AutoScalingPolicyBacklogPerTask.Properties.TargetTrackingScalingPolicyConfiguration
    expect(p.TargetValue).toBe(240)
    expect(p.CustomizedMetricSpecification.Metrics.map((m: any) => m.Id)).toEqual(['visible', 'tasks', 'backlogPerTask'])
    expect(JSON.stringify(s.template)).not.toContain('AWS::Lambda')
  })

  it('uses the explicit capacity provider strategy and explicit subnets', () => {
    const s = render(worker)
    const svc = s.template.Resources.Service.Properties
    expect(svc.CapacityProviderStrategy).toEqual([{CapacityProvider: 'FARGATE', Base: 1, Weight: 1}, {CapacityProvider: 'FARGATE_SPOT', Weight: 3}])
    expect(svc.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(['subnet-a', 'subnet-b'])
  })

  it('makes FIFO queues and expects FIFO topics', () => {
    const s = render(worker)
    const fifo: WorkerService = {name: 'w', type: 'Worker Service', image: {location: 'x'}, subscribe: {topics: [{name: 't', service: 's'}], queue: {fifo: true}}}
    const out = render(fifo)
    expect(checkTemplate(out.template, out.parameters)).toEqual([])
    expect(out.template.Resources.EventsQueue.Properties).toMatchObject({FifoQueue: true, ContentBasedDeduplication: true})
    expect(out.template.Resources.stfifoSNSTopicSubscription.Properties.TopicArn['Fn::Sub']).toMatch(/shop-test-s-t\.fifo$/)
  })
})

describe('Scheduled Job', () => {
  it('runs through a state machine with timeout and retries, on an EventBridge schedule', () => {
    const s = render(job)
    const r = s.template.Resources
    expect(r.Rule.Properties.ScheduleExpression).toBe('cron(0 9 ? * 2-6 *)')
    const [text, vars] = r.StateMachine.Properties.DefinitionString['Fn::Sub']
    const def = JSON.parse(text.replace('"${Subnets}"', '"a"').replace('"${SecurityGroups}"', '"b"'))
    const state = def.States['Run Fargate Task']
    expect(state.Resource).toBe('arn:${AWS::Partition}:states:::ecs:runTask.sync')
    expect(state.TimeoutSeconds).toBe(5400)
    expect(state.Retry).toEqual([{ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 1.5}])
    expect(state.Parameters.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED')
    expect(vars.Subnets).toEqual({'Fn::Join': ['","', {'Fn::Split': [',', {'Fn::ImportValue': 'shop-test-PrivateSubnets'}]}]})
    expect(r.Service).toBeUndefined()
  })

  it('has no rule for schedule none, and no Retry without retries', () => {
    const m: ScheduledJob = {...job, on: {schedule: 'none'}, retries: undefined, timeout: undefined}
    const s = render(m)
    expect(checkTemplate(s.template, s.parameters)).toEqual([])
    expect(s.template.Resources.Rule).toBeUndefined()
    const def = s.template.Resources.StateMachine.Properties.DefinitionString['Fn::Sub'][0]
    expect(def).not.toContain('Retry')
    expect(def).not.toContain('TimeoutSeconds')
  })
})

describe('refusals', () => {
  it.each([
    ['an imported ALB', {...minimalWeb, http: {path: '/', alb: 'arn:aws:elasticloadbalancing:x'}} as LoadBalancedWebService, 'http.alb'],
    ['two volumes on the managed EFS', {...minimalWeb, storage: {volumes: {d: {path: '/d', efs: true}, e: {path: '/e', efs: {uid: 1}}}}} as LoadBalancedWebService, 'only one volume'],
    ['an unknown target container', {...minimalWeb, http: {path: '/', target_container: 'nope'}} as LoadBalancedWebService, 'target_container "nope"'],
    ['subnets from tags not resolved', {...api, http: false, network: {vpc: {placement: {subnets: {from_tags: {x: 'y'}}}}}} as BackendService, 'from_tags'],
    ['http without a port', {...minimalWeb, image: {location: 'nginx'}} as LoadBalancedWebService, 'has no port'],
    [
      'too many rule conditions',
      {...minimalWeb, http: {path: '/api', alias: ['a.example.com', 'b.example.com'], allowed_source_ips: ['10.0.0.0/8', '10.1.0.0/16']}} as LoadBalancedWebService,
      'at most 5',
    ],
  ])('%s is a RenderError naming the field', (_l, m, text) => {
    let error: unknown
    try {
      render(m)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RenderError)
    expect(String((error as Error).message)).toContain(text)
  })
})
