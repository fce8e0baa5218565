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
