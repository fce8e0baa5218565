// Golden tests: each test/golden/<case>/ holds a copilot/ workspace and case.json naming what to
// package; the expected files sit beside it. Manifests load through the real manifest engine
// (interpolation, type defaults, environment overrides, validation). Compared as parsed documents. Regenerate with
// PIER_UPDATE_GOLDEN=1 npx vitest run test/golden, then review the diff.
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {packageEnvironment, packageWorkload, type PackageResult} from '../../src/app/package.js'
import {checkTemplate} from '../render/check-template.js'
import {workspaceManifests} from '../../src/app/workspace-manifests.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const update = process.env.PIER_UPDATE_GOLDEN === '1'
const cases = readdirSync(here).filter((d) => existsSync(join(here, d, 'case.json'))).sort()

interface Case {
  package: 'svc' | 'job' | 'env'
  name?: string
  env: string
}

function run(dir: string, c: Case): PackageResult {
  const src = workspaceManifests(dir)
  if (c.package === 'env') return packageEnvironment(src, c.env)
  return packageWorkload(src, {name: c.name!, env: c.env, kind: c.package === 'job' ? 'job' : 'service'})
}

const parseFile = (name: string, text: string) => (name.endsWith('.json') ? JSON.parse(text) : parse(text))

describe('golden', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6)
  })

  it.each(cases)('%s', (name) => {
    const dir = join(here, name)
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case
    const result = run(dir, c)
    const expectedDir = join(dir, 'expected')
    for (const f of result.files) {
      // Build paths are absolute; the golden files keep them relative to the case directory.
      const content = f.content.split(dir).join('<case>')
      const path = join(expectedDir, f.name)
      if (update) {
        mkdirSync(expectedDir, {recursive: true})
        writeFileSync(path, content)
        continue
      }
      expect(existsSync(path), `${path} is missing: run with PIER_UPDATE_GOLDEN=1`).toBe(true)
      expect(parseFile(f.name, content), f.name).toEqual(parseFile(f.name, readFileSync(path, 'utf8')))
    }
    if (!update) expect(readdirSync(expectedDir).sort()).toEqual(result.files.map((f) => f.name).sort())
    const template = parse(result.files[0]!.content)
    const params = JSON.parse(result.files[1]!.content).Parameters
    expect(checkTemplate(template, params)).toEqual([])
  })
})
