// The semantic rules through the whole resolve, one manifest per case: what a user sees for it, every
// diagnostic with its line:col, severity, code, path, message and hint, or nothing when it is accepted.
// Cases sit at the bounds the rules draw (the last accepted value and the first refused one).
import {describe, expect, it} from 'vitest'

import {resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'
import {workloadRules} from '../../src/manifest/rules/index.js'
import type {WorkloadManifest} from '../../src/manifest/types.js'

type Case = [name: string, kind: 'w' | 'env', text: string, want: string[]]

/** Every diagnostic of a workload ('w') or environment ('env') manifest, one line each. */
function report(kind: 'w' | 'env', text: string): string[] {
  const input = {file: 'm.yml', text, app: 'demo', environments: ['test'], vars: {}}
  const r = kind === 'env' ? resolveEnvironmentText(input) : resolveWorkloadText(input)
  return r.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} [${d.code}] ${d.path}: ${d.message}${d.hint ? ` | hint: ${d.hint}` : ''}`)
}

describe('task counts (count.ts)', () => {
  const cases: Case[] = [
    ['a range mapping without max', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: {min: 1}, cpu_percentage: 50}\n', [
      '4:16 error [missing-field] count.range: `count.range` needs both `min` and `max`: they bound the number of tasks | hint: Add `min: 1` and `max: 10`.',
    ]],
    ['a range mapping without min', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: {max: 3}, cpu_percentage: 50}\n', [
      '4:16 error [missing-field] count.range: `count.range` needs both `min` and `max`: they bound the number of tasks | hint: Add `min: 1` and `max: 10`.',
    ]],
    ['spot_from equal to max', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: {min: 1, max: 3, spot_from: 3}, cpu_percentage: 50}\n', []],
    ['spot_from above max', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: {min: 1, max: 3, spot_from: 4}, cpu_percentage: 50}\n', [
      '4:44 error [count-range] count.range.spot_from: spot_from 4 is above max 3: no task would ever run on Spot | hint: Set spot_from to at most 3.',
    ]],
    ['a range of one value', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 3-3, cpu_percentage: 50}\n', []],
    ['a range upside down', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 4-3, cpu_percentage: 50}\n', [
      '4:16 error [count-range] count.range: the range\'s minimum 4 is above its maximum 3: the number of tasks must fit between them | hint: Write 3-4.',
    ]],
    ['a range of zero tasks', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 0-0, cpu_percentage: 50}\n', [
      '4:16 error [count-range] count.range: the range\'s maximum is 0: the service could never run a task | hint: Set the maximum to 1 or more.',
    ]],
    ['a range upside down to zero', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 2-0, cpu_percentage: 50}\n', [
      '4:16 error [count-range] count.range: the range\'s minimum 2 is above its maximum 0: the number of tasks must fit between them | hint: Write 0-2.',
    ]],
    ['a range of exactly one task', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-1, cpu_percentage: 50}\n', []],
    ['percentages at the bounds', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-3, cpu_percentage: 100, memory_percentage: 1}\n', []],
    ['a percentage of zero', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-3, cpu_percentage: 0}\n', [
      '4:37 error [out-of-range] count.cpu_percentage: cpu_percentage 0 is not a percentage: a utilization target lies between 1 and 100 | hint: Most services use 50-80.',
    ]],
    ['a percentage with a cooldown above 100', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-3, memory_percentage: {value: 101}}\n', [
      '4:40 error [out-of-range] count.memory_percentage: memory_percentage 101 is not a percentage: a utilization target lies between 1 and 100 | hint: Most services use 50-80.',
    ]],
    ['a percentage with a cooldown at 100', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-3, memory_percentage: {value: 100}}\n', []],
    ['a fixed count', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: 2\n', []],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('exclusive and required fields (exclusive.ts)', () => {
  const cases: Case[] = [
    ['a Static Site has no image', 'w', 'name: web\ntype: Static Site\nhttp: {alias: example.com}\nfiles: [{source: dist, destination: /}]\n', []],
    ['a workload without image', 'w', 'name: web\ntype: Backend Service\n', [
      '1:1 error [missing-field] : the workload has no image: `image.build` or `image.location` is required (Copilot refused it too: "must specify one of "build" and "location"") | hint: Add `image: {build: path/to/Dockerfile}` or `image: {location: repository/image:tag}` beside `port`, in the manifest or in each environment\'s override.',
    ]],
    ['an image with a port only', 'w', 'name: web\ntype: Backend Service\nimage: {port: 80}\n', [
      '3:1 error [missing-field] image: the workload has no image: `image.build` or `image.location` is required (Copilot refused it too: "must specify one of "build" and "location"") | hint: Add `image: {build: path/to/Dockerfile}` or `image: {location: repository/image:tag}` beside `port`, in the manifest or in each environment\'s override.',
    ]],
    ['sidecars: both sources, none, a build, a location', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: {build: a/Dockerfile, location: a:1}}, b: {port: 9000}, c: {image: {build: c/Dockerfile}}, d: {image: d:1}}\n', [
      '4:45 error [exclusive-fields] sidecars.a.image.location: sidecar a sets both `image.build` and `image.location`: an image is either built or pulled | hint: Keep one of them.',
      '4:62 error [missing-field] sidecars.b: sidecar b has no image: a sidecar needs `image` | hint: Add `image: repository/image:tag`.',
    ]],
    ['a sidecar image pulled from a registry', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {d: {image: {location: d:1}}}\n', []],
    ['http: true', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nhttp: true\n', [
      '4:7 error [invalid-value] http: `http: true` is not a routing rule: `http` is false or a mapping with at least `path` | hint: Write `http: {path: /}`.',
    ]],
    ['spot with every scaling field named', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {spot: 2, range: 1-4, requests: 100, response_time: 2s}\n', [
      '4:9 error [exclusive-fields] count.spot: `count.spot` cannot be combined with auto scaling (`range`, `requests`, `response_time`): spot sets a fixed number of Spot tasks | hint: Use `count.range` with `spot_from` to scale onto Spot, or keep only `spot`.',
    ]],
    ['a scaling target without range names the first target', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {requests: 100, queue_delay: {acceptable_latency: 1m, msg_processing_time: 250ms}}\n', [
      '4:9 error [missing-field] count.requests: auto scaling on `requests` needs `count.range`: the range gives the minimum and maximum number of tasks | hint: Add `range: 1-10` under `count`.',
    ]],
    ['a range without target', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-4}\n', [
      '4:9 warning [no-scaling-target] count.range: `count.range` has no scaling target: without cpu_percentage, memory_percentage, requests or response_time the service stays at the minimum | hint: Add a target, e.g. `cpu_percentage: 70`.',
    ]],
    ['a Worker Service range needs no target', 'w', 'name: web\ntype: Worker Service\nimage: {location: nginx}\nsubscribe: {}\ncount: {range: 1-4}\n', []],
    ['a range with a target', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncount: {range: 1-4, cpu_percentage: 50}\n', []],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('Fargate sizes (fargate-size.ts)', () => {
  const cases: Case[] = [
    ['cpu off the table', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncpu: 300\nmemory: 512\n', [
      '4:6 error [fargate-size] cpu: cpu 300 is not a Fargate task size: Fargate offers 256, 512, 1024, 2048, 4096, 8192, 16384 CPU units | hint: Use one of 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU).',
    ]],
    ['memory that no cpu takes', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncpu: 1024\nmemory: 1000\n', [
      '5:9 error [fargate-size] memory: memory 1000 MiB does not pair with cpu 1024 on Fargate: cpu 1024 takes 2048-8192 in steps of 1024 MiB | hint: Set memory to one of 2048-8192 in steps of 1024.',
    ]],
    ['memory that other cpus take', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncpu: 256\nmemory: 4096\n', [
      '5:9 error [fargate-size] memory: memory 4096 MiB does not pair with cpu 256 on Fargate: cpu 256 takes 512, 1024, 2048 MiB | hint: Set memory to one of 512, 1024, 2048, or cpu to 512 or 1024 or 2048.',
    ]],
    ['memory below the range of its cpu', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncpu: 2048\nmemory: 2048\n', [
      '5:9 error [fargate-size] memory: memory 2048 MiB does not pair with cpu 2048 on Fargate: cpu 2048 takes 4096-16384 in steps of 1024 MiB | hint: Set memory to one of 4096-16384 in steps of 1024, or cpu to 256 or 512 or 1024.',
    ]],
    ['16 vCPU in 8 GiB steps', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\ncpu: 16384\nmemory: 40960\n', []],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('health checks (healthcheck.ts)', () => {
  const cases: Case[] = [
    ['container check at its lower bounds', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80, healthcheck: {command: [CMD, true], interval: 5s, timeout: 60s, start_period: 300s}}\n', []],
    ['container check at its upper bounds', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80, healthcheck: {command: [CMD, true], interval: 300s, timeout: 2s, start_period: 0s}}\n', []],
    ['container check above its bounds', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80, healthcheck: {command: [CMD, true], interval: 301s, timeout: 61s, start_period: 301s}}\n', [
      '3:82 error [out-of-range] image.healthcheck.interval: container health check interval 301s is out of range: it must be between 5s and 300s | hint: Pick a value from 5s to 300s.',
      '3:97 error [out-of-range] image.healthcheck.timeout: container health check timeout 61s is out of range: it must be between 2s and 60s | hint: Pick a value from 2s to 60s.',
      '3:116 error [out-of-range] image.healthcheck.start_period: container health check start_period 301s is out of range: it must be between 0s and 300s | hint: Pick a value from 0s to 300s.',
    ]],
    ['container check below its bounds', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80, healthcheck: {command: [CMD, true], interval: 4s, timeout: 1s}}\n', [
      '3:82 error [out-of-range] image.healthcheck.interval: container health check interval 4s is out of range: it must be between 5s and 300s | hint: Pick a value from 5s to 300s.',
      '3:95 error [out-of-range] image.healthcheck.timeout: container health check timeout 1s is out of range: it must be between 2s and 60s | hint: Pick a value from 2s to 60s.',
    ]],
    ['a sidecar check', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {log: {image: fluent, healthcheck: {command: [CMD, true], interval: 1s, timeout: 3s}}}\n', [
      '4:79 error [out-of-range] sidecars.log.healthcheck.interval: container health check interval 1s is out of range: it must be between 5s and 300s | hint: Pick a value from 5s to 300s.',
    ]],
    ['target check within bounds', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: {path: /, healthcheck: {path: /h, interval: 10s, timeout: 9s, grace_period: 0s}}\n', []],
    ['target check above its bounds', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: {path: /, healthcheck: {path: /h, interval: 301s, timeout: 121s}}\n', [
      '4:51 error [out-of-range] http.healthcheck.interval: target health check interval 301s is out of range: it must be between 5s and 300s | hint: Pick a value from 5s to 300s.',
      '4:66 error [out-of-range] http.healthcheck.timeout: target health check timeout 121s is out of range: it must be between 2s and 120s | hint: Pick a value from 2s to 120s.',
    ]],
    ['target check at its upper bounds', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: {path: /, healthcheck: {path: /h, interval: 300s, timeout: 120s}}\n', []],
    ['target check as a path', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: {path: /, healthcheck: /health}\n', []],
    ['an additional rule\'s check', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: {path: /, additional_rules: [{path: /admin, healthcheck: {path: /h, interval: 10s, timeout: 20s}}]}\n', [
      '4:99 error [out-of-range] http.additional_rules[0].healthcheck.timeout: the target health check timeout 20s is not shorter than its interval 10s: a check would still run when the next starts | hint: Make the timeout shorter than the interval.',
    ]],
    ['an nlb check too often', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: false\nnlb: {port: 443/tcp, healthcheck: {interval: 4s, timeout: 3s}}\n', [
      '5:46 error [out-of-range] nlb.healthcheck.interval: target health check interval 4s is out of range: it must be between 5s and 300s | hint: Pick a value from 5s to 300s.',
    ]],
    ['an nlb check timeout equal to its interval', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: false\nnlb: {port: 443/tcp, healthcheck: {interval: 10s, timeout: 10s}}\n', [
      '5:60 error [out-of-range] nlb.healthcheck.timeout: the target health check timeout 10s is not shorter than its interval 10s: a check would still run when the next starts | hint: Make the timeout shorter than the interval.',
    ]],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('Windows and ARM limits (platform.ts)', () => {
  const cases: Case[] = [
    ['Windows at its smallest size', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: windows/x86_64\ncpu: 1024\nmemory: 2048\n', []],
    ['Windows below its smallest size', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: windows/x86_64\ncpu: 512\nmemory: 1024\n', [
      '5:6 error [platform-limit] cpu: cpu 512 is too small for a Windows task: Fargate runs Windows with at least 1024 CPU units | hint: Set `cpu: 1024` or more.',
      '6:9 error [platform-limit] memory: memory 1024 MiB is too small for a Windows task: Fargate runs Windows with at least 2048 MiB | hint: Set `memory: 2048` or more.',
    ]],
    ['Windows Server as an object with spot_from', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: {osfamily: windows_server_2022_core, architecture: x86_64}\ncpu: 1024\nmemory: 2048\ncount: {range: {min: 1, max: 4, spot_from: 2}, cpu_percentage: 50}\n', [
      '7:8 error [platform-limit] count: Windows tasks cannot run on Fargate Spot: Spot capacity is Linux x86_64 only | hint: Remove `count.spot` / `range.spot_from`, or use platform linux/x86_64.',
    ]],
    ['ARM with spot_from', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: linux/arm64\ncount: {range: {min: 1, max: 4, spot_from: 2}, cpu_percentage: 50}\n', [
      '5:8 error [platform-limit] count: ARM tasks cannot run on Fargate Spot: Spot capacity is Linux x86_64 only | hint: Remove `count.spot` / `range.spot_from`, or use platform linux/x86_64.',
    ]],
    ['x86_64 with spot_from', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: linux/x86_64\ncount: {range: {min: 1, max: 4, spot_from: 2}, cpu_percentage: 50}\n', []],
    ['ARM scaling without Spot', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: linux/arm64\ncount: {range: 1-4, cpu_percentage: 50}\n', []],
    ['ARM scaling by a range mapping without Spot', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: linux/arm64\ncount: {range: {min: 1, max: 4}, cpu_percentage: 50}\n', []],
    ['Windows with EFS and a read-only root', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: windows/x86_64\ncpu: 1024\nmemory: 2048\nstorage: {readonly_fs: true, volumes: {data: {path: /data, efs: true}, scratch: {path: /tmp/s}}}\n', [
      '7:24 error [platform-limit] storage.readonly_fs: a read-only root file system is not available to Windows tasks: Fargate supports it only on Linux | hint: Remove `readonly_fs`.',
      '7:65 error [platform-limit] storage.volumes.data.efs: EFS volumes are not available to Windows tasks: Fargate mounts EFS only on Linux | hint: Remove the `efs` volume or use a Linux platform.',
    ]],
    ['Windows with a writable root', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nplatform: windows/x86_64\ncpu: 1024\nmemory: 2048\nstorage: {readonly_fs: false}\n', []],
    ['Linux with EFS and a read-only root', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nstorage: {readonly_fs: true, volumes: {data: {path: /data, efs: true}}}\n', []],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('ports (ports.ts)', () => {
  const cases: Case[] = [
    ['a sidecar port above 65535 with a protocol', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: 70000/udp}}\n', [
      '4:32 error [out-of-range] sidecars.a.port: sidecar a\'s port 70000 is out of range: ports are 1-65535',
    ]],
    ['sidecar ports at the bounds', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: 65535}, b: {image: b, port: "1/tcp"}}\n', []],
    ['a sidecar port with a prefix', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: "x2000"}}\n', [
      '4:32 error [invalid-value] sidecars.a.port: sidecar a\'s port "x2000" is not a port: write a number, optionally with /tcp or /udp | hint: For example `port: 2000` or `port: 2000/udp`.',
    ]],
    ['a sidecar port with a wrong protocol', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: "2000/udpx"}}\n', [
      '4:32 error [invalid-value] sidecars.a.port: sidecar a\'s port "2000/udpx" is not a port: write a number, optionally with /tcp or /udp | hint: For example `port: 2000` or `port: 2000/udp`.',
    ]],
    ['a sidecar port with a slash only', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: "2000/"}}\n', [
      '4:32 error [invalid-value] sidecars.a.port: sidecar a\'s port "2000/" is not a port: write a number, optionally with /tcp or /udp | hint: For example `port: 2000` or `port: 2000/udp`.',
    ]],
    ['a sidecar port of zero', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: 0}}\n', [
      '4:32 error [out-of-range] sidecars.a.port: sidecar a\'s port 0 is out of range: ports are 1-65535',
    ]],
    ['two sidecars on one port', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: 9000}, b: {image: b, port: 9000/tcp}}\n', [
      '4:59 error [port-conflict] sidecars.b.port: port 9000 is used by both "a" and "b": containers of one task share the network, so only one can listen on a port | hint: Give one of them another port.',
    ]],
    ['a sidecar port written as a quoted number', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, port: "9000"}}\n', []],
    ['http: true on a service without a port', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx}\nhttp: true\n', [
      '4:7 error [invalid-value] http: `http: true` is not a routing rule: `http` is false or a mapping with at least `path` | hint: Write `http: {path: /}`.',
    ]],
    ['a Static Site needs no port', 'w', 'name: web\ntype: Static Site\nhttp: {alias: example.com}\n', []],
    ['http routed to a sidecar', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nhttp: {path: /, target_container: proxy}\nsidecars: {proxy: {image: envoy, port: 9000}}\n', []],
    ['http routed to the main container without port', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nhttp: {path: /, target_container: web}\n', [
      '3:1 error [missing-field] image: the load balancer has no port to send traffic to: `image.port` is not set | hint: Add `port: 8080` (the port your server listens on) under `image`.',
    ]],
    ['nlb routed to a sidecar', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nhttp: false\nnlb: {port: 443/tcp, target_container: proxy}\nsidecars: {proxy: {image: envoy, port: 9000}}\n', []],
    ['nlb routed to the main container without port', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nhttp: false\nnlb: {port: 443/tcp, target_container: web}\n', [
      '3:1 error [missing-field] image: the load balancer has no port to send traffic to: `image.port` is not set | hint: Add `port: 8080` (the port your server listens on) under `image`.',
    ]],
    ['http with a target_port', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nhttp: {path: /, target_port: 8080}\n', []],
    ['nlb without an http key, routed to a sidecar', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nnlb: {port: 443/tcp, target_container: proxy}\nsidecars: {proxy: {image: envoy, port: 9000}}\n', []],
    ['nlb without an http key, with a target_port', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nnlb: {port: 443/tcp, target_port: 8080}\n', []],
    ['nlb with a target_port', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx}\nhttp: false\nnlb: {port: 443/tcp, target_port: 8080}\n', []],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('references between containers (references.ts)', () => {
  const cases: Case[] = [
    ['dependencies without a cycle', 'w', 'name: web\ntype: Backend Service\nimage: {location: x, port: 80, depends_on: {a: start}}\nsidecars: {a: {image: a}, b: {image: b}, c: {image: c, depends_on: {b: start}}}\n', []],
    ['a cycle between sidecars only', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, depends_on: {b: start}}, b: {image: b, depends_on: {a: healthy}}}\n', [
      '4:42 error [dependency-cycle] sidecars.a.depends_on.b: containers depend on each other in a cycle (a -> b -> a): none of them could start | hint: Remove one of the depends_on entries in the cycle.',
    ]],
    ['a cycle reached from the main container', 'w', 'name: web\ntype: Backend Service\nimage: {location: x, port: 80, depends_on: {b: start}}\nsidecars: {b: {image: b, depends_on: {c: start}}, c: {image: c, depends_on: {b: start}}}\n', [
      '4:42 error [dependency-cycle] sidecars.b.depends_on.c: containers depend on each other in a cycle (b -> c -> b): none of them could start | hint: Remove one of the depends_on entries in the cycle.',
    ]],
    ['a self-dependency and a cycle', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {a: {image: a, depends_on: {a: start}}, b: {image: b, depends_on: {c: start}}, c: {image: c, depends_on: {b: start}}}\n', [
      '4:42 error [dependency-cycle] sidecars.a.depends_on.a: container "a" depends on itself: it could never start | hint: Remove this entry.',
      '4:81 error [dependency-cycle] sidecars.b.depends_on.c: containers depend on each other in a cycle (b -> c -> b): none of them could start | hint: Remove one of the depends_on entries in the cycle.',
    ]],
    ['a sidecar depending on the main container', 'w', 'name: web\ntype: Backend Service\nimage: {location: x, port: 80, depends_on: {a: start, b: start}}\nsidecars: {a: {image: a}, b: {image: b}, x: {image: x, depends_on: {web: start}}}\n', []],
    ['an additional rule to an unknown container', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: {path: /, additional_rules: [{path: /admin, target_container: admin}]}\n', [
      '4:69 error [unknown-reference] http.additional_rules[0].target_container: `target_container` names "admin", which is not a container of this task: the containers are "web" | hint: Use the workload\'s name (web) for the main container, or a key of `sidecars`.',
    ]],
    ['nlb listeners to unknown containers', 'w', 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp: false\nnlb: {port: 443/tcp, target_container: nope, additional_listeners: [{port: 8443/tcp, target_container: gone}]}\n', [
      '5:40 error [unknown-reference] nlb.target_container: `target_container` names "nope", which is not a container of this task: the containers are "web" | hint: Use the workload\'s name (web) for the main container, or a key of `sidecars`.',
      '5:104 error [unknown-reference] nlb.additional_listeners[0].target_container: `target_container` names "gone", which is not a container of this task: the containers are "web" | hint: Use the workload\'s name (web) for the main container, or a key of `sidecars`.',
    ]],
    ['a mount when no volume is declared', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nsidecars: {s: {image: y, mount_points: [{source_volume: data, path: /d}]}}\n', [
      '4:57 error [unknown-reference] sidecars.s.mount_points[0].source_volume: source_volume "data" is not a volume of this task: storage.volumes is empty | hint: Declare it under `storage.volumes`.',
    ]],
    ['a mount of a volume among two declared', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nstorage: {volumes: {data: {path: /data, efs: true}, cache: {path: /cache}}}\nsidecars: {s: {image: y, mount_points: [{source_volume: logs, path: /l}]}}\n', [
      '5:57 error [unknown-reference] sidecars.s.mount_points[0].source_volume: source_volume "logs" is not a volume of this task: the volumes are data, cache | hint: Declare it under `storage.volumes`.',
    ]],
    ['a mount of a declared and an undeclared volume', 'w', 'name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\nstorage: {volumes: {data: {path: /data, efs: true}}}\nsidecars: {s: {image: y, mount_points: [{source_volume: data, path: /d}, {source_volume: logs, path: /l}]}}\n', [
      '5:90 error [unknown-reference] sidecars.s.mount_points[1].source_volume: source_volume "logs" is not a volume of this task: the volumes are data | hint: Declare it under `storage.volumes`.',
    ]],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('schedules (schedule.ts)', () => {
  const cases: Case[] = [
    ['a shortcut with spaces around', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: " @daily "}\n', []],
    ['@every under a minute', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every 30s"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every 30s" is invalid: @every 30s is shorter than a minute, the smallest interval a schedule can have | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['@every not in whole minutes', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every 90s"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every 90s" is invalid: @every 90s is not a whole number of minutes, which a schedule needs | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['@every a word', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every soon"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every soon" is invalid: "soon" after @every is not a duration such as 30m or 1h30m | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['@every with a prefix', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every x30s"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every x30s" is invalid: "x30s" after @every is not a duration such as 30m or 1h30m | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['@every with a suffix', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every 1mx"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every 1mx" is invalid: "1mx" after @every is not a duration such as 30m or 1h30m | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['@every a fraction of hours', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every 1.25h"}\n', []],
    ['@every a fraction of minutes', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every 1.5m"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every 1.5m" is invalid: @every 1.5m is not a whole number of minutes, which a schedule needs | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['@every a fraction of minutes in hundredths', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@every 1.25m"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@every 1.25m" is invalid: @every 1.25m is not a whole number of minutes, which a schedule needs | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['an unknown shortcut', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "@often"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "@often" is invalid: "@often" is not a known shortcut (@hourly, @daily, @weekly, @monthly, @yearly, @every 1h) | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['rate() with a prefix', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "xrate(5 minutes)"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "xrate(5 minutes)" is invalid: a cron expression has 5 fields (minute hour day-of-month month day-of-week), got 2 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['rate() with a suffix', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "rate(5 minutes) please"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "rate(5 minutes) please" is invalid: a cron expression has 5 fields (minute hour day-of-month month day-of-week), got 3 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['rate() with spaces', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "rate( 15  minutes )"}\n', []],
    ['rate() in hours', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "rate(1 hour)"}\n', []],
    ['rate() in days', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "rate(2 days)"}\n', []],
    ['cron() with a prefix', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "xcron(0 12 * * ? *)"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "xcron(0 12 * * ? *)" is invalid: field 1 ("xcron(0") is not a valid cron field | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['cron() with a suffix', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "cron(0 12 * * ? *)x"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "cron(0 12 * * ? *)x" is invalid: field 1 ("cron(0") is not a valid cron field | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['cron fields apart by two spaces', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0  12 * * *"}\n', []],
    ['seven cron fields', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 12 * * * 2030 1"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 12 * * * 2030 1" is invalid: a cron expression has 5 fields (minute hour day-of-month month day-of-week), got 7 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['four cron fields', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 12 * *"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 12 * *" is invalid: a cron expression has 5 fields (minute hour day-of-month month day-of-week), got 4 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['a word as a cron field', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "abc * * * *"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "abc * * * *" is invalid: field 1 ("abc") is not a valid cron field | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['a range end out of bounds', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 1-30 * * *"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 1-30 * * *" is invalid: field 2 ("1-30") has 30, outside 0-23 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['every field at its upper bound', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "59 23 31 12 *"}\n', []],
    ['the day of the week at its upper bound', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "59 23 * 12 7"}\n', []],
    ['both a day of the month and of the week', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "59 23 31 12 7"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "59 23 31 12 7" is invalid: it sets both a day of the month ("31") and a day of the week ("7"): a schedule runs on one of them; set the other to * | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['a year without cron()', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 0 1 1 * 2030"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 0 1 1 * 2030" is invalid: a Unix cron expression has 5 fields (minute hour day-of-month month day-of-week), got 6: for a year, write EventBridge\'s form, cron(minute hour day-of-month month day-of-week year) | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['cron() without its year', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "cron(0 0 ? * 1)"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "cron(0 0 ? * 1)" is invalid: cron(...) is EventBridge\'s form, with 6 fields (minute hour day-of-month month day-of-week year), got 5 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['cron() with both days', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "cron(0 0 * * * *)"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "cron(0 0 * * * *)" is invalid: cron(...) needs "?" in the day-of-month or the day-of-week field: EventBridge takes one of them, never both | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['day of month 0', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 0 0 1 *"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 0 0 1 *" is invalid: field 3 ("0") has 0, outside 1-31 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['a year after 2199', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 0 1 1 * 2200"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 0 1 1 * 2200" is invalid: field 6 ("2200") has 2200, outside 1970-2199 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['day of week 8', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 0 1 1 8"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 0 1 1 8" is invalid: field 5 ("8") has 8, outside 0-7 | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
    ['a sixth weekday of the month', 'w', 'name: report\ntype: Scheduled Job\nimage: {location: x}\non: {schedule: "0 0 * * 2#6"}\n', [
      '4:16 error [invalid-schedule] on.schedule: the schedule "0 0 * * 2#6" is invalid: field 5 ("2#6") is not a valid cron field | hint: Use a cron expression such as "0 */2 * * *", a shortcut such as @daily, or @every 1h30m.',
    ]],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('environment manifests (environment.ts)', () => {
  const cases: Case[] = [
    ['CloudFront ingress with a distribution', 'env', 'name: test\ntype: Environment\ncdn: true\nhttp: {public: {ingress: {cdn: true}}}\n', []],
    ['CloudFront ingress without a distribution', 'env', 'name: test\ntype: Environment\nhttp: {public: {ingress: {cdn: true}}}\n', [
      '3:32 error [missing-field] http.public.ingress.cdn: the public load balancer admits CloudFront only, but the environment has no CloudFront distribution (`cdn`): nothing could reach it | hint: Add `cdn: true` to the environment manifest, or remove `ingress.cdn`.',
    ]],
    ['CloudFront ingress with cdn: false', 'env', 'name: test\ntype: Environment\ncdn: false\nhttp: {public: {ingress: {cdn: true}}}\n', [
      '4:32 error [missing-field] http.public.ingress.cdn: the public load balancer admits CloudFront only, but the environment has no CloudFront distribution (`cdn`): nothing could reach it | hint: Add `cdn: true` to the environment manifest, or remove `ingress.cdn`.',
    ]],
    ['static assets with a location only', 'env', 'name: test\ntype: Environment\ncdn: {static_assets: {location: b.s3.us-west-2.amazonaws.com}}\n', [
      '3:7 error [missing-field] cdn.static_assets: `static_assets` has no `alias`: CloudFront needs the domain name that serves the assets | hint: Add `alias` under `cdn.static_assets`.',
      '3:7 error [missing-field] cdn.static_assets: `static_assets` has no `path`: CloudFront needs the path pattern served from the bucket (static/*) | hint: Add `path` under `cdn.static_assets`.',
    ]],
    ['static assets complete', 'env', 'name: test\ntype: Environment\ncdn: {static_assets: {location: b.s3.us-west-2.amazonaws.com, alias: s.example.com, path: static/*}}\n', []],
    ['static assets without location', 'env', 'name: test\ntype: Environment\ncdn: {static_assets: {alias: s.example.com, path: static/*}}\n', [
      '3:7 error [missing-field] cdn.static_assets: `static_assets` has no `location`: CloudFront needs the bucket\'s domain name (my-bucket.s3.us-west-2.amazonaws.com) | hint: Add `location` under `cdn.static_assets`.',
    ]],
    ['static assets empty', 'env', 'name: test\ntype: Environment\ncdn: {static_assets: {}}\n', []],
    ['an imported VPC with a cidr', 'env', 'name: test\ntype: Environment\nnetwork: {vpc: {id: vpc-1, cidr: 10.0.0.0/16, subnets: {public: [{id: subnet-1}, {id: subnet-2}]}}}\n', [
      '3:28 error [exclusive-fields] network.vpc.cidr: `cidr` is set on an imported VPC: the CIDR belongs to the VPC Pier creates, an imported VPC keeps its own | hint: Remove `cidr`, or remove `id` to have Pier create the VPC.',
    ]],
    ['an imported VPC with subnets by cidr', 'env', 'name: test\ntype: Environment\nnetwork: {vpc: {id: vpc-1, subnets: {public: [{id: subnet-1}, {cidr: 10.0.1.0/24}], private: [{cidr: 10.0.2.0/24}]}}}\n', [
      '3:63 error [missing-field] network.vpc.subnets.public[1]: public subnet 2 has no `id`: an imported VPC\'s subnets are named by ID | hint: Add `id: subnet-...`.',
      '3:95 error [missing-field] network.vpc.subnets.private[0]: private subnet 1 has no `id`: an imported VPC\'s subnets are named by ID | hint: Add `id: subnet-...`.',
    ]],
    ['a created VPC with subnets by id', 'env', 'name: test\ntype: Environment\nnetwork: {vpc: {subnets: {public: [{cidr: 10.0.0.0/24}, {id: subnet-2}], private: [{id: subnet-3}]}}}\n', [
      '3:58 error [exclusive-fields] network.vpc.subnets.public[1].id: public subnet 2 has an `id` but the VPC is not imported: subnets of a created VPC are described by `cidr` and `az` | hint: Add `network.vpc.id` to import the VPC, or replace `id` with `cidr`.',
      '3:85 error [exclusive-fields] network.vpc.subnets.private[0].id: private subnet 1 has an `id` but the VPC is not imported: subnets of a created VPC are described by `cidr` and `az` | hint: Add `network.vpc.id` to import the VPC, or replace `id` with `cidr`.',
    ]],
    ['an imported VPC with one public subnet', 'env', 'name: test\ntype: Environment\nnetwork: {vpc: {id: vpc-1, subnets: {public: [{id: subnet-1}]}}}\n', [
      '3:46 error [subnet-count] network.vpc.subnets.public: only one public subnet: a load balancer needs subnets in at least two availability zones | hint: Add a second public subnet in another zone.',
    ]],
    ['an imported VPC with private subnets only', 'env', 'name: test\ntype: Environment\nnetwork: {vpc: {id: vpc-1, subnets: {private: [{id: subnet-1}, {id: subnet-2}]}}}\n', []],
    ['a created VPC with one public subnet and no zones', 'env', 'name: test\ntype: Environment\nnetwork: {vpc: {subnets: {public: [{cidr: 10.0.0.0/24}]}}}\n', []],
  ]
  it.each(cases)('%s', (_name, kind, text, want) => expect(report(kind, text)).toEqual(want))
})

describe('a rule that fails', () => {
  it('becomes a warning that names the rule and asks for a report, and the other rules still run', () => {
    // The resolve hands rules only fields that passed the schema; called directly with a shape the schema
    // refuses (additional_rules as a string), two rules fail inside and the Fargate size is still checked.
    const m = {name: 'web', type: 'Load Balanced Web Service', image: {location: 'x', port: 80}, cpu: 300, memory: 512, http: {path: '/', additional_rules: 'x'}}
    const issues = workloadRules(m as unknown as WorkloadManifest)
    expect(issues.map((i) => `${i.severity ?? 'error'} ${i.code} ${i.path.join('.')}`)).toEqual(['error fargate-size cpu', 'warning rule-failed ', 'warning rule-failed '])
    expect(issues[1]).toEqual({path: [], severity: 'warning', code: 'rule-failed',
      message: expect.stringMatching(/^Pier could not finish the referencesRule check: internal error \(.*forEach is not a function\)$/),
      hint: 'This is a bug in Pier; please report it with this manifest.'})
    expect(issues[2]!.message).toMatch(/^Pier could not finish the healthCheckRule check: internal error \(/)
  })
})
