// The same code must run against AWS and the local control plane: only src/aws/clients.ts may know
// which one it talks to. This scans every source file above src/local for ways of telling them apart.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const src = join(root, 'src')

// The factory decides; the flag definitions only forward `--local` to it; the local control plane is
// its own program, and `pier local ...` commands (and their flags) manage it.
const ALLOWED = ['src/aws/clients.ts', 'src/cli/aws-flags.ts', 'src/cli/local-flags.ts']
const ALLOWED_DIRS = ['src/local/', 'src/commands/local/']

const FORBIDDEN: [RegExp, string][] = [
  [/\bisLocal\b/, 'an isLocal check'],
  [/\.local\s*(\)|&&|\|\||\?)/, 'a branch on a `local` option'],
  [/from\s+['"][./]*local\//, 'an import of the local control plane'],
  [/\bLOCAL_(REGION|ACCOUNT_ID|ACCESS_KEY_ID|SECRET_ACCESS_KEY|PORT)\b|DEFAULT_LOCAL_PORT/, 'a local identity constant'],
  [/127\.0\.0\.1|localhost|:4566\b/, 'a loopback address'],
  [/control-plane\.json|PIER_STATE_DIR/, 'the local state directory'],
]

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(name) ? [p] : []
  })
}

describe('no code path outside the client factory knows whether the endpoint is local', () => {
  const files = walk(src)
    .map((f) => relative(root, f))
    .filter((f) => !ALLOWED.includes(f) && !ALLOWED_DIRS.some((d) => f.startsWith(d)))

  it('scans the CLI, deploy core, use cases and renderers', () => {
    expect(files).toContain('src/aws/errors.ts')
    expect(files.length).toBeGreaterThan(3)
  })

  it('finds no local check in any of them', () => {
    const offenders: string[] = []
    for (const f of files) {
      const lines = readFileSync(join(root, f), 'utf8').split('\n')
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return
        for (const [re, what] of FORBIDDEN) if (re.test(line)) offenders.push(`${f}:${i + 1}: ${what}: ${line.trim()}`)
      })
    }
    expect(offenders).toEqual([])
  })

  it('would catch a branch on the endpoint kind', () => {
    const sample = 'if (opts.local) sleep = 10'
    expect(FORBIDDEN.some(([re]) => re.test(sample))).toBe(true)
  })
})
