// The reference docs are generated (npm run docs); a change to a command or a schema must regenerate them.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {expect, it} from 'vitest'

const root = join(import.meta.dirname, '..')

it('docs/commands.md and docs/manifest-reference.md match the commands and the schemas', () => {
  expect(existsSync(join(root, 'oclif.manifest.json')), 'run npm run build first (npm test does)').toBe(true)
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-docs.mjs'), '--check'], {encoding: 'utf8'})
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
})
