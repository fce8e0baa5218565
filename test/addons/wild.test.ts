// The real Copilot workspaces of ../shared/compat/wild (when present; they are not part of the project):
// every one that has addons or overrides packages with them, unless something other than its addons
// stops it first. The only addon or override failures are the two patches written for resources that
// Copilot's templates have and Pier's do not, reported where the patch is written.
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {packageEnvironment, packageWorkload} from '../../src/app/package.js'
import {workspaceManifests} from '../../src/app/workspace-manifests.js'

const wild = join(import.meta.dirname, '..', '..', '..', 'shared', 'compat', 'wild')
const present = existsSync(wild)

/** Failures that come from addons or overrides (the rest are the manifests', another concern). */
const isExtensionFailure = (message: string) => /addons|cfn\.patches\.yml|overrides/.test(message.split('\n')[0]!)

describe.skipIf(!present)('wild workspaces with addons or overrides', () => {
  it('package with their addons and overrides', {timeout: 120_000}, () => {
    const outcomes: string[] = []
    const scratch = mkdtempSync(join(tmpdir(), 'pier-wild-'))
    for (const name of readdirSync(wild).filter((d) => existsSync(join(wild, d, 'copilot'))).sort()) {
      const copilot = join(wild, name, 'copilot')
      const owners = readdirSync(copilot).filter((d) => existsSync(join(copilot, d, 'addons')) || existsSync(join(copilot, d, 'overrides')))
      if (owners.length === 0) continue
      // A copy, so a workspace without .workspace or environments can still be read.
      const root = join(scratch, name)
      cpSync(join(wild, name), root, {recursive: true})
      if (!existsSync(join(root, 'copilot', '.workspace'))) writeFileSync(join(root, 'copilot', '.workspace'), 'application: wild\n')
      const envs = existsSync(join(root, 'copilot', 'environments')) ? readdirSync(join(root, 'copilot', 'environments')).filter((e) => existsSync(join(root, 'copilot', 'environments', e, 'manifest.yml'))).sort() : []
      if (envs.length === 0) {
        mkdirSync(join(root, 'copilot', 'environments', 'test'), {recursive: true})
        writeFileSync(join(root, 'copilot', 'environments', 'test', 'manifest.yml'), 'name: test\ntype: Environment\n')
        envs.push('test')
      }
      let src: ReturnType<typeof workspaceManifests>
      try {
        src = workspaceManifests(root)
      } catch {
        continue
      }
      for (const owner of owners) {
        try {
          if (owner === 'environments') packageEnvironment(src, envs[0]!)
          else {
            const type = /type:\s*Scheduled Job/.test(readFileSync(join(root, 'copilot', owner, 'manifest.yml'), 'utf8')) ? 'job' : 'service'
            packageWorkload(src, {name: owner, env: envs[0]!, kind: type})
          }
          outcomes.push(`ok ${name}/${owner}`)
        } catch (error) {
          const message = (error as Error).message
          outcomes.push(isExtensionFailure(message) ? `extension ${name}/${owner}: ${message.split('\n')[1]}` : `other ${name}/${owner}`)
        }
      }
    }
    const extension = outcomes.filter((o) => o.startsWith('extension'))
    // Patches target Copilot's logical IDs, which Pier's templates keep. The one refusal left is
    // Copilot's too: this environment imports its VPC, so neither template has a VPC resource to patch.
    expect(extension).toEqual([
      expect.stringMatching(/^extension ronakseth96\+reg-pilot-api\/environments: copilot\/environments\/overrides\/cfn\.patches\.yml:2:3: error \[patch\] cannot replace \/Resources\/VPC/),
    ])
    expect(outcomes.filter((o) => o.startsWith('ok')).length).toBeGreaterThanOrEqual(15)
  })
})
