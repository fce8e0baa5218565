// Writes the JSON Schemas in schemas/ (the source of truth editors and the validators use).
// Written here with small functions so shared definitions appear once; each output file is
// self-contained (editors with yaml-language-server read one file). Run: node scripts/schemas.mjs
// test/manifest/schemas.test.ts fails when schemas/ differs from what this script writes.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

// ---- building blocks ---------------------------------------------------------------------------------
const obj = (description, properties, extra = {}) => ({type: 'object', description, properties, additionalProperties: false, ...extra})
const str = (description, extra = {}) => ({type: 'string', description, ...extra})
const int = (description, extra = {}) => ({type: 'integer', description, ...extra})
const bool = (description) => ({type: 'boolean', description})
const ref = (name, description) => (description ? {$ref: `#/$defs/${name}`, description} : {$ref: `#/$defs/${name}`})
const mapOf = (description, values) => ({type: 'object', description, additionalProperties: values})
const listOf = (description, items, extra = {}) => ({type: 'array', description, items, ...extra})
const duration = (description) => ref('duration', description)

/** An IPv4 CIDR block, checked as one (Copilot parsed these with net.ParseCIDR). */
const cidr = (description) => str(description, {
  pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$',
  'x-expect': 'an IPv4 CIDR block such as 10.0.0.0/16',
})

// ---- shared definitions ----------------------------------------------------------------------
/** `deployment`: a rolling strategy and the alarms (or metric thresholds, `extraMetrics` beside CPU and
 * memory) that roll a deployment back. */
const deploymentOf = (extraMetrics) => obj('How new versions roll out.', {
  rolling: str('default (keep tasks while new ones start) or recreate (stop old tasks first).', {enum: ['default', 'recreate']}),
  rollback_alarms: {
    type: ['array', 'object'],
    description: 'CloudWatch alarm names, or thresholds, that roll back a deployment.',
    items: {type: 'string'},
    properties: {
      cpu_utilization: {type: 'number', description: 'CPU %.'},
      memory_utilization: {type: 'number', description: 'Memory %.'},
      ...extraMetrics,
    },
    additionalProperties: false,
  },
})

