// Conventions every rendered resource follows: a human description in Metadata (the progress view's
// label), the copilot-* tags on every resource whose type takes a tag list, no secret value anywhere.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {EcsWorkloadManifest} from '../../src/manifest/types.js'
import {DESCRIPTION_KEY, renderEnvironmentStack} from '../../src/render/index.js'
import {APP, api, defaultEnv, httpsEnv, job, web, webInputs, worker} from './fixtures.js'
import {render} from './helpers.js'
import {loadSpec} from './spec.js'

const stacks = () => [
  render(web, webInputs).template,
  render(api).template,
  render(worker).template,
  render(job).template,
  renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs: {publicAlb: ['web'], internalAlb: [], nat: []}}).template,
  renderEnvironmentStack({app: APP, env: 'prod', manifest: httpsEnv, needs: {publicAlb: [], internalAlb: [], nat: []}}).template,
]

describe('conventions', () => {
  it('describes every resource in its Metadata', () => {
    for (const t of stacks()) {
      for (const [id, r] of Object.entries<any>(t.Resources)) {
        expect(typeof r.Metadata?.[DESCRIPTION_KEY], id).toBe('string')
        expect(r.Metadata[DESCRIPTION_KEY].length, id).toBeGreaterThan(5)
      }
    }
  })

  it('tags every resource that takes a tag list with copilot-application, -environment and -service', () => {
    const spec = loadSpec()
    let tagged = 0
    for (const [i, t] of stacks().entries()) {
      for (const [id, r] of Object.entries<any>(t.Resources)) {
        const tags = spec.resources[r.Type]!.properties.Tags
        if (!tags || tags.type.type !== 'array' || (tags.type as any).element.type !== 'tag') continue
        const keys = (r.Properties.Tags ?? []).map((x: any) => x.Key)
        const expected = i < 4 ? ['copilot-application', 'copilot-environment', 'copilot-service'] : ['copilot-application', 'copilot-environment']
        expect(keys, `${r.Type} ${id}`).toEqual(expect.arrayContaining(expected))
        tagged++
      }
    }
    expect(tagged).toBeGreaterThan(40)
  })

  it('passes secrets only as valueFrom ARNs, never as plain environment values', () => {
    // Secret names are arbitrary; each must come out as a task definition secret with an ARN, must not
    // appear among the plain variables, and its name may only appear inside ARNs.
    const name = fc.stringMatching(/^s3cr3t[A-Za-z0-9_.-]{8,30}$/)
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/), fc.tuple(name, fc.boolean()), {minKeys: 1, maxKeys: 6}), (secrets) => {
        const manifest: EcsWorkloadManifest = {
          name: 'api',
          type: 'Backend Service',
          image: {location: 'example/api:1', port: 8080},
          variables: {PLAIN: 'visible'},
          secrets: Object.fromEntries(Object.entries(secrets).map(([k, [n, sm]]) => [k, sm ? {secretsmanager: n} : n])),
        }
        const out = render(manifest)
        const container = out.template.Resources.TaskDefinition.Properties.ContainerDefinitions[0]
        expect(container.Secrets.map((s: any) => s.Name)).toEqual(Object.keys(secrets).sort())
        for (const s of container.Secrets) expect(JSON.stringify(s.ValueFrom)).toMatch(/arn:\$\{AWS::Partition\}:(ssm|secretsmanager):/)
        const envNames = container.Environment.map((e: any) => e.Name)
        for (const k of Object.keys(secrets)) expect(envNames).not.toContain(k)
        const strings: string[] = []
        const walk = (v: unknown): void => {
          if (typeof v === 'string') strings.push(v)
          else if (v && typeof v === 'object') Object.values(v).forEach(walk)
        }
        walk(out)
        for (const [n] of Object.values(secrets)) {
          for (const s of strings.filter((x) => x.includes(n))) expect(s, `secret ${n} appears outside an ARN`).toMatch(/^arn:/)
        }
      }),
      {numRuns: 60},
    )
  })
})
