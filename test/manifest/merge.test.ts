// Override merge cases, as a table (Copilot's applyenv_test.go is the model). Each case is written
// as YAML, the way users write it: base fields, then `environments.prod`.
import {describe, expect, it} from 'vitest'

import {resolveWorkloadText} from '../../src/manifest/index.js'
import {applyOverride, removeUnset} from '../../src/manifest/merge.js'
import {UNSET} from '../../src/manifest/source.js'
import {didYouMean, editDistance} from '../../src/manifest/suggest.js'

interface Case {
  name: string
  base: string
  prod: string
  want: Record<string, unknown>
}

const cases: Case[] = [
  {name: 'scalar replaces', base: 'cpu: 256', prod: 'cpu: 1024', want: {cpu: 1024}},
  {name: 'zero value 0 replaces', base: 'count: 3', prod: 'count: 0', want: {count: 0}},
  {name: 'false replaces true', base: 'exec: true', prod: 'exec: false', want: {exec: false}},
  {name: 'empty string replaces', base: 'variables: {A: x}', prod: 'variables: {A: ""}', want: {variables: {A: ''}}},
  {name: 'null changes nothing', base: 'cpu: 512', prod: 'cpu: ~', want: {cpu: 512}},
  {name: 'missing key changes nothing', base: 'cpu: 512', prod: 'memory: 1024', want: {cpu: 512, memory: 1024}},
  {name: 'maps merge deeply', base: 'variables: {LOG_LEVEL: info}', prod: 'variables: {DB: x}', want: {variables: {LOG_LEVEL: 'info', DB: 'x'}}},
  {name: 'map key replaced', base: 'variables: {LOG_LEVEL: info, A: b}', prod: 'variables: {LOG_LEVEL: debug}', want: {variables: {LOG_LEVEL: 'debug', A: 'b'}}},
  {name: 'lists replace wholesale', base: 'command: [a, b, c]', prod: 'command: [x]', want: {command: ['x']}},
  {name: 'empty list empties', base: 'http: {path: /, allowed_source_ips: [10.0.0.0/8]}', prod: 'http: {allowed_source_ips: []}', want: {http: {path: '/', allowed_source_ips: []}}},
  {name: 'count: int over object switches form', base: 'count: {range: 1-10, cpu_percentage: 70}', prod: 'count: 3', want: {count: 3}},
  {name: 'count: object over int switches form', base: 'count: 2', prod: 'count: {range: 1-4, cpu_percentage: 50}', want: {count: {range: '1-4', cpu_percentage: 50}}},
  {name: 'count.spot clears autoscaling', base: 'count: {range: 1-10, cpu_percentage: 70}', prod: 'count: {spot: 2}', want: {count: {spot: 2}}},
  {name: 'count autoscaling clears spot', base: 'count: {spot: 2}', prod: 'count: {range: 1-3, cpu_percentage: 60}', want: {count: {range: '1-3', cpu_percentage: 60}}},
  {name: 'count same form merges', base: 'count: {range: 1-10, cpu_percentage: 70}', prod: 'count: {range: 2-20}', want: {count: {range: '2-20', cpu_percentage: 70}}},
  {name: 'image.location clears image.build', base: 'image: {build: Dockerfile, port: 80}', prod: 'image: {location: nginx:1}', want: {image: {location: 'nginx:1', port: 80}}},
  {name: 'image.build clears image.location', base: 'image: {location: nginx:1, port: 80}', prod: 'image: {build: {dockerfile: D}}', want: {image: {build: {dockerfile: 'D'}, port: 80}}},
  {name: 'image.build string over object switches form', base: 'image: {build: {dockerfile: D, context: .}, port: 80}', prod: 'image: {build: other/Dockerfile}', want: {image: {build: 'other/Dockerfile', port: 80}}},
  {name: 'http false over object', base: 'http: {path: /}', prod: 'http: false', want: {http: false}},
  {name: 'exec object over bool', base: 'exec: true', prod: 'exec: {command: sh}', want: {exec: {command: 'sh'}}},
  {name: 'secret form switches', base: 'secrets: {DB: {secretsmanager: db}}', prod: 'secrets: {DB: {from_cfn: DbArn}}', want: {secrets: {DB: {from_cfn: 'DbArn'}}}},
  {name: 'secret string over object', base: 'secrets: {DB: {secretsmanager: db}}', prod: 'secrets: {DB: /ssm/db}', want: {secrets: {DB: '/ssm/db'}}},
  {name: 'placement string over subnets', base: 'network: {vpc: {placement: {subnets: [s-1]}}}', prod: 'network: {vpc: {placement: private}}', want: {network: {vpc: {placement: 'private'}}}},
  // A null key is no override at all: it must not count as choosing its form and clear the other one.
  {name: 'null image.location keeps image.build', base: 'image: {build: Dockerfile, port: 80}', prod: 'image: {location: ~, port: 8080}', want: {image: {build: 'Dockerfile', port: 8080}}},
  {name: 'null count.spot keeps autoscaling', base: 'count: {range: 1-10, cpu_percentage: 70}', prod: 'count: {spot: ~, range: 2-20}', want: {count: {range: '2-20', cpu_percentage: 70}}},
  {name: 'null from_cfn keeps secretsmanager', base: 'secrets: {DB: {secretsmanager: db}}', prod: 'secrets: {DB: {from_cfn: ~}}', want: {secrets: {DB: {secretsmanager: 'db'}}}},
  {name: '!unset removes a field', base: 'variables: {A: a, B: b}', prod: 'variables: {A: !unset}', want: {variables: {B: 'b'}}},
  {name: '!unset removes a whole block', base: 'http: {path: /, healthcheck: /health}', prod: 'http: {healthcheck: !unset}', want: {http: {path: '/'}}},
  {name: '!unset on a field the base lacks is harmless', base: 'variables: {A: a}', prod: 'variables: {B: !unset}', want: {variables: {A: 'a'}}},
  // Variables named like the fields of an exclusive form are only variables: they merge as a map.
  {name: 'variables named build and location merge', base: 'variables: {location: eu, spot: a}', prod: 'variables: {build: "7", range: b}', want: {variables: {location: 'eu', spot: 'a', build: '7', range: 'b'}}},
  {name: 'sidecar variables named build and location merge', base: 'sidecars: {s: {image: x, variables: {build: "1"}}}', prod: 'sidecars: {s: {variables: {location: eu}}}', want: {sidecars: {s: {image: 'x', variables: {build: '1', location: 'eu'}}}}},
  {name: 'a sidecar image form switches', base: 'sidecars: {s: {image: {build: Dockerfile}, port: 80}}', prod: 'sidecars: {s: {image: {location: x:1}}}', want: {sidecars: {s: {image: {location: 'x:1'}, port: 80}}}},
  {name: '!unset returns a defaulted field to its default', base: 'memory: 2048\ncpu: 1024', prod: 'memory: !unset', want: {memory: 512, cpu: 1024}},
]

