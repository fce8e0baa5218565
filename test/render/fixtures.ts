// Typed merged-model fixtures: one per workload type, using many fields, plus environments.

import type {BackendService, EnvironmentManifest, LoadBalancedWebService, ScheduledJob, WorkerService} from '../../src/manifest/types.js'
import type {WorkloadDeployInputs} from '../../src/render/index.js'

export const APP = 'shop'
export const ENV = 'test'

export const defaultEnv: EnvironmentManifest = {name: ENV, type: 'Environment'}

export const httpsEnv: EnvironmentManifest = {
  name: 'prod',
  type: 'Environment',
  network: {vpc: {cidr: '10.1.0.0/16'}},
  http: {
    public: {certificates: ['arn:aws:acm:us-east-1:111111111111:certificate/a', 'arn:aws:acm:us-east-1:111111111111:certificate/b'], ssl_policy: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', ingress: {source_ips: ['10.0.0.0/8', '192.168.1.0/24']}},
    private: {certificates: ['arn:aws:acm:us-east-1:111111111111:certificate/c'], ingress: {vpc: true}},
  },
  observability: {container_insights: true},
}

export const importedEnv: EnvironmentManifest = {
  name: 'staging',
  type: 'Environment',
  network: {vpc: {id: 'vpc-0abc', subnets: {public: [{id: 'subnet-1'}, {id: 'subnet-2'}], private: [{id: 'subnet-3'}, {id: 'subnet-4'}]}}},
}

export const web: LoadBalancedWebService = {
  name: 'web',
  type: 'Load Balanced Web Service',
  image: {build: {context: '.', dockerfile: 'web/Dockerfile'}, port: 8080, healthcheck: {command: 'curl -f http://localhost:8080/healthz', interval: '15s', retries: 3, timeout: '5s', start_period: '30s'}},
  http: {
    path: '/',
    alias: ['www.example.com'],
    healthcheck: {path: '/healthz', success_codes: '200,204', healthy_threshold: 3, unhealthy_threshold: 4, interval: '20s', timeout: '10s', grace_period: '90s'},
    stickiness: true,
    deregistration_delay: '30s',
    allowed_source_ips: ['10.0.0.0/8'],
    redirect_to_https: false,
    version: 'HTTP2',
    additional_rules: [{path: 'admin', target_container: 'admin', healthcheck: '/admin/health'}],
  },
  cpu: 512,
  memory: 1024,
  platform: 'linux/arm64',
  exec: true,
  count: {range: {min: 2, max: 10, spot_from: 3}, cooldown: {in: '60s', out: '30s'}, cpu_percentage: 70, memory_percentage: {value: 80, cooldown: {in: '90s'}}, requests: 1000, response_time: '2s'},
  variables: {LOG_LEVEL: 'info', FEATURE_X: true, DB_HOST: {from_cfn: 'shop-test-db-host'}},
  secrets: {DB_PASSWORD: '/shop/test/db-password', API_KEY: {secretsmanager: 'shop/api-key'}, TOKEN: 'arn:aws:ssm:us-east-1:111111111111:parameter/token', JSON_KEY: {secretsmanager: 'shop/json:username::'}},
  env_file: 'web/.env',
  storage: {ephemeral: 50, readonly_fs: true, volumes: {uploads: {path: '/uploads', read_only: false, efs: {id: 'fs-1234', root_dir: '/web', auth: {iam: true}}}, scratch: {path: '/scratch', read_only: false}}},
  sidecars: {
    admin: {port: 9000, image: 'public.ecr.aws/example/admin:1', variables: {MODE: 'admin'}, secrets: {ADMIN_TOKEN: 'admin-token'}, depends_on: {web: 'start'}, mount_points: [{source_volume: 'scratch', path: '/scratch'}]},
    nginx: {port: '80/tcp', image: {build: 'nginx/Dockerfile'}, essential: false, command: 'nginx -g "daemon off;"'},
  },
  logging: {destination: {Name: 'cloudwatch', region: 'us-east-1', log_group_name: '/custom'}, secretOptions: {apikey: '/shop/log-key'}, retention: 14},
  network: {vpc: {placement: 'private', security_groups: ['sg-extra']}, connect: {alias: 'frontend'}},
  publish: {topics: [{name: 'orders'}, {name: 'events', fifo: true}]},
  deployment: {rolling: 'recreate', rollback_alarms: {cpu_utilization: 90, memory_utilization: 85}},
  capacity_providers: undefined,
  taskdef_overrides: [
    {path: 'ContainerDefinitions[0].Ulimits[-]', value: {Name: 'nofile', SoftLimit: 1024, HardLimit: 2048}},
    {path: 'ContainerDefinitions[0].StopTimeout', value: 60},
  ],
  observability: {tracing: 'awsxray'},
  tags: {team: 'storefront'},
}

export const webInputs: WorkloadDeployInputs = {
  images: {web: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop/web:abc123', nginx: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop/nginx:abc123'},
  dockerLabels: {web: {'pier.build.context': '/src/shop', 'pier.build.dockerfile': 'web/Dockerfile'}},
  rulePriorities: [50000, 100],
  desiredCount: 4,
  envFileArns: {web: 'arn:aws:s3:::shop-artifacts/web/.env'},
  environment: {httpsListener: true},
}

export const api: BackendService = {
  name: 'api',
  type: 'Backend Service',
  image: {location: 'public.ecr.aws/example/api:2', port: 3000, depends_on: {}},
  http: {path: '/api', healthcheck: '/api/health'},
  count: {spot: 2},
  exec: false,
  command: ['node', 'server.js'],
  entrypoint: '/bin/sh -c',
  network: {connect: true},
  secrets: {SECRET: {from_cfn: 'shop-test-secret-arn'}},
  deployment: {rollback_alarms: ['shop-api-5xx']},
}

export const worker: WorkerService = {
  name: 'billing',
  type: 'Worker Service',
  image: {location: 'public.ecr.aws/example/billing:3'},
  subscribe: {
    topics: [
      {name: 'orders', service: 'web', filter_policy: {store: ['example_corp']}},
      {name: 'refunds', service: 'web', queue: {retention: '48h', timeout: '30s', dead_letter: {tries: 5}}},
    ],
    queue: {retention: '96h', delay: '10s', timeout: '5m', dead_letter: {tries: 10}},
  },
  count: {range: '1-5', queue_delay: {acceptable_latency: '1m', msg_processing_time: '250ms'}},
  capacity_providers: [{capacity_provider: 'FARGATE', base: 1, weight: 1}, {capacity_provider: 'FARGATE_SPOT', weight: 3}],
  deployment: {rollback_alarms: {messages_delayed: 100}},
  network: {vpc: {placement: {subnets: ['subnet-a', 'subnet-b']}}},
}

export const job: ScheduledJob = {
  name: 'report',
  type: 'Scheduled Job',
  image: {location: 'public.ecr.aws/example/report:4'},
  on: {schedule: '0 9 * * 1-5'},
  timeout: '1h30m',
  retries: 3,
  secrets: {SMTP_PASSWORD: 'smtp-password'},
  network: {vpc: {placement: 'private'}},
}
