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
