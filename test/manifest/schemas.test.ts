import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

// @ts-expect-error: a plain .mjs script without types
import {schemaFiles} from '../../scripts/schemas.mjs'

const dir = join(import.meta.dirname, '..', '..', 'schemas')

describe('schemas/', () => {
  it('matches what scripts/schemas.mjs writes (run `node scripts/schemas.mjs` after editing it)', () => {
    const onDisk = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    expect(onDisk).toEqual(Object.keys(schemaFiles).map((k) => `${k}.json`).sort())
    for (const [name, schema] of Object.entries(schemaFiles as Record<string, unknown>)) {
      expect(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')), name).toEqual(schema)
    }
  })

  it('describes every property, so editors show help on hover', () => {
    const missing: string[] = []
    let defs: Record<string, any> = {}
    const described = (v: any): boolean => Boolean(v.description || (v.$ref && defs[v.$ref.replace('#/$defs/', '')]?.description))
    const walk = (node: any, path: string): void => {
      if (!node || typeof node !== 'object') return
      for (const [k, v] of Object.entries<any>(node.properties ?? {})) {
        if (!described(v)) missing.push(`${path}.${k}`)
        walk(v, `${path}.${k}`)
      }
    }
    for (const [name, schema] of Object.entries(schemaFiles as Record<string, any>)) {
      defs = schema.$defs ?? {}
      walk(schema, name)
      for (const [d, def] of Object.entries<any>(schema.$defs ?? {})) walk(def, `${name}#${d}`)
    }
    expect(missing).toEqual([])
  })
})

describe('schemas/ as editors use them', () => {
  it('accept the raw Copilot and demo manifests, environments blocks included', async () => {
    const {default: Ajv} = await import('ajv')
    const {parse} = await import('yaml')
    const ajv = new (Ajv as unknown as typeof import('ajv').default)({allErrors: true, strict: false})
    const files: Record<string, string> = {
      'Load Balanced Web Service': 'load-balanced-web-service', 'Backend Service': 'backend-service', 'Worker Service': 'worker-service',
      'Scheduled Job': 'scheduled-job', Environment: 'environment',
    }
    const compat = join(import.meta.dirname, '..', 'fixtures', 'copilot')
    const demo = join(import.meta.dirname, '..', '..', 'manifests', 'demo', 'copilot')
    const manifests = [
      ...readdirSync(compat).filter((f) => f.endsWith('.yml') && !f.startsWith('pipeline-')).map((f) => join(compat, f)),
      ...['web', 'api', 'report', 'environments/test', 'environments/prod'].map((d) => join(demo, d, 'manifest.yml')),
    ]
    const problems: string[] = []
    for (const file of manifests) {
      // Copilot's template test fills CIDRs with "mock-cidr-N", which Copilot's own validation (like Pier's) refuses.
      const doc = parse(readFileSync(file, 'utf8').replace(/mock-cidr-(\d+)/g, '10.$1.0.0/16'))
      const validate = ajv.getSchema(files[doc.type]!) ?? ajv.compile({...JSON.parse(readFileSync(join(dir, `${files[doc.type]}.json`), 'utf8')), $id: files[doc.type]})
      if (!validate(doc)) problems.push(`${file}: ${ajv.errorsText(validate.errors)}`)
    }
    expect(problems).toEqual([])
  })

  it('report a misspelt field inside an environment override', async () => {
    const {default: Ajv} = await import('ajv')
    const ajv = new (Ajv as unknown as typeof import('ajv').default)({allErrors: true, strict: false})
    const validate = ajv.compile(JSON.parse(readFileSync(join(dir, 'backend-service.json'), 'utf8')))
    expect(validate({name: 'api', type: 'Backend Service', image: {location: 'x'}, environments: {prod: {count: 2, variables: {A: 'b'}}}})).toBe(true)
    expect(validate({name: 'api', type: 'Backend Service', image: {location: 'x'}, environments: {prod: {cuont: 2}}})).toBe(false)
  })
})