describe('applyOverride (table)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const text = `name: web\ntype: Load Balanced Web Service\n${c.base}\nenvironments:\n  prod:\n    ${c.prod}\n`
      const r = resolveWorkloadText({file: 'copilot/web/manifest.yml', text, app: 'demo', env: 'prod', environments: ['prod'], vars: {}})
      const merged = r.manifest as unknown as Record<string, unknown>
      for (const [k, v] of Object.entries(c.want)) expect(merged[k], k).toEqual(v)
    })
  }

  it('applies type defaults under the manifest and the override over both', () => {
    const text = 'name: web\ntype: Backend Service\nimage: {location: x, port: 80}\nenvironments:\n  prod: {memory: 1024}\n'
    const r = resolveWorkloadText({file: 'm.yml', text, app: 'demo', env: 'prod', environments: ['prod'], vars: {}})
    expect(r.manifest).toMatchObject({cpu: 256, memory: 1024, count: 1, exec: false, network: {vpc: {placement: 'public'}}})
    expect(r.manifest).not.toHaveProperty('environments')
  })

  it('leaves no trace of `!unset`, in the base, the override, or a list', () => {
    expect(applyOverride({cpu: UNSET, memory: 512}, {variables: {A: UNSET}})).toStrictEqual({memory: 512, variables: {}})
    expect(applyOverride({cpu: 256, memory: 512}, {cpu: UNSET})).toStrictEqual({memory: 512})
    expect(applyOverride({command: ['a']}, {command: ['x', UNSET, 'y', {A: UNSET, B: 'b'}]})).toStrictEqual({command: ['x', 'y', {B: 'b'}]})
    expect(removeUnset({a: [UNSET, [UNSET, 1]], b: UNSET, c: {d: UNSET}})).toStrictEqual({a: [[1]], c: {}})
    expect(applyOverride({cpu: 256}, UNSET)).toBeUndefined()
    expect(applyOverride({cpu: UNSET}, undefined)).toStrictEqual({})
  })

  it('leaves its inputs unchanged', () => {
    const base = {count: {range: '1-10', cpu_percentage: 70}, variables: {A: 'a'}}
    const over = {count: {spot: 2}, variables: {B: 'b'}}
    const copy = structuredClone({base, over})
    applyOverride(base, over)
    expect({base, over}).toEqual(copy)
  })

  it('gives other environments the base manifest', () => {
    const text = 'name: web\ntype: Backend Service\nimage: {location: x}\ncount: 2\nenvironments:\n  prod: {count: 5}\n'
    const r = resolveWorkloadText({file: 'm.yml', text, app: 'demo', env: 'test', environments: ['test', 'prod'], vars: {}})
    expect((r.manifest as {count?: unknown}).count).toBe(2)
  })

  it('reports an environment override that is not a mapping, and keeps the base manifest for that environment', () => {
    const text = 'name: web\ntype: Backend Service\nimage: {location: x, port: 80}\ncount: 2\nenvironments:\n  prod:\n    memo 3000\n'
    const r = resolveWorkloadText({file: 'm.yml', text, app: 'demo', env: 'prod', environments: ['prod'], vars: {}})
    expect(r.ok).toBe(false)
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toContain('7:5 wrong-type')
    expect((r.manifest as {count?: unknown}).count).toBe(2)
  })
})

