// The text of the manifests Pier writes: commented like Copilot's, starting with the
// yaml-language-server line so editors offer completion and hover help from schemas/.
import type {WorkloadType} from '../manifest/types.js'

export interface WorkloadTemplateInput {
  name: string
  type: WorkloadType
  /** image.build: a Dockerfile path relative to the workspace root. */
  dockerfile?: string
  /** image.location: an existing image. */
  image?: string
  port?: number
  schedule?: string
  retries?: number
  timeout?: string
  /** Path prefix for a Load Balanced Web Service (default /). */
  path?: string
  healthcheck?: string
}

const q = (s: string): string => (/^[\w./@:-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/^[\d.]+$/.test(s) ? s : JSON.stringify(s))

function imageBlock(i: WorkloadTemplateInput): string[] {
  const lines = ['image:']
  if (i.dockerfile !== undefined) lines.push(`  # Build the image from this Dockerfile (path relative to the workspace root).`, `  build: ${q(i.dockerfile)}`)
  else lines.push(`  # The image to run.`, `  location: ${q(i.image ?? '')}`)
  if (i.port !== undefined) lines.push(`  # Port the container listens on.`, `  port: ${i.port}`)
  return lines
}

const TASK = ['', 'cpu: 256       # CPU units for the task (256 = 0.25 vCPU).', 'memory: 512    # Memory in MiB for the task.']

export function workloadManifestText(i: WorkloadTemplateInput, schemaRef: string): string {
  const head = [`# yaml-language-server: $schema=${schemaRef}`, `# The manifest for the "${i.name}" ${i.type === 'Scheduled Job' ? 'job' : 'service'}.`, '# Reference: docs/manifest-overrides.md and the schema above describe every field.', '', `name: ${i.name}`, `type: ${i.type}`, '']
  const body: string[] = []
  switch (i.type) {
    case 'Load Balanced Web Service':
      body.push('# Requests to this path on the environment\'s load balancer reach the service.', 'http:', `  path: ${q(i.path ?? '/')}`)
      if (i.healthcheck) body.push(`  # Health check path the load balancer requests.`, `  healthcheck: ${q(i.healthcheck)}`)
      body.push('', ...imageBlock(i), ...TASK, 'count: 1       # Number of tasks.', 'exec: true     # Allow `pier svc exec` into the container.')
      break
    case 'Backend Service':
    case 'Worker Service':
      body.push(...imageBlock(i), ...TASK, 'count: 1       # Number of tasks.', 'exec: true     # Allow `pier svc exec` into the container.')
      break
    case 'Scheduled Job':
      body.push('on:', '  # cron expression, @hourly/@daily/@weekly/@monthly/@yearly, @every 1h30m, or none.', `  schedule: ${JSON.stringify(i.schedule ?? '@daily')}`)
      if (i.retries !== undefined) body.push(`retries: ${i.retries}    # Retries after a failure.`)
      if (i.timeout !== undefined) body.push(`timeout: ${i.timeout}  # Stop the job if it runs longer.`)
      body.push('', ...imageBlock(i), ...TASK)
      break
    default:
      body.push(...imageBlock(i))
  }
  const tail = ['', '# Fields to change per environment, e.g.:', '# environments:', '#   prod:', '#     count: 2', '#     variables:', '#       LOG_LEVEL: info', '']
  return [...head, ...body, ...tail].join('\n')
}

export interface EnvironmentTemplateInput {
  name: string
  importVpc?: {id: string; publicSubnets: string[]; privateSubnets: string[]}
  cidr?: string
  containerInsights?: boolean
  certificates?: string[]
}

export function environmentManifestText(i: EnvironmentTemplateInput, schemaRef: string): string {
  const lines = [`# yaml-language-server: $schema=${schemaRef}`, `# The manifest for the "${i.name}" environment.`, '', `name: ${i.name}`, 'type: Environment', '']
  if (i.importVpc) {
    lines.push('# Import an existing VPC and its subnets.', 'network:', '  vpc:', `    id: ${q(i.importVpc.id)}`, '    subnets:')
    for (const kind of ['public', 'private'] as const) {
      const ids = kind === 'public' ? i.importVpc.publicSubnets : i.importVpc.privateSubnets
      if (ids.length === 0) continue
      lines.push(`      ${kind}:`, ...ids.map((id) => `        - id: ${q(id)}`))
    }
    lines.push('')
  } else if (i.cidr) {
    lines.push('# Pier creates the VPC with this CIDR.', 'network:', '  vpc:', `    cidr: ${q(i.cidr)}`, '')
  }
  if (i.certificates?.length) lines.push('http:', '  public:', `    certificates: [${i.certificates.map(q).join(', ')}]`, '')
  lines.push('observability:', `  container_insights: ${i.containerInsights ? 'true' : 'false'}`, '')
  return lines.join('\n')
}
