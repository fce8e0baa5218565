// Mutated manifests by the thousand: the engine only ever returns located diagnostics, and the CLI
// never prints a stack trace, whatever the input.
import {spawnSync} from 'node:child_process'
import fc from 'fast-check'
import {cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect, it} from 'vitest'

import {resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'
import {mutatedManifestArb} from '../manifest/mutate.js'
import {profile, report} from './profile.js'

const root = join(import.meta.dirname, '..', '..')
const dirs = [join(root, 'test', 'fixtures', 'copilot'), join(root, 'test', 'fixtures', 'mistakes')]
const manifests = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yml')).map((f) => readFileSync(join(d, f), 'utf8')))

it(`${profile.manifests} mutated manifests: no throw, every diagnostic located`, () => {
  let diagnostics = 0
  let invalid = 0
  fc.assert(
    fc.property(mutatedManifestArb(manifests), fc.constantFrom(undefined, 'test', 'prod'), ({text}, env) => {
      const input = {file: 'copilot/x/manifest.yml', text, app: 'demo', environments: ['test', 'prod'], vars: {}, ...(env ? {env} : {})}
      for (const resolve of [resolveWorkloadText, resolveEnvironmentText]) {
        const r = resolve(input)
        diagnostics += r.diagnostics.length
        if (!r.ok) invalid++
        for (const d of r.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1)
          expect(d.col).toBeGreaterThanOrEqual(1)
          expect(d.file).toBe('copilot/x/manifest.yml')
          // A rule that fails inside saw data the schema refused: a bug, whatever the input.
          expect(d.code).not.toBe('rule-failed')
          expect(d.message).not.toContain('internal error')
        }
      }
    }),
    {numRuns: profile.manifests},
  )
  report('manifests', {runs: profile.manifests, diagnostics, invalid})
})

it('the CLI answers mutated workspaces with diagnostics and exit 1, never a stack trace', () => {
  const work = mkdtempSync(join(tmpdir(), 'pier-mutants-'))
  try {
    cpSync(join(root, 'manifests', 'demo'), work, {recursive: true})
    const target = join(work, 'copilot', 'web', 'manifest.yml')
    const original = readFileSync(target, 'utf8')
    const samples = fc.sample(mutatedManifestArb([original]), {numRuns: 40, seed: 42})
    let failures = 0
    for (const {text} of samples) {
      writeFileSync(target, text)
      const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'validate'], {cwd: work, env: {...process.env, CI: 'true'}, encoding: 'utf8'})
      expect([0, 1]).toContain(r.status)
      expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/)
      if (r.status === 1) {
        failures++
        expect(r.stderr + r.stdout).toMatch(/manifest\.yml:\d+:\d+/)
      }
    }
    report('cli-mutants', {runs: samples.length, rejected: failures})
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
})
