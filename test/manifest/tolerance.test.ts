// Copilot's reading of manifests: what it ignored warns (errors with strict) and is dropped, what it
// read (YAML 1.1 booleans, scalars into strings, empty values, from_cfn) Pier reads the same way,
// and the rules only ever see values that passed the schema.
import {describe, expect, it} from 'vitest'

import {resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'

const SVC = 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\n'

function workload(extra: string, opts: {strict?: boolean; env?: string} = {}) {
  return resolveWorkloadText({file: 'copilot/web/manifest.yml', text: SVC + extra, app: 'demo', environments: ['test'], vars: {}, ...opts})
}

function environment(text: string, opts: {strict?: boolean} = {}) {
  return resolveEnvironmentText({file: 'copilot/environments/test/manifest.yml', text: `name: test\ntype: Environment\n${text}`, app: 'demo', environments: ['test'], vars: {}, ...opts})
}

const summary = (r: {diagnostics: {severity: string; code: string; path: string}[]}) => r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.path}`)

describe('what Copilot ignored', () => {
  it('an unknown key is a warning, located, with a suggestion, and is dropped', () => {
    const r = workload('http:\n  path: /\n  healthcheck:\n    path: /health\n    retries: 3\nvariabels: {A: b}\n')
    expect(r.ok).toBe(true)
    expect(summary(r)).toEqual(['warning unknown-key http.healthcheck.retries', 'warning unknown-key variabels'])
    const typo = r.diagnostics.find((d) => d.path === 'variabels')!
    expect(typo).toMatchObject({line: 9, col: 1, hint: 'Did you mean `variables`?'})
    expect(typo.message).toContain('Copilot ignored it too, so it never took effect')
    expect((r.manifest as any).http.healthcheck).toEqual({path: '/health'})
    expect('variabels' in r.manifest).toBe(false)
  })

  it('--strict makes them errors', () => {
    const r = workload('http: {path: /}\nvariabels: {A: b}\n', {strict: true})
    expect(r.ok).toBe(false)
    expect(summary(r)).toEqual(['error unknown-key variabels'])
  })

  it('a wrongly typed value inside `http` or `count` was dropped by Copilot: a warning, and the value is gone', () => {
    const r = workload('http:\n  path: /\n  deregistration_delay: 5\ncount:\n  range: 1-3\n  cpu_percentage: 70\n  cooldown: {in: 60, out: "120"}\n')
    expect(r.ok).toBe(true)
    expect(summary(r)).toEqual(['warning ignored-value http.deregistration_delay', 'warning ignored-value count.cooldown.in', 'warning ignored-value count.cooldown.out'])
    expect((r.manifest as any).http.deregistration_delay).toBeUndefined()
    expect((r.manifest as any).count.cooldown).toEqual({})
    expect(workload('http:\n  path: /\n  deregistration_delay: 5\n', {strict: true}).ok).toBe(false)
  })

  it('a wrongly typed value Copilot would have refused stays an error', () => {
    expect(summary(workload('http: {path: /}\ncpu: lots\n'))).toEqual(['error wrong-type cpu'])
    expect(summary(workload('http: {path: /}\nexec: 3\n'))).toEqual(['error wrong-type exec'])
    expect(summary(workload('http: {path: /, version: http3}\n'))).toEqual(['error invalid-value http.version'])
  })
})

describe('what Copilot read', () => {
  it('YAML 1.1 booleans where a boolean is expected', () => {
    const r = environment('network:\n  vpc:\n    flow_logs: on\nobservability:\n  container_insights: yes\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).network.vpc.flow_logs).toBe(true)
    expect((r.manifest as any).observability.container_insights).toBe(true)
    const w = workload('http: {path: /, stickiness: no}\nexec: Yes\n')
    expect(summary(w)).toEqual([])
    expect((w.manifest as any).http.stickiness).toBe(false)
    expect((w.manifest as any).exec).toBe(true)
  })

  it('a number or boolean where a string goes is read as text', () => {
    const r = workload('http: {path: /, hosted_zone: 1234}\nenv_file: 2024\nvariables: {A: 1}\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).http.hosted_zone).toBe('1234')
    expect((r.manifest as any).env_file).toBe('2024')
  })

  it('empty values mean unset', () => {
    const r = workload('http:\n  path: /\n  alias:\nvariables:\n  A:\n  B: x\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).http).toEqual({path: '/'})
    expect((r.manifest as any).variables).toEqual({B: 'x'})
    expect(summary(environment('network:\n  vpc:\n    id:\n    cidr: 10.1.0.0/16\n'))).toEqual([])
  })

  it('a ${VAR} that makes YAML only once interpolated, as Copilot read the text', () => {
    const r = resolveEnvironmentText({file: 'e.yml', text: 'name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [${CERT}]\n', app: 'demo', environments: ['test'], vars: {CERT: 'arn:aws:acm:1'}})
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).http.public.certificates).toEqual(['arn:aws:acm:1'])
  })

  it('from_cfn in security groups, in both forms', () => {
    const list = workload('http: {path: /}\nnetwork:\n  vpc:\n    security_groups: [sg-1, {from_cfn: shared-sg}]\n')
    expect(summary(list)).toEqual([])
    const groups = workload('http: {path: /}\nnetwork:\n  vpc:\n    security_groups:\n      groups: [{from_cfn: shared-sg}]\n      deny_default: true\n')
    expect(summary(groups)).toEqual([])
    expect(summary(workload('http: {path: /}\nnetwork:\n  vpc:\n    security_groups: [sg-1, {from_cf: x}]\n'))).toEqual(['error missing-field network.vpc.security_groups[1]', 'warning unknown-key network.vpc.security_groups[1].from_cf'])
  })
})

describe('Copilot’s aliases and checks', () => {
  it('http.targetContainer is read as target_container; both together are refused', () => {
    const r = workload('http: {path: /, targetContainer: nginx}\nsidecars: {nginx: {image: nginx, port: 8080}}\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).http).toEqual({path: '/', target_container: 'nginx'})
    expect(summary(workload('http: {path: /, targetContainer: nginx, target_container: nginx}\nsidecars: {nginx: {image: nginx, port: 8080}}\n'))).toEqual(['error exclusive-fields http.targetContainer'])
  })

  it('CIDRs are checked as CIDRs', () => {
    expect(summary(environment('network:\n  vpc:\n    cidr: not-a-cidr\n'))).toEqual(['error invalid-value network.vpc.cidr'])
    expect(summary(environment('network:\n  vpc:\n    cidr: 10.0.0.0/33\n    subnets:\n      public: [{cidr: 10.0.300.0/24}]\n'))).toEqual(['error invalid-value network.vpc.cidr', 'error invalid-value network.vpc.subnets.public[0].cidr'])
    expect(summary(environment('network:\n  vpc:\n    cidr: 10.1.0.0/16\n    subnets:\n      public: [{cidr: 10.1.0.0/24}, {cidr: 10.1.1.0/24}]\n'))).toEqual([])
    expect(summary(workload('http: {path: /, allowed_source_ips: [10.0.0.0/8, nope]}\n'))).toEqual(['error invalid-value http.allowed_source_ips[1]'])
  })
})

describe('rules see only values that passed the schema', () => {
  it('a subnet list that is a string is a schema error, never an internal error', () => {
    const r = environment('network:\n  vpc:\n    id: vpc-1\n    subnets:\n      public: "x"\n      private: [3, {id: 4}]\n')
    expect(r.diagnostics.some((d) => d.code === 'rule-failed' || d.message.includes('internal error'))).toBe(false)
    expect(summary(r)).toContain('error wrong-type network.vpc.subnets.public')
  })
})

describe('Copilot’s reading, in detail', () => {
  const lines = (r: {diagnostics: {line: number; col: number; severity: string; code: string; path: string; message: string; hint?: string}[]}) =>
    r.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path} | ${d.message} | ${d.hint ?? '-'}`)

  it('the old `security_groups.ingress` of an environment is read as `ingress`, on both sides', () => {
    const cdn = environment('cdn: true\nhttp:\n  public:\n    security_groups:\n      ingress:\n        restrict_to:\n          cdn: true\n')
    expect(cdn.diagnostics).toEqual([])
    expect((cdn.manifest as any).http).toEqual({public: {ingress: {cdn: true}}})
    const vpc = environment('http:\n  private:\n    security_groups:\n      ingress:\n        from_vpc: true\n')
    expect(vpc.diagnostics).toEqual([])
    expect((vpc.manifest as any).http).toEqual({private: {ingress: {vpc: true}}})
    // An empty new spelling does not conflict; an old spelling without the setting is left as written.
    expect((environment('cdn: true\nhttp:\n  public:\n    security_groups:\n      ingress:\n        restrict_to:\n          cdn: true\n    ingress: {}\n').manifest as any).http).toEqual({public: {ingress: {cdn: true}}})
    expect((environment('http:\n  public:\n    security_groups:\n      ingress: {}\n').manifest as any).http).toEqual({public: {security_groups: {ingress: {}}}})
  })

  it('the old and the new spelling of an environment\'s ingress together are refused, at the old one', () => {
    const r = environment('cdn: true\nhttp:\n  public:\n    security_groups:\n      ingress:\n        restrict_to:\n          cdn: true\n    ingress:\n      cdn: true\n')
    expect(lines(r)).toEqual([
      '6:5 error exclusive-fields http.public.security_groups | `http.public.security_groups.ingress` and `http.public.ingress` are both set: the first is the old spelling of the second (Copilot refused both too) | Move the setting to `http.public.ingress`.',
    ])
    const p = environment('http:\n  private:\n    security_groups:\n      ingress:\n        from_vpc: true\n    ingress:\n      vpc: true\n')
    expect(lines(p)).toEqual([
      '5:5 error exclusive-fields http.private.security_groups | `http.private.security_groups.ingress` and `http.private.ingress` are both set: the first is the old spelling of the second (Copilot refused both too) | Move the setting to `http.private.ingress`.',
    ])
  })

  it('a workload\'s `http.targetContainer` together with `target_container`: the exact words', () => {
    expect(lines(workload('http: {path: /, targetContainer: nginx, target_container: nginx}\nsidecars: {nginx: {image: nginx, port: 8080}}\n'))).toEqual([
      '4:17 error exclusive-fields http.targetContainer | `http.targetContainer` and `http.target_container` are both set: they are two spellings of one field (Copilot refused both too) | Keep `target_container` and remove `targetContainer`.',
    ])
    // An environment has no such alias: its `http` is left as written.
    expect(summary(environment('http:\n  targetContainer: x\n'))).toEqual(['warning unknown-key http.targetContainer'])
  })

  it('a dropped list item takes only itself: the items around it stay, in order', () => {
    const r = workload('http:\n  path: /\n  alias: [a.example.com, [x], b.example.com]\n')
    expect(lines(r)).toEqual([
      '6:26 warning ignored-value http.alias[1] | `http.alias[1]` must be a string or a mapping, so Copilot dropped this value and it never took effect: got a list | Fix or remove it (Pier ignores it as Copilot did; `--strict` makes this an error).',
    ])
    expect((r.manifest as any).http.alias).toEqual(['a.example.com', 'b.example.com'])
  })

  it('a dropped value says so, with the field\'s description, and is an error with strict', () => {
    const text = 'http:\n  path: /\n  deregistration_delay: 5\n'
    const msg = '`http.deregistration_delay` must be a string, so Copilot dropped this value and it never took effect: got the number 5 | Expected: How long to drain a task before it stops (default 60s). Fix or remove it (Pier ignores it as Copilot did; `--strict` makes this an error).'
    expect(lines(workload(text))).toEqual([`6:25 warning ignored-value http.deregistration_delay | ${msg}`])
    expect(lines(workload(text, {strict: true}))).toEqual([`6:25 error ignored-value http.deregistration_delay | ${msg}`])
  })

  it('values dropped at several depths in one manifest are all reported and removed', () => {
    const r = workload('http: {path: /}\ncount:\n  range: {min: 1, max: 3, spot_from: x}\n  cpu_percentage: {value: 50, cooldown: {in: 5}}\n')
    expect(summary(r)).toEqual(['warning ignored-value count.range.spot_from', 'warning ignored-value count.cpu_percentage.cooldown.in'])
    expect((r.manifest as any).count).toEqual({range: {min: 1, max: 3}, cpu_percentage: {value: 50, cooldown: {}}})
  })

  it('a wrong type outside the fields Copilot was lenient with stays an error and stays in the manifest', () => {
    const r = workload('http: {path: /}\nsidecars:\n  s:\n    image: x\n    variables: {A: [1]}\n    labels: {A: [1]}\n')
    expect(summary(r)).toEqual(['error wrong-type sidecars.s.variables.A', 'error wrong-type sidecars.s.labels.A'])
    expect((r.manifest as any).sidecars.s).toMatchObject({variables: {A: [1]}, labels: {A: [1]}})
  })

  it('an empty value below a mapping of a mapping is unset too; a task definition patch keeps its nulls', () => {
    const r = workload('http:\n  path: /\n  healthcheck:\n    path: /h\n    interval:\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).http.healthcheck).toEqual({path: '/h'})
    const t = workload('http: {path: /}\ntaskdef_overrides:\n  - path: ContainerDefinitions[0].Ulimits\n    value: {Name: nofile, SoftLimit: ~}\n')
    expect(summary(t)).toEqual([])
    expect((t.manifest as any).taskdef_overrides).toEqual([{path: 'ContainerDefinitions[0].Ulimits', value: {Name: 'nofile', SoftLimit: null}}])
  })

  it('true and false where a string goes are read as text', () => {
    const r = workload('http: {path: /}\nenv_file: true\nvariables: {A: false}\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).env_file).toBe('true')
  })

  it('leniency is by field path: below a sidecar\'s variable yes, in its health check no', () => {
    expect(summary(workload('http: {path: /}\nsidecars: {s: {image: x, healthcheck: {command: [CMD, [x]]}}}\n'))).toEqual(['error wrong-type sidecars.s.healthcheck.command[1]'])
    expect(summary(workload('http: {path: /}\nsidecars: {s: {image: x, variables: {A: {from_cfn: [x]}}}}\n'))).toEqual([
      'error missing-field sidecars.s.variables.A', 'warning ignored-value sidecars.s.variables.A.from_cfn',
    ])
  })

  it('an environment\'s lenient fields are its own: `cdn` and the access logs, not the VPC', () => {
    expect(summary(environment('cdn: {certificate: [x]}\n'))).toEqual(['warning ignored-value cdn.certificate'])
    expect(summary(environment('http:\n  public:\n    access_logs: {bucket_name: [x]}\n'))).toEqual(['warning ignored-value http.public.access_logs.bucket_name'])
    expect(summary(environment('network: {vpc: {flow_logs: {retention: [x]}}}\n'))).toEqual(['error wrong-type network.vpc.flow_logs.retention'])
  })

  it('a YAML 1.1 boolean is a boolean only where one goes, and a number is text only where text goes', () => {
    expect(lines(workload('http: {path: /}\ncpu: on\n'))).toEqual([
      '5:6 error wrong-type cpu | `cpu` must be an integer: got the string "on" | Expected: CPU units for the task (256 = 0.25 vCPU). Must pair with `memory` per the Fargate table.',
    ])
    expect(lines(workload('http: {path: /, stickiness: 5}\n'))).toEqual([
      '4:29 warning ignored-value http.stickiness | `http.stickiness` must be true/false, so Copilot dropped this value and it never took effect: got the number 5 | Expected: Sticky sessions. Fix or remove it (Pier ignores it as Copilot did; `--strict` makes this an error).',
    ])
  })

  it('an empty value is unset wherever it is: at the top, or in a mapping inside a list', () => {
    const r = workload('http:\n  path: /\n  alias: [{name: a.example.com, hosted_zone: }]\nplatform:\n')
    expect(summary(r)).toEqual([])
    expect((r.manifest as any).http.alias).toEqual([{name: 'a.example.com'}])
    expect(r.manifest).not.toHaveProperty('platform')
  })
})
