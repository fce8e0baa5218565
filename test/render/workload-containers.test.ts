// The task's containers as rendered from every container field: the main container, sidecars, the
// FireLens log router and the X-Ray collector, their variables (Copilot's own and the workload's),
// secrets, env files, mounts, health checks, and the errors a user reads when one cannot be rendered.
import {describe, expect, it} from 'vitest'

import type {LoadBalancedWebService} from '../../src/manifest/types.js'
import type {WorkloadDeployInputs} from '../../src/render/index.js'
import {render} from './helpers.js'

const ssm = (path: string) => ({'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}`})
const ifEnvFile = (param: string) => ({'Fn::If': [`Has${param}`, {Type: 's3', Value: {Ref: param}}, {Ref: 'AWS::NoValue'}]})
const awslogs = (prefix: string) => ({LogDriver: 'awslogs', Options: {'awslogs-group': {Ref: 'LogGroup'}, 'awslogs-region': {Ref: 'AWS::Region'}, 'awslogs-stream-prefix': prefix}})
const LB_DNS = {Name: 'COPILOT_LB_DNS', Value: {'Fn::ImportValue': 'shop-test-PublicLoadBalancerDNSName'}}
/** Copilot's variables every container gets, with the environment's name as `envName`. */
const meta = (envName = 'test') => [
  {Name: 'COPILOT_APPLICATION_NAME', Value: 'shop'},
  {Name: 'COPILOT_ENVIRONMENT_NAME', Value: envName},
  LB_DNS,
]
const DISCOVERY = [{Name: 'COPILOT_SERVICE_DISCOVERY_ENDPOINT', Value: 'test.shop.local'}, {Name: 'COPILOT_SERVICE_NAME', Value: 'web'}]
const FIRELENS_LOGS = {
  LogDriver: 'awsfirelens',
  Options: {Name: 'cloudwatch', region: 'us-east-1'},
  SecretOptions: [{Name: 'akey', ValueFrom: ssm('/a-key')}, {Name: 'zkey', ValueFrom: ssm('/z-key')}],
}

const full: LoadBalancedWebService = {
  name: 'web',
  type: 'Load Balanced Web Service',
  image: {location: 'repo/web:1', port: 8080, credentials: 'arn:aws:secretsmanager:us-east-1:1:secret:cred', healthcheck: {command: 'curl -f localhost'}, depends_on: {zed: 'healthy', alpha: 'start'}, labels: {team: 'a'}},
  http: {path: '/'},
  variables: {B_VAR: 'b', A_VAR: {from_cfn: 'shop-export'}, C_VAR: 3},
  env_file: 'web.env',
  storage: {volumes: {zvol: {path: '/z'}, avol: {path: '/a', read_only: false}}},
  sidecars: {
    zed: {
      image: 'repo/zed:1', port: '9000/UDP', variables: {COPILOT_ENVIRONMENT_NAME: 'own', X: '1'}, env_file: 'zed.env', credentialsParameter: 'arn:cred2',
      mount_points: [{source_volume: 'avol', path: '/side'}, {source_volume: 'zvol', path: '/zz', read_only: false}],
      healthcheck: {command: ['CMD', 'true'], interval: '3s'},
    },
    alpha: {image: {location: 'repo/alpha:1'}, port: 81},
  },
  logging: {destination: {Name: 'cloudwatch', region: 'us-east-1'}, secretOptions: {zkey: '/z-key', akey: '/a-key'}, enableMetadata: false, configFilePath: '/fluent.conf', variables: {LOGV: 'x'}, env_file: 'log.env', secrets: {LOGS: '/log-secret'}},
  observability: {tracing: 'awsxray'},
}
const fullInputs: WorkloadDeployInputs = {
  addons: {templateUrl: 'https://s3/addons.yml', parameters: {}, outputs: [{name: 'MySecret', kind: 'secret', envName: 'MY_SECRET'}, {name: 'BucketName', kind: 'variable', envName: 'BUCKET_NAME'}]},
  envFileArns: {zed: 'arn:aws:s3:::b/zed.env'},
}

describe('containers of a workload using every container field', () => {
  // Rendered inside each test, not once for the file: mutation testing counts the code a test runs as
  // covered by it only when the test itself runs it.
  const rendered = () => {
    const {template, parameters} = render(full, fullInputs)
    const [main, alpha, zed, firelens, tracing, ...rest] = template.Resources.TaskDefinition.Properties.ContainerDefinitions
    return {template, parameters, main, alpha, zed, firelens, tracing, rest}
  }

  it('renders the main container: variables, addon outputs, mounts, health check, dependencies, credentials', () => {
    const {template, parameters, main, alpha, zed, firelens, tracing, rest} = rendered()
    expect(main).toEqual({
      Name: 'web',
      Image: {Ref: 'ContainerImage'},
      Essential: true,
      PortMappings: [{ContainerPort: 8080, Protocol: 'tcp', Name: 'target'}],
      Environment: [
        {Name: 'A_VAR', Value: {'Fn::ImportValue': 'shop-export'}},
        {Name: 'BUCKET_NAME', Value: {'Fn::GetAtt': ['AddonsStack', 'Outputs.BucketName']}},
        {Name: 'B_VAR', Value: 'b'},
        ...meta(),
        {Name: 'COPILOT_MOUNT_POINTS', Value: '{"avol":"/a","zvol":"/z"}'},
        ...DISCOVERY,
        {Name: 'C_VAR', Value: '3'},
      ],
      EnvironmentFiles: [ifEnvFile('EnvFileARN')],
      Secrets: [{Name: 'MY_SECRET', ValueFrom: {'Fn::GetAtt': ['AddonsStack', 'Outputs.MySecret']}}],
      LogConfiguration: FIRELENS_LOGS,
      HealthCheck: {Command: ['CMD-SHELL', 'curl -f localhost'], Interval: 10, Retries: 2, Timeout: 5, StartPeriod: 0},
      DependsOn: [{ContainerName: 'alpha', Condition: 'START'}, {ContainerName: 'zed', Condition: 'HEALTHY'}],
      DockerLabels: {team: 'a'},
      RepositoryCredentials: {CredentialsParameter: 'arn:aws:secretsmanager:us-east-1:1:secret:cred'},
      MountPoints: [{SourceVolume: 'avol', ContainerPath: '/a', ReadOnly: false}, {SourceVolume: 'zvol', ContainerPath: '/z', ReadOnly: true}],
    })
  })

  it('renders sidecars in name order, each with the mount points of its own volumes and its own variables winning', () => {
    const {template, parameters, main, alpha, zed, firelens, tracing, rest} = rendered()
    expect(alpha).toEqual({
      Name: 'alpha',
      Image: {Ref: 'AlphaContainerImage'},
      Essential: true,
      PortMappings: [{ContainerPort: 81, Protocol: 'tcp'}],
      Environment: [...meta(), ...DISCOVERY],
      LogConfiguration: FIRELENS_LOGS,
    })
    expect(zed).toEqual({
      Name: 'zed',
      Image: {Ref: 'ZedContainerImage'},
      Essential: true,
      PortMappings: [{ContainerPort: 9000, Protocol: 'udp'}],
      Environment: [...meta('own'), {Name: 'COPILOT_MOUNT_POINTS', Value: '{"avol":"/side","zvol":"/zz"}'}, ...DISCOVERY, {Name: 'X', Value: '1'}],
      EnvironmentFiles: [ifEnvFile('ZedEnvFileARN')],
      LogConfiguration: FIRELENS_LOGS,
      HealthCheck: {Command: ['CMD', 'true'], Interval: 3, Retries: 2, Timeout: 5, StartPeriod: 0},
      RepositoryCredentials: {CredentialsParameter: 'arn:cred2'},
      MountPoints: [{SourceVolume: 'avol', ContainerPath: '/side', ReadOnly: true}, {SourceVolume: 'zvol', ContainerPath: '/zz', ReadOnly: false}],
    })
  })

  it('renders the FireLens log router and the X-Ray collector last', () => {
    const {template, parameters, main, alpha, zed, firelens, tracing, rest} = rendered()
    expect(firelens).toEqual({
      Name: 'firelens_log_router',
      Image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
      Essential: true,
      Environment: [...meta(), ...DISCOVERY, {Name: 'LOGV', Value: 'x'}],
      EnvironmentFiles: [ifEnvFile('LogRouterEnvFileARN')],
      Secrets: [{Name: 'LOGS', ValueFrom: ssm('/log-secret')}],
      FirelensConfiguration: {Type: 'fluentbit', Options: {'enable-ecs-log-metadata': 'false', 'config-file-type': 'file', 'config-file-value': '/fluent.conf'}},
      LogConfiguration: awslogs('firelens'),
    })
    expect(tracing).toEqual({
      Name: 'aws-otel-collector',
      Image: 'public.ecr.aws/aws-observability/aws-otel-collector:latest',
      Essential: false,
      Command: ['--config=/etc/ecs/ecs-xray.yaml'],
      LogConfiguration: awslogs('tracing'),
    })
    expect(rest).toEqual([])
  })

  it('declares an image parameter per container and an env file parameter with its condition per env file', () => {
    const {template, parameters, main, alpha, zed, firelens, tracing, rest} = rendered()
    expect(parameters).toMatchObject({ContainerImage: 'repo/web:1', AlphaContainerImage: 'repo/alpha:1', ZedContainerImage: 'repo/zed:1', EnvFileARN: '', ZedEnvFileARN: 'arn:aws:s3:::b/zed.env', LogRouterEnvFileARN: ''})
    expect(template.Parameters.ZedEnvFileARN).toEqual({Type: 'String', Description: 'S3 object ARN of the env file of zed'})
    expect(template.Parameters.LogRouterEnvFileARN).toEqual({Type: 'String', Description: 'S3 object ARN of the env file of firelens_log_router'})
    expect(template.Conditions).toEqual({
      HasEnvFileARN: {'Fn::Not': [{'Fn::Equals': [{Ref: 'EnvFileARN'}, '']}]},
      HasZedEnvFileARN: {'Fn::Not': [{'Fn::Equals': [{Ref: 'ZedEnvFileARN'}, '']}]},
      HasLogRouterEnvFileARN: {'Fn::Not': [{'Fn::Equals': [{Ref: 'LogRouterEnvFileARN'}, '']}]},
    })
  })

  it('lets the execution role read the secrets of the log driver, the log router and the addons, and the env files', () => {
    const {template, parameters, main, alpha, zed, firelens, tracing, rest} = rendered()
    const statements = template.Resources.ExecutionRole.Properties.Policies[0].PolicyDocument.Statement
    const sid = (s: string) => statements.find((x: any) => x.Sid === s)
    expect(sid('ReadReferencedParameters').Resource).toEqual([ssm('/a-key'), ssm('/z-key'), ssm('/log-secret')])
    expect(sid('ReadReferencedSecrets').Resource).toEqual([{'Fn::GetAtt': ['AddonsStack', 'Outputs.MySecret']}])
    const envFileSids = statements.filter((x: any) => x['Fn::If']).map((x: any) => x['Fn::If'][1].Sid)
    expect(envFileSids).toEqual(['ReadEnvFileARN', 'ReadZedEnvFileARN', 'ReadLogRouterEnvFileARN'])
  })

  it('declares the addons stack whose outputs the containers read', () => {
    const {template, parameters, main, alpha, zed, firelens, tracing, rest} = rendered()
    expect(template.Resources.AddonsStack.Type).toBe('AWS::CloudFormation::Stack')
  })
})

describe('containers: defaults and omissions', () => {
  const base: LoadBalancedWebService = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'repo/web:1', port: 8080}, http: {path: '/'}}

  it('without env files, the execution role reads no S3 object', () => {
    const {template} = render(base)
    const statements = template.Resources.ExecutionRole.Properties.Policies?.[0]?.PolicyDocument.Statement ?? []
    expect(JSON.stringify(statements)).not.toContain('s3')
    expect(template.Conditions ?? {}).toEqual({})
  })

  it('turns log metadata on by default and sends no log options when the destination is empty', () => {
    const {template} = render({...base, logging: {destination: {}}})
    const [main, firelens] = template.Resources.TaskDefinition.Properties.ContainerDefinitions
    expect(main.LogConfiguration).toEqual({LogDriver: 'awsfirelens'})
    expect(firelens.FirelensConfiguration).toEqual({Type: 'fluentbit', Options: {'enable-ecs-log-metadata': 'true'}})
  })

  it('names the health check field a bad duration comes from', () => {
    expect(() => render({...base, image: {...base.image, healthcheck: {command: 'true', interval: 'soon'}}})).toThrow(/image\.healthcheck\.interval/)
    expect(() => render({...base, sidecars: {s: {image: 'x', healthcheck: {command: 'true', timeout: 'soon'}}}})).toThrow(/sidecars\.s\.healthcheck\.timeout/)
    expect(() => render({...base, image: {...base.image, healthcheck: {command: 'true', start_period: 'soon'}}})).toThrow(/image\.healthcheck\.start_period/)
  })
})

