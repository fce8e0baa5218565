// Fields that exclude each other, and fields one of which must be present.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

const AUTOSCALING = ['range', 'cpu_percentage', 'memory_percentage', 'requests', 'response_time', 'queue_delay'] as const

export function exclusiveRule(m: WorkloadManifest): Issue[] {
  if (m.type === 'Request-Driven Web Service' || m.type === 'Static Site') return []
  const any = m as Record<string, any>
  const issues: Issue[] = []
  const image = any.image as Record<string, unknown> | undefined
  if (image?.build !== undefined && image?.location !== undefined) {
    issues.push({path: ['image', 'location'], atKey: true, code: 'exclusive-fields', message: '`image.build` and `image.location` are both set: an image is either built from a Dockerfile or pulled from a registry',
      hint: 'Keep one of them. In an environment override, setting one clears the other.'})
  } else if (image?.build === undefined && image?.location === undefined) {
    issues.push({path: image ? ['image'] : [], atKey: Boolean(image), code: 'missing-field', message: 'the workload has no image: `image.build` or `image.location` is required (Copilot refused it too: "must specify one of \"build\" and \"location\"")',
      hint: 'Add `image: {build: path/to/Dockerfile}` or `image: {location: repository/image:tag}` beside `port`, in the manifest or in each environment\'s override.'})
  }
  for (const [name, sc] of Object.entries((any.sidecars ?? {}) as Record<string, any>)) {
    const img = sc?.image
    if (img && typeof img === 'object' && img.build !== undefined && img.location !== undefined) {
      issues.push({path: ['sidecars', name, 'image', 'location'], atKey: true, code: 'exclusive-fields', message: `sidecar ${name} sets both \`image.build\` and \`image.location\`: an image is either built or pulled`, hint: 'Keep one of them.'})
    }
    if (img === undefined) {
      issues.push({path: ['sidecars', name], atKey: true, code: 'missing-field', message: `sidecar ${name} has no image: a sidecar needs \`image\``, hint: 'Add `image: repository/image:tag`.'})
    }
  }
  const count = any.count
  if (count && typeof count === 'object') {
    const scaling = AUTOSCALING.filter((k) => count[k] !== undefined)
    if (count.spot !== undefined && scaling.length > 0) {
      issues.push({path: ['count', 'spot'], atKey: true, code: 'exclusive-fields', message: `\`count.spot\` cannot be combined with auto scaling (\`${scaling.join('`, `')}\`): spot sets a fixed number of Spot tasks`,
        hint: 'Use `count.range` with `spot_from` to scale onto Spot, or keep only `spot`.'})
    }
    const targets = scaling.filter((k) => k !== 'range')
    if (count.range === undefined && targets.length > 0) {
      issues.push({path: ['count', targets[0]!], atKey: true, code: 'missing-field', message: `auto scaling on \`${targets[0]}\` needs \`count.range\`: the range gives the minimum and maximum number of tasks`, hint: 'Add `range: 1-10` under `count`.'})
    }
    if (count.range !== undefined && targets.length === 0 && m.type !== 'Worker Service') {
      issues.push({path: ['count', 'range'], atKey: true, severity: 'warning', code: 'no-scaling-target', message: '`count.range` has no scaling target: without cpu_percentage, memory_percentage, requests or response_time the service stays at the minimum', hint: 'Add a target, e.g. `cpu_percentage: 70`.'})
    }
  }
  if (m.type === 'Load Balanced Web Service' && (any.http === false || any.http === undefined) && any.nlb === undefined) {
    issues.push({path: any.http === false ? ['http'] : ['type'], code: 'missing-field', message: 'a Load Balanced Web Service needs `http` or `nlb`: without either nothing routes traffic to it',
      hint: 'Add `http: {path: /}`, or use a Backend Service for a service that takes no traffic from outside.'})
  }
  if (any.http === true) {
    issues.push({path: ['http'], code: 'invalid-value', message: '`http: true` is not a routing rule: `http` is false or a mapping with at least `path`', hint: 'Write `http: {path: /}`.'})
  }
  return issues
}
