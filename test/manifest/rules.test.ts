// Semantic rules, one case per line: a manifest fragment and the codes (with paths) it must produce.
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {resolveWorkloadText, scheduleProblem} from '../../src/manifest/index.js'

const BASE: Record<string, string> = {
  svc: 'name: web\ntype: Load Balanced Web Service\nhttp: {path: /}\nimage: {location: nginx, port: 80}\n',
  backend: 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\n',
  job: 'name: web\ntype: Scheduled Job\nimage: {location: x}\n',
}

/** The base manifest with the fragment's top-level fields replacing its own (`__delete__` removes one). */
function codes(kind: keyof typeof BASE, extra: string): string[] {
  const m = {...parse(BASE[kind]!), ...parse(extra || '{}')}
  for (const [k, v] of Object.entries(m)) if (v === '__delete__') delete m[k]
  const r = resolveWorkloadText({file: 'm.yml', text: stringify(m), app: 'demo', environments: [], vars: {}})
  return r.diagnostics.map((d) => `${d.code} ${d.path}`)
}

const cases: [string, keyof typeof BASE, string, string[]][] = [
  ['a Fargate size is fine', 'svc', 'cpu: 1024\nmemory: 8192\n', []],
  ['memory off the table', 'svc', 'cpu: 1024\nmemory: 1024\n', ['fargate-size memory']],
  ['cpu off the table', 'svc', 'cpu: 300\n', ['fargate-size cpu']],
  ['8192 cpu takes 4 GiB steps', 'svc', 'cpu: 8192\nmemory: 17408\n', ['fargate-size memory']],
  ['windows needs 1 vCPU and 2 GiB', 'svc', 'platform: windows/x86_64\n', ['platform-limit cpu', 'platform-limit memory']],
  ['arm64 cannot use spot', 'svc', 'platform: linux/arm64\ncount: {spot: 2}\n', ['platform-limit count']],
  ['arm64 on its own is fine', 'svc', 'platform: {osfamily: linux, architecture: arm64}\n', []],
  ['build and location together', 'svc', 'image: {build: Dockerfile, location: nginx, port: 80}\n', ['exclusive-fields image.location']],
  ['no image at all', 'backend', 'image: __delete__\n', ['missing-field ']],
  // Copilot refused it too (ImageLocationOrBuild: "must specify one of build and location").
  ['an image with only a port', 'svc', 'image: {port: 4001}\n', ['missing-field image']],
  ['spot with autoscaling', 'svc', 'count: {spot: 1, range: 1-3, cpu_percentage: 50}\n', ['exclusive-fields count.spot']],
  ['scaling target without range', 'svc', 'count: {cpu_percentage: 50}\n', ['missing-field count.cpu_percentage']],
  ['range without target warns', 'svc', 'count: {range: 1-3}\n', ['no-scaling-target count.range']],
  ['range upside down', 'svc', 'count: {range: 5-2, cpu_percentage: 50}\n', ['count-range count.range']],
  ['spot_from above max', 'svc', 'count: {range: {min: 1, max: 3, spot_from: 5}, cpu_percentage: 50}\n', ['count-range count.range.spot_from']],
  ['percentage over 100', 'svc', 'count: {range: 1-3, cpu_percentage: 150}\n', ['out-of-range count.cpu_percentage']],
  ['LBWS with http: false and no nlb', 'svc', 'http: false\n', ['missing-field http']],
  ['LBWS with an nlb only', 'svc', 'http: false\nnlb: {port: 443/tls}\n', []],
  ['depends_on a missing container', 'svc', 'sidecars: {log: {image: fluent}}\nimage: {location: x, port: 80, depends_on: {nope: start}}\n', ['unknown-reference image.depends_on.nope']],
  ['containers in a cycle', 'svc', 'image: {location: x, port: 80, depends_on: {a: start}}\nsidecars: {a: {image: y, depends_on: {b: start}}, b: {image: z, depends_on: {web: start}}}\n', ['dependency-cycle image.depends_on.a']],
  ['a container depending on itself', 'svc', 'sidecars: {a: {image: y, depends_on: {a: start}}}\n', ['dependency-cycle sidecars.a.depends_on.a']],
  ['target_container that does not exist', 'svc', 'http: {path: /, target_container: nginx}\n', ['unknown-reference http.target_container']],
  ['target_container that is a sidecar', 'svc', 'http: {path: /, target_container: proxy}\nsidecars: {proxy: {image: envoy, port: 9000}}\n', []],
  ['mount of an undeclared volume', 'svc', 'sidecars: {s: {image: y, mount_points: [{source_volume: data, path: /d}]}}\n', ['unknown-reference sidecars.s.mount_points[0].source_volume']],
  ['two containers on one port', 'svc', 'sidecars: {s: {image: y, port: 80}}\n', ['port-conflict sidecars.s.port']],
  ['udp port on a sidecar is fine', 'svc', 'sidecars: {s: {image: y, port: 2000/udp}}\n', []],
  ['a routed service without a port', 'svc', 'image: {location: x}\n', ['missing-field image']],
  ['container health check too often', 'svc', 'image: {location: x, port: 80, healthcheck: {interval: 2s, timeout: 90s}}\n', ['out-of-range image.healthcheck.interval', 'out-of-range image.healthcheck.timeout']],
  ['target health check timeout not below interval', 'svc', 'http: {path: /, healthcheck: {path: /h, interval: 10s, timeout: 10s}}\n', ['out-of-range http.healthcheck.timeout']],
  ['a valid schedule', 'job', 'on: {schedule: "0 */2 * * *"}\n', []],
  ['a bad cron field', 'job', 'on: {schedule: "61 * * * *"}\n', ['invalid-schedule on.schedule']],
  ['a missing schedule', 'job', 'on: {}\n', ['missing-field on']],
]

describe('semantic rules', () => {
  for (const [name, kind, extra, want] of cases) {
    it(name, () => expect(codes(kind, extra)).toEqual(want))
  }
})

describe('an image with only a port', () => {
  it('says what to add, and that Copilot refused it too', () => {
    const r = resolveWorkloadText({file: 'm.yml', text: 'name: web\ntype: Load Balanced Web Service\nhttp: {path: /}\nimage:\n  port: 4001\n', app: 'demo', environments: [], vars: {}})
    const d = r.diagnostics.find((x) => x.code === 'missing-field')!
    expect(d.message).toContain('Copilot refused it too')
    expect(d.hint).toContain('`image: {location: repository/image:tag}` beside `port`')
  })
})

describe('schedules', () => {
  const ok = ['@daily', '@hourly', '@weekly', '@monthly', '@yearly', '@annually', '@midnight', 'none', '@every 1m', '@every 1h30m', '*/5 * * * *', '0 9 * * MON-FRI', '0 0 1 JAN *', 'cron(0 12 ? * 2#1 *)', 'rate(5 minutes)', 'cron(0 12 * * ? *)', '15 10 L * ?', '0 0 1 * *', '0 0 * * 1', '0 0 ? * 1']
  const bad = ['@often', '@every 30s', '@every 90s', '@every soon', '* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', 'every day', '0 0 1 * 1', '0 12 ? * 2#1 *', 'cron(0 12 * * *)', 'cron(0 12 * * * *)', 'cron(0 12 1 * 2 *)']
  it.each(ok)('accepts %s', (s) => expect(scheduleProblem(s)).toBeUndefined())
  it.each(bad)('rejects %s', (s) => expect(scheduleProblem(s)).toBeTypeOf('string'))
})