describe('containers: render errors', () => {
  it('refuses a workload without an image', () => {
    expect(() => render({name: 'web', type: 'Backend Service', image: {port: 80}})).toThrow(/^web has no image: set image\.build or image\.location$/)
  })

  it('refuses a sidecar built from source when deploy gave no image URI', () => {
    const m: LoadBalancedWebService = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'repo/web:1', port: 8080}, http: {path: '/'}, sidecars: {proxy: {image: {build: 'proxy/Dockerfile'}}}}
    expect(() => render(m)).toThrow(/^container "proxy" of web is built from source but no image URI was given: build the image first$/)
    expect(render(m, {images: {proxy: 'repo/proxy:2'}}).parameters.ProxyContainerImage).toBe('repo/proxy:2')
  })

  it('refuses a sidecar port that is not a number', () => {
    const m: LoadBalancedWebService = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'repo/web:1', port: 8080}, http: {path: '/'}, sidecars: {proxy: {image: 'x', port: 'http/tcp'}}}
    expect(() => render(m)).toThrow(/^sidecar port "http\/tcp" is not a port: use a number, optionally with \/tcp or \/udp$/)
  })
})

describe('containers: one variable a name', () => {
  it("lets the manifest's variable replace Copilot's or an addon output's of the same name in the main container", () => {
    const m: LoadBalancedWebService = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'repo/web:1', port: 8080}, http: {path: '/'}, variables: {COPILOT_ENVIRONMENT_NAME: 'mine', BUCKET_NAME: 'my-bucket'}}
    const {template} = render(m, {addons: {templateUrl: 'https://s3/addons.yml', parameters: {}, outputs: [{name: 'BucketName', kind: 'variable', envName: 'BUCKET_NAME'}]}})
    const env = template.Resources.TaskDefinition.Properties.ContainerDefinitions[0].Environment
    expect(env).toEqual([
      {Name: 'BUCKET_NAME', Value: 'my-bucket'},
      {Name: 'COPILOT_APPLICATION_NAME', Value: 'shop'},
      {Name: 'COPILOT_ENVIRONMENT_NAME', Value: 'mine'},
      LB_DNS,
      ...DISCOVERY,
    ])
  })
})
