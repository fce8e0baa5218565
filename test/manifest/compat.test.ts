import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {formatDiagnostics, resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'

const dir = join(import.meta.dirname, '..', 'fixtures', 'copilot')
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()
const envNames = ['test', 'prod', 'phonetool', 'staging']

describe('Copilot compatibility corpus', () => {
  it('has the shared manifests', () => {
    expect(files.length).toBeGreaterThanOrEqual(17)
  })

  for (const f of files.filter((f) => !f.startsWith('pipeline-'))) {
    it(`${f} loads and validates with no error in every environment`, () => {
      // Copilot's template test fills CIDRs with "mock-cidr-N", which Copilot's own validation (like Pier's) refuses.
      const text = readFileSync(join(dir, f), 'utf8').replace(/mock-cidr-(\d+)/g, '10.$1.0.0/16')
      const input = {file: `copilot/${f}`, text, app: 'demo', environments: envNames, vars: {}}
      const resolve = f.startsWith('environment-') ? resolveEnvironmentText : resolveWorkloadText
      for (const env of [undefined, ...envNames]) {
        const r = resolve({...input, ...(env ? {env} : {})})
        expect(formatDiagnostics(r.diagnostics.filter((d) => d.severity === 'error'))).toBe('0 errors, 0 warnings')
        expect(r.ok).toBe(true)
      }
    })
  }
})

describe('Copilot pipeline manifests', () => {
  for (const f of files.filter((f) => f.startsWith('pipeline-'))) {
    it(`${f} is rejected with one message naming the unsupported pipeline kind`, () => {
      const r = resolveWorkloadText({file: `copilot/pipelines/x/manifest.yml`, text: readFileSync(join(dir, f), 'utf8'), app: 'demo', environments: [], vars: {}})
      expect(r.ok).toBe(false)
      expect(r.diagnostics).toHaveLength(1)
      expect(r.diagnostics[0]!.code).toBe('unsupported-pipeline')
      expect(r.diagnostics[0]!.message).toContain('pipeline')
    })
  }
})
