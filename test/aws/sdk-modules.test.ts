// The bundle carries, for each AWS service, only the commands src/aws/sdk/<service>.ts names. These
// tests keep that list in step with what the client factory calls, and keep the rest of the code from
// importing a whole SDK client around it.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

import {OPERATIONS} from '../../src/aws/clients.js'

const src = join(import.meta.dirname, '..', '..', 'src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : []
  })
}

describe('SDK modules', () => {
  for (const [service, operations] of Object.entries(OPERATIONS)) {
    it(`${service}: exports its client and a command for every operation Pier calls`, async () => {
      const mod = (await import(`../../src/aws/sdk/${service}.ts`)) as Record<string, unknown>
      expect(Object.keys(mod).filter((k) => k.endsWith('Client'))).toHaveLength(1)
      const missing = operations.map((op) => `${op[0]!.toUpperCase()}${op.slice(1)}Command`).filter((c) => typeof mod[c] !== 'function')
      expect(missing).toEqual([])
    })
  }

  it('is the only place that loads an SDK client package at run time', () => {
    const offenders = files(src)
      .filter((f) => !f.startsWith(join(src, 'aws', 'sdk')))
      .filter((f) => /^\s*(import|export)\s+(?!type\b)[^;]*from '@aws-sdk\/client-|import\('@aws-sdk\/client-/m.test(readFileSync(f, 'utf8')))
      .map((f) => relative(src, f))
    expect(offenders).toEqual([])
  })
})
