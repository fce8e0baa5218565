// Property: whatever the input, the engine returns diagnostics and never throws.
import fc from 'fast-check'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {formatDiagnostics, resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'
import {mutatedManifestArb} from './mutate.js'

const dirs = [join(import.meta.dirname, '..', 'fixtures', 'copilot'), join(import.meta.dirname, '..', 'fixtures', 'mistakes')]
const manifests = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yml')).map((f) => readFileSync(join(d, f), 'utf8')))
const runs = Number(process.env.PIER_PROPERTY_RUNS ?? 300)

describe('manifest engine under random mutation', () => {
  it(`only ever returns located diagnostics (${runs} runs)`, () => {
    fc.assert(
      fc.property(mutatedManifestArb(manifests), fc.constantFrom(undefined, 'test', 'prod'), ({text}, env) => {
        const input = {file: 'copilot/x/manifest.yml', text, app: 'demo', environments: ['test', 'prod'], vars: {DEFINED: 'x'}, ...(env ? {env} : {})}
        for (const resolve of [resolveWorkloadText, resolveEnvironmentText]) {
          const r = resolve(input)
          expect(Array.isArray(r.diagnostics)).toBe(true)
          expect(r.ok).toBe(!r.diagnostics.some((d) => d.severity === 'error'))
          for (const d of r.diagnostics) {
            expect(d.line).toBeGreaterThanOrEqual(1)
            expect(d.col).toBeGreaterThanOrEqual(1)
            expect(d.code).not.toBe('rule-failed')
            expect(d.message).not.toContain('internal error')
            expect(d.message).toMatch(/: /)
          }
          expect(typeof formatDiagnostics(r.diagnostics, {color: true})).toBe('string')
        }
      }),
      {numRuns: runs},
    )
  }, 30_000 + runs * 25)
})
