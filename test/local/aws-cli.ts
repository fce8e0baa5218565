// The AWS CLI the conformance tests drive the local control plane with: an `aws` on PATH, version 2 before
// version 1 (scripts/setup.sh installs Debian's). Without one the tests are skipped on a developer's machine,
// but fail in CI (CI set), where set-up should have installed it.
import {execFileSync} from 'node:child_process'
import {accessSync, constants, realpathSync, statSync} from 'node:fs'
import {delimiter, join} from 'node:path'

/** Every executable `name` on PATH, in PATH order, each file once. */
function onPath(name: string): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, name)
    try {
      if (!statSync(file).isFile()) continue
      accessSync(file, constants.X_OK)
      const real = realpathSync(file)
      if (seen.has(real)) continue
      seen.add(real)
      out.push(file)
    } catch {
      // not here
    }
  }
  return out
}

function version(path: string): string | undefined {
  try {
    const out = execFileSync(path, ['--version'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000})
    const v = /aws-cli\/(\d+\.\d+\.\d+)/.exec(out)?.[1]
    return v && /^[12]\./.test(v) ? v : undefined
  } catch {
    return undefined
  }
}

/** The first version 2 on PATH, else the first version 1 (a Python tool manager may put a v1 first). */
function find(): {path: string; version: string} | undefined {
  let v1: {path: string; version: string} | undefined
  for (const path of onPath('aws')) {
    const v = version(path)
    if (v?.startsWith('2.')) return {path, version: v}
    if (v && !v1) v1 = {path, version: v}
  }
  return v1
}

const found = find()
const inCi = !!process.env.CI && process.env.CI !== 'false'

/** Absolute path of the AWS CLI (empty when there is none: then `skipAwsCli` or `requireAwsCli` decide). */
export const AWS = found?.path ?? ''
/** Its version, e.g. "2.9.19". */
export const AWS_VERSION = found?.version ?? ''
/** Skip the AWS CLI tests: only outside CI, when there is no AWS CLI. */
export const skipAwsCli = !found && !inCi
if (skipAwsCli) console.warn("AWS CLI tests skipped: no `aws` on PATH (scripts/setup.sh installs Debian's awscli)")

/** Call in the suite's beforeAll: in CI, a missing AWS CLI fails the tests instead of skipping them. */
export function requireAwsCli(): void {
  if (!found) throw new Error("no AWS CLI (`aws` version 1 or 2) on PATH: scripts/setup.sh installs Debian's awscli")
}