const defs = {
  duration: {type: 'string', description: 'A duration such as 30s, 1m or 1h30m.', pattern: '^([0-9]+(\\.[0-9]+)?(ms|h|m|s))+$', 'x-expect': 'a duration such as 30s, 1m, 1h30m or 500ms'},
  stringOrList: {type: ['string', 'array'], description: 'A string, or a list of strings.', items: {type: 'string'}, 'x-expect': 'a string or a list of strings'},
  buildArgs: {
    type: ['string', 'object'],
    description: 'Build the image from a Dockerfile: the path of the Dockerfile (relative to the workspace root), or the build settings.',
    properties: {
      context: str('Directory sent to the builder, relative to the workspace root.'),
      dockerfile: str('Path of the Dockerfile, relative to the workspace root.'),
      args: mapOf('Build arguments (ARG) and their values.', {type: ['string', 'number', 'boolean']}),
      target: str('Build stage to stop at (multi-stage Dockerfiles).'),
      cache_from: listOf('Images to use as cache sources.', {type: 'string'}),
    },
    additionalProperties: false,
  },
  containerHealthCheck: obj('Container health check, run inside the container.', {
    command: ref('stringOrList', 'The command, e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].'),
    interval: duration('Time between checks (default 10s).'),
    retries: int('Failures in a row before the container is unhealthy (default 2).', {minimum: 0, maximum: 10}),
    timeout: duration('How long a check may take (default 5s).'),
    start_period: duration('Grace period after start during which failures do not count (default 0s).'),
  }),
  dependsOn: mapOf('Containers this one waits for, and the condition: start, complete, success or healthy.', {type: 'string', enum: ['start', 'complete', 'success', 'healthy']}),
  variables: mapOf('Environment variables for the container.', {
    type: ['string', 'number', 'boolean', 'object'],
    properties: {from_cfn: str('Name of a CloudFormation export to read the value from.')},
    required: ['from_cfn'],
    additionalProperties: false,
  }),
  secrets: mapOf('Secrets injected as environment variables: an SSM parameter name or ARN, or `secretsmanager:`/`from_cfn:`.', {
    type: ['string', 'object'],
    properties: {
      secretsmanager: str('A Secrets Manager secret name or ARN, optionally with `:key::` to pick a JSON key.'),
      from_cfn: str('Name of a CloudFormation export holding the secret ARN.'),
    },
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
  }),
  labels: mapOf('Docker labels for the container.', {type: 'string'}),
  stringOrFromCfn: {
    type: ['string', 'object'],
    description: 'A value, or {from_cfn: EXPORT} to import it from another CloudFormation stack.',
    properties: {from_cfn: str('Name of a CloudFormation export.')},
    required: ['from_cfn'],
    additionalProperties: false,
  },
  scalingTarget: {
    type: ['number', 'object'],
    description: 'A target value, or {value, cooldown}.',
    properties: {value: {type: ['number', 'string'], description: 'Target value.'}, cooldown: ref('cooldown')},
    additionalProperties: false,
  },
  cooldown: obj('How long to wait after scaling before scaling again.', {in: duration('After scaling out.'), out: duration('After scaling in.')}),
  count: {
    type: ['integer', 'object'],
    minimum: 0,
    description: 'Number of tasks: an integer, or auto scaling with `range` and targets, or `spot: N` for Fargate Spot tasks.',
    properties: {
      range: {
        type: ['string', 'object'],
        description: 'Scaling range: "1-10", or {min, max, spot_from}.',
        pattern: '^[0-9]+-[0-9]+$',
        'x-expect': 'a range such as 1-10',
        properties: {
          min: int('Minimum number of tasks.', {minimum: 0}),
          max: int('Maximum number of tasks.', {minimum: 1}),
          spot_from: int('Tasks beyond this number run on Fargate Spot.', {minimum: 1}),
        },
        additionalProperties: false,
      },
      cooldown: ref('cooldown'),
      cpu_percentage: {...ref('scalingTarget'), description: 'Target average CPU utilization (%).'},
      memory_percentage: {...ref('scalingTarget'), description: 'Target average memory utilization (%).'},
      requests: {...ref('scalingTarget'), description: 'Target requests per task per minute.'},
      response_time: {type: ['string', 'object'], description: 'Target average response time, e.g. 2s.', properties: {value: str('Target value.'), cooldown: ref('cooldown')}, additionalProperties: false},
      queue_delay: obj('Scale on the age of queued messages (Worker Service).', {
        acceptable_latency: duration('How long a message may wait.'),
        msg_processing_time: duration('How long one message takes to process.'),
        cooldown: ref('cooldown'),
      }),
      spot: int('Number of tasks on Fargate Spot (no auto scaling).', {minimum: 0}),
    },
    additionalProperties: false,
  },
  platform: {
    type: ['string', 'object'],
    description: 'Operating system and architecture: linux/x86_64 (default), linux/arm64, windows/x86_64, or {osfamily, architecture}.',
    enum: undefined,
    pattern: '^(linux|windows)/(amd64|x86_64|arm|arm64)$',
    'x-expect': 'linux/x86_64, linux/arm64 or windows/x86_64',
    properties: {
      osfamily: str('Operating system family.', {enum: ['linux', 'windows_server_2019_core', 'windows_server_2019_full', 'windows_server_2022_core', 'windows_server_2022_full', 'LINUX', 'WINDOWS_SERVER_2019_CORE', 'WINDOWS_SERVER_2019_FULL', 'WINDOWS_SERVER_2022_CORE', 'WINDOWS_SERVER_2022_FULL']}),
      architecture: str('CPU architecture.', {enum: ['x86_64', 'amd64', 'arm64', 'arm', 'X86_64', 'ARM64']}),
    },
    required: ['osfamily', 'architecture'],
    additionalProperties: false,
  },
  exec: {type: ['boolean', 'object'], description: 'Allow `pier svc exec` into the containers.', properties: {command: str('Default command for exec.')}, additionalProperties: false},
  storage: obj('Storage for the task.', {
    ephemeral: int('Ephemeral storage in GiB (20-200, default 20).', {minimum: 20, maximum: 200}),
    readonly_fs: bool('Mount the root file system read-only.'),
    volumes: mapOf('Volumes to mount, by name.', obj('A volume.', {
      path: str('Mount path in the container.'),
      read_only: bool('Mount read-only (default true).'),
      efs: {
        type: ['boolean', 'object'],
        description: 'An EFS file system: true for a managed one, or its settings.',
        properties: {
          id: {...ref('stringOrFromCfn'), description: 'File system ID, or {from_cfn: EXPORT}.'},
          root_dir: str('Directory of the file system to mount.'),
          auth: obj('Authorization.', {iam: bool('Use the task role.'), access_point_id: str('Access point ID.')}),
          uid: int('POSIX user ID (managed file system).', {minimum: 0}),
          gid: int('POSIX group ID (managed file system).', {minimum: 0}),
        },
        additionalProperties: false,
      },
    }, {required: ['path']})),
  }),
  logging: obj('Route logs with FireLens (a Fluent Bit sidecar) instead of CloudWatch directly.', {
    retention: int('Days to keep logs in CloudWatch.', {minimum: 1}),
    image: str('Fluent Bit image.'),
    destination: mapOf('FireLens output options.', {type: ['string', 'number', 'boolean']}),
    enableMetadata: bool('Include ECS metadata in the logs.'),
    secretOptions: {...ref('secrets'), description: 'Secret options for the log router: an SSM parameter, or `secretsmanager:`/`from_cfn:`.'},
    configFilePath: str('Path of a custom Fluent Bit configuration in the image.'),
    variables: ref('variables'),
    secrets: ref('secrets'),
    env_file: str('Path of an env file for the log router, relative to the workspace root.'),
  }),
  sidecarImage: {
    type: ['string', 'object'],
    description: 'Image URI, or {build} / {location}.',
    properties: {build: ref('buildArgs'), location: str('Image URI.')},
    additionalProperties: false,
  },
  sidecars: mapOf('Additional containers in the task, by name.', obj('A sidecar container.', {
    port: {type: ['integer', 'string'], description: 'Container port, e.g. 2000 or 2000/udp.'},
    image: ref('sidecarImage'),
    essential: bool('Stop the task when this container stops (default true).'),
    credentialsParameter: str('Secrets Manager ARN of registry credentials.'),
    variables: ref('variables'),
    env_file: str('Path of an env file, relative to the workspace root.'),
    secrets: ref('secrets'),
    mount_points: listOf('Volumes to mount.', obj('A mount point.', {source_volume: str('Volume name.'), path: str('Mount path.'), read_only: bool('Read-only (default true).')}, {required: ['source_volume', 'path']})),
    depends_on: ref('dependsOn'),
    labels: ref('labels'),
    command: ref('stringOrList', 'Overrides the image CMD.'),
    entrypoint: ref('stringOrList', 'Overrides the image ENTRYPOINT.'),
    healthcheck: ref('containerHealthCheck'),
  })),
  network: obj('Networking of the tasks.', {
    vpc: obj('VPC placement and security groups.', {
      placement: {
        type: ['string', 'object'],
        description: 'Subnets for the tasks: public (default), private, or {subnets}.',
        enum: undefined,
        pattern: '^(public|private)$',
        'x-expect': 'public, private or {subnets: [...]}',
        properties: {
          subnets: {
            type: ['array', 'object'],
            description: 'Subnet IDs, or {from_tags}.',
            items: {type: 'string'},
            properties: {from_tags: mapOf('Subnets whose tags match.', {type: ['string', 'array'], items: {type: 'string'}})},
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      security_groups: {
        type: ['array', 'object'],
        description: 'Extra security groups, or {groups, deny_default}: IDs, or {from_cfn: EXPORT}.',
        items: ref('stringOrFromCfn'),
        properties: {groups: listOf('Security group IDs, or {from_cfn: EXPORT}.', ref('stringOrFromCfn')), deny_default: bool('Drop the environment\'s default security group.')},
        additionalProperties: false,
      },
    }),
    connect: {type: ['boolean', 'object'], description: 'Service Connect: reach other services by name.', properties: {alias: str('Name other services use.')}, additionalProperties: false},
  }),
  publish: obj('SNS topics this workload publishes to.', {
    topics: listOf('Topics.', obj('A topic.', {
      name: str('Topic name.', {pattern: '^[a-zA-Z0-9_-]+$', 'x-expect': 'letters, digits, - and _'}),
      fifo: {type: ['boolean', 'object'], description: 'A FIFO topic.', properties: {content_based_deduplication: bool('Deduplicate by content.')}, additionalProperties: false},
    }, {required: ['name']})),
  }),
  taskdefOverrides: listOf('Patches applied to the rendered task definition.', obj('A patch.', {
    path: str('Path in the task definition, e.g. ContainerDefinitions[0].Ulimits[-].'),
    value: {description: 'The value to set.'},
  }, {required: ['path']})),
  observability: obj('Observability.', {tracing: str('Tracing with AWS X-Ray.', {enum: ['awsxray']})}),
  tags: mapOf('Tags for the resources.', {type: 'string'}),
  deployment: deploymentOf({}),
  workerDeployment: deploymentOf({messages_delayed: {type: 'integer', description: 'Messages delayed (Worker Service).'}}),
  capacityProviders: listOf('Pier extension: an explicit capacity provider strategy.', obj('A strategy item.', {
    capacity_provider: str('FARGATE or FARGATE_SPOT.', {enum: ['FARGATE', 'FARGATE_SPOT']}),
    base: int('Tasks placed here first.', {minimum: 0}),
    weight: int('Share of the remaining tasks.', {minimum: 0}),
  }, {required: ['capacity_provider']})),
  httpHealthCheck: {
    type: ['string', 'object'],
    description: 'Target group health check: a path, or its settings.',
    properties: {
      path: str('Path requested (default /).'),
      port: int('Port requested.', {minimum: 1, maximum: 65535}),
      success_codes: str('HTTP codes that mean healthy, e.g. 200 or 200-299.'),
      healthy_threshold: int('Successes in a row before healthy (2-10).', {minimum: 2, maximum: 10}),
      unhealthy_threshold: int('Failures in a row before unhealthy (2-10).', {minimum: 2, maximum: 10}),
      interval: duration('Time between checks (5s-300s).'),
      timeout: duration('How long a check may take (2s-120s).'),
      grace_period: duration('Time after start during which failures do not count.'),
    },
    additionalProperties: false,
  },
  alias: {
    type: ['string', 'array'],
    description: 'Domain names for the service.',
    items: {type: ['string', 'object'], properties: {name: str('Domain name.'), hosted_zone: str('Hosted zone ID.')}, required: ['name'], additionalProperties: false},
  },
  routingRuleProps: {},
  nlbHealthCheck: obj('Target group health check.', {
    port: int('Port checked.', {minimum: 1, maximum: 65535}),
    healthy_threshold: int('Successes in a row before healthy.', {minimum: 2, maximum: 10}),
    unhealthy_threshold: int('Failures in a row before unhealthy.', {minimum: 2, maximum: 10}),
    timeout: duration('Timeout.'),
    interval: duration('Interval.'),
    grace_period: duration('Grace period.'),
  }),
  sqsQueue: {
    type: ['boolean', 'object'],
    description: 'The SQS queue.',
    properties: {
      retention: duration('How long messages are kept (1m-336h).'),
      delay: duration('Delay before a message is visible.'),
      timeout: duration('Visibility timeout.'),
      dead_letter: obj('Dead-letter queue.', {tries: int('Receives before a message moves to the dead-letter queue.', {minimum: 1, maximum: 1000})}),
      fifo: {type: ['boolean', 'object'], description: 'A FIFO queue.', properties: {content_based_deduplication: bool('Deduplicate by content.'), deduplication_scope: str('messageGroup or queue.'), throughput_limit: str('perMessageGroupId or perQueue.'), high_throughput: bool('High throughput mode.')}, additionalProperties: false},
    },
    additionalProperties: false,
  },
}
delete defs.routingRuleProps
for (const d of Object.values(defs)) if (d.enum === undefined) delete d.enum

const routingRuleProps = {
  path: str('Path prefix routed to this service, e.g. / or api.'),
  alias: ref('alias'),
  hosted_zone: str('Hosted zone ID for the alias.'),
  healthcheck: ref('httpHealthCheck'),
  stickiness: bool('Sticky sessions.'),
  deregistration_delay: duration('How long to drain a task before it stops (default 60s).'),
  target_container: str('Container that receives the traffic (default: the main container).'),
  target_port: int('Container port that receives the traffic.', {minimum: 1, maximum: 65535}),
  allowed_source_ips: listOf('CIDR ranges allowed to reach this path.', cidr('A CIDR range.')),
  redirect_to_https: bool('Redirect HTTP to HTTPS (default true when the environment has a certificate).'),
  version: str('Protocol version between the load balancer and the tasks.', {enum: ['HTTP1', 'HTTP2', 'gRPC', 'http1', 'http2', 'grpc', 'GRPC']}),
}
const nlbListenerProps = {
  port: str('Listener port and protocol, e.g. 443/tls or 80/tcp.', {pattern: '^[0-9]+(/(tcp|udp|tls|tcp_udp|TCP|UDP|TLS|TCP_UDP))?$', 'x-expect': 'a port with an optional protocol, e.g. 443/tls'}),
  healthcheck: ref('nlbHealthCheck'),
  target_container: str('Container that receives the traffic.'),
  target_port: int('Container port that receives the traffic.', {minimum: 1, maximum: 65535}),
  ssl_policy: str('TLS security policy.'),
  stickiness: bool('Sticky sessions.'),
  deregistration_delay: duration('Drain time.'),
}

const image = (withPort) => obj('The main container image: `build` (from a Dockerfile) or `location` (an existing image).', {
  build: ref('buildArgs'),
  location: str('URI of an existing image, e.g. public.ecr.aws/nginx/nginx:latest.'),
  ...(withPort ? {port: int('Port the container listens on.', {minimum: 1, maximum: 65535})} : {}),
  credentials: str('Secrets Manager ARN of private registry credentials.'),
  labels: ref('labels'),
  depends_on: ref('dependsOn'),
  healthcheck: ref('containerHealthCheck'),
})

const common = (type, withPort) => ({
  name: str('Name of the workload (its directory under copilot/).'),
  type: {const: type, description: 'The workload type.'},
  image: image(withPort),
  entrypoint: ref('stringOrList', 'Overrides the image ENTRYPOINT.'),
  command: ref('stringOrList', 'Overrides the image CMD.'),
  cpu: int('CPU units for the task (256 = 0.25 vCPU). Must pair with `memory` per the Fargate table.', {minimum: 1}),
  memory: int('Memory in MiB for the task.', {minimum: 1}),
  platform: ref('platform'),
  exec: ref('exec'),
  variables: ref('variables'),
  env_file: str('Path of an env file (.env), relative to the workspace root.'),
  secrets: ref('secrets'),
  storage: ref('storage'),
  logging: ref('logging'),
  sidecars: ref('sidecars'),
  network: ref('network'),
  publish: ref('publish'),
  taskdef_overrides: ref('taskdefOverrides'),
  observability: ref('observability'),
  tags: ref('tags'),
})

const environments = mapOf('Overrides per environment: fields here replace the manifest\'s for that environment (see docs/manifest-overrides.md; `!unset` removes a field).', {
  type: ['object', 'null'],
})

const service = (type, extra, withPort) => ({
  ...common(type, withPort),
  ...extra,
  count: ref('count'),
  // Only a Worker Service has a queue whose delay can roll a deployment back (Copilot's WorkerAlarmArgs).
  deployment: ref(type === 'Worker Service' ? 'workerDeployment' : 'deployment'),
  capacity_providers: ref('capacityProviders'),
  environments,
})

function schema(id, title, description, properties, required, extraDefs = {}) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://pier.dev/schemas/${id}.json`,
    title,
    description,
    type: 'object',
    properties,
    required,
    additionalProperties: false,
    $defs: {...defs, ...extraDefs},
  }
}

const http = {
  type: ['boolean', 'object'],
  description: 'Routing from the load balancer: false for none, or the routing rule.',
  properties: {
    ...routingRuleProps,
    alb: str('Name or ARN of an existing load balancer to use.'),
    targetContainer: str('Deprecated spelling of target_container, still read.'),
    additional_rules: listOf('More routing rules to other containers or ports.', obj('A routing rule.', routingRuleProps)),
  },
  additionalProperties: false,
}

const schemas = {
  workspace: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://pier.dev/schemas/workspace.json',
    title: 'Copilot workspace (copilot/.workspace)',
    type: 'object',
    properties: {
      application: str('Name of the application.', {pattern: '^[a-z][a-z0-9-]*$', 'x-expect': 'lowercase letters, digits and -, starting with a letter'}),
      path: str('Written by Copilot v1.20-v1.24 (usually empty); not used.'),
    },
    required: ['application'],
    additionalProperties: false,
  },
  'load-balanced-web-service': schema('load-balanced-web-service', 'Load Balanced Web Service', 'A service reachable from the internet through an Application or Network Load Balancer.', service('Load Balanced Web Service', {
    http,
    nlb: obj('A Network Load Balancer listener.', {...nlbListenerProps, alias: ref('alias'), additional_listeners: listOf('More listeners.', obj('A listener.', nlbListenerProps, {required: ['port']}))}, {required: ['port']}),
  }, true), ['name', 'type']),
  'backend-service': schema('backend-service', 'Backend Service', 'A service reachable only inside the environment, by service discovery or an internal load balancer.', service('Backend Service', {http}, true), ['name', 'type']),
  'worker-service': schema('worker-service', 'Worker Service', 'A service that processes messages from the SNS topics it subscribes to, through an SQS queue.', service('Worker Service', {
    subscribe: obj('Topics and the queue.', {
      topics: listOf('Topics to subscribe to.', obj('A subscription.', {
        name: str('Topic name.'),
        service: str('Service that publishes the topic.'),
        filter_policy: {type: 'object', description: 'SNS filter policy.'},
        queue: ref('sqsQueue'),
      }, {required: ['name', 'service']})),
      queue: ref('sqsQueue'),
    }),
  }, false), ['name', 'type']),
  'scheduled-job': schema('scheduled-job', 'Scheduled Job', 'A task that runs on a schedule.', {
    ...common('Scheduled Job', false),
    on: obj('When the job runs.', {schedule: str('A cron expression (5 or 6 fields), @hourly, @daily, @weekly, @monthly, @yearly, @every 1h30m, rate(...), or none.')}, {required: ['schedule']}),
    timeout: duration('Stop the job if it runs longer than this.'),
    retries: int('Retries after a failure (0-10).', {minimum: 0, maximum: 10}),
    environments,
  }, ['name', 'type', 'on']),
  'request-driven-web-service': schema('request-driven-web-service', 'Request-Driven Web Service', 'An AWS App Runner service. Pier reads and validates it, but does not deploy it.', {
    name: str('Name of the service.'),
    type: {const: 'Request-Driven Web Service', description: 'The workload type.'},
    image: obj('The image.', {build: ref('buildArgs'), location: str('Image URI.'), port: int('Port.', {minimum: 1, maximum: 65535})}),
    http: obj('HTTP settings.', {path: str('Path.'), healthcheck: ref('httpHealthCheck'), alias: str('Domain name.'), private: {type: ['boolean', 'object'], description: 'Private service.'}}),
    cpu: int('vCPU units (1024 or 2048).'),
    memory: int('Memory in MiB.'),
    count: {type: ['integer', 'string'], description: 'Auto scaling configuration name, or instance count.'},
    variables: ref('variables'),
    secrets: ref('secrets'),
    tags: ref('tags'),
    network: {type: 'object', description: 'Networking.'},
    observability: ref('observability'),
    publish: ref('publish'),
    instance_role: {type: 'object', description: 'Instance role.'},
    environments,
  }, ['name', 'type']),
  'static-site': schema('static-site', 'Static Site', 'An S3 + CloudFront static site. Pier reads and validates it, but does not deploy it.', {
    name: str('Name of the site.'),
    type: {const: 'Static Site', description: 'The workload type.'},
    files: listOf('Files to upload.', obj('Files.', {source: str('Local path.'), destination: str('Path in the bucket.'), recursive: bool('Include subdirectories.'), exclude: str('Pattern to exclude.'), reinclude: str('Pattern to include again.')}, {required: ['source']})),
    http: obj('HTTP settings.', {alias: str('Domain name.'), certificate: str('Certificate ARN.')}),
    environments,
  }, ['name', 'type']),
  environment: schema('environment', 'Environment', 'An environment: its network, load balancers and observability.', {
    name: str('Name of the environment (its directory under copilot/environments/).'),
    type: {const: 'Environment', description: 'Always Environment.'},
    network: obj('Networking.', {
      vpc: obj('The VPC: created by Pier (optionally with a CIDR) or imported by ID.', {
        id: str('ID of an existing VPC to import.'),
        cidr: cidr('CIDR of the VPC Pier creates (default 10.0.0.0/16).'),
        subnets: obj('Subnets.', {
          public: listOf('Public subnets.', ref('subnet')),
          private: listOf('Private subnets.', ref('subnet')),
        }),
        security_group: obj('Rules of the environment security group.', {
          ingress: listOf('Ingress rules.', ref('sgRule')),
          egress: listOf('Egress rules.', ref('sgRule')),
        }),
        flow_logs: {type: ['boolean', 'object'], description: 'VPC flow logs.', properties: {retention: int('Days to keep.', {minimum: 1})}, additionalProperties: false},
      }),
    }),
    http: obj('Load balancers.', {
      public: obj('The public Application Load Balancer.', {
        certificates: listOf('ACM certificate ARNs.', {type: 'string'}),
        access_logs: {type: ['boolean', 'object'], description: 'ALB access logs.', properties: {bucket_name: str('Bucket.'), prefix: str('Prefix.')}, additionalProperties: false},
        ingress: obj('Who may reach it.', {cdn: bool('Only the CDN.'), source_ips: listOf('CIDR ranges.', cidr('A CIDR range.'))}),
        ssl_policy: str('TLS security policy.'),
        security_groups: obj('Security groups.', {ingress: obj('Ingress.', {restrict_to: obj('Restrict.', {cdn: bool('Only the CDN.')})})}),
      }),
      private: obj('The internal Application Load Balancer.', {
        subnets: listOf('Subnet IDs.', {type: 'string'}),
        certificates: listOf('ACM certificate ARNs.', {type: 'string'}),
        ingress: obj('Who may reach it.', {vpc: bool('The whole VPC.')}),
        ssl_policy: str('TLS security policy.'),
        security_groups: obj('Security groups.', {ingress: obj('Ingress.', {from_vpc: bool('From the VPC.')})}),
      }),
    }),
    cdn: {type: ['boolean', 'object'], description: 'A CloudFront distribution in front of the public load balancer.', properties: {certificate: str('Certificate ARN.'), static_assets: {type: 'object', description: "An S3 bucket CloudFront serves some paths from, read through an origin access control. The bucket's policy must let CloudFront read it (see docs/migrating-from-copilot.md).", properties: {location: str("The bucket's domain name, such as my-bucket.s3.us-west-2.amazonaws.com."), alias: str("The domain name the assets are served under (added to the distribution's aliases with cdn.certificate)."), path: str('The path pattern served from the bucket, such as static/*.')}, additionalProperties: false}, terminate_tls: bool('Terminate TLS at CloudFront.')}, additionalProperties: false},
    observability: obj('Observability.', {container_insights: {type: ['boolean', 'string'], enum: [true, false, 'enhanced'], description: 'CloudWatch Container Insights: true, false or enhanced.'}}),
  }, ['name', 'type'], {
    subnet: obj('A subnet: an existing ID, or a CIDR and zone for a new one.', {id: str('Subnet ID.'), cidr: cidr('CIDR of the new subnet.'), az: str('Availability zone.')}),
    sgRule: obj('A security group rule.', {ip_protocol: str('Protocol.'), ports: {type: ['integer', 'string'], description: 'Port or range.'}, cidr: cidr('CIDR the rule allows.')}),
  }),
}