describe('did you mean', () => {
  it('prefers the spelling with underscores for one with dashes or none, whatever the distance', () => {
    const fields = ['target_container', 'targetContainer', 'container']
    expect(didYouMean('target-container', fields)).toBe('target_container')
    expect(didYouMean('TARGET_CONTAINER', ['container', 'target_container'])).toBe('target_container')
    expect(didYouMean('containerinsights', ['container_insights'])).toBe('container_insights')
    expect(didYouMean('container-insights', ['container_insights_x', 'container_insights'])).toBe('container_insights')
  })

  it('suggests only a close word: at most one edit in three letters, at least one', () => {
    expect(didYouMean('cpuu', ['cpu', 'memory'])).toBe('cpu')
    expect(didYouMean('imgae', ['image'])).toBeUndefined()
    expect(didYouMean('varaibles', ['variables'])).toBe('variables')
    expect(didYouMean('vraaibles', ['variables'])).toBe('variables')
    expect(didYouMean('vraaiblse', ['variables'])).toBeUndefined()
    expect(didYouMean('zzzz', [])).toBeUndefined()
  })

  it('the first of two equally close words wins', () => {
    expect(didYouMean('cat', ['cap', 'car'])).toBe('cap')
    expect(didYouMean('cat', ['car', 'cap'])).toBe('car')
    expect(didYouMean('cat', ['dog', 'car', 'cap'])).toBe('car')
  })

  it('counts edits as Levenshtein does', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('abc', '')).toBe(3)
    expect(editDistance('same', 'same')).toBe(0)
  })
})