// Keeps only the definitions a schema reaches, so each file stays small.
function prune(s) {
  if (!s.$defs) return s
  const used = new Set()
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const name = v.replace('#/$defs/', '')
        if (!used.has(name)) {
          used.add(name)
          visit(s.$defs[name])
        }
      } else if (k !== '$defs') visit(v)
    }
  }
  visit(s)
  return {...s, $defs: Object.fromEntries(Object.entries(s.$defs).filter(([k]) => used.has(k)))}
}

// Editors get completion and hover inside `environments.<env>` too: the override schema is the
// workload's own, with nothing required (an override sets only what changes) and `!unset` allowed.
function withOverrides(s) {
  if (!s.properties?.environments) return s
  const strip = (node) => {
    if (Array.isArray(node)) return node.map(strip)
    if (!node || typeof node !== 'object') return node
    const out = {}
    for (const [k, v] of Object.entries(node)) {
      if (k === 'required') continue
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/$defs/override.') : strip(v)
    }
    return out
  }
  const {name, type, environments, ...fields} = s.properties
  const overrideDefs = Object.fromEntries(Object.entries(s.$defs).filter(([k]) => !k.startsWith('override.')).map(([k, v]) => [`override.${k}`, strip(v)]))
  return {
    ...s,
    properties: {
      ...s.properties,
      environments: {...environments, additionalProperties: {type: ['object', 'null'], description: 'Fields to change in this environment.', properties: strip(fields), additionalProperties: false}},
    },
    $defs: {...s.$defs, ...overrideDefs},
  }
}

/** File name (without .json) -> schema. */
export const schemaFiles = Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, withOverrides(prune(v))]))

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(join(root, 'schemas'), {recursive: true})
  for (const [name, s] of Object.entries(schemaFiles)) {
    writeFileSync(join(root, 'schemas', `${name}.json`), JSON.stringify(s, null, 2) + '\n')
  }
}
